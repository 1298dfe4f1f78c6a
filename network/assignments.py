"""Which assessor reviews a scheme submission: the operator's administrators assign pending submissions
to assessors (operator staff with the assessor role), and an assessor sees and decides only the ones
assigned to them (`reviewer_for` builds their `approvals.Reviewer`). One assessor per submission at a
time; assigning it again moves it. Every assignment is in the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actors import actor_of
from core.i18n import gettext
from core.problems import Conflict, Forbidden, NotFound, ValidationFailed
from issuers.staff import accounts, audit
from issuers.staff.roles import Role

from . import approvals
from .models import ApprovalAssignment

if TYPE_CHECKING:  # staff come from the staff accounts' service; their table is theirs
    from issuers.staff.models import StaffMember


def assessors(session: Session) -> list[StaffMember]:
    """The operator's assessors, by name."""
    found = [member for member in accounts.list_staff(session, None) if member.role == Role.ASSESSOR.value]
    return sorted(found, key=lambda member: (member.name.lower(), member.id))


def assign(session: Session, approval_id: str, assessor_id: str, now: datetime) -> ApprovalAssignment:
    """Assign a pending submission to an assessor (409 once it is decided; 422 for someone who is not
    one of the operator's assessors)."""
    row = approvals.get(session, approval_id)
    if row.state != "pending":
        raise Conflict(gettext("this submission is %(state)s", state=row.state), current_state=row.state)
    try:
        member: StaffMember | None = accounts.get_member(session, None, assessor_id)
    except NotFound:
        member = None
    if member is None or member.role != Role.ASSESSOR.value:
        raise ValidationFailed(
            gettext("choose one of the operator's assessors"),
            [{"loc": ["body", "assessor_id"], "msg": "not an assessor"}],
        )
    current = session.get(ApprovalAssignment, row.id)
    before = {"assessor_id": current.assessor_id} if current else None
    actor = actor_of(session)
    by = f"{actor.kind}:{actor.id}" if actor.id else actor.kind
    if current is None:
        current = ApprovalAssignment(
            approval_id=row.id, assessor_id=member.id, assigned_at=now, assigned_by=by
        )
        session.add(current)
    else:
        current.assessor_id, current.assigned_at, current.assigned_by = member.id, now, by
    session.flush()
    audit.record(
        session,
        "approval.assigned",
        "scheme_approval",
        row.id,
        now,
        provider_id=row.issuer_id,
        before=before,
        after={"assessor_id": member.id, "assessor": member.name},
    )
    return current


def assigned_to(session: Session, assessor_id: str) -> frozenset[str]:
    """The ids of the submissions assigned to this assessor."""
    statement = select(ApprovalAssignment.approval_id).where(ApprovalAssignment.assessor_id == assessor_id)
    return frozenset(session.scalars(statement))


def assignees(session: Session, approval_ids: Iterable[str]) -> dict[str, StaffMember]:
    """Who each of these submissions is assigned to (those assigned to nobody are left out)."""
    wanted = list(approval_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(ApprovalAssignment.approval_id, ApprovalAssignment.assessor_id).where(
            ApprovalAssignment.approval_id.in_(wanted)
        )
    )
    staff = {member.id: member for member in accounts.list_staff(session, None)}
    return {approval_id: staff[assessor_id] for approval_id, assessor_id in rows if assessor_id in staff}


def reviewer_for(session: Session, member: StaffMember) -> approvals.Reviewer:
    """An operator administrator reviews as the operator (any submission); an assessor only what is
    assigned to them."""
    if member.provider_id is None and member.role == Role.OPERATOR_ADMIN.value:
        return approvals.Reviewer("operator", member.id)
    if member.provider_id is None and member.role == Role.ASSESSOR.value:
        return approvals.Reviewer("assessor", member.id, assigned_to(session, member.id))
    raise approvals.forbid_provider()


def forbid_assessor() -> Forbidden:
    return Forbidden(gettext("only the network operator's administrators can do this"))
