"""``passport claim-codes``: a provider's event claim codes from the command line (with the operator's
access to the database, like ``passport issuers``): open, list, show, close. Each prints the code as JSON
(the API's ``ClaimCodeOut``: the short link and QR code links included); a refused change exits 1 with
the reason and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, TypeVar

import typer
from sqlalchemy.orm import Session

from core.db import make_engine, session_factory, transaction
from core.problems import Problem
from issuers import service
from passport.claim_codes import codes
from passport.claim_codes.api import code_out
from passport.claim_codes.models import ClaimCode
from server.migrate import upgrade
from server.settings import Settings

app = typer.Typer(no_args_is_help=True, help="A provider's event claim codes.")

Result = TypeVar("Result")
ProviderOption = Annotated[str, typer.Option("--provider", help="The provider's id.")]


def _run(command: str, act: Callable[[Session, str, datetime], Result]) -> Result:
    settings = Settings()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with transaction(session_factory(engine)) as session:
            return act(session, settings.base_url, datetime.now(UTC))
    except Problem as problem:  # rolled back: nothing half-written
        reasons = "; ".join(str(e.get("msg")) for e in problem.extensions.get("errors", []))
        typer.echo(f"passport claim-codes {command}: {problem.detail} {reasons}".rstrip(), err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


def _print(rows: list[ClaimCode], base_url: str, now: datetime) -> None:
    typer.echo(json.dumps([code_out(base_url, row, now).model_dump(mode="json") for row in rows], indent=2))


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a time like 2026-12-05T09:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command("open")
def open_code(
    provider: ProviderOption,
    achievement: Annotated[str, typer.Option(help="The achievement's id (one of the provider's).")],
    event: Annotated[str, typer.Option(help="The event's name, shown to people who claim.")],
    opens: Annotated[str, typer.Option(help="When claims open (ISO 8601; UTC if no zone).")],
    closes: Annotated[str, typer.Option(help="When claims close.")],
    capacity: Annotated[int | None, typer.Option(help="The most credentials it may issue.")] = None,
) -> None:
    """Open a claim code for an event."""
    opens_at, closes_at = _moment(opens), _moment(closes)

    def act(session: Session, base_url: str, now: datetime) -> None:
        issuer = service.get_issuer(session, provider)
        code = codes.open_code(session, issuer, achievement, event, opens_at, closes_at, capacity, now)
        _print([code], base_url, now)

    _run("open", act)


@app.command("list")
def list_codes(provider: ProviderOption) -> None:
    """The provider's codes, newest first."""

    def act(session: Session, base_url: str, now: datetime) -> None:
        _print(codes.list_codes(session, service.get_issuer(session, provider)), base_url, now)

    _run("list", act)


@app.command("show")
def show(code_id: str, provider: ProviderOption) -> None:
    """One code, with how many have claimed it."""

    def act(session: Session, base_url: str, now: datetime) -> None:
        _print([codes.get_code(session, service.get_issuer(session, provider), code_id)], base_url, now)

    _run("show", act)


@app.command("close")
def close(code_id: str, provider: ProviderOption) -> None:
    """Stop claims now, before the window ends."""

    def act(session: Session, base_url: str, now: datetime) -> None:
        _print(
            [codes.close_code(session, service.get_issuer(session, provider), code_id, now)], base_url, now
        )

    _run("close", act)
