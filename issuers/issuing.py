"""Issuing one credential, and revoking / suspending / reinstating it.

Flow: achievement and active key -> the unsigned credential as an OB 3.0 model -> JSON Schema and
conformance checks -> sign (Data Integrity or VC-JWT) -> store exactly what was signed with its status
index -> ``flush()``. The caller's transaction commits once, so a failure leaves nothing behind.

Status (Bitstring Status List 1.0 §2.1): revocation is final; suspension is offered by providers that enable
it, whose credentials carry a ``message`` entry (valid / suspended / revoked). A suspended credential can be
reinstated or revoked; a revoked one can be neither suspended nor reinstated.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import new_id
from core.i18n import gettext
from core.problems import Conflict, NotFound, ValidationFailed
from schemas.identity import new_salt
from schemas.models import (
    Achievement as AchievementModel,
)
from schemas.models import (
    AchievementCredential,
    AchievementSubject,
    Alignment,
    BitstringStatusListEntry,
    Criteria,
    Evidence,
    IdentityObject,
    Image,
    Profile,
    Result,
    ResultDescription,
)
from vc.keys import KeyType
from vc.status_list import REVOKED, SUSPENDED, VALID

from . import identity, service, signing, status
from .api_models import CredentialCreate, CredentialState
from .models import Achievement, IssuedCredential, Issuer, IssuerKey
from .ports import IssuedNotice


def credential_url(base_url: str, credential_id: str) -> str:
    return f"{base_url}/credentials/{credential_id}"


def _achievement_model(
    config: service.IssuerConfig, achievement: Achievement, issuer: Profile
) -> AchievementModel:
    d = achievement.definition
    url = service.achievement_url(config, achievement)
    alignments = [
        Alignment(
            target_name=a["target_name"],
            target_url=a["target_url"],
            target_framework=a.get("target_framework"),
            target_code=a.get("target_code"),
        )
        for a in d.get("alignments", [])
    ]
    if d.get("level"):
        framework, _, level = d["level"].partition(" ")
        alignments.append(
            Alignment(
                target_name=f"{framework} Level {level}",
                target_url="https://www.gov.uk/what-different-qualification-levels-mean",
                target_framework="Regulated Qualifications Framework"
                if framework == "RQF"
                else "Scottish Credit and Qualifications Framework",
                target_code=level,
            )
        )
    tags = list(d.get("tags", []))
    if d.get("community"):
        tags.append(f"Community of practice: {d['community']}")
    exchange = d.get("exchange")
    description = d["description"]
    if exchange:
        funded = f", funded by {exchange['funder']}" if exchange.get("funder") else ""
        bursary = f" ({exchange['bursary']})" if exchange.get("bursary") else ""
        description += (
            f"\n\nInternational skills exchange hosted by {exchange['host_organisation']} "
            f"({exchange['country']}), {exchange['start_date']} to {exchange['end_date']}{funded}{bursary}."
        )
        tags.append(f"Exchange country: {exchange['country']}")
    return AchievementModel(
        id=url,
        achievement_type=service.achievement_type(achievement),
        name=d["name"],
        description=description,
        criteria=Criteria(id=d.get("criteria_url"), narrative=d.get("criteria_narrative")),
        image=Image(id=d["image_url"]) if d.get("image_url") else None,
        alignment=alignments,
        result_description=[ResultDescription(id=f"{url}#result", name="Result", result_type="Result")],
        credits_available=d.get("credits"),
        field_of_study=d.get("sector"),
        specialization=d.get("community"),
        tag=tags,
        creator=issuer,
    )


def _request_digest(request: CredentialCreate) -> str:
    return hashlib.sha256(request.model_dump_json().encode()).hexdigest()


def credential_row(
    issuer: Issuer, achievement: Achievement, key: IssuerKey, request: CredentialCreate, now: datetime
) -> IssuedCredential:
    """The row a credential is stored in; its status index and document are filled in by the caller."""
    return IssuedCredential(
        id=new_id(),
        issuer_id=issuer.id,
        achievement_id=achievement.id,
        signing_key_id=key.id,
        recipient_email=request.recipient.email,
        recipient_name=request.recipient.name,
        learner_id=request.recipient.learner_id,
        format=request.format,
        document="",
        request_sha256=_request_digest(request),
        issued_at=now,
    )


def issue(
    session: Session,
    config: service.IssuerConfig,
    issuer: Issuer,
    request: CredentialCreate,
    now: datetime,
    *,
    idempotency_key: str | None = None,
) -> IssuedCredential:
    digest = _request_digest(request)
    if idempotency_key is not None:
        existing = session.scalar(
            select(IssuedCredential).where(
                IssuedCredential.issuer_id == issuer.id, IssuedCredential.idempotency_key == idempotency_key
            )
        )
        if existing is not None:
            if existing.request_sha256 != digest:
                raise Conflict(gettext("this Idempotency-Key was used for a different request"))
            return existing
    achievement = service.get_achievement(session, issuer, request.achievement_id)
    did = service.did_of(config, issuer.id)
    key_type = KeyType.ED25519 if request.format == "ldp" else KeyType.RSA
    key = service.active_key(session, issuer, key_type)
    row = credential_row(issuer, achievement, key, request, now)
    row.idempotency_key = idempotency_key
    status_list = status.allocate_and_add(session, row, issuer, now)
    unsigned = build_credential(
        config,
        credential_parts(config, issuer, did, achievement),
        row,
        request,
        now,
        status.entry(config.base_url, status_list, row.revocation_index),
    )
    signer = signing.SigningKey(
        key.id, service.private_key(config, key), identity.verification_method_id(did, key)
    )
    outcome = signing.check_and_sign(unsigned, signer, now, request.format)
    row.document = raise_if_not_conformant(outcome)
    session.flush()
    announce(session, config, issuer, achievement, row)
    return row


def announce(
    session: Session,
    config: service.IssuerConfig,
    issuer: Issuer,
    achievement: Achievement,
    row: IssuedCredential,
) -> None:
    """Tell the listener (the passport's claim links) about a flushed credential, in its transaction."""
    config.listener.credential_issued(
        session,
        IssuedNotice(
            credential_id=row.id,
            issuer_id=issuer.id,
            issuer_name=issuer.name,
            achievement_name=achievement.definition["name"],
            recipient_email=row.recipient_email,
            recipient_name=row.recipient_name,
            issued_at=row.issued_at,
        ),
    )


def raise_if_not_conformant(outcome: str | list[str]) -> str:
    """The signed document, or a 422 listing every way the credential would not conform."""
    if isinstance(outcome, list):
        raise ValidationFailed(
            gettext("the credential would not conform to Open Badges 3.0"), [{"msg": p} for p in outcome]
        )
    return outcome


@dataclass(frozen=True)
class CredentialParts:
    """What every credential of one provider's achievement shares (built once per bulk chunk)."""

    profile: Profile
    achievement: AchievementModel
    definition: dict[str, Any]


def credential_parts(
    config: service.IssuerConfig, issuer: Issuer, did: str, achievement: Achievement
) -> CredentialParts:
    profile_json = identity.profile(config.base_url, issuer, did)
    profile = Profile.model_validate({key: value for key, value in profile_json.items() if key != "@context"})
    return CredentialParts(profile, _achievement_model(config, achievement, profile), achievement.definition)


def build_credential(
    config: service.IssuerConfig,
    parts: CredentialParts,
    row: IssuedCredential,
    request: CredentialCreate,
    now: datetime,
    credential_status: dict[str, Any],
) -> dict[str, Any]:
    """The unsigned OB 3.0 credential; `signing.check_and_sign` checks it against the 1EdTech JSON Schema
    before anyone signs it."""
    model = parts.achievement
    valid_from = (request.valid_from or now).replace(microsecond=0)
    valid_until = request.valid_until
    validity_days = parts.definition.get("validity_days")
    if valid_until is None and validity_days:
        valid_until = valid_from + timedelta(days=validity_days)
    if valid_until is not None and valid_until <= valid_from:
        raise ValidationFailed(
            gettext("valid_until must be after valid_from"), [{"loc": ["valid_until"], "msg": "too early"}]
        )
    exchange = parts.definition.get("exchange") or {}
    return AchievementCredential(
        id=credential_url(config.base_url, row.id),
        name=f"{model.name} — {request.recipient.name}" if request.recipient.name else model.name,
        issuer=parts.profile,
        valid_from=valid_from,
        valid_until=valid_until,
        credential_subject=AchievementSubject(
            identifier=[IdentityObject.hashed_email(request.recipient.email, new_salt())],
            achievement=model,
            result=[Result(result_description=f"{model.id}#result", value=request.result)]
            if request.result
            else [],
            activity_start_date=_day(exchange.get("start_date")),
            activity_end_date=_day(exchange.get("end_date")),
        ),
        evidence=[
            Evidence(id=str(e.url) if e.url else None, name=e.name, narrative=e.narrative)
            for e in request.evidence
        ],
        credential_status=BitstringStatusListEntry.model_validate(credential_status),
    ).to_json()


def _day(value: str | None) -> datetime | None:
    return datetime.fromisoformat(f"{value}T00:00:00+00:00") if value else None


def get_credential(session: Session, issuer: Issuer, credential_id: str) -> IssuedCredential:
    row = session.scalar(
        select(IssuedCredential).where(
            IssuedCredential.id == credential_id, IssuedCredential.issuer_id == issuer.id
        )
    )
    if row is None:
        raise NotFound(gettext("no credential %(id)r", id=credential_id))
    return row


def status_of(row: IssuedCredential) -> CredentialState:
    """``revoked``, ``suspended`` or ``valid``: what the credential's status entry says."""
    if row.revoked_at is not None:
        return "revoked"
    return "suspended" if row.suspended_at is not None else "valid"


def find_credential(session: Session, credential_id: str) -> IssuedCredential:
    """Any provider's credential by its id, for its public verification page (the id is a 128-bit
    capability: only someone given the credential or its link knows it)."""
    row = session.get(IssuedCredential, credential_id) if len(credential_id) <= 32 else None
    if row is None:
        raise NotFound(gettext("no credential %(id)r", id=credential_id[:40]))
    return row


def revoke(
    session: Session, issuer: Issuer, credential_id: str, reason: str, now: datetime
) -> IssuedCredential:
    """Final: a revoked credential stays revoked (a suspended one may be revoked)."""
    row = get_credential(session, issuer, credential_id)
    if row.revoked_at is not None:
        raise Conflict(gettext("this credential is already revoked"))
    status_list = status.get_list(session, row.revocation_list_id)
    value = REVOKED if status_list.purpose == status.MESSAGE else 1
    status.set_status(session, row.revocation_list_id, row.revocation_index, value, now)
    row.revoked_at, row.revocation_reason = now, reason
    row.suspended_at, row.suspension_reason = None, None
    session.flush()
    return row


def suspend(
    session: Session, issuer: Issuer, credential_id: str, reason: str, now: datetime
) -> IssuedCredential:
    """Temporarily invalid (status 0x1 of the credential's ``message`` entry); reversible by `reinstate`."""
    row = get_credential(session, issuer, credential_id)
    if row.revoked_at is not None:
        raise Conflict(gettext("this credential is revoked; revocation is final"))
    if row.suspended_at is not None:
        raise Conflict(gettext("this credential is already suspended"))
    if not issuer.suspension_enabled:
        raise Conflict(gettext("suspension is not enabled for this provider; the operator can enable it"))
    if status.get_list(session, row.revocation_list_id).purpose != status.MESSAGE:
        raise Conflict(
            gettext(
                "this credential was issued before suspension was enabled: its status entry can only say"
                " revoked; revoke it instead"
            )
        )
    status.set_status(session, row.revocation_list_id, row.revocation_index, SUSPENDED, now)
    row.suspended_at, row.suspension_reason = now, reason
    session.flush()
    return row


def reinstate(session: Session, issuer: Issuer, credential_id: str, now: datetime) -> IssuedCredential:
    """Lift a suspension: the entry says valid (0x0) again."""
    row = get_credential(session, issuer, credential_id)
    if row.revoked_at is not None:
        raise Conflict(gettext("this credential is revoked; revocation is final"))
    if row.suspended_at is None:
        raise Conflict(gettext("this credential is not suspended"))
    status.set_status(session, row.revocation_list_id, row.revocation_index, VALID, now)
    row.suspended_at, row.suspension_reason = None, None
    session.flush()
    return row


def signed_document(row: IssuedCredential) -> dict[str, Any] | str:
    return row.document if row.format == "jwt" else dict(json.loads(row.document))
