"""``passport approvals``: the operator's queue, approve, refuse and withdraw from the command line, on
the service's database (SQLite, or PostgreSQL with PASSPORT_TEST_DATABASE_URL)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from server.cli import app
from server.settings import Settings
from tests.conftest import ADMIN_TOKEN
from tests.issuers.conftest import auth, create_achievement, create_provider

runner = CliRunner()
STATEMENT = "Assessed by two qualified assessors; internally verified and moderated each term."


@pytest.fixture
def environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSPORT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PASSPORT_BASE_URL", settings.base_url)
    monkeypatch.setenv("PASSPORT_MASTER_KEY", base64.urlsafe_b64encode(bytes(range(32))).decode())
    monkeypatch.setenv("PASSPORT_ADMIN_TOKEN", ADMIN_TOKEN)


def submitted(client: TestClient) -> tuple[str, str]:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    response = client.post(
        "/api/v1/approvals",
        json={"achievement_id": achievement_id, "quality_statement": STATEMENT},
        headers=auth(provider["api_key"]),
    )
    assert response.status_code == 201, response.text
    return response.json()["id"], provider["api_key"]


def cli(*arguments: str) -> Any:
    result = runner.invoke(app, ["approvals", *arguments])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.usefixtures("environment")
def test_the_operator_approves_and_withdraws_from_the_command_line(client: TestClient) -> None:
    approval_id, _ = submitted(client)
    assert [row["id"] for row in cli("list", "--state", "pending")] == [approval_id]
    (approved,) = cli("approve", approval_id, "--comment", "Well moderated.")
    assert approved["state"] == "approved"
    endorsement = client.get(f"/approvals/{approval_id}").json()
    assert endorsement["credentialSubject"]["endorsementComment"] == "Well moderated."
    (withdrawn,) = cli("withdraw", approval_id, "--reason", "Moderator left.")
    assert withdrawn["state"] == "withdrawn"
    again = runner.invoke(app, ["approvals", "withdraw", approval_id, "--reason", "again"])
    assert again.exit_code == 1
    assert "withdrawn" in again.output


@pytest.mark.usefixtures("environment")
def test_a_refusal_needs_criterion_and_reason(client: TestClient) -> None:
    approval_id, _ = submitted(client)
    bad = runner.invoke(app, ["approvals", "refuse", approval_id, "--reason", "no criterion"])
    assert bad.exit_code == 2
    assert cli("list", "--state", "pending")[0]["state"] == "pending"  # nothing written
    (refused,) = cli("refuse", approval_id, "--reason", "credits:No credit value is evidenced")
    assert refused["reasons"] == [{"criterion": "credits", "reason": "No credit value is evidenced"}]
    assert runner.invoke(app, ["approvals", "list", "--state", "nonsense"]).exit_code == 2
