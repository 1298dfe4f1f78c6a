"""The passport itself: every credential issued to one of the learner's verified addresses.

Credentials are read through ``issuers.recipients`` (one query, whatever their number); nothing is
copied. Only verified addresses count: a credential is never shown to anyone whose verified addresses
do not include its recipient address. An item's ``source`` says where it came from: ``issued`` by a
provider of this service, or ``imported`` by the learner (``passport.imports``).

An issued credential's status is computed from the issuer's records and the validity period, at
``now``. An imported one's comes from a full verification each time it is shown (given a verifier):
the passport cannot know its issuer's records any other way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from core.i18n import N_, format_date, gettext
from core.problems import NotFound
from issuers.recipients import RecipientCredential, credential_for_recipients, credentials_for_recipients
from passport import imports
from passport.accounts import addresses
from passport.models import ImportedCredential, Learner
from passport.verifying import CredentialVerifier, live_status


class Status(StrEnum):
    VALID = "valid"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    OUTSIDE_SCHEME = "outside_scheme"
    NOT_VERIFIED = "not_verified"


STATUS_WORDS = {
    Status.VALID: N_("Valid"),
    Status.NOT_YET_VALID: N_("Not yet valid"),
    Status.EXPIRED: N_("Expired"),
    Status.SUSPENDED: N_("Suspended"),
    Status.REVOKED: N_("Revoked"),
    Status.OUTSIDE_SCHEME: N_("Outside the scheme"),
    Status.NOT_VERIFIED: N_("Not verified"),
}

#: The achievement types this network issues (`schemas.vocabulary`), in words; others are spelt out.
KIND_WORDS = {
    "Course": N_("Course"),
    "ext:CommunityOfPracticeParticipation": N_("Community of practice participation"),
    "ext:InternationalSkillsExchange": N_("International skills exchange"),
    "ext:EventParticipation": N_("Event participation"),
    "Award": N_("Award"),
}


def status_words() -> dict[Status, str]:
    """Each status in words, in the current language."""
    return {status: gettext(words) for status, words in STATUS_WORDS.items()}


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
    def issued_at_iso(self) -> str:
        return self.credential.issued_at.isoformat()

    @property
    def issued_on(self) -> str:
        """The issue date in words, as pages show it: "24 November 2026", "24 Tachwedd 2026"."""
        return format_date(self.credential.issued_at)

    @property
    def kind(self) -> str | None:
        """The achievement type in words: ``ext:InternationalSkillsExchange`` -> "International skills
        exchange" (translated); a type of another network's is spelt out, ``ext:FieldTrip`` -> "Field
        Trip" (OB 3.0 §B.1.5 extension types carry the ``ext:`` prefix)."""
        kind = self.credential.achievement_type
        if not kind:
            return None
        if kind in KIND_WORDS:
            return gettext(KIND_WORDS[kind])
        return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", kind.removeprefix("ext:"))


def _imported_item(
    session: Session, row: ImportedCredential, now: datetime, verifier: CredentialVerifier | None
) -> PassportItem:
    credential = RecipientCredential(
        id=row.id,
        recipient_email="",
        issuer_id=row.issuer_id,
        issuer_name=row.issuer_name,
        achievement_name=row.achievement_name,
        achievement_type=row.achievement_type,
        format=row.format,
        document=row.document,
        issued_at=row.imported_at,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        revoked_at=None,
        revocation_reason=None,
        suspended_at=None,
    )
    if verifier is None:
        return PassportItem(credential, status_of(credential, now), "imported")
    report = verifier.verify_credential(session, imports.signed_document(row), now)
    return PassportItem(credential, Status(live_status(report).value), "imported")


def items(
    session: Session, learner: Learner, now: datetime, verifier: CredentialVerifier | None = None
) -> list[PassportItem]:
    """Issued credentials (newest first), then imported ones (newest first), each with its status now."""
    owned = addresses.verified_emails(session, learner.id)
    issued = [PassportItem(c, status_of(c, now)) for c in credentials_for_recipients(session, owned)]
    added = [_imported_item(session, row, now, verifier) for row in imports.imported(session, learner)]
    return issued + added


def item(
    session: Session,
    learner: Learner,
    credential_id: str,
    now: datetime,
    verifier: CredentialVerifier | None = None,
) -> PassportItem:
    """One credential of this passport; any other is "not found", whether or not it exists."""
    owned = addresses.verified_emails(session, learner.id)
    found = credential_for_recipients(session, credential_id, owned)
    if found is not None:
        return PassportItem(found, status_of(found, now))
    row = imports.get_imported(session, learner, credential_id)
    if row is None:
        raise NotFound(gettext("no credential %(id)r in your passport", id=credential_id))
    return _imported_item(session, row, now, verifier)
