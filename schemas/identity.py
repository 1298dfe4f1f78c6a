"""IdentityHash: salted hashes of a recipient identifier (OB 3.0 §B.3 IdentityHash derived type).

An ``IdentityObject.identityHash`` is ``"<alg>$" + hex(HASH(UTF8(identifier) || UTF8(salt)))`` where
``alg`` is ``sha256`` (or the legacy ``md5``) and the hex digits may be upper- or lower-case.
https://www.imsglobal.org/spec/ob/v3p0/#identityhash

The identifier is hashed exactly as given: normalising it (for example lower-casing an email address) is the
caller's decision, and the verifier must apply the same one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["SUPPORTED_ALGORITHMS", "identity_hash", "matches_identity_hash", "new_salt"]

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
