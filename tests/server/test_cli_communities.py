"""``passport communities``: the operator creates a community, sets a rule (one that can never be met is
refused and nothing changes), sees who meets it and issues the credentials, from the command line."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from server.cli import app
from server.settings import Settings
from tests.conftest import ADMIN_TOKEN
from tests.issuers.conftest import auth, create_provider

runner = CliRunner()


@pytest.fixture
def environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSPORT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PASSPORT_BASE_URL", settings.base_url)
    monkeypatch.setenv("PASSPORT_MASTER_KEY", base64.urlsafe_b64encode(bytes(range(32))).decode())
    monkeypatch.setenv("PASSPORT_ADMIN_TOKEN", ADMIN_TOKEN)


def cli(*arguments: str) -> Any:
    result = runner.invoke(app, ["communities", *arguments])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.usefixtures("environment")
def test_the_operator_runs_a_community_from_the_command_line(client: TestClient) -> None:
    college = create_provider(client)
    created = cli("create", "--name", "Robotics", "--sector", "Engineering", "--coordinator", college["id"])
    assert created["coordinators"][0]["id"] == college["id"]
    assert created["owner"] == "operator"
    assert "Robotics" in [c["name"] for c in cli("list")]

    key = auth(college["api_key"])
    base = f"/api/v1/communities/{created['id']}"
    started = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    event = client.post(
        f"{base}/sessions", json={"title": "One", "starts_at": started, "place": "Derby"}, headers=key
    )
    ada = client.post(
        f"{base}/members", json={"email": "ada@example.com", "invite": False}, headers=key
    ).json()
    client.put(
        f"{base}/sessions/{event.json()['id']}/attendance", json={"member_ids": [ada["id"]]}, headers=key
    )

    never = runner.invoke(
        app, ["communities", "rule", created["id"], '{"attended": {"at_least": 3, "of_last": 2}}']
    )
    assert never.exit_code == 1
    assert "can never happen" in never.output
    assert [c["rule"] for c in cli("list") if c["id"] == created["id"]] == [None]

    assert (
        cli("rule", created["id"], '{"attended": {"at_least": 1, "of_last": 3}}')["rule"]["attended"][
            "at_least"
        ]
        == 1
    )
    assert cli("standing", created["id"])[0]["meets_rule"] is True
    [issued] = cli("issue", created["id"])
    assert issued["credential"]["issuer"]["id"].endswith(":operator")
    assert cli("issue", created["id"]) == []
    revoked = cli("revoke", created["id"], issued["id"], "--reason", "Recorded in error")
    assert revoked["revocation_reason"] == "Recorded in error"
    twice = runner.invoke(app, ["communities", "revoke", created["id"], issued["id"], "--reason", "again"])
    assert twice.exit_code == 1
    assert "already revoked" in twice.output
