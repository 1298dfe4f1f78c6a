"""Short-lived caches of what verification reads from our own database, reloaded before they expire.

The verify API answers from memory when it can (see `verification.service`): our issuers' DID documents,
our signed status lists and the operator's accreditations, each kept `ttl` seconds, so that a revocation
or a withdrawn accreditation shows within `ttl` seconds. With a plain TTL cache, an entry in use expires
for every request at once: all of them miss together, and each leaves the event loop to verify again in
a worker thread with the database (under load, a herd of tens of requests every `ttl` seconds, and most
of the verify API's p99). Here the first read in the second half of an entry's life starts one reload
in the background, and its result replaces the entry before it expires. An entry nobody reads expires
as before, so the cache holds only what is in use.

A cache given the process's `core.changes.Changes` also forgets on a change, in every process at once:
each entry carries the change counter under which it was read, and an entry older than the newest
counter any verification of this process has read is a miss (see `core.changes` for why this is exact
and needs no timer). A reload that raced a change therefore stores nothing anyone will use.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

from cachetools import TTLCache
from sqlalchemy.orm import Session, sessionmaker

from core.changes import Changes
from core.db import transaction

__all__ = ["Background", "RefreshAheadCache", "refresh_ahead"]

log = logging.getLogger("passport.verification")

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class Background:
    """Where the caches' reloads run: one thread, each reload in a transaction of its own."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        timer: Callable[[], float] = time.monotonic,
        changes: Changes | None = None,
    ) -> None:
        self._sessions = sessions
        self.timer = timer  # the caches' clock
        self.changes = changes or Changes()  # the process's view of the change counter
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify-cache-reload")

    def reloader(self, load: Callable[[Session, Key], Value]) -> Callable[[Key], tuple[Value, int]]:
        """`load` in a transaction of its own, with the change counter it read first (what it loads is at
        least that new)."""

        def reload(key: Key) -> tuple[Value, int]:
            with transaction(self._sessions) as session:
                version = self.changes.observe(session)
                return load(session, key), version

        return reload

    def submit(self, work: Callable[[], None]) -> Future[None]:
        return self._executor.submit(work)

    def settle(self) -> None:
        """Wait until every reload submitted so far has finished (one thread: they run in order)."""
        self.submit(lambda: None).result()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


class RefreshAheadCache(Generic[Key, Value]):
    """Values by key, each fresh for `ttl` seconds from when it was stored, and only while no change was
    committed since it was read (with `changes`); see the module docstring.

    `reload(key)` reads the current value (None: it is gone) with the change counter it read, and runs
    through `submit`; without a reloader this is a plain TTL cache.
    """

    def __init__(
        self,
        ttl: float,
        maxsize: int,
        reload: Callable[[Key], tuple[Value | None, int]] | None = None,
        submit: Callable[[Callable[[], None]], object] | None = None,
        timer: Callable[[], float] = time.monotonic,
        changes: Changes | None = None,
    ) -> None:
        self.ttl = ttl
        self._entries: TTLCache[Key, tuple[Value, float, int]] = TTLCache(
            maxsize=maxsize, ttl=ttl, timer=timer
        )
        self._reload = reload
        self._submit = submit
        self._timer = timer
        self._changes = changes
        self._reloading: set[Key] = set()
        self._lock = threading.Lock()

    def version_of(self, session: Session) -> int:
        """The change counter `session` read: pass it to `put` with what the session read."""
        return self._changes.version_of(session) if self._changes is not None else 0

    def get(self, key: Key) -> Value | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            value, stored, version = entry
            if self._changes is not None and not self._changes.current(version):
                del self._entries[key]  # read before a change this process has seen committed
                return None
            due = self._reload is not None and self._timer() - stored >= self.ttl / 2
            if due and key not in self._reloading:
                self._reloading.add(key)
            else:
                due = False
        if due:
            assert self._submit is not None
            self._submit(lambda: self._reload_now(key))
        return value

    def put(self, key: Key, value: Value, version: int = 0) -> None:
        """Store `value`, read under change counter `version` (`version_of`)."""
        with self._lock:
            self._entries[key] = (value, self._timer(), version)

    def _reload_now(self, key: Key) -> None:
        assert self._reload is not None
        try:
            value, version = self._reload(key)
        except Exception:
            # The entry expires as it would have, and the next request reads through, as without reloads.
            log.warning("reloading %r for the verify cache failed", key, exc_info=True)
            with self._lock:
                self._reloading.discard(key)
            return
        with self._lock:
            self._reloading.discard(key)
            if value is None:
                self._entries.pop(key, None)
            else:
                self._entries[key] = (value, self._timer(), version)


def refresh_ahead(
    ttl: float, maxsize: int, load: Callable[[Session, Key], Value | None], background: Background | None
) -> RefreshAheadCache[Key, Value]:
    """A cache whose entries in use `load` again on `background` before they expire, and are forgotten on
    a change (`background.changes`); without a background, a plain TTL cache."""
    if background is None:
        return RefreshAheadCache(ttl, maxsize)
    return RefreshAheadCache(
        ttl, maxsize, background.reloader(load), background.submit, background.timer, background.changes
    )
