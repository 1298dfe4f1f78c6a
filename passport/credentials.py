"""The passport itself: every credential issued to one of the learner's verified addresses.

Credentials are read through ``issuers.recipients`` (one query, whatever their number); nothing is
copied. Only verified addresses count: a credential is never shown to anyone whose verified addresses
do not include its recipient address. An item's ``source`` says where it came from (``issued``: by a
provider of this service), so imported credentials can join the list later.

The status shown is computed from what is stored and the validity period, at ``now``; full
verification (proof, issuer, status list) is the verifier's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from issuers.recipients import RecipientCredential, credential_for_recipients, credentials_for_recipients
from server.problems import NotFound

from . import addresses
from .models import Learner


class Status(StrEnum):
    VALID = "valid"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


STATUS_WORDS = {
    Status.VALID: "Valid",
    Status.NOT_YET_VALID: "Not yet valid",
    Status.EXPIRED: "Expired",
    Status.SUSPENDED: "Suspended",
    Status.REVOKED: "Revoked",
}


def status_of(credential: RecipientCredential, now: datetime) -> Status:
    """Revoked outranks suspended, which outranks the validity period (VC Data Model 2.0 §4.6)."""
    if credential.revoked_at is not None:
        return Status.REVOKED
    if credential.suspended_at is not None:
        return Status.SUSPENDED
    if credential.valid_until is not None and credential.valid_until <= now:
        return Status.EXPIRED
    if credential.valid_from is not None and credential.valid_from > now:
        return Status.NOT_YET_VALID
    return Status.VALID


@dataclass(frozen=True)
class PassportItem:
    credential: RecipientCredential
    status: Status
    source: str = "issued"

    @property
    def id(self) -> str:
        return self.credential.id

    @property
    def kind(self) -> str | None:
        """The achievement type in words: ``ext:InternationalSkillsExchange`` -> "International Skills
        Exchange" (OB 3.0 §B.1.5 extension types carry the ``ext:`` prefix)."""
        kind = self.credential.achievement_type
        return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", kind.removeprefix("ext:")) if kind else None


def items(session: Session, learner: Learner, now: datetime) -> list[PassportItem]:
    owned = addresses.verified_emails(session, learner.id)
    return [PassportItem(c, status_of(c, now)) for c in credentials_for_recipients(session, owned)]


def item(session: Session, learner: Learner, credential_id: str, now: datetime) -> PassportItem:
    """One credential of this passport; any other is "not found", whether or not it exists."""
    owned = addresses.verified_emails(session, learner.id)
    found = credential_for_recipients(session, credential_id, owned)
    if found is None:
        raise NotFound(f"no credential {credential_id!r} in your passport")
    return PassportItem(found, status_of(found, now))
