"""Failed sign-ins kept in the database (``sign_in_failure``), for the kernel's throttle (`core.throttle`,
which explains the policy), so every worker process counts the same failures; each is recorded in a
transaction of its own (the failed request itself rolls back). Learners' and staff sign-in share it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from core.throttle import FailureStore, MemoryFailures, Refusal, SignInLimiter
from passport.models import SignInFailure

__all__ = ["DatabaseFailures", "FailureStore", "MemoryFailures", "Refusal", "SignInLimiter"]


class DatabaseFailures:
    """Failures in the ``sign_in_failure`` table, each write in its own transaction."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def times(self, key: str, since: datetime) -> list[datetime]:
        with transaction(self._sessions) as session:
            found = session.scalars(
                select(SignInFailure.failed_at)
                .where(SignInFailure.key == _digest(key), SignInFailure.failed_at > since)
                .order_by(SignInFailure.failed_at)
            )
            return list(found)

    def add(self, keys: Sequence[str], at: datetime, forget_before: datetime) -> None:
        with transaction(self._sessions) as session:
            session.execute(delete(SignInFailure).where(SignInFailure.failed_at <= forget_before))
            session.add_all(SignInFailure(key=_digest(key), failed_at=at) for key in keys)

    def clear(self, key: str) -> None:
        with transaction(self._sessions) as session:
            session.execute(delete(SignInFailure).where(SignInFailure.key == _digest(key)))


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
