"""``passport bursaries``: the network operator's bursary funds and awards from the command line (the
operator's own access, like ``passport approvals``). Each command prints the fund or award as JSON (the
API's ``FundOut``/``AwardOut``); a refused change exits 1 with the reason and writes nothing. A host's
endorsement is checked offline here: did:key hosts only (a did:web host's goes through the API, whose
verifier fetches its DID document)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from core.db import make_engine, session_factory, transaction
from core.keystore import Keystore
from core.problems import Problem
from network.bursaries import service
from network.bursaries.api import award_out, fund_out
from network.bursaries.api_models import AwardCreate, DisseminationIn, FundCreate, VisitIn
from network.bursaries.credential import HostEndorsements
from network.trust import TrustConfig
from server.migrate import upgrade
from server.settings import Settings

app = typer.Typer(no_args_is_help=True, help="The network operator's bursary funds and awards.")

Result = TypeVar("Result")
Model = TypeVar("Model", bound=BaseModel)
AwardId = Annotated[str, typer.Argument(help="The award's id.")]


@contextmanager
def _operator() -> Iterator[tuple[Session, TrustConfig]]:
    settings = Settings()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    trust = TrustConfig(
        settings.base_url,
        Keystore(settings.resolved_master_key()),
        settings.operator_name,
        settings.scheme_name,
    )
    try:
        with transaction(session_factory(engine)) as session:
            yield session, trust
    finally:
        engine.dispose()


def _run(command: str, act: Callable[[Session, TrustConfig], Any]) -> None:
    """Run `act` in one transaction and print its answer as JSON; a problem is exit 1, rolled back."""
    try:
        with _operator() as (session, trust):
            typer.echo(json.dumps(act(session, trust), indent=2, default=str))
    except Problem as problem:
        typer.echo(f"passport bursaries {command}: {problem.detail}", err=True)
        raise typer.Exit(1) from None


def _body(command: str, model: type[Model], values: dict[str, Any]) -> Model:
    try:
        return model.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "input"
        typer.echo(f"passport bursaries {command}: {where}: {first['msg']}", err=True)
        raise typer.Exit(2) from None


def _award(session: Session, trust: TrustConfig, award: Any) -> dict[str, Any]:
    return award_out(session, award, trust.base_url).model_dump(mode="json")


@app.command("funds")
def list_funds() -> None:
    """Every fund, newest first."""
    _run("funds", lambda s, t: [fund_out(f, t.base_url).model_dump(mode="json") for f in service.funds(s)])


@app.command("create-fund")
def create_fund(
    name: Annotated[str, typer.Option(help="The fund's name.")],
    funder: Annotated[str, typer.Option(help="Who funds it.")],
    amount: Annotated[int, typer.Option(help="In minor units (pence).")],
    criteria: Annotated[str, typer.Option(help="Who may apply and what they must do.")],
    currency: Annotated[str, typer.Option(help="ISO 4217.")] = "GBP",
    report: Annotated[bool, typer.Option(help="Require a report before the credential.")] = True,
    session_for_peers: Annotated[
        bool, typer.Option("--session/--no-session", help="Require a session delivered to peers.")
    ] = True,
) -> None:
    body = _body(
        "create-fund",
        FundCreate,
        {
            "name": name,
            "funder": funder,
            "amount": {"amount": amount, "currency": currency},
            "criteria": criteria,
            "requires_report": report,
            "requires_session": session_for_peers,
        },
    )
    now = datetime.now(UTC)
    _run(
        "create-fund",
        lambda s, t: fund_out(service.create_fund(s, body, now), t.base_url).model_dump(mode="json"),
    )


@app.command("awards")
def list_awards(fund: Annotated[str | None, typer.Option(help="Only this fund's awards.")] = None) -> None:
    """Awards, newest first."""
    _run("awards", lambda s, t: [_award(s, t, a) for a in service.awards(s, fund_id=fund)])


@app.command("award")
def create_award(
    fund: Annotated[str, typer.Option(help="The fund's id.")],
    name: Annotated[str, typer.Option(help="The educator's name.")],
    email: Annotated[str, typer.Option(help="The educator's email address.")],
    provider: Annotated[str, typer.Option(help="The educator's provider's id.")],
    amount: Annotated[int, typer.Option(help="In minor units (pence).")],
) -> None:
    """Offer a bursary to an educator."""
    body = _body(
        "award",
        AwardCreate,
        {"educator_name": name, "educator_email": email, "provider_id": provider, "amount": amount},
    )
    now = datetime.now(UTC)
    _run("award", lambda s, t: _award(s, t, service.create_award(s, fund, body, now)))


@app.command("accept")
def accept(award: AwardId) -> None:
    """The educator accepted the offer."""
    now = datetime.now(UTC)
    _run("accept", lambda s, t: _award(s, t, service.accept(s, award, now)))


@app.command("visit")
def record_visit(
    award: AwardId,
    host: Annotated[str, typer.Option(help="The host organisation.")],
    country: Annotated[str, typer.Option(help="Where the visit was.")],
    start: Annotated[str, typer.Option(help="First day (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option(help="Last day (YYYY-MM-DD).")],
    focus: Annotated[str, typer.Option(help='Such as "WorldSkills national final abroad".')],
    host_did: Annotated[str | None, typer.Option(help="The host's DID, if it has one.")] = None,
) -> None:
    """Record (or correct) the visit."""
    body = _body(
        "visit",
        VisitIn,
        {
            "host_name": host,
            "host_did": host_did,
            "country": country,
            "start": start,
            "end": end,
            "focus": focus,
        },
    )
    now = datetime.now(UTC)
    _run("visit", lambda s, t: _award(s, t, service.record_visit(s, award, body, now)))


@app.command("dissemination")
def record_dissemination(
    award: AwardId,
    report_url: Annotated[str | None, typer.Option(help="A link to the report.")] = None,
    report_summary: Annotated[str | None, typer.Option(help="The report in brief.")] = None,
    session_date: Annotated[
        str | None, typer.Option(help="When the session for peers was (YYYY-MM-DD).")
    ] = None,
    audience: Annotated[int | None, typer.Option(help="How many peers attended.")] = None,
    session_title: Annotated[str | None, typer.Option(help="The session's title.")] = None,
) -> None:
    """Record what the educator shared after the visit."""
    day = date.fromisoformat(session_date) if session_date else None
    body = _body(
        "dissemination",
        DisseminationIn,
        {
            "report_url": report_url,
            "report_summary": report_summary,
            "session_date": day,
            "session_audience": audience,
            "session_title": session_title,
        },
    )
    now = datetime.now(UTC)
    _run("dissemination", lambda s, t: _award(s, t, service.record_dissemination(s, award, body, now)))


@app.command("host-endorsement")
def host_endorsement(
    award: AwardId,
    document: Annotated[Path, typer.Argument(help="The host's signed EndorsementCredential (JSON file).")],
) -> None:
    """Check the host's signed endorsement of the visit's credential and keep it for issuing; once the
    credential is issued, re-issue it with the endorsement inside (same id, new signature; exit 1 if it
    is revoked)."""
    endorsement = json.loads(document.read_text())
    now = datetime.now(UTC)
    _run(
        "host-endorsement",
        lambda s, t: _award(
            s, t, service.record_host_endorsement(s, t, HostEndorsements(), award, endorsement, now)
        ),
    )


@app.command("issue")
def issue(award: AwardId) -> None:
    """Sign the exchange-visit credential (exit 1 while the fund's dissemination requirement is unmet)."""
    now = datetime.now(UTC)
    _run("issue", lambda s, t: _award(s, t, service.issue(s, t, award, now)))


@app.command("withdraw")
def withdraw(award: AwardId, reason: Annotated[str, typer.Option(help="Why.")]) -> None:
    now = datetime.now(UTC)
    _run("withdraw", lambda s, t: _award(s, t, service.withdraw(s, award, reason, now)))


@app.command("revoke")
def revoke(award: AwardId, reason: Annotated[str, typer.Option(help="Why.")]) -> None:
    """Revoke an issued exchange-visit credential on the operator's status list (once)."""
    now = datetime.now(UTC)
    _run("revoke", lambda s, t: _award(s, t, service.revoke(s, award, reason, now)))
