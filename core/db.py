"""Database engine, the declarative base, and one session (one transaction) per request.

Services only ``flush()``; the request's session commits once at the end, or rolls back: a request is
all or nothing.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Engine, MetaData, create_engine, event, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# One naming convention for models and Alembic, so migrations name constraints predictably.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """A row id: 128 random bits as 32 hex digits (ids in URLs are capabilities, so never guessable)."""
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(url: str) -> Engine:
    """The engine; its errors never carry the statement's parameters (addresses, documents, digests), so
    an error in a log or on a console page holds no personal data or secret."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            _owner_only_files(Path(parsed.database))
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True)


#: What SQLite keeps beside a database file; it creates them with the database file's own mode.
_SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def _owner_only_files(database: Path) -> None:
    """The SQLite database, its WAL and shared memory readable and writable by the service's user only
    (0600; its folder 0700 when made here): they hold learners' addresses and the providers' sealed keys.
    SQLite gives the WAL and -shm files the database file's mode, so the file is created 0600 before
    SQLite opens it, whatever the umask; files left 0644 by an earlier version are tightened."""
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # an empty file is a valid, empty database
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for path in [database, *(database.with_name(database.name + suffix) for suffix in _SQLITE_COMPANIONS)]:
        try:
            mode = path.stat().st_mode & 0o777
            if mode & 0o077:
                path.chmod(mode & 0o700)
        except FileNotFoundError:
            continue


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work commits on success and rolls back on any exception."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def write_lock(
    session: Session, model: type[Base], where: ColumnElement[bool], column: InstrumentedAttribute[Any]
) -> None:
    """Serialise a read-modify-write of the matching row until the transaction ends, on every backend.

    A write that changes nothing (``column = column``), not ``SELECT … FOR UPDATE``: SQLite has no row
    locks and its driver begins the transaction only at the first write, so only a write serialises there
    (it takes the database's write lock); on PostgreSQL it takes the row lock, like FOR UPDATE. Read the
    row after this call, with ``populate_existing``, to see what the previous writer committed.
    """
    session.execute(
        update(model).where(where).values({column.key: column}).execution_options(synchronize_session=False)
    )
