"""An app on a fresh, migrated database per test: SQLite by default, PostgreSQL when
PASSPORT_TEST_DATABASE_URL is set (.ci/run does both)."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from server.app import create_app
from server.migrate import upgrade
from server.settings import Settings

BASE_URL = "https://passport.test"
ADMIN_TOKEN = "op_test-operator-token"


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


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def create_provider(client: TestClient, name: str = "Midlands College") -> dict[str, Any]:
    response = client.post(
        "/api/v1/admin/issuers",
        json={"name": name, "url": "https://college.example.ac.uk"},
        headers=auth(ADMIN_TOKEN),
    )
    assert response.status_code == 201, response.text
    provider: dict[str, Any] = response.json()
    return provider


COURSE = {
    "kind": "course",
    "name": "Heat Pump Installation (Level 3)",
    "description": "Install and commission heat pumps.",
    "criteria_narrative": "Assessed installation and written test.",
    "level": "RQF 3",
    "sector": "Building services",
    "alignments": [{"target_name": "Low carbon heating", "target_url": "https://example.org/standards/st1"}],
    "credits": 6,
}


def create_achievement(client: TestClient, api_key: str, body: dict[str, Any] | None = None) -> str:
    response = client.post("/api/v1/achievements", json=body or COURSE, headers=auth(api_key))
    assert response.status_code == 201, response.text
    achievement_id: str = response.json()["id"]
    return achievement_id
