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
from core.i18n import N_, gettext

from .models import AuditEvent

__all__ = ["ACTIONS", "MAX_PAGE", "AuditEvent", "action_name", "events", "record"]

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


#: What each recorded action is called on the audit pages. An action missing here is shown by its code
#: (tests/issuers/staff/test_audit_names.py checks that every action the code records has a name).
ACTIONS: dict[str, str] = {
    "api_key.create": N_("API key created"),
    "api_key.revoke": N_("API key revoked"),
    "signing_key.rotate": N_("Signing key rotated"),
    "provider.create": N_("Provider added"),
    "credential.issue": N_("Credential issued"),
    "credentials.bulk_issue": N_("Cohort issued"),
    "credential.revoke": N_("Credential revoked"),
    "credential.suspend": N_("Credential suspended"),
    "credential.reinstate": N_("Credential reinstated"),
    "credential.claim_resend": N_("Claim email sent again"),  # issuers.console.credentials
    "accreditation.accredited": N_("Provider accredited"),
    "accreditation.details_changed": N_("Accreditation details changed"),
    "accreditation.scope_changed": N_("Accreditation scope changed"),
    "accreditation.period_changed": N_("Accreditation period changed"),
    "accreditation.suspended": N_("Accreditation suspended"),
    "accreditation.reinstated": N_("Accreditation reinstated"),
    "accreditation.withdrawn": N_("Accreditation withdrawn"),
    "approval.pending": N_("Achievement submitted for approval"),
    "approval.approved": N_("Achievement approved"),
    "approval.refused": N_("Achievement refused"),
    "approval.withdrawn": N_("Approval withdrawn"),
    "approval.assigned": N_("Submission assigned to an assessor"),
    "staff.invite": N_("Staff member invited"),
    "staff.reinvite": N_("Invitation sent again"),
    "staff.enrol": N_("Staff member added"),
    "staff.accept": N_("Invitation accepted"),
    "staff.role": N_("Role changed"),
    "staff.remove": N_("Staff member removed"),
    "staff.password": N_("Password changed"),
    "staff.totp_on": N_("Two-step sign-in turned on"),
    "staff.totp_off": N_("Two-step sign-in turned off"),
    "staff.totp_reset": N_("Two-step sign-in reset by an administrator"),
    "staff.recovery_codes": N_("New recovery codes made"),
    "staff.recovery_code_used": N_("Signed in with a recovery code"),
    # network.bursaries
    "bursary.fund.create": N_("Bursary fund created"),
    "bursary.fund.open": N_("Bursary fund opened"),
    "bursary.fund.close": N_("Bursary fund closed"),
    "bursary.award.offer": N_("Bursary offered"),
    "bursary.award.accept": N_("Bursary accepted"),
    "bursary.award.visit": N_("Exchange visit recorded"),
    "bursary.award.dissemination": N_("Dissemination recorded"),
    "bursary.award.host_endorsement": N_("Host's signed endorsement accepted"),
    "bursary.award.issue": N_("Exchange-visit credential issued"),
    "bursary.award.reissue": N_("Exchange-visit credential re-issued with the host's endorsement"),
    "bursary.award.withdraw": N_("Bursary withdrawn"),
    "bursary.award.revoke": N_("Exchange-visit credential revoked"),
    "community.participation.revoke": N_("Community participation credential revoked"),
    # pathways (network.pathways)
    "pathway.create": N_("Pathway created"),
    "pathway.update": N_("Pathway changed"),
    "milestone.revoke": N_("Milestone revoked"),
    # The console's achievements (issuers/console/achievements)
    "achievement.create": N_("Achievement created"),
    "achievement.update": N_("Achievement edited (new version)"),
    "achievement.image": N_("Achievement badge image changed"),
    "achievement.archive": N_("Achievement archived"),
    "achievement.restore": N_("Achievement restored"),
    "claim_code.open": N_("Claim code opened"),  # passport.claim_codes
    "claim_code.close": N_("Claim code closed"),
}


def action_name(action: str) -> str:
    """The action in the reader's language; its code when it has no name yet."""
    name = ACTIONS.get(action)
    return gettext(name) if name else action


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
