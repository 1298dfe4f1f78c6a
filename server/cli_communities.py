"""``passport communities``: the network operator's communities of practice from the command line (the
operator's own access, like ``passport approvals``): list, create, set the participation rule, see who
meets it, and issue the participation credentials. Each prints JSON (the API's bodies); a refused change
exits 1 with the reason, and nothing is written."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.orm import Session

from core.db import make_engine, session_factory, transaction
from core.keystore import Keystore
from core.problems import Problem
from issuers.service import IssuerConfig
from network.communities import participation, service
from network.communities.api import community_out, participation_out
from network.trust import TrustConfig
from server.app import issuer_config, passport_config
from server.migrate import upgrade
from server.settings import Settings

app = typer.Typer(no_args_is_help=True, help="The network's communities of practice.")

Result = TypeVar("Result")


@dataclass(frozen=True)
class _Context:
    session: Session
    trust: TrustConfig
    issuers: IssuerConfig


@contextmanager
def _operator() -> Iterator[_Context]:
    settings = Settings()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    keystore = Keystore(settings.resolved_master_key())
    trust = TrustConfig(settings.base_url, keystore, settings.operator_name, settings.scheme_name)
    issuers = issuer_config(settings, passport_config(settings), keystore)
    try:
        with transaction(session_factory(engine)) as session:
            yield _Context(session, trust, issuers)
    finally:
        engine.dispose()


def _run(command: str, act: Callable[[_Context], Result]) -> Result:
    try:
        with _operator() as context:
            return act(context)
    except Problem as problem:  # rolled back: nothing half-written
        errors = problem.extensions.get("errors") or []
        why = "; ".join(str(e.get("msg")) for e in errors if isinstance(e, dict))
        typer.echo(f"passport communities {command}: {problem.detail}{' ' + why if why else ''}", err=True)
        raise typer.Exit(1) from None


def _print(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


@app.command("list")
def list_communities() -> None:
    """Every community, by name."""

    def act(c: _Context) -> None:
        _print(
            [
                community_out(c.session, c.trust, row).model_dump(mode="json")
                for row in service.visible(c.session, service.OPERATOR)
            ]
        )

    _run("list", act)


@app.command("create")
def create(
    name: Annotated[str, typer.Option(help="Its name, e.g. Net Zero.")],
    sector: Annotated[str | None, typer.Option(help="Its sector.")] = None,
    description: Annotated[str, typer.Option(help="What it is for.")] = "",
    coordinator: Annotated[
        list[str] | None, typer.Option(help="A coordinator provider's id (repeat).")
    ] = None,
) -> None:
    """Add a community the operator owns (its participation credentials are signed by the operator)."""

    def act(c: _Context) -> None:
        row = service.create(
            c.session, name, sector, description, coordinator or [], None, None, datetime.now(UTC)
        )
        _print(community_out(c.session, c.trust, row).model_dump(mode="json"))

    _run("create", act)


@app.command("rule")
def rule(
    community_id: str,
    rule_json: Annotated[str, typer.Argument(help='e.g. \'{"attended": {"at_least": 4, "of_last": 6}}\'')],
) -> None:
    """Set the participation rule; one that could never be met is refused with why."""
    try:
        raw = json.loads(rule_json)
    except json.JSONDecodeError as error:
        raise typer.BadParameter(f"not JSON: {error}") from None

    def act(c: _Context) -> None:
        row = service.update(c.session, service.OPERATOR, community_id, {"rule": raw}, datetime.now(UTC))
        _print(community_out(c.session, c.trust, row).model_dump(mode="json"))

    _run("rule", act)


@app.command("standing")
def standing(community_id: str) -> None:
    """Every member and whether they meet the rule now."""

    def act(c: _Context) -> None:
        community = service.get(c.session, service.OPERATOR, community_id)
        _print(
            [
                {
                    "email": s.member.email,
                    "state": s.member.state,
                    "meets_rule": bool(s.outcome and s.outcome.met),
                    "missing": list(s.outcome.missing) if s.outcome else [],
                    "participation_id": s.participation.id if s.participation else None,
                }
                for s in service.standings(c.session, community, datetime.now(UTC))
            ]
        )

    _run("standing", act)


@app.command("issue")
def issue(community_id: str) -> None:
    """Issue the participation credential of every member who meets the rule and has none yet."""

    def act(c: _Context) -> None:
        community = service.get(c.session, service.OPERATOR, community_id)
        issued = participation.issue_ready(c.session, c.trust, c.issuers, community, datetime.now(UTC))
        _print([participation_out(c.session, row).model_dump(mode="json") for row in issued])

    _run("issue", act)


@app.command("revoke")
def revoke(
    community_id: str, participation_id: str, reason: Annotated[str, typer.Option(help="Why.")]
) -> None:
    """Revoke an operator-signed participation credential on the operator's status list (once)."""

    def act(c: _Context) -> None:
        community = service.get(c.session, service.OPERATOR, community_id)
        row = participation.revoke(c.session, community, participation_id, reason, datetime.now(UTC))
        _print(participation_out(c.session, row).model_dump(mode="json"))

    _run("revoke", act)
