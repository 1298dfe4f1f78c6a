"""What verification caches must never outlive: one change counter in the database, for every process.

Verification keeps what it reads from our own database in memory (our issuers' DID documents, our signed
status lists, the operator's accreditations: `core.cache`), because reading and re-parsing them for every
request costs more than the verification itself. A revocation, a suspension or reinstatement, a change of
an accreditation and a key rotation must nevertheless be seen by the very next verification, in every
worker process and every instance on the database. So:

- A change calls `record_change(session)`. The counter row (``change_counter``, one row) is bumped by a
  single ``UPDATE`` in the *same transaction*, just before it commits (a ``before_commit`` hook, so the
  row is locked only for the commit itself and always last, after the rows the change took: no deadlock,
  whatever the change locked first). A reader that sees the new number therefore sees the change.
- Every verification reads the counter once, on its own session, before it consults a cache
  (`Changes.observe`): one indexed single-row ``SELECT``, some tens of microseconds, cheaper than one
  cache reload. A cached value is used only if it was read under the newest number this process has seen;
  otherwise it is read again. No timer, no ``LISTEN/NOTIFY`` (PostgreSQL only, and a connection per
  process), no polling thread: a verification that starts after the change committed reads the new number,
  so the answer is right at once, on SQLite and PostgreSQL alike, and a test can assert it without waiting.

Why not DB triggers: the status list row also changes on every issue (its allocation count) and when a list
is re-signed, and a trigger cannot tell those from a status change without knowing the columns' meaning;
the domains can, in the one function each has for a change.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Integer, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base

__all__ = ["ChangeCounter", "Changes", "current_version", "record_change"]

_PENDING = "core.changes.pending"
_OBSERVED = "core.changes.version"


class ChangeCounter(Base):
    """One row (id 1): how many changes that verification caches must see have been committed."""

    __tablename__ = "change_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


def record_change(session: Session) -> None:
    """The session's transaction changes what verification reads: bump the counter when it commits."""
    session.info[_PENDING] = True


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    if session.info.pop(_PENDING, False):
        session.flush()  # the change's own statements first: the counter row is the last one locked
        session.execute(
            update(ChangeCounter)
            .where(ChangeCounter.id == 1)
            .values(version=ChangeCounter.version + 1)
            .execution_options(synchronize_session=False)
        )


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


def current_version(session: Session) -> int:
    """The committed counter as this session sees it (0 before any change)."""
    return session.scalar(select(ChangeCounter.version).where(ChangeCounter.id == 1)) or 0


class Changes:
    """This process's view of the counter: the newest number any of its sessions has read."""

    def __init__(self) -> None:
        self._newest = 0
        self._lock = threading.Lock()

    @property
    def newest(self) -> int:
        return self._newest

    def observe(self, session: Session) -> int:
        """Read the counter on `session` (once per verification) and remember it on the session: what the
        caches read through that session is tagged with it (`version_of`)."""
        version = current_version(session)
        session.info[_OBSERVED] = version
        with self._lock:
            if version > self._newest:
                self._newest = version
        return version

    def version_of(self, session: Session) -> int:
        """The number `session` read, which dates what it reads next (observed now if it has not been)."""
        found: Any = session.info.get(_OBSERVED)
        return found if isinstance(found, int) else self.observe(session)

    def current(self, version: int) -> bool:
        """Whether something read under `version` is still as new as the newest change seen."""
        return version >= self._newest
