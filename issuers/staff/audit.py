"""The audit trail: who did what to what, when, and the state before and after, written in the
transaction of the change (so a change and its record commit together or not at all).

The actor is the request's (`core.actors`): the staff member, API key or operator token the request
authenticated, or the system. Providers' admins read their own provider's events; the operator reads
every event."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actors import actor_of

from .models import AuditEvent

__all__ = ["MAX_PAGE", "AuditEvent", "events", "record"]

MAX_PAGE = 200


def record(
    session: Session,
    action: str,
    subject_kind: str,
    subject_id: str | None,
    now: datetime,
    *,
    provider_id: str | None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    actor = actor_of(session)
    event = AuditEvent(
        at=now,
        provider_id=provider_id,
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        subject_kind=subject_kind,
        subject_id=subject_id,
        before=_json(before),
        after=_json(after),
    )
    session.add(event)
    session.flush()
    return event


def events(
    session: Session, *, provider_id: str | None, everyone: bool = False, limit: int = 50, offset: int = 0
) -> list[AuditEvent]:
    """Newest first: one provider's events, or with `everyone` (the operator) all of them."""
    query = select(AuditEvent)
    if not everyone:
        query = query.where(AuditEvent.provider_id == provider_id)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id).limit(min(limit, MAX_PAGE)).offset(offset)
    return list(session.scalars(query))


def _json(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """JSON-safe: datetimes as ISO 8601 text."""
    if values is None:
        return None
    return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in values.items()}
