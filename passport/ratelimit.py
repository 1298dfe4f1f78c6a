"""Sign-in throttling: failed password checks per account and per client address.

A sliding window: while an account (the address typed, whether or not it has a passport, so a 429 says
nothing about existence) or a client address has had ``limit`` failures within ``window``, every
attempt is refused, even with the right password; a success clears the account's failures. The clock is
the caller's ``now``, so tests are deterministic.

State is in memory, per process (the service runs as one process); entries age out and the number of
keys is capped, oldest first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Refusal:
    """Too many failures: try again after ``retry_after`` seconds."""

    retry_after: int


class SignInLimiter:
    def __init__(
        self,
        per_account: int = 5,
        per_address: int = 20,
        window: timedelta = timedelta(minutes=15),
        max_keys: int = 100_000,
    ) -> None:
        self.per_account, self.per_address, self.window, self.max_keys = (
            per_account,
            per_address,
            window,
            max_keys,
        )
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, account: str, client: str, now: datetime) -> Refusal | None:
        """A refusal if either the account or the client address is over its limit, else None."""
        with self._lock:
            waits = [
                self._wait(key, limit, now)
                for key, limit in ((_account(account), self.per_account), (_client(client), self.per_address))
            ]
        longest = max(wait for wait in waits)
        return Refusal(retry_after=longest) if longest > 0 else None

    def failed(self, account: str, client: str, now: datetime) -> None:
        with self._lock:
            for key in (_account(account), _client(client)):
                times = self._failures.pop(key, deque())
                times.append(now)
                self._failures[key] = times  # most recently failed last
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, account: str) -> None:
        with self._lock:
            self._failures.pop(_account(account), None)

    def _wait(self, key: str, limit: int, now: datetime) -> int:
        times = self._failures.get(key)
        if not times:
            return 0
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return 0
        if len(times) < limit:
            return 0
        # Refused until enough of the recent failures leave the window.
        freed_at = times[len(times) - limit] + self.window
        return max(1, int((freed_at - now).total_seconds() + 0.999))


def _account(email: str) -> str:
    return "account:" + email.strip().lower()


def _client(address: str) -> str:
    return "client:" + address
