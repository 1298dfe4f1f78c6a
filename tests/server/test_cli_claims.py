"""``passport claim-codes``: open, list, show and close a provider's event claim code from the command
line, on the service's database; the demo data has an open code whose short link works."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from server.cli import app
from server.settings import Settings
from tests.conftest import ADMIN_TOKEN, BASE_URL
from tests.issuers.conftest import auth, create_achievement, create_provider

runner = CliRunner()


@pytest.fixture
def environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSPORT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PASSPORT_BASE_URL", settings.base_url)
    monkeypatch.setenv("PASSPORT_MASTER_KEY", base64.urlsafe_b64encode(bytes(range(32))).decode())
    monkeypatch.setenv("PASSPORT_ADMIN_TOKEN", ADMIN_TOKEN)


def cli(*arguments: str) -> Any:
    result = runner.invoke(app, ["claim-codes", *arguments])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.usefixtures("environment")
def test_a_code_opened_listed_shown_and_closed_from_the_command_line(client: TestClient) -> None:
    provider = create_provider(client)
    achievement = create_achievement(client, provider["api_key"])
    (code,) = cli(
        "open",
        "--provider",
        provider["id"],
        "--achievement",
        achievement,
        "--event",
        "Open day",
        "--opens",
        "2026-12-01T09:00",
        "--closes",
        "2027-06-01T09:00Z",
        "--capacity",
        "30",
    )
    assert (code["state"], code["capacity"], code["short_url"]) == (
        "open",
        30,
        f"{BASE_URL}/c/{code['code']}",
    )
    assert [c["id"] for c in cli("list", "--provider", provider["id"])] == [code["id"]]
    assert cli("show", code["id"], "--provider", provider["id"])[0]["code"] == code["code"]
    # The API sees the same code.
    assert (
        client.get(f"/api/v1/claim-codes/{code['id']}", headers=auth(provider["api_key"])).status_code == 200
    )
    (closed,) = cli("close", code["id"], "--provider", provider["id"])
    assert closed["state"] == "closed"
    again = runner.invoke(app, ["claim-codes", "close", code["id"], "--provider", provider["id"]])
    assert again.exit_code == 1
    assert "already closed" in again.output
    other = create_provider(client, "Northern Training")
    stranger = runner.invoke(app, ["claim-codes", "show", code["id"], "--provider", other["id"]])
    assert stranger.exit_code == 1


@pytest.mark.usefixtures("environment")
def test_a_backwards_window_writes_nothing(client: TestClient) -> None:
    provider = create_provider(client)
    achievement = create_achievement(client, provider["api_key"])
    arguments = ["--provider", provider["id"], "--achievement", achievement, "--event", "Backwards"]
    refused = runner.invoke(
        app,
        ["claim-codes", "open", *arguments, "--opens", "2026-02-01T09:00", "--closes", "2026-01-01T09:00"],
    )
    assert refused.exit_code == 1
    assert "The window must close after it opens." in refused.output
    assert cli("list", "--provider", provider["id"]) == []
