"""Alembic environment: the models' metadata; the URL comes from `server.migrate`."""

from __future__ import annotations

from alembic import context

import issuers.models  # noqa: F401  - registers the tables
import network.models  # noqa: F401
import passport.models  # noqa: F401
from core.db import Base, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "server.migrate sets sqlalchemy.url"

connectable = config.attributes.get("connection")
if connectable is None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
else:
    context.configure(connection=connectable, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
