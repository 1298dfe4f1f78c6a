"""Demo data of the operator console: the demo's pending scheme submissions assigned to the demo
assessor, so an assessor signing in finds work in their queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from network import approvals, assignments


def assign_demo_approvals(session: Session, now: datetime) -> int:
    """Assign every pending submission to the first of the operator's assessors; how many were."""
    found = assignments.assessors(session)
    if not found:
        return 0
    pending = approvals.list_all(session, approvals.OPERATOR, "pending")
    for row in pending:
        assignments.assign(session, row.id, found[0].id, now)
    return len(pending)
