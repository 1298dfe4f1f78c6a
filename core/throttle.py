"""Sign-in throttling that slows password guessing without handing anyone a way to lock the owner out.

NIST SP 800-63B §5.2.2 (Rate Limiting): a verifier limits consecutive failed attempts on one account
(to at most 100) and may instead slow them down with increasing waits, and should weigh where attempts
come from, so that an attacker cannot deny the owner access. The OWASP Authentication Cheat Sheet
("Login Throttling", "Account Lockout") warns the same: a lockout after a few failures is itself an
attack on the owner. Five failures used to refuse even the right password for 15 minutes, from anywhere.

Three counts of failures within ``window`` (sliding), each checked before the password is:

- **per account and client address**: `free_per_client` failures, then each attempt must wait twice as
  long as the last (1 s, 2 s, 4 s ... up to ``window``) after that client's latest failure on that
  account. The guesser is slowed; the owner, signing in from their own address, is not affected;
- **per client address**, any account: `per_address` failures (one address trying many accounts);
- **per account**, any address: `per_account` failures, far higher (NIST's ceiling of 100), a bound on
  a guesser who spreads over many addresses. Reaching it needs that many addresses (each slowed as
  above); only then is everyone refused until failures leave the window, the price of the bound.

A success clears the account's count and that client's count on it. The account is the address typed,
whether or not it has a passport, so a 429 says nothing about existence. The clock is the caller's
``now``, so tests are deterministic. The client address is `core.clients.client_address`.

Where failures are kept is a `FailureStore`: the service keeps them in its database
(`passport.accounts.ratelimit.DatabaseFailures`, shared by learners' and staff sign-in: staff accounts
are named ``staff:...``), so every worker process counts the same failures, and records each one in a
transaction of its own (the failed request itself rolls back). `MemoryFailures` serves one process.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

__all__ = ["FailureStore", "MemoryFailures", "Refusal", "RequestLimiter", "SignInLimiter"]


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
        free_per_client: int = 3,
        per_account: int = 100,
        per_address: int = 20,
        window: timedelta = timedelta(minutes=15),
        store: FailureStore | None = None,
    ) -> None:
        self.free_per_client, self.per_account, self.per_address = free_per_client, per_account, per_address
        self.window = window
        self.store: FailureStore = store if store is not None else MemoryFailures()

    def check(self, account: str, client: str, now: datetime) -> Refusal | None:
        """A refusal while any of the three counts says wait (the longest wait), else None."""
        longest = max(
            self._backoff(_pair(account, client), now),
            self._wait(_account(account), self.per_account, now),
            self._wait(_client(client), self.per_address, now),
        )
        return Refusal(retry_after=longest) if longest > 0 else None

    def failed(self, account: str, client: str, now: datetime) -> None:
        self.store.add((_account(account), _client(client), _pair(account, client)), now, now - self.window)

    def succeeded(self, account: str, client: str) -> None:
        self.store.clear(_account(account))
        self.store.clear(_pair(account, client))

    def _backoff(self, key: str, now: datetime) -> int:
        """Seconds this client must still wait before trying this account again."""
        times = self.store.times(key, now - self.window)
        if len(times) < self.free_per_client:
            return 0
        delay = min(2.0 ** (len(times) - self.free_per_client), self.window.total_seconds())
        return _seconds_until(times[-1] + timedelta(seconds=delay), now)

    def _wait(self, key: str, limit: int, now: datetime) -> int:
        times = self.store.times(key, now - self.window)
        if len(times) < limit:
            return 0
        # Refused until enough of the recent failures leave the window.
        return max(1, _seconds_until(times[len(times) - limit] + self.window, now))


class RequestLimiter:
    """At most ``limit`` requests per key within a sliding ``window`` (every request counts, not only
    failures): for work anyone may ask for, like claiming at an event (`passport.claim_codes`). The
    counts are a `FailureStore`'s, by default this process's memory."""

    def __init__(self, limit: int, window: timedelta, store: FailureStore | None = None) -> None:
        self.limit, self.window = limit, window
        self.store: FailureStore = store if store is not None else MemoryFailures()

    def hit(self, key: str, now: datetime) -> Refusal | None:
        """Count a request for `key`; a refusal (not counted) when the window already holds ``limit``."""
        times = self.store.times(key, now - self.window)
        if len(times) >= self.limit:
            return Refusal(
                retry_after=max(1, _seconds_until(times[len(times) - self.limit] + self.window, now))
            )
        self.store.add((key,), now, now - self.window)
        return None


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(0, math.ceil((moment - now).total_seconds()))


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


def _account(email: str) -> str:
    return "account:" + email.strip().lower()


def _client(address: str) -> str:
    return "client:" + address


def _pair(account: str, client: str) -> str:
    return f"pair:{client}:{account.strip().lower()}"
