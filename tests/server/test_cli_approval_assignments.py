"""``passport approvals assessors|assign``: the operator assigns a scheme submission to an assessor from the
command line, as the operator console and API do; the queue shows each submission's assignee, and a
refused assignment (unknown submission or person, someone who is not an assessor, a decided submission)
exits 1 with the reason and writes nothing."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from server.cli import app as cli
from server.settings import Settings
from tests.conftest import ADMIN_TOKEN
from tests.issuers.staff.conftest import (  # app, client, clock: the staff tests' fixtures
    accept,
    app,
    client,
    clock,
    operator_auth,
)
from tests.network.console.conftest import member_id, submitted

__all__ = ["app", "client", "clock", "submitted"]

runner = CliRunner()
REVIEW_API = "/api/v1/admin/approvals"
ADA = "ada@operator.example"


@pytest.fixture
def environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSPORT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PASSPORT_BASE_URL", settings.base_url)
    monkeypatch.setenv("PASSPORT_MASTER_KEY", base64.urlsafe_b64encode(bytes(range(32))).decode())
    monkeypatch.setenv("PASSPORT_ADMIN_TOKEN", ADMIN_TOKEN)


def invite(client: TestClient, email: str, role: str) -> None:
    """An operator staff member named after their address ("ada@..." is "Ada"), invited."""
    response = client.post(
        "/api/v1/admin/staff",
        json={"email": email, "name": email.split("@")[0].title(), "role": role},
        headers=operator_auth(),
    )
    assert response.status_code == 201, response.text


def approvals(*arguments: str) -> Any:
    result = runner.invoke(cli, ["approvals", *arguments])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def refused(*arguments: str) -> str:
    result = runner.invoke(cli, ["approvals", *arguments])
    assert result.exit_code == 1, result.output
    return result.output


def assigned_events(client: TestClient) -> list[dict[str, Any]]:
    events = client.get("/api/v1/admin/audit", headers=operator_auth()).json()
    return [event for event in events if event["action"] == "approval.assigned"]


@pytest.mark.usefixtures("environment")
def test_the_operator_lists_assessors_and_assigns_from_the_command_line(
    app: FastAPI, client: TestClient, submitted: dict[str, Any]
) -> None:
    approval_id = submitted["approval"]["id"]
    invite(client, "zoe@operator.example", "assessor")
    invite(client, "olu@operator.example", "operator_admin")
    invite(client, ADA, "assessor")
    assessor = accept(app, ADA, "operator")
    ada, zoe = member_id(app, ADA), member_id(app, "zoe@operator.example")
    assert approvals("assessors") == [
        {"id": ada, "name": "Ada", "email": ADA, "role": "assessor"},
        {"id": zoe, "name": "Zoe", "email": "zoe@operator.example", "role": "assessor"},
    ]  # by name; the administrator is not one
    assert approvals("list", "--state", "pending")[0]["assignee"] is None

    (moved,) = approvals("assign", approval_id, "--assessor", zoe)
    assert moved["assignee"]["id"] == zoe
    (shown,) = approvals("assign", approval_id, "--assessor", "ADA@operator.example")  # email, any case
    assert shown["id"] == approval_id
    assert shown["state"] == "pending"
    assert shown["assignee"] == {
        "id": ada,
        "name": "Ada",
        "email": ADA,
        "role": "assessor",
    }
    assert approvals("list")[0]["assignee"]["id"] == ada

    # Through the operator API: the assessor's queue holds it, and the audit trail has both moves.
    mine = assessor.http.get(REVIEW_API).json()
    assert [row["id"] for row in mine] == [approval_id]
    events = assigned_events(client)
    assert [(event["subject_id"], event["after"]["assessor_id"]) for event in events] == [
        (approval_id, ada),
        (approval_id, zoe),
    ]  # newest first
    assert events[0]["before"] == {"assessor_id": zoe}
    assert events[0]["actor_kind"] == "system"  # the command line's changes are the system's (README)
    assert events[0]["provider_id"] == submitted["provider"]["id"]


@pytest.mark.usefixtures("environment")
def test_an_assignment_is_refused_plainly_and_writes_nothing(
    app: FastAPI, client: TestClient, submitted: dict[str, Any]
) -> None:
    approval_id = submitted["approval"]["id"]
    invite(client, ADA, "assessor")
    invite(client, "olu@operator.example", "operator_admin")

    assert "no approval 'nope'" in refused("assign", "nope", "--assessor", ADA)
    unknown = refused("assign", approval_id, "--assessor", "bea@operator.example")
    assert "no one on the operator's staff has the id or email address 'bea@operator.example'" in unknown
    not_one = refused("assign", approval_id, "--assessor", "olu@operator.example")
    assert "olu@operator.example is operator_admin, not an assessor" in not_one
    assert approvals("list")[0]["assignee"] is None
    assert assigned_events(client) == []

    approvals("approve", approval_id)
    decided = refused("assign", approval_id, "--assessor", ADA)
    assert "this submission is approved" in decided
    assert approvals("list")[0]["assignee"] is None
    assert assigned_events(client) == []


@pytest.mark.usefixtures("environment")
def test_a_provider_staff_member_is_not_the_operator_s_to_assign(
    app: FastAPI, client: TestClient, submitted: dict[str, Any]
) -> None:
    provider_id = submitted["provider"]["id"]
    response = client.post(
        f"/api/v1/admin/issuers/{provider_id}/staff",
        json={"email": "pat@college.example", "name": "Pat", "role": "admin"},
        headers=operator_auth(),
    )
    assert response.status_code == 201, response.text
    assert approvals("assessors") == []
    output = refused("assign", submitted["approval"]["id"], "--assessor", "pat@college.example")
    assert "no one on the operator's staff" in output
