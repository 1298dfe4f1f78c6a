"""Alembic environment: the models' metadata; the URL comes from `server.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import core.changes  # noqa: F401  - registers the tables
import issuers.console.issuing.models
import issuers.models
import issuers.staff.models  # noqa: F401
import network.bursaries.models
import network.models
import network.pathways.models  # noqa: F401
import passport.claim_codes.models
import passport.models  # noqa: F401
from core.db import Base, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "server.migrate sets sqlalchemy.url"


def run_migrations(connection: Connection) -> None:
    """On SQLite, with foreign keys off while migrating: batch mode rebuilds a table by copying it and
    dropping the old one, and with them on, dropping `learner` would delete every row that refers to it
    (ON DELETE CASCADE). The pragma is ignored inside a transaction, so it is set around it; afterwards
    `foreign_key_check` proves the migration left no dangling reference."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()  # ends SQLAlchemy's autobegun transaction, so Alembic's own one commits
    try:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if dangling:
                raise RuntimeError(f"the migration left rows that refer to missing rows: {dangling[:5]}")
    finally:
        if sqlite:
            connection.rollback()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


connectable = config.attributes.get("connection")
if connectable is None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()
else:
    run_migrations(connectable)
