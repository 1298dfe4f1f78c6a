"""One of a provider's credentials as its console shows it: what was issued, its history (from the audit
trail, which every change writes in its own transaction), and re-sending its claim email.

**Re-sending.** The claim email goes out the way issuing sends it: the issuing listener
(`issuers.ports.IssuanceListener`, the passport's claim links) is told about the credential again, so
a new claim link is made and mailed in this request's transaction. Only while it means something: the
credential is valid and not yet in a passport (``claimed_at`` unset). A learner is not flooded: at most
one re-send per `RESEND_INTERVAL` and `RESEND_PER_DAY` a day for one credential, counted from the audit
trail (``credential.claim_resend``), so every web process agrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.i18n import gettext
from core.problems import Conflict, TooManyRequests
from issuers import issuing, lifecycle, service
from issuers.models import Achievement, IssuedCredential, Issuer
from issuers.ports import IssuanceListener, IssuedNotice
from issuers.staff import audit
from issuers.staff.models import AuditEvent

RESEND = "credential.claim_resend"
RESEND_INTERVAL = timedelta(minutes=15)
RESEND_PER_DAY = 3
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str  # the audit action: credential.issue, credential.revoke, ...
    actor: str
    actor_kind: str
    status_before: str | None
    status_after: str | None
    reason: str | None
    #: What it was issued through, when not one by one: ("cohort", job id) or ("claim_code", code id).
    through: tuple[str, str] | None = None


@dataclass(frozen=True)
class CredentialView:
    row: IssuedCredential
    achievement_name: str
    status: lifecycle.State
    history: list[HistoryEntry]
    #: Whether the claim email may be re-sent now (None), or why not (a sentence).
    resend_refusal: str | None
    suspension_enabled: bool


def history(session: Session, issuer: Issuer, credential_id: str) -> list[HistoryEntry]:
    """What the audit trail says happened to the credential, oldest first (``ix_audit_event_subject``)."""
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.subject_kind == "credential",
            AuditEvent.subject_id == credential_id,
            AuditEvent.provider_id == issuer.id,
        )
        .order_by(AuditEvent.at, AuditEvent.id)
        .limit(HISTORY_LIMIT)
    )
    return [
        HistoryEntry(
            at=event.at,
            action=event.action,
            actor=event.actor_label,
            actor_kind=event.actor_kind,
            status_before=_text(event.before, "status"),
            status_after=_text(event.after, "status"),
            reason=_text(event.after, "reason"),
            through=_through(event.after),
        )
        for event in events
    ]


def _through(values: dict[str, Any] | None) -> tuple[str, str] | None:
    if job := _text(values, "bulk_job_id"):
        return "cohort", job
    if code := _text(values, "claim_code_id"):
        return "claim_code", code
    return None


def _text(values: dict[str, Any] | None, key: str) -> str | None:
    value = (values or {}).get(key)
    return str(value) if value is not None else None


def view(session: Session, issuer: Issuer, credential_id: str, now: datetime) -> CredentialView:
    """The credential of this provider (404 for any other's), its achievement's name and its history."""
    row = issuing.get_credential(session, issuer, credential_id)
    achievement = session.get(Achievement, row.achievement_id)
    return CredentialView(
        row=row,
        achievement_name=str(achievement.definition.get("name", "")) if achievement is not None else "",
        status=lifecycle.state_of(row),
        history=history(session, issuer, row.id),
        resend_refusal=resend_refusal(session, row, now),
        suspension_enabled=issuer.suspension_enabled,
    )


def _resends(session: Session, row: IssuedCredential, since: datetime) -> tuple[int, datetime | None]:
    found = session.execute(
        select(func.count(), func.max(AuditEvent.at)).where(
            AuditEvent.subject_kind == "credential",
            AuditEvent.subject_id == row.id,
            AuditEvent.action == RESEND,
            AuditEvent.at >= since,
        )
    ).one()
    return int(found[0]), found[1]


def _wait(session: Session, row: IssuedCredential, now: datetime) -> int:
    """Seconds until the claim email may be re-sent (0: now)."""
    number, last = _resends(session, row, now - timedelta(days=1))
    last = max(last or row.issued_at, row.issued_at)
    waits = [(last + RESEND_INTERVAL - now).total_seconds()]
    if number >= RESEND_PER_DAY:
        oldest = session.scalar(
            select(AuditEvent.at)
            .where(
                AuditEvent.subject_kind == "credential",
                AuditEvent.subject_id == row.id,
                AuditEvent.action == RESEND,
                AuditEvent.at >= now - timedelta(days=1),
            )
            .order_by(AuditEvent.at)
            .limit(1)
        )
        if oldest is not None:
            waits.append((oldest + timedelta(days=1) - now).total_seconds())
    return max(0, int(max(waits) + 0.999))


def resend_refusal(session: Session, row: IssuedCredential, now: datetime) -> str | None:
    if lifecycle.state_of(row) is not lifecycle.State.VALID:
        return gettext("Only a valid credential's claim email can be sent again.")
    if row.claimed_at is not None:
        return gettext("The learner has already claimed this credential: it is in their passport.")
    wait = _wait(session, row, now)
    if wait:
        return gettext(
            "The claim email was sent recently. It can be sent again in %(minutes)d minutes.",
            minutes=max(1, (wait + 59) // 60),
        )
    return None


def resend_claim(
    session: Session, issuer: Issuer, credential_id: str, listener: IssuanceListener, now: datetime
) -> IssuedCredential:
    """Mail the credential's claim link again (a new link), audited; 409 when there is nothing to claim,
    429 when it was re-sent too recently."""
    row = issuing.get_credential(session, issuer, credential_id)
    if lifecycle.state_of(row) is not lifecycle.State.VALID or row.claimed_at is not None:
        raise Conflict(resend_refusal(session, row, now) or "")
    wait = _wait(session, row, now)
    if wait:
        raise TooManyRequests(resend_refusal(session, row, now) or "", retry_after=wait)
    achievement = session.get(Achievement, row.achievement_id)
    listener.credential_issued(
        session,
        IssuedNotice(
            credential_id=row.id,
            issuer_id=issuer.id,
            issuer_name=issuer.name,
            achievement_name=str(achievement.definition.get("name", "")) if achievement else "",
            recipient_email=row.recipient_email,
            recipient_name=row.recipient_name,
            issued_at=now,
        ),
    )
    # the action spelt out (it is RESEND): tests/issuers/staff/test_audit_names.py reads literal actions
    audit.record(
        session,
        "credential.claim_resend",
        "credential",
        row.id,
        now,
        provider_id=issuer.id,
        after={"status": "valid"},
    )
    return row


def achievements(session: Session, issuer: Issuer) -> list[tuple[str, str]]:
    """The provider's achievements as (id, name), by name: the list's filter."""
    found = [(a.id, str(a.definition.get("name", ""))) for a in service.list_achievements(session, issuer)]
    return sorted(found, key=lambda pair: pair[1].lower())
