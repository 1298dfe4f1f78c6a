"""``passport approvals``: the network operator's scheme approvals from the command line (the operator's
own access, like ``passport issuers create``): the queue, approve, refuse with reasons, withdraw, and
assigning a submission to one of the operator's assessors (`network.assignments`). Each prints the
submission as JSON (the API's ``ApprovalOut`` with its ``assignee``); a refused change exits 1 with the
reason. The audit trail records the command line's changes as the ``system``'s (`core.actors`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar, cast

import typer
from sqlalchemy.orm import Session

from core.db import make_engine, session_factory, transaction
from core.keystore import Keystore
from core.problems import NotFound, Problem, ValidationFailed
from issuers.staff import accounts
from issuers.staff.models import StaffMember
from issuers.staff.roles import Role
from network import approvals, assignments
from network.api import approval_out
from network.models import SchemeApproval
from network.trust import TrustConfig
from server.migrate import upgrade
from server.settings import Settings

app = typer.Typer(no_args_is_help=True, help="The network operator's scheme approvals.")

Result = TypeVar("Result")
CRITERIA = ("level", "sector", "credits", "quality_statement", "other")


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


def _run(command: str, act: Callable[[Session, TrustConfig], Result]) -> Result:
    try:
        with _operator() as (session, trust):
            return act(session, trust)
    except Problem as problem:  # rolled back: nothing half-written
        typer.echo(f"passport approvals {command}: {problem.detail}", err=True)
        raise typer.Exit(1) from None


def _staff_json(member: StaffMember) -> dict[str, str]:
    return {"id": member.id, "name": member.name, "email": member.email, "role": member.role}


def _print(session: Session, rows: list[SchemeApproval], base_url: str) -> None:
    """The submissions as the API shows them, each with who it is assigned to (null: nobody yet)."""
    assigned = assignments.assignees(session, [row.id for row in rows])
    found = [
        {
            **approval_out(row, base_url).model_dump(mode="json"),
            "assignee": _staff_json(assigned[row.id]) if row.id in assigned else None,
        }
        for row in rows
    ]
    typer.echo(json.dumps(found, indent=2))


@app.command("list")
def list_approvals(
    state: Annotated[str | None, typer.Option(help="pending, approved, refused or withdrawn.")] = None,
) -> None:
    """Submissions, oldest first (``--state pending``: the queue)."""
    if state not in (None, "pending", "approved", "refused", "withdrawn"):
        typer.echo("passport approvals list: --state is pending, approved, refused or withdrawn", err=True)
        raise typer.Exit(2)

    def act(session: Session, trust: TrustConfig) -> None:
        rows = approvals.list_all(session, approvals.OPERATOR, cast(approvals.State | None, state))
        _print(session, rows, trust.base_url)

    _run("list", act)


@app.command("approve")
def approve(
    approval_id: str,
    comment: Annotated[str | None, typer.Option(help="Carried in the endorsement.")] = None,
) -> None:
    """Approve a pending submission: signs and publishes its endorsement."""

    def act(session: Session, trust: TrustConfig) -> None:
        now = datetime.now(UTC)
        row = approvals.approve(session, trust, approval_id, approvals.OPERATOR, comment, now)
        _print(session, [row], trust.base_url)

    _run("approve", act)


def _reason(text: str) -> dict[str, str]:
    criterion, colon, reason = text.partition(":")
    if not colon or criterion.strip() not in CRITERIA or not reason.strip():
        raise typer.BadParameter(f"give CRITERION:REASON, CRITERION one of {', '.join(CRITERIA)}")
    return {"criterion": criterion.strip(), "reason": reason.strip()}


@app.command("refuse")
def refuse(
    approval_id: str,
    reason: Annotated[list[str], typer.Option(help="CRITERION:REASON (repeat for each).")],
) -> None:
    """Refuse a pending submission with reasons, e.g. --reason "credits:No credit value is given"."""
    reasons = [_reason(text) for text in reason]

    def act(session: Session, trust: TrustConfig) -> None:
        now = datetime.now(UTC)
        row = approvals.refuse(session, approval_id, approvals.OPERATOR, reasons, now)
        _print(session, [row], trust.base_url)

    _run("refuse", act)


@app.command("withdraw")
def withdraw(approval_id: str, reason: Annotated[str, typer.Option(help="Why, for the record.")]) -> None:
    """Withdraw an approval: its endorsement is revoked on the operator's status list."""

    def act(session: Session, trust: TrustConfig) -> Any:
        now = datetime.now(UTC)
        row = approvals.withdraw(session, approval_id, approvals.OPERATOR, reason, now)
        _print(session, [row], trust.base_url)

    _run("withdraw", act)


@app.command("assessors")
def list_assessors() -> None:
    """The operator's staff who may assess submissions (role ``assessor``), by name: whom ``assign``
    takes."""

    def act(session: Session, _: TrustConfig) -> None:
        found = [_staff_json(member) for member in assignments.assessors(session)]
        typer.echo(json.dumps(found, indent=2))

    _run("assessors", act)


def _operator_staff(session: Session, id_or_email: str) -> StaffMember:
    """The operator's staff member with this id or email address; anyone else is refused by name, so the
    operator learns whether the address is wrong or the person is not an assessor."""
    wanted = id_or_email.strip()
    staff = accounts.list_staff(session, None)
    member = next((m for m in staff if wanted == m.id or wanted.lower() == m.email.lower()), None)
    if member is None:
        raise NotFound(f"no one on the operator's staff has the id or email address {wanted!r}")
    if member.role != Role.ASSESSOR.value:
        raise ValidationFailed(
            f"{member.email} is {member.role}, not an assessor (see passport approvals assessors)",
            [{"loc": ["assessor"], "msg": "not an assessor"}],
        )
    return member


@app.command("assign")
def assign(
    approval_id: str,
    assessor: Annotated[str, typer.Option(help="The assessor's staff id or email address.")],
) -> None:
    """Assign a pending submission to one of the operator's assessors (it moves from whoever had it):
    they see and decide only what is assigned to them. An assignment cannot be undone, only moved."""

    def act(session: Session, trust: TrustConfig) -> None:
        row = approvals.get(session, approval_id)
        member = _operator_staff(session, assessor)
        assignments.assign(session, row.id, member.id, datetime.now(UTC))
        _print(session, [row], trust.base_url)

    _run("assign", act)
