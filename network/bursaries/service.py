"""Bursary funds and awards as the network keeps them: each change checked against the award's state,
written to the audit trail in the same transaction, and only flushed.

An award moves ``offered -> accepted -> visit_recorded -> dissemination_recorded -> credential_issued``;
the visit may be corrected until the credential is issued, and the award withdrawn until then. Issuing
needs what the fund's criteria ask for (a report, a session delivered to peers): without it, 409
`DisseminationRequired` naming what is missing, and nothing is written. A POST retried with its
``Idempotency-Key`` gets what the first one made; the key with a different request is a 409.

A host's endorsement accepted after issue re-issues the credential with it embedded (`reissue`: same id,
same status entry, ``awardedDate`` kept, ``validFrom`` now, a new proof); the version issued before keeps
verifying. A revoked credential is not re-issued (409 `AwardRevoked`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.changes import record_change
from core.i18n import N_, gettext
from core.problems import Conflict, NotFound, Problem
from issuers import service as issuers_service
from issuers.staff import audit
from network import approval_status
from network.trust import TrustConfig

from . import credential
from .api_models import AwardCreate, DisseminationIn, FundCreate, VisitIn
from .models import BursaryAward, BursaryFund

__all__ = [
    "AwardRevoked",
    "AwardStateConflict",
    "DisseminationRequired",
    "FundClosed",
    "HostEndorsementInvalid",
    "accept",
    "award_for_credential",
    "awards",
    "create_award",
    "create_fund",
    "funds",
    "get_award",
    "get_fund",
    "host_endorsement_state",
    "issue",
    "record_dissemination",
    "record_host_endorsement",
    "record_visit",
    "reissue",
    "revoke",
    "set_fund_state",
    "withdraw",
]

_Row = TypeVar("_Row", BursaryFund, BursaryAward)

OFFERED, ACCEPTED, VISIT, DISSEMINATION, ISSUED, WITHDRAWN = (
    "offered",
    "accepted",
    "visit_recorded",
    "dissemination_recorded",
    "credential_issued",
    "withdrawn",
)


class AwardStateConflict(Conflict):
    slug, title = "bursary-award-state", N_("Not possible in the award's state")


class DisseminationRequired(Conflict):
    slug, title = "dissemination-required", N_("The fund's dissemination requirement is not met")


class AwardRevoked(Conflict):
    slug, title = "credential-already-revoked", N_("The credential is already revoked")


#: The holder of the operator's status lists kept for exchange-visit credentials (`network.approval_status`).
STATUS_LISTS = "exchange_visit"


def _status_taken(session: Session, list_id: str, index: int) -> bool:
    found = session.scalar(
        select(BursaryAward.id).where(
            BursaryAward.status_list_id == list_id, BursaryAward.status_index == index
        )
    )
    return found is not None


class FundClosed(Conflict):
    slug, title = "bursary-fund-closed", N_("The fund is closed")


class HostEndorsementInvalid(Problem):
    status, slug, title = 422, "host-endorsement-invalid", N_("The host's endorsement cannot be accepted")


def _digest(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _state_problem(award: BursaryAward, action: str) -> AwardStateConflict:
    return AwardStateConflict(
        gettext("The award is %(state)s: it cannot be %(action)s.", state=award.state, action=action),
        state=award.state,
    )


# --- funds --------------------------------------------------------------------------------------------------


def create_fund(
    session: Session, body: FundCreate, now: datetime, *, idempotency_key: str | None = None
) -> BursaryFund:
    digest = _digest(body.model_dump(mode="json"))
    if idempotency_key is not None:
        found = session.scalar(select(BursaryFund).where(BursaryFund.idempotency_key == idempotency_key))
        if found is not None:
            return _same_request(found, digest)
    fund = BursaryFund(
        name=body.name,
        funder=body.funder,
        amount_minor=body.amount.amount,
        currency=body.amount.currency,
        criteria=body.criteria,
        requires_report=body.requires_report,
        requires_session=body.requires_session,
        state="open",
        idempotency_key=idempotency_key,
        request_sha256=digest,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():  # the same key racing in another request: keep theirs
            session.add(fund)
            session.flush()
    except IntegrityError:
        raced = session.scalar(select(BursaryFund).where(BursaryFund.idempotency_key == idempotency_key))
        assert raced is not None
        return _same_request(raced, digest)
    audit.record(
        session,
        "bursary.fund.create",
        "bursary_fund",
        fund.id,
        now,
        provider_id=None,
        after={"name": fund.name, "funder": fund.funder},
    )
    return fund


def _same_request(row: _Row, digest: str) -> _Row:
    if row.request_sha256 != digest:
        raise Conflict(gettext("this Idempotency-Key was used for a different request"))
    return row


def funds(session: Session) -> list[BursaryFund]:
    return list(session.scalars(select(BursaryFund).order_by(BursaryFund.created_at.desc(), BursaryFund.id)))


def get_fund(session: Session, fund_id: str) -> BursaryFund:
    fund = session.get(BursaryFund, fund_id) if len(fund_id) <= 32 else None
    if fund is None:
        raise NotFound(gettext("no bursary fund %(id)r", id=fund_id[:40]))
    return fund


def set_fund_state(session: Session, fund_id: str, state: str, now: datetime) -> BursaryFund:
    """Open or close a fund: a closed fund makes no new awards (its awards go on)."""
    fund = get_fund(session, fund_id)
    if fund.state != state:
        before = fund.state
        fund.state = state
        fund.updated_at = now
        session.flush()
        change: dict[str, Any] = {"provider_id": None, "before": {"state": before}, "after": {"state": state}}
        if state == "open":
            audit.record(session, "bursary.fund.open", "bursary_fund", fund.id, now, **change)
        else:
            audit.record(session, "bursary.fund.close", "bursary_fund", fund.id, now, **change)
    return fund


# --- awards -------------------------------------------------------------------------------------------------


def create_award(
    session: Session, fund_id: str, body: AwardCreate, now: datetime, *, idempotency_key: str | None = None
) -> BursaryAward:
    """Offer a bursary to an educator of a provider of this service (404 for an unknown provider)."""
    fund = get_fund(session, fund_id)
    digest = _digest(body.model_dump(mode="json"))
    if idempotency_key is not None:
        found = session.scalar(
            select(BursaryAward).where(
                BursaryAward.fund_id == fund.id, BursaryAward.idempotency_key == idempotency_key
            )
        )
        if found is not None:
            return _same_request(found, digest)
    if fund.state != "open":
        raise FundClosed(gettext("The fund %(name)s is closed: it makes no new awards.", name=fund.name))
    provider = issuers_service.get_issuer(session, body.provider_id)
    award = BursaryAward(
        fund_id=fund.id,
        educator_name=body.educator_name,
        educator_email=body.educator_email.lower(),  # the passport compares addresses ignoring case
        provider_id=provider.id,
        amount_minor=body.amount,
        state=OFFERED,
        idempotency_key=idempotency_key,
        request_sha256=digest,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(award)
            session.flush()
    except IntegrityError:
        raced = session.scalar(
            select(BursaryAward).where(
                BursaryAward.fund_id == fund.id, BursaryAward.idempotency_key == idempotency_key
            )
        )
        assert raced is not None
        return _same_request(raced, digest)
    audit.record(session, "bursary.award.offer", "bursary_award", award.id, now, **_change(award, None))
    return award


def awards(
    session: Session, *, fund_id: str | None = None, provider_id: str | None = None
) -> list[BursaryAward]:
    query = select(BursaryAward).order_by(BursaryAward.created_at.desc(), BursaryAward.id)
    if fund_id is not None:
        query = query.where(BursaryAward.fund_id == fund_id)
    if provider_id is not None:
        query = query.where(BursaryAward.provider_id == provider_id)
    return list(session.scalars(query))


def get_award(session: Session, award_id: str, *, provider_id: str | None = None) -> BursaryAward:
    """An award; with `provider_id`, only that provider's (another's is a 404, as if it did not exist)."""
    award = session.get(BursaryAward, award_id) if len(award_id) <= 32 else None
    if award is None or (provider_id is not None and award.provider_id != provider_id):
        raise NotFound(gettext("no bursary award %(id)r", id=award_id[:40]))
    return award


def award_for_credential(session: Session, award_id: str) -> BursaryAward:
    """The award of an issued exchange-visit credential (404 when there is none)."""
    award = session.get(BursaryAward, award_id) if len(award_id) <= 32 else None
    if award is None or award.document is None:
        raise NotFound(gettext("no exchange-visit credential %(id)r", id=award_id[:40]))
    return award


def _change(award: BursaryAward, before: str | None) -> dict[str, Any]:
    """The audit record's fields of a change to `award` (its provider's trail shows it too)."""
    return {
        "provider_id": award.provider_id,
        "before": {"state": before} if before else None,
        "after": {"state": award.state},
    }


def _move(session: Session, award: BursaryAward, state: str, now: datetime) -> dict[str, Any]:
    """Move `award` to `state`; the audit record's fields (each action is written out where it happens)."""
    before = award.state
    award.state = state
    award.updated_at = now
    session.flush()
    return _change(award, before)


def accept(session: Session, award_id: str, now: datetime) -> BursaryAward:
    award = get_award(session, award_id)
    if award.state != OFFERED:
        raise _state_problem(award, gettext("accepted"))
    change = _move(session, award, ACCEPTED, now)
    audit.record(session, "bursary.award.accept", "bursary_award", award.id, now, **change)
    return award


def record_visit(session: Session, award_id: str, body: VisitIn, now: datetime) -> BursaryAward:
    """The visit (or a correction of it) until the credential is issued. A new host DID drops an
    endorsement made by the old one."""
    award = get_award(session, award_id)
    if award.state not in (ACCEPTED, VISIT, DISSEMINATION):
        raise _state_problem(award, gettext("given a visit"))
    if body.host_did != award.host_did:
        award.host_endorsement = None
    award.host_name, award.host_did, award.country = body.host_name, body.host_did, body.country
    award.visit_start, award.visit_end, award.focus = body.start, body.end, body.focus
    change = _move(session, award, VISIT if award.state == ACCEPTED else award.state, now)
    audit.record(session, "bursary.award.visit", "bursary_award", award.id, now, **change)
    return award


def record_dissemination(
    session: Session, award_id: str, body: DisseminationIn, now: datetime
) -> BursaryAward:
    """What the educator shared after the visit; what is sent replaces what was recorded."""
    award = get_award(session, award_id)
    if award.state not in (VISIT, DISSEMINATION):
        raise _state_problem(award, gettext("given dissemination evidence before its visit is recorded"))
    award.report_url = str(body.report_url) if body.report_url else None
    award.report_summary = body.report_summary
    award.session_date, award.session_audience = body.session_date, body.session_audience
    award.session_title = body.session_title
    change = _move(session, award, DISSEMINATION, now)
    audit.record(session, "bursary.award.dissemination", "bursary_award", award.id, now, **change)
    return award


def record_host_endorsement(
    session: Session,
    config: TrustConfig,
    hosts: credential.HostEndorsements,
    award_id: str,
    document: Mapping[str, Any],
    now: datetime,
) -> BursaryAward:
    """Accept the host's signed EndorsementCredential of this visit's credential, once it verifies (422
    `HostEndorsementInvalid` naming every reason otherwise, and nothing changes). Before issue it waits to
    be embedded when the credential is issued; after issue the credential is re-issued with it now
    (`reissue`), in the same transaction. A revoked credential is 409 `AwardRevoked`; the endorsement
    already embedded, sent again, changes nothing."""
    award = get_award(session, award_id)
    if award.revoked_at is not None:
        raise AwardRevoked(
            gettext(
                "This exchange-visit credential is revoked: it is not re-issued with the host's endorsement."
            )
        )
    if award.state not in (VISIT, DISSEMINATION, ISSUED):
        raise _state_problem(award, gettext("given a host endorsement"))
    if not award.host_did:
        raise AwardStateConflict(
            gettext("The host has no DID recorded: it is named in the credential, not endorsing it."),
            state=award.state,
        )
    report = hosts.verify(session, document, now)
    problems = credential.check_host_endorsement(
        report, award.host_did, credential.credential_url(config.base_url, award.id)
    )
    if problems:
        raise HostEndorsementInvalid(" ".join(problems), problems=problems)
    text = json.dumps(document)
    if award.state == ISSUED and award.host_endorsement == text:
        return award  # already inside the credential: a retry re-signs nothing
    award.host_endorsement = text
    change = _move(session, award, award.state, now)
    audit.record(session, "bursary.award.host_endorsement", "bursary_award", award.id, now, **change)
    if award.state == ISSUED:
        reissue(session, config, award, now)
    return award


def reissue(session: Session, config: TrustConfig, award: BursaryAward, now: datetime) -> BursaryAward:
    """Re-issue an issued credential as it stands on the award (its host's endorsement embedded), the way
    OB 3.0 re-issues: the same ``id`` and ``credentialStatus`` entry, ``awardedDate`` the first issue,
    ``validFrom`` `now`, a new proof. The document replaces the stored one (the passport and the public
    page read that); a copy of the previous one still verifies, and revoking revokes both."""
    if award.state != ISSUED or award.document is None or award.issued_at is None:
        raise _state_problem(award, gettext("re-issued"))
    if award.revoked_at is not None:
        raise AwardRevoked(gettext("This exchange-visit credential is revoked: it cannot be re-issued."))
    previous = json.loads(award.document)
    fund = get_fund(session, award.fund_id)
    unsigned = credential.build_credential(
        config, fund, award, now, previous.get("credentialStatus"), awarded=award.issued_at
    )
    award.document = credential.sign_credential(session, config, unsigned, now)
    award.updated_at = now
    session.flush()
    audit.record(
        session,
        "bursary.award.reissue",
        "bursary_award",
        award.id,
        now,
        provider_id=award.provider_id,
        before={"validFrom": previous.get("validFrom")},
        after={"validFrom": unsigned["validFrom"], "awardedDate": unsigned["awardedDate"]},
    )
    return award


def missing_dissemination(fund: BursaryFund, award: BursaryAward) -> list[str]:
    missing = []
    if fund.requires_report and not (award.report_url or award.report_summary):
        missing.append("report")
    if fund.requires_session and award.session_date is None:
        missing.append("session")
    return missing


def issue(session: Session, config: TrustConfig, award_id: str, now: datetime) -> BursaryAward:
    """Sign the exchange-visit credential (the one already issued, if it was)."""
    award = get_award(session, award_id)
    if award.state == ISSUED:
        return award
    if award.state not in (VISIT, DISSEMINATION):
        raise _state_problem(award, gettext("issued a credential"))
    fund = get_fund(session, award.fund_id)
    missing = missing_dissemination(fund, award)
    if missing:
        words = {
            "report": gettext("a report on the visit"),
            "session": gettext("a session delivered to peers"),
        }
        raise DisseminationRequired(
            gettext(
                "The fund's criteria require dissemination before the credential is issued; still missing: "
                "%(missing)s.",
                missing="; ".join(words[item] for item in missing),
            ),
            missing=missing,
        )
    list_row, index = approval_status.allocate(session, now, STATUS_LISTS, _status_taken)
    award.status_list_id, award.status_index = list_row.id, index
    entry = approval_status.entry(config.base_url, list_row.id, index)
    unsigned = credential.build_credential(config, fund, award, now, entry)
    award.document = credential.sign_credential(session, config, unsigned, now)
    award.issued_at = now
    change = _move(session, award, ISSUED, now)
    audit.record(session, "bursary.award.issue", "bursary_award", award.id, now, **change)
    return award


def withdraw(session: Session, award_id: str, reason: str, now: datetime) -> BursaryAward:
    award = get_award(session, award_id)
    if award.state in (ISSUED, WITHDRAWN):
        raise _state_problem(award, gettext("withdrawn"))
    award.withdrawn_reason = reason
    change = _move(session, award, WITHDRAWN, now)
    audit.record(session, "bursary.award.withdraw", "bursary_award", award.id, now, **change)
    return award


def revoke(session: Session, award_id: str, reason: str, now: datetime) -> BursaryAward:
    """Revoke an issued exchange-visit credential on the operator's status list: every verifier reports it
    revoked from now on (`record_change`). Once only: revoking it again is 409."""
    award = get_award(session, award_id)
    if award.revoked_at is not None:
        raise AwardRevoked(gettext("This exchange-visit credential is already revoked."))
    if award.state != ISSUED:
        raise _state_problem(award, gettext("revoked"))
    if award.status_list_id is None or award.status_index is None:
        raise AwardStateConflict(
            gettext("This credential was issued without a status entry and cannot be revoked."),
            state=award.state,
        )
    approval_status.revoke(session, award.status_list_id, award.status_index, now)
    record_change(session)
    award.revoked_at = now
    award.revocation_reason = reason
    award.updated_at = now
    session.flush()
    audit.record(
        session,
        "bursary.award.revoke",
        "bursary_award",
        award.id,
        now,
        provider_id=award.provider_id,
        after={"reason": reason},
    )
    return award


def host_endorsement_state(award: BursaryAward) -> str:
    """signed (the host's verified endorsement), named (a host without one) or none (no visit yet)."""
    if award.host_endorsement:
        return "signed"
    return "named" if award.host_name else "none"


def credentials_for(session: Session, emails: list[str]) -> list[BursaryAward]:
    """The issued exchange-visit credentials of an educator's (verified) addresses: the passport's card."""
    if not emails:
        return []
    return list(
        session.scalars(
            select(BursaryAward)
            .where(BursaryAward.educator_email.in_([e.lower() for e in emails]), BursaryAward.state == ISSUED)
            .order_by(BursaryAward.issued_at.desc(), BursaryAward.id)
        )
    )
