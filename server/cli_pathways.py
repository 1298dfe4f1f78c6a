"""``passport pathways``: the network operator's lifelong-learning pathways from the command line (the
operator's own access, like ``passport approvals``): create and update from the API's JSON bodies, and
list. Each prints the pathway as one line of JSON; a definition that could never be completed exits 2
with every reason, and nothing is stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from sqlalchemy.orm import Session

from core.db import make_engine, session_factory, transaction
from core.problems import NotFound, ValidationFailed
from network.pathways import service as pathways
from network.pathways.api_models import PathwayCreate, PathwayUpdate
from network.pathways.models import Pathway
from server.migrate import upgrade
from server.settings import Settings
from vc.baking import MAX_IMAGE_BYTES

app = typer.Typer(no_args_is_help=True, help="The network operator's lifelong-learning pathways.")


def _pathway_body(path: Path, model: type[PathwayCreate] | type[PathwayUpdate], command: str) -> Any:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_IMAGE_BYTES + 1)
    except OSError as error:
        typer.echo(f"passport pathways {command}: cannot read {path}: {error.strerror or error}", err=True)
        raise typer.Exit(2) from None
    if len(raw) > MAX_IMAGE_BYTES:
        typer.echo(f"passport pathways {command}: {path} is larger than {MAX_IMAGE_BYTES} bytes", err=True)
        raise typer.Exit(2)
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        for problem in error.errors():
            typer.echo(
                f"passport pathways {command}: {'.'.join(map(str, problem['loc']))}: {problem['msg']}",
                err=True,
            )
        raise typer.Exit(2) from None


def _pathway_json(pathway: Pathway) -> str:
    return json.dumps(
        {
            "id": pathway.id,
            "title": pathway.title,
            "region": pathway.region,
            "sector": pathway.sector,
            "version": pathway.current_version,
            "state": pathway.state,
        }
    )


def _in_transaction(act: Callable[[Session, str], None]) -> None:
    """Run ``act`` with a session and the service's base URL, in one transaction on the service's
    database (migrated first)."""
    settings = Settings()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with transaction(session_factory(engine)) as session:
            act(session, settings.base_url)
    finally:
        engine.dispose()


def _write_pathway(command: str, change: Callable[[Session, str, datetime], Pathway]) -> None:
    try:
        _in_transaction(
            lambda session, base_url: typer.echo(_pathway_json(change(session, base_url, datetime.now(UTC))))
        )
    except ValidationFailed as problem:
        for error in problem.extensions.get("errors", []):
            where = ".".join(str(part) for part in error["loc"][1:])
            typer.echo(f"passport pathways {command}: {where}: {error['msg']}", err=True)
        raise typer.Exit(2) from None
    except NotFound as problem:
        typer.echo(f"passport pathways {command}: {problem.detail}", err=True)
        raise typer.Exit(1) from None


@app.command("create")
def pathways_create(
    definition: Annotated[
        Path, typer.Argument(help="The pathway as JSON: the body of POST /api/v1/admin/pathways.")
    ],
) -> None:
    """Define a pathway (owned by the network operator); prints it as JSON. A definition that could never
    be completed is refused with every reason, and nothing is stored."""
    body = _pathway_body(definition, PathwayCreate, "create")
    _write_pathway("create", lambda session, base_url, now: pathways.create(session, base_url, body, now))


@app.command("update")
def pathways_update(
    pathway_id: Annotated[str, typer.Argument(help="The pathway's id.")],
    change: Annotated[
        Path, typer.Argument(help="The change as JSON: the body of PATCH /api/v1/admin/pathways/{id}.")
    ],
) -> None:
    """Change a pathway: new steps make a new version; learners keep the version they completed."""
    body = _pathway_body(change, PathwayUpdate, "update")
    _write_pathway(
        "update", lambda session, base_url, now: pathways.update(session, base_url, pathway_id, body, now)
    )


@app.command("list")
def pathways_list() -> None:
    """Every pathway, one JSON object a line."""

    def act(session: Session, _: str) -> None:
        for pathway in pathways.list_pathways(session):
            typer.echo(_pathway_json(pathway))

    _in_transaction(act)
