"""Passwords (argon2id) and the random secrets of cookies, tokens and links, for every kind of account
(learners in the passport, provider and operator staff).

A password is stored only as an argon2id hash (RFC 9106, through argon2-cffi). Every other secret is
256 random bits, shown once and stored as its SHA-256 digest; lookups are by digest, compared again in
constant time. Learner API tokens start ``lt_``, unlike provider API keys (``sk_``) and the operator's
token (``op_``), so a leaked token says whose it is and scanners can tell them apart (the learner prefix
is `passport.accounts.security.LEARNER_TOKEN_PREFIX`).
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.i18n import gettext, ngettext

MIN_PASSWORD_LENGTH = 10
#: Long passphrases are welcome; an upper bound keeps hashing cost bounded for hostile input.
MAX_PASSWORD_LENGTH = 256


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, in plain words; None when it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return ngettext(
            "Use at least %(num)d character.", "Use at least %(num)d characters.", MIN_PASSWORD_LENGTH
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return ngettext(
            "Use at most %(num)d character.", "Use at most %(num)d characters.", MAX_PASSWORD_LENGTH
        )
    if not password.strip():
        return gettext("A password of spaces only is too easy to guess.")
    return None


class Passwords:
    """Hash and check passwords; checking an unknown account costs the same as checking a real one."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()  # argon2id, RFC 9106 low-memory profile
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def check(self, password_hash: str | None, password: str) -> bool:
        """True when ``password`` matches; with no hash, spends the same time and returns False."""
        if len(password) > MAX_PASSWORD_LENGTH:
            return False
        if password_hash is None:
            if self._dummy is None:
                self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
            password_hash = self._dummy
            password = password + "\x00never"
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self.hasher.check_needs_rehash(password_hash)
