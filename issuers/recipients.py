"""Credentials as their recipients see them: what the learner passport reads, through this module only.

A credential belongs to an email address (``IssuedCredential.recipient_email``, kept for delivery; the
credential itself holds only a salted hash). Addresses match case-insensitively. The caller decides
which addresses a person has proved they control: this module trusts the list it is given.

Every function here runs one query whatever the number of credentials (no N+1).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from schemas.identity import RecipientClaims, recipient_claims
from vc.fields import issuer_id, parse_datetime

from .models import IssuedCredential, Issuer


@dataclass(frozen=True)
class RecipientCredential:
    """One issued credential with what a holder's wallet shows about it.

    ``achievement_name``, ``achievement_type``, ``valid_from``, ``valid_until``, ``signed_issuer_id`` (the
    issuer id the credential names, a did:web DID) and ``recipient`` (how it names who it was awarded to,
    as plain strings: a passport of a thousand credentials keeps no parsed documents) are read from the
    stored signed document; ``issuer_name`` and ``issuer_logo_url`` are the provider's now.
    """

    id: str
    recipient_email: str
    issuer_id: str
    issuer_name: str
    achievement_name: str
    achievement_type: str | None
    format: str
    document: str
    issued_at: datetime
    valid_from: datetime | None
    valid_until: datetime | None
    revoked_at: datetime | None
    revocation_reason: str | None
    suspended_at: datetime | None
    signed_issuer_id: str | None = None
    issuer_logo_url: str | None = None
    recipient: RecipientClaims = field(default_factory=RecipientClaims)

    def signed_document(self) -> dict[str, Any] | str:
        """Exactly what was signed: the JSON credential, or the compact VC-JWT."""
        return self.document if self.format == "jwt" else dict(json.loads(self.document))


def _normalised(emails: Iterable[str]) -> list[str]:
    return sorted({email.strip().lower() for email in emails if email.strip()})


# The columns a summary needs, not whole ORM objects: a passport page reads a thousand of them.
_COLUMNS = (
    IssuedCredential.id,
    IssuedCredential.recipient_email,
    IssuedCredential.issuer_id,
    IssuedCredential.format,
    IssuedCredential.document,
    IssuedCredential.issued_at,
    IssuedCredential.revoked_at,
    IssuedCredential.revocation_reason,
    IssuedCredential.suspended_at,
    Issuer.name.label("issuer_name"),
    Issuer.logo_url.label("issuer_logo_url"),
)


def _query(emails: list[str]) -> Select[*tuple[Any, ...]]:
    return (
        select(*_COLUMNS)
        .join(Issuer, Issuer.id == IssuedCredential.issuer_id)
        .where(func.lower(IssuedCredential.recipient_email).in_(emails))
    )


def credentials_for_recipients(session: Session, emails: Iterable[str]) -> list[RecipientCredential]:
    """Every credential issued to any of ``emails`` (newest first), revoked ones included."""
    wanted = _normalised(emails)
    if not wanted:
        return []
    rows = session.execute(
        _query(wanted).order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id)
    ).all()
    return [_summary(row) for row in rows]


def credential_for_recipients(
    session: Session, credential_id: str, emails: Iterable[str]
) -> RecipientCredential | None:
    """The credential, if it was issued to one of ``emails``; otherwise None (whether or not it exists)."""
    wanted = _normalised(emails)
    if not wanted:
        return None
    found = session.execute(_query(wanted).where(IssuedCredential.id == credential_id)).first()
    return None if found is None else _summary(found)


def _summary(row: Row[Any]) -> RecipientCredential:
    credential = _credential_json(row)
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    achievement = achievement if isinstance(achievement, dict) else {}
    achievement_type = achievement.get("achievementType")
    return RecipientCredential(
        id=row.id,
        recipient_email=row.recipient_email,
        issuer_id=row.issuer_id,
        issuer_name=row.issuer_name,
        achievement_name=str(achievement.get("name") or credential.get("name") or "Credential"),
        achievement_type=achievement_type if isinstance(achievement_type, str) else None,
        format=row.format,
        document=row.document,
        issued_at=row.issued_at,
        valid_from=parse_datetime(credential.get("validFrom")),
        valid_until=parse_datetime(credential.get("validUntil")),
        revoked_at=row.revoked_at,
        revocation_reason=row.revocation_reason,
        suspended_at=row.suspended_at,
        signed_issuer_id=issuer_id(credential),
        issuer_logo_url=row.issuer_logo_url,
        recipient=recipient_claims(credential),
    )


def _credential_json(row: Row[Any]) -> dict[str, Any]:
    """The credential inside the stored document: our own signed output, read without the checks that
    untrusted input needs (a VC-JWT's payload is the credential; a VC 1.1 one's is under ``vc``)."""
    try:
        if row.format == "jwt":
            payload = row.document.split(".")[1]
            parsed = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            if isinstance(parsed, dict) and "credentialSubject" not in parsed:
                parsed = parsed.get("vc")
        else:
            parsed = orjson.loads(row.document)
    except (IndexError, ValueError):  # orjson.JSONDecodeError and binascii.Error are ValueErrors
        return {}
    return parsed if isinstance(parsed, dict) else {}
