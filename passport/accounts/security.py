"""The passport's secrets: the kernel's passwords and random secrets (`core.passwords`), and the prefix of
learner API tokens."""

from __future__ import annotations

from core.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    Passwords,
    digest,
    new_secret,
    password_problem,
)

__all__ = [
    "LEARNER_TOKEN_PREFIX",
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "Passwords",
    "digest",
    "new_secret",
    "password_problem",
]

LEARNER_TOKEN_PREFIX = "lt_"  # noqa: S105 - a prefix, not a secret
