"""Issuing one credential.

Flow: achievement and active key -> the unsigned credential as an OB 3.0 model -> JSON Schema and
conformance checks -> sign (Data Integrity or VC-JWT) -> store exactly what was signed with its status
index -> ``flush()``. The caller's transaction commits once, so a failure leaves nothing behind.

Revoking, suspending and reinstating are `issuers.lifecycle`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
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

from . import achievements, identity, images, service, signing, status
from .api_models import CredentialCreate
from .models import Achievement, IssuedCredential, Issuer, IssuerKey, StatusListRow
from .ports import IssuedNotice, ScopeAnswer
from .reports import statistics
from .staff import audit


def credential_url(base_url: str, credential_id: str) -> str:
    return f"{base_url}/credentials/{credential_id}"


def _achievement_model(
    config: service.IssuerConfig,
    achievement: Achievement,
    issuer: Profile,
    endorsements: Sequence[dict[str, Any]] = (),
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
        image=_image(config, achievement),
        alignment=alignments,
        result_description=[ResultDescription(id=f"{url}#result", name="Result", result_type="Result")],
        credits_available=d.get("credits"),
        field_of_study=d.get("sector"),
        specialization=d.get("community"),
        tag=tags,
        creator=issuer,
        version=str(achievement.version) if achievement.version > 1 else None,
        endorsement=list(endorsements),
    )


def _image(config: service.IssuerConfig, achievement: Achievement) -> Image | None:
    """The badge image: one of ours (at its stable URL) if the provider gave one, else their ``image_url``."""
    d = achievement.definition
    if d.get("image"):
        url = config.base_url + images.image_path(achievement.id, d["image"])
        return Image(id=url, caption=d["name"])
    return Image(id=d["image_url"]) if d.get("image_url") else None


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
        achievement_version=achievement.version,
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
    """Sign and store one credential. With an `idempotency_key`, a request the provider made before with
    that key gets the credential that request made (however many arrive at once), and a different
    request with the key is a 409."""
    if idempotency_key is not None:
        existing = _stored_answer(session, issuer, idempotency_key, request)
        if existing is not None:
            return existing
    achievement = achievements.issuable(session, issuer.id, request.achievement_id)
    did = service.did_of(config, issuer.id)
    key_type = KeyType.ED25519 if request.format == "ldp" else KeyType.RSA
    key = service.active_key(session, issuer, key_type)
    row = credential_row(issuer, achievement, key, request, now)
    row.idempotency_key = idempotency_key
    try:
        status_list = status.allocate_and_add(session, row, issuer, now)
    except status.IdempotencyClash:  # a concurrent request with the key committed first: its answer
        assert idempotency_key is not None
        stored = _stored_answer(session, issuer, idempotency_key, request)
        assert stored is not None
        return stored
    unsigned = build_credential(
        config,
        credential_parts(config, issuer, did, achievement, session),
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
    record_issue(session, issuer, achievement, row, now)
    statistics.count(session, issuer.id, achievement.id, now, "issued")
    announce(session, config, issuer, achievement, row)
    return row


def record_issue(
    session: Session,
    issuer: Issuer,
    achievement: Achievement,
    row: IssuedCredential,
    now: datetime,
    through: Mapping[str, str] | None = None,
) -> None:
    """The credential's issue in the audit trail (where its history in the console starts), with what it
    was issued through when not one by one (the cohort job, the claim code)."""
    after = {"achievement_id": achievement.id, "format": row.format, "status": "valid"} | dict(through or {})
    audit.record(session, "credential.issue", "credential", row.id, now, provider_id=issuer.id, after=after)


def _stored_answer(
    session: Session, issuer: Issuer, idempotency_key: str, request: CredentialCreate
) -> IssuedCredential | None:
    """The credential an earlier request with this key made, if any; 409 if that was another request."""
    existing = session.scalar(
        select(IssuedCredential).where(
            IssuedCredential.issuer_id == issuer.id, IssuedCredential.idempotency_key == idempotency_key
        )
    )
    if existing is not None and existing.request_sha256 != _request_digest(request):
        raise Conflict(gettext("this Idempotency-Key was used for a different request"))
    return existing


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


@dataclass(frozen=True)
class IssuePreview:
    """What issuing `request` now would make, without signing or storing anything."""

    achievement: Achievement
    scope: ScopeAnswer
    credential: dict[str, Any]
    #: Why the credential could not be signed (JSON Schema, the signing rules); empty when it could.
    problems: list[str]


def preview(
    session: Session, config: service.IssuerConfig, issuer: Issuer, request: CredentialCreate, now: datetime
) -> IssuePreview:
    """The unsigned credential `issue` would sign (with a placeholder id and status entry), checked as it
    would be checked, and the scheme's answer for it. 404 and 409 (archived) exactly as `issue`."""
    achievement = achievements.issuable(session, issuer.id, request.achievement_id)
    did = service.did_of(config, issuer.id)
    key = service.active_key(session, issuer, KeyType.ED25519 if request.format == "ldp" else KeyType.RSA)
    purpose, size = status.list_kind(issuer)
    placeholder = StatusListRow(id=new_id(), purpose=purpose, status_size=size)  # never stored
    credential = build_credential(
        config,
        credential_parts(config, issuer, did, achievement, session),
        credential_row(issuer, achievement, key, request, now),
        request,
        now,
        status.entry(config.base_url, placeholder, 0),
    )
    problems = signing.credential_problems(credential) or signing.signing_refusal(credential)
    return IssuePreview(
        achievement, scope_of(session, config, issuer, achievement, now), credential, problems
    )


def scope_of(
    session: Session, config: service.IssuerConfig, issuer: Issuer, achievement: Achievement, now: datetime
) -> ScopeAnswer:
    """The scheme's answer for a credential of `achievement` (at its version) issued by `issuer` now: the
    trust policy reads only the achievement the credential carries (kind, level, sector)."""
    did = service.did_of(config, issuer.id)
    parts = credential_parts(config, issuer, did, achievement, session)
    credential = {"issuer": did, "credentialSubject": {"achievement": parts.achievement.to_json()}}
    return config.scheme.scope_answer(session, did, credential, now)


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
    config: service.IssuerConfig, issuer: Issuer, did: str, achievement: Achievement, session: Session
) -> CredentialParts:
    """With the network's endorsements of the achievement (its scheme approval), as signed by the
    operator: they become part of the document the provider signs."""
    profile_json = identity.profile(config.base_url, issuer, did)
    profile = Profile.model_validate({key: value for key, value in profile_json.items() if key != "@context"})
    endorsements = config.endorsements.endorsements(session, achievement.id)
    return CredentialParts(
        profile, _achievement_model(config, achievement, profile, endorsements), achievement.definition
    )


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


def find_credential(session: Session, credential_id: str) -> IssuedCredential:
    """Any provider's credential by its id, for its public verification page (the id is a 128-bit
    capability: only someone given the credential or its link knows it)."""
    row = session.get(IssuedCredential, credential_id) if len(credential_id) <= 32 else None
    if row is None:
        raise NotFound(gettext("no credential %(id)r", id=credential_id[:40]))
    return row


def signed_document(row: IssuedCredential) -> dict[str, Any] | str:
    return row.document if row.format == "jwt" else dict(json.loads(row.document))
