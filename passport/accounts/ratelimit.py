"""Sign-in throttling: failed password checks per account and per client address.

A sliding window: while an account (the address typed, whether or not it has a passport, so a 429 says
nothing about existence) or a client address has had ``limit`` failures within ``window``, every
attempt is refused, even with the right password; a success clears the account's failures. The clock is
the caller's ``now``, so tests are deterministic.

Where failures are kept is a `FailureStore`: the service keeps them in its database
(`DatabaseFailures`), so every worker process counts the same failures, and records each one in a
transaction of its own (the failed request itself rolls back). `MemoryFailures` serves one process.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from passport.models import SignInFailure

__all__ = ["DatabaseFailures", "FailureStore", "MemoryFailures", "Refusal", "SignInLimiter"]


@dataclass(frozen=True)
class Refusal:
    """Too many failures: try again after ``retry_after`` seconds."""

    retry_after: int


class FailureStore(Protocol):
    def times(self, key: str, since: datetime) -> list[datetime]:
        """The failure times of `key` after `since`, oldest first."""
        ...

    def add(self, keys: Sequence[str], at: datetime, forget_before: datetime) -> None:
        """Record a failure at `at` for each key; failures before `forget_before` may be dropped."""
        ...

    def clear(self, key: str) -> None: ...


class SignInLimiter:
    def __init__(
        self,
        per_account: int = 5,
        per_address: int = 20,
        window: timedelta = timedelta(minutes=15),
        store: FailureStore | None = None,
    ) -> None:
        self.per_account, self.per_address, self.window = per_account, per_address, window
        self.store: FailureStore = store if store is not None else MemoryFailures()

    def check(self, account: str, client: str, now: datetime) -> Refusal | None:
        """A refusal if either the account or the client address is over its limit, else None."""
        longest = max(
            self._wait(key, limit, now)
            for key, limit in ((_account(account), self.per_account), (_client(client), self.per_address))
        )
        return Refusal(retry_after=longest) if longest > 0 else None

    def failed(self, account: str, client: str, now: datetime) -> None:
        self.store.add((_account(account), _client(client)), now, now - self.window)

    def succeeded(self, account: str) -> None:
        self.store.clear(_account(account))

    def _wait(self, key: str, limit: int, now: datetime) -> int:
        times = self.store.times(key, now - self.window)
        if len(times) < limit:
            return 0
        # Refused until enough of the recent failures leave the window.
        freed_at = times[len(times) - limit] + self.window
        return max(1, int((freed_at - now).total_seconds() + 0.999))


class MemoryFailures:
    """Failures in this process's memory; entries age out and the number of keys is capped, oldest first."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self.max_keys = max_keys
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def times(self, key: str, since: datetime) -> list[datetime]:
        with self._lock:
            times = self._failures.get(key)
            if not times:
                return []
            while times and times[0] <= since:
                times.popleft()
            if not times:
                del self._failures[key]
            return list(times)

    def add(self, keys: Sequence[str], at: datetime, forget_before: datetime) -> None:
        with self._lock:
            for key in keys:
                times = self._failures.pop(key, deque())
                times.append(at)
                self._failures[key] = times  # most recently failed last
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


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


def _account(email: str) -> str:
    return "account:" + email.strip().lower()


def _client(address: str) -> str:
    return "client:" + address
