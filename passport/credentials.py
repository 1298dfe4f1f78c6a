"""The passport itself: every credential issued to one of the learner's verified addresses.

Credentials are read through ``issuers.recipients`` (one query, whatever their number); nothing is
copied. Only verified addresses count: a credential is never shown to anyone whose verified addresses
do not include its recipient address. An item's ``source`` says where it came from: ``issued`` by a
provider of this service, or ``imported`` by the learner (``passport.imports``).

An issued credential's status is computed from the issuer's records and the validity period, at
``now``. An imported one's comes from a full verification each time it is shown (given a verifier):
the passport cannot know its issuer's records any other way.

Each item also says who issued it (`network.naming`: an issued credential's provider from the provider
table; an imported one's from the registry or this service's providers, else "not confirmed") and
whether it was issued to this learner (`passport.holder_binding`), both computed when it is shown: a
learner's verified addresses change, and so may the register.
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
from network.naming import IssuerName, NameSource
from passport import imports
from passport.accounts import addresses
from passport.holder_binding import HolderIdentity, Recipient, recipient_of
from passport.models import HolderKey, ImportedCredential, Learner
from passport.verifying import LiveChecker, authentic, live_status
from schemas.identity import recipient_claims


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
    issuer: IssuerName
    recipient: Recipient
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


def holder_identity(session: Session, learner: Learner) -> HolderIdentity:
    """The learner's verified addresses (one query) and, only if a credential names a DID, the holder DID."""

    def holder_dids() -> tuple[str, ...]:
        key = session.get(HolderKey, learner.id)
        return (key.did,) if key is not None else ()

    return HolderIdentity(addresses.verified_emails(session, learner.id), holder_dids)


def _issued_item(credential: RecipientCredential, holder: HolderIdentity, now: datetime) -> PassportItem:
    """Issued by one of this service's providers: named from the provider table."""
    issuer = IssuerName(
        credential.signed_issuer_id, credential.issuer_name, NameSource.PROVIDER, credential.issuer_logo_url
    )
    recipient = recipient_of(credential.recipient, holder, also_as_given=credential.recipient_email)
    return PassportItem(credential, status_of(credential, now), issuer, recipient)


def _imported_item(
    session: Session,
    row: ImportedCredential,
    holder: HolderIdentity,
    now: datetime,
    checker: LiveChecker | None,
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
        signed_issuer_id=row.issuer_id,
    )
    if checker is None:  # as verified when it was imported
        source = NameSource(row.issuer_name_source) if row.issuer_name else None
        issuer = IssuerName(row.issuer_id, row.issuer_name or None, source)
        recipient = recipient_of(recipient_claims(imports.decoded(row)), holder)
        return PassportItem(credential, status_of(credential, now), issuer, recipient, "imported")
    report = checker.verify_credential(session, imports.signed_document(row), now)
    claims = recipient_claims(report.credential or {})
    recipient = recipient_of(claims, holder) if authentic(report) else Recipient.UNKNOWN
    status = Status(live_status(report).value)
    return PassportItem(credential, status, checker.issuer_of(session, report), recipient, "imported")


def items(
    session: Session, learner: Learner, now: datetime, checker: LiveChecker | None = None
) -> list[PassportItem]:
    """Issued credentials (newest first), then imported ones (newest first), each with its status now."""
    holder = holder_identity(session, learner)
    issued = [_issued_item(c, holder, now) for c in credentials_for_recipients(session, holder.emails)]
    added = [_imported_item(session, row, holder, now, checker) for row in imports.imported(session, learner)]
    return issued + added


def item(
    session: Session,
    learner: Learner,
    credential_id: str,
    now: datetime,
    checker: LiveChecker | None = None,
) -> PassportItem:
    """One credential of this passport; any other is "not found", whether or not it exists."""
    holder = holder_identity(session, learner)
    found = credential_for_recipients(session, credential_id, holder.emails)
    if found is not None:
        return _issued_item(found, holder, now)
    row = imports.get_imported(session, learner, credential_id)
    if row is None:
        raise NotFound(gettext("no credential %(id)r in your passport", id=credential_id))
    return _imported_item(session, row, holder, now, checker)
