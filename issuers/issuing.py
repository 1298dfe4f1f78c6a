"""Issuing one credential, and revoking / suspending / reinstating it.

Flow: achievement and active key -> the unsigned credential as an OB 3.0 model -> JSON Schema and
conformance checks -> sign (Data Integrity or VC-JWT) -> store exactly what was signed with its status
indexes -> ``flush()``. The caller's transaction commits once, so a failure leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

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
from schemas.validation import SchemaName, conformance_errors, schema_errors
from server.problems import Conflict, NotFound, ValidationFailed
from vc import data_integrity
from vc.jwt import sign_jwt
from vc.keys import KeyType

from . import identity, service, status
from .models import Achievement, IssuedCredential, Issuer, new_id
from .notify import IssuedNotice
from .schemas import CredentialCreate


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


def issue(
    session: Session,
    config: service.IssuerConfig,
    issuer: Issuer,
    request: CredentialCreate,
    now: datetime,
    *,
    idempotency_key: str | None = None,
    bulk_job_id: str | None = None,
    bulk_row: int | None = None,
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
                raise Conflict("this Idempotency-Key was used for a different request")
            return existing
    achievement = service.get_achievement(session, issuer, request.achievement_id)
    did = service.did_of(config, issuer.id)
    key_type = KeyType.ED25519 if request.format == "ldp" else KeyType.RSA
    key = service.active_key(session, issuer, key_type)
    row = IssuedCredential(
        id=new_id(),
        issuer_id=issuer.id,
        achievement_id=achievement.id,
        signing_key_id=key.id,
        recipient_email=request.recipient.email,
        recipient_name=request.recipient.name,
        learner_id=request.recipient.learner_id,
        format=request.format,
        document="",
        idempotency_key=idempotency_key,
        request_sha256=digest,
        bulk_job_id=bulk_job_id,
        bulk_row=bulk_row,
        issued_at=now,
    )
    status.allocate_and_add(session, row, issuer, now)
    unsigned = build_credential(config, issuer, did, achievement, row, request, now)
    private = service.private_key(config, key)
    method = identity.verification_method_id(did, key)
    if request.format == "ldp":
        row.document = json.dumps(data_integrity.sign(unsigned, private, method, now))
    else:
        row.document = sign_jwt(unsigned, private, kid=method)
    session.flush()
    config.listener.credential_issued(
        session,
        IssuedNotice(
            credential_id=row.id,
            issuer_id=issuer.id,
            issuer_name=issuer.name,
            achievement_name=achievement.definition["name"],
            recipient_email=row.recipient_email,
            recipient_name=row.recipient_name,
            issued_at=now,
        ),
    )
    return row


def build_credential(
    config: service.IssuerConfig,
    issuer: Issuer,
    did: str,
    achievement: Achievement,
    row: IssuedCredential,
    request: CredentialCreate,
    now: datetime,
) -> dict[str, Any]:
    """The unsigned OB 3.0 credential, checked against the 1EdTech JSON Schema before anyone signs it."""
    profile_json = identity.profile(config.base_url, issuer, did)
    profile = Profile.model_validate({key: value for key, value in profile_json.items() if key != "@context"})
    model = _achievement_model(config, achievement, profile)
    valid_from = (request.valid_from or now).replace(microsecond=0)
    valid_until = request.valid_until
    validity_days = achievement.definition.get("validity_days")
    if valid_until is None and validity_days:
        valid_until = valid_from + timedelta(days=validity_days)
    if valid_until is not None and valid_until <= valid_from:
        raise ValidationFailed(
            "valid_until must be after valid_from", [{"loc": ["valid_until"], "msg": "too early"}]
        )
    exchange = achievement.definition.get("exchange") or {}
    credential = AchievementCredential(
        id=credential_url(config.base_url, row.id),
        name=f"{model.name} — {request.recipient.name}" if request.recipient.name else model.name,
        issuer=profile,
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
        credential_status=BitstringStatusListEntry.model_validate(status.entry(config.base_url, row)),
    ).to_json()
    problems = schema_errors(credential, SchemaName.ACHIEVEMENT_CREDENTIAL) + conformance_errors(credential)
    if problems:
        raise ValidationFailed(
            "the credential would not conform to Open Badges 3.0", [{"msg": p} for p in problems]
        )
    return credential


def _day(value: str | None) -> datetime | None:
    return datetime.fromisoformat(f"{value}T00:00:00+00:00") if value else None


def get_credential(session: Session, issuer: Issuer, credential_id: str) -> IssuedCredential:
    row = session.scalar(
        select(IssuedCredential).where(
            IssuedCredential.id == credential_id, IssuedCredential.issuer_id == issuer.id
        )
    )
    if row is None:
        raise NotFound(f"no credential {credential_id!r}")
    return row


def revoke(
    session: Session, issuer: Issuer, credential_id: str, reason: str, now: datetime
) -> IssuedCredential:
    """Final: a revoked credential stays revoked."""
    row = get_credential(session, issuer, credential_id)
    if row.revoked_at is not None:
        raise Conflict("this credential is already revoked")
    status.set_bit(session, row.revocation_list_id, row.revocation_index, True, now)
    row.revoked_at, row.revocation_reason = now, reason
    session.flush()
    return row


def signed_document(row: IssuedCredential) -> dict[str, Any] | str:
    return row.document if row.format == "jwt" else dict(json.loads(row.document))
