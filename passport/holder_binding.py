"""Holder binding: whether a credential in a passport was issued to the person holding the passport.

OB 3.0 §9.1 step 5 ("Verify the recipient"): the recipient is named by ``credentialSubject.identifier``
(IdentityObjects, OB 3.0 §B.1.2; an ``emailAddress`` as a salted ``identityHash``, §B.3) or by the
subject ``id`` (a ``mailto:`` URI, or a DID). A credential is

* ``holder``: a recipient identity is one of the learner's *verified* addresses, or the learner's holder
  DID (`passport.exports.holder`);
* ``not_holder``: it names its recipient by email address, and that address is none of the learner's
  verified ones (someone else's credential, or an address the learner has not proved is theirs);
* ``unknown``: its recipient is named in no form this service can check against a person (another DID, a
  student number, a phone), or not at all.

Addresses are compared as the passport keeps them (lower case), plus the address a credential of this
service was issued to, exactly as the provider gave it (what its hash was computed from: OB 3.0 §B.3
hashes the identifier as given; a credential elsewhere hashed over an address with capitals in its local
part matches only if its issuer lower-cased it). Only a credential whose proof verifies names anyone:
for any other, callers report `Recipient.UNKNOWN`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import cached_property
from urllib.parse import unquote

from schemas.identity import RecipientClaims, matches_identity_hash

__all__ = ["HolderIdentity", "Recipient", "recipient_of"]


class Recipient(StrEnum):
    HOLDER = "holder"
    NOT_HOLDER = "not_holder"
    UNKNOWN = "unknown"


class HolderIdentity:
    """What a learner has proved is theirs: verified addresses, and the holder DID (read only when a
    credential names a DID, so listing a passport costs no query for it)."""

    def __init__(self, emails: Iterable[str], holder_dids: Callable[[], Iterable[str]] = tuple) -> None:
        self.emails = frozenset(email.strip().lower() for email in emails if email.strip())
        self._holder_dids = holder_dids

    @cached_property
    def dids(self) -> frozenset[str]:
        return frozenset(self._holder_dids())


def recipient_of(
    claims: RecipientClaims, holder: HolderIdentity, also_as_given: str | None = None
) -> Recipient:
    """`claims`: `schemas.identity.recipient_claims` of the credential. `also_as_given`: the address a
    credential of this service was issued to, as the provider gave it (already known to be one of the
    learner's verified addresses, ignoring case)."""
    emails = (holder.emails | {also_as_given}) if also_as_given else holder.emails
    # The address it was issued to first: for a credential of this service, the one hash that matches.
    hash_order = [also_as_given, *(emails - {also_as_given})] if also_as_given else list(emails)
    checkable = bool(claims.email_hashes or claims.emails)
    for subject_id in claims.subject_ids:
        if subject_id.startswith("mailto:"):
            checkable = True
            if unquote(subject_id.removeprefix("mailto:")).strip().lower() in emails:
                return Recipient.HOLDER
        elif subject_id.startswith("did:") and subject_id in holder.dids:
            return Recipient.HOLDER
    if any(email.strip().lower() in emails for email in claims.emails):
        return Recipient.HOLDER
    for identity_hash, salt in claims.email_hashes:
        if any(matches_identity_hash(email, salt, identity_hash) for email in hash_order):
            return Recipient.HOLDER
    return Recipient.NOT_HOLDER if checkable else Recipient.UNKNOWN
