"""Shared fixtures. Tests never touch the network: a socket guard makes any attempt fail loudly.

App tests get an app on a fresh, migrated database per test: SQLite by default, PostgreSQL when
PASSPORT_TEST_DATABASE_URL is set (.ci/run does both).
"""

from __future__ import annotations

import base64
import json
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text

from server.app import create_app
from server.migrate import upgrade
from server.settings import Settings

# Deterministic property tests: the same examples on every run and every machine.
hypothesis_settings.register_profile("deterministic", derandomize=True, database=None, deadline=None)
hypothesis_settings.load_profile("deterministic")

VECTORS = Path(__file__).parent / "vectors"
BASE_URL = "https://passport.test"
ADMIN_TOKEN = "op_test-operator-token"


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


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    server_url = os.environ.get("PASSPORT_TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path / 'passport.db'}"
        return
    # A schema per test on the shared server: isolated, and dropped afterwards.
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in server_url else "?"
    yield f"{server_url}{separator}options=-csearch_path%3D{schema}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    upgrade(database_url)
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
    app.state.engine.dispose()
