"""IdentityHash: salted hashes of a recipient identifier (OB 3.0 §B.3 IdentityHash derived type).

An ``IdentityObject.identityHash`` is ``"<alg>$" + hex(HASH(UTF8(identifier) || UTF8(salt)))`` where
``alg`` is ``sha256`` (or the legacy ``md5``) and the hex digits may be upper- or lower-case.
https://www.imsglobal.org/spec/ob/v3p0/#identityhash

The identifier is hashed exactly as given: normalising it (for example lower-casing an email address) is the
caller's decision, and the verifier must apply the same one.

`recipient_claims` reads how a credential names its recipient (OB 3.0 §B.1.2 AchievementSubject: its
``id`` and its ``identifier`` IdentityObjects) into plain strings, for a holder to be matched against them
(OB 3.0 §9.1 step 5) without keeping the parsed credential.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SUPPORTED_ALGORITHMS",
    "RecipientClaims",
    "identity_hash",
    "matches_identity_hash",
    "new_salt",
    "recipient_claims",
]

#: Algorithm prefixes an IdentityHash may carry, with the hex length of each digest.
SUPPORTED_ALGORITHMS: dict[str, int] = {"sha256": 64, "md5": 32}

_HEX_DIGITS = frozenset("0123456789abcdef")
_SALT_BYTES = 16


def _digest(algorithm: str, identifier: str, salt: str) -> str:
    data = identifier.encode("utf-8") + salt.encode("utf-8")
    if algorithm == "sha256":
        return hashlib.sha256(data).hexdigest()
    # Legacy OB 2.0-era hashes; only ever compared, never produced.
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def identity_hash(identifier: str, salt: str) -> str:
    """Return the ``sha256$…`` IdentityHash of ``identifier`` salted with ``salt`` (lower-case hex)."""
    return "sha256$" + _digest("sha256", identifier, salt)


def new_salt() -> str:
    """Return a fresh random salt: 16 bytes from :mod:`secrets`, URL-safe base64 (22 characters)."""
    return secrets.token_urlsafe(_SALT_BYTES)


def matches_identity_hash(identifier: str, salt: str | None, identity_hash: str) -> bool:
    """Whether ``identity_hash`` is the IdentityHash of ``identifier`` with ``salt`` (OB 3.0 §9.1 step 5).

    Accepts ``sha256$`` and legacy ``md5$`` prefixes and upper- or lower-case hex. A missing salt means the
    identifier was hashed unsalted. Malformed hashes (unknown algorithm, wrong length, non-hex digits) do not
    match. The digest comparison is constant-time.
    """
    algorithm, separator, digest = identity_hash.partition("$")
    if not separator or algorithm not in SUPPORTED_ALGORITHMS:
        return False
    digest = digest.lower()
    if len(digest) != SUPPORTED_ALGORITHMS[algorithm] or not _HEX_DIGITS.issuperset(digest):
        return False
    expected = _digest(algorithm, identifier, salt or "")
    return hmac.compare_digest(expected.encode("ascii"), digest.encode("ascii"))


_MAX_CLAIMS = 16  # subjects and identifiers read per credential: each costs a hash per address compared


@dataclass(frozen=True)
class RecipientClaims:
    """How a credential names its recipient, as plain values (tuples of strings, cheap to keep)."""

    subject_ids: tuple[str, ...] = ()  # credentialSubject ids: a DID, a mailto: URI, ...
    email_hashes: tuple[tuple[str, str | None], ...] = ()  # (identityHash, salt) of hashed emailAddress ones
    emails: tuple[str, ...] = ()  # emailAddress identities given unhashed (``hashed: false``)


def recipient_claims(credential: Mapping[str, Any]) -> RecipientClaims:
    """Read defensively (the credential is untrusted): identities of another ``identityType`` (a student
    number, a phone) and malformed ones are left out."""
    subjects = credential.get("credentialSubject")
    subject_ids: list[str] = []
    email_hashes: list[tuple[str, str | None]] = []
    emails: list[str] = []
    for subject in (subjects if isinstance(subjects, list) else [subjects])[:_MAX_CLAIMS]:
        if not isinstance(subject, Mapping):
            continue
        if isinstance(subject.get("id"), str):
            subject_ids.append(subject["id"])
        identifiers = subject.get("identifier")
        for identity in (identifiers if isinstance(identifiers, list) else [])[:_MAX_CLAIMS]:
            if not isinstance(identity, Mapping) or identity.get("identityType") != "emailAddress":
                continue
            value, hashed, salt = identity.get("identityHash"), identity.get("hashed"), identity.get("salt")
            if not isinstance(value, str) or not isinstance(hashed, bool):
                continue
            if hashed and (salt is None or isinstance(salt, str)):
                email_hashes.append((value, salt))
            elif not hashed:
                emails.append(value)
    return RecipientClaims(tuple(subject_ids), tuple(email_hashes), tuple(emails))
