"""Shared fixtures. Tests never touch the network: a socket guard makes any attempt fail loudly.

App tests get an app on a fresh, migrated database per test: SQLite by default, PostgreSQL when
PASSPORT_TEST_DATABASE_URL is set (.ci/run does both). The migrations run once per session, into a
template each test's database is copied from; tests/server/test_migrations.py runs them on empty ones.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher, profiles
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.passwords import Passwords
from core.services import Database, services_of
from server.app import create_app
from server.migrate import upgrade
from server.settings import Settings

# Deterministic property tests: the same examples on every run and every machine.
hypothesis_settings.register_profile("deterministic", derandomize=True, database=None, deadline=None)
hypothesis_settings.load_profile("deterministic")

VECTORS = Path(__file__).parent / "vectors"
BASE_URL = "https://passport.test"
ADMIN_TOKEN = "op_test-operator-token"
PASSWORD = "correct horse battery"
#: Argon2 at its cheapest: tests sign people in often, and the hash's cost is not what they test.
CHEAP_PASSWORDS = Passwords(PasswordHasher.from_parameters(profiles.CHEAPEST))


class Clock:
    """A clock a test moves by hand (installed in place of `core.deps.get_now`)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def load_vector(relative: str) -> Any:
    return json.loads((VECTORS / relative).read_text(encoding="utf-8"))


class NetworkAccessError(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only loopback is allowed; anything else is a bug in the code under test."""
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and host not in ("127.0.0.1", "::1", "localhost")
            and not host.startswith("/")
        ):
            raise NetworkAccessError(f"test tried to reach {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated once per test session, which each test gets a copy of: a SQLite file, or a
    PostgreSQL database used as the template of each test's database (CREATE DATABASE ... TEMPLATE)."""
    server_url = os.environ.get("PASSPORT_TEST_DATABASE_URL")
    if not server_url:
        path = tmp_path_factory.mktemp("template") / "passport.db"
        upgrade(f"sqlite:///{path}")  # the engine is disposed: no -wal file is left beside it
        yield str(path)
        return
    with _new_postgres_database(server_url, "tpl") as template:
        upgrade(_database(server_url, template))
        yield template


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: for the tests of the migrations themselves."""
    server_url = os.environ.get("PASSPORT_TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path / 'passport.db'}"
        return
    with _new_postgres_database(server_url, "t") as name:
        yield _database(server_url, name)


@pytest.fixture
def database_url(_migrated_template: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database with every migration applied: a copy of the session's migrated template."""
    server_url = os.environ.get("PASSPORT_TEST_DATABASE_URL")
    if not server_url:
        copy = tmp_path / "passport.db"
        shutil.copyfile(_migrated_template, copy)
        yield f"sqlite:///{copy}"
        return
    with _new_postgres_database(server_url, "t", template=_migrated_template) as name:
        yield _database(server_url, name)


def _database(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@contextmanager
def _new_postgres_database(server_url: str, kind: str, template: str | None = None) -> Iterator[str]:
    """A database on the test server named after its own (``<db>_<kind>_<random>``), dropped afterwards."""
    name = f"{make_url(server_url).database}_{kind}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        )
    try:
        yield name
    finally:
        with admin.connect() as connection:  # FORCE: a background thread of the app may hold a connection
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        base_url=BASE_URL,
        master_key=base64.urlsafe_b64encode(bytes(range(32))).decode(),  # type: ignore[arg-type]
        admin_token=ADMIN_TOKEN,  # type: ignore[arg-type]
        master_key_file=tmp_path / "unused.key",
        admin_token_file=tmp_path / "unused.token",
        bulk_signing_processes=1,  # in-process; tests/issuers/test_bulk.py runs a pool explicitly
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client
    services_of(app).get(Database).engine.dispose()
