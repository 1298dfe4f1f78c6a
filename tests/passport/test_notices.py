"""Email about a learner's credentials: when one is revoked, suspended or reinstated (always), and a
month before one expires (`passport reminders`, unless the learner turned reminders off); and the claim
page of a revoked credential says so."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from core.services import Database, services_of
from passport.accounts.reminders import send_expiry_reminders
from passport.config import PassportConfig
from passport.models import ExpiryReminder
from server.cli import app as cli
from tests.conftest import ADMIN_TOKEN
from tests.passport.conftest import (
    COURSE,
    Browser,
    Clock,
    auth,
    create_achievement,
    create_provider,
    issue_to,
    last_link,
    outbox,
)


def _mail_to(client: TestClient, email: str) -> list[dict[str, Any]]:
    return [message for message in outbox(client) if message["to"] == email]


def _suspending_provider(client: TestClient) -> dict[str, Any]:
    response = client.post(
        "/api/v1/admin/issuers",
        json={"name": "Midlands College", "url": "https://college.example.ac.uk", "suspension_enabled": True},
        headers=auth(ADMIN_TOKEN),
    )
    assert response.status_code == 201, response.text
    provider: dict[str, Any] = response.json()
    return provider


def test_the_holder_is_told_when_a_credential_is_revoked_suspended_or_reinstated(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    provider = _suspending_provider(client)
    key = provider["api_key"]
    sam = Browser.open(app)
    sam.sign_up("sam@example.com")
    sam.get("/passport?lang=cy")  # Sam chose Welsh: the notices are in Welsh
    credential = issue_to(client, key, create_achievement(client, key), "sam@example.com")
    for action, body, subject in (
        ("suspend", {"reason": "Under review"}, "Wedi'i atal: Heat Pump Installation (Level 3)"),
        ("reinstate", None, "Yn ddilys eto: Heat Pump Installation (Level 3)"),
        ("revoke", {"reason": "Issued in error"}, "Wedi'i ddirymu: Heat Pump Installation (Level 3)"),
    ):
        clock.advance(seconds=1)
        response = client.post(f"/api/v1/credentials/{credential}/{action}", json=body, headers=auth(key))
        assert response.status_code == 200, response.text
        newest = max(_mail_to(client, "sam@example.com"), key=lambda message: message["created_at"])
        assert newest["subject"] == subject
        assert f"/passport/credentials/{credential}" in newest["body"]
        if body:
            assert body["reason"] in newest["body"]
    # A refused change tells nobody anything.
    before = len(_mail_to(client, "sam@example.com"))
    assert (
        client.post(
            f"/api/v1/credentials/{credential}/revoke", json={"reason": "again"}, headers=auth(key)
        ).status_code
        == 409
    )
    assert len(_mail_to(client, "sam@example.com")) == before


def test_an_address_without_a_passport_is_not_emailed_but_its_claim_page_shows_the_revocation(
    client: TestClient, app: FastAPI
) -> None:
    key = create_provider(client)["api_key"]
    credential = issue_to(client, key, create_achievement(client, key), "new@example.com")
    claim = last_link(client, "new@example.com", "/passport/claim/")
    before = len(_mail_to(client, "new@example.com"))
    response = client.post(
        f"/api/v1/credentials/{credential}/revoke", json={"reason": "Issued in error"}, headers=auth(key)
    )
    assert response.status_code == 200
    assert len(_mail_to(client, "new@example.com")) == before
    page = Browser.open(app).get(claim)
    assert page.status_code == 200
    assert "This credential has been revoked" in page.text
    assert "Issued in error" in page.text
    assert "Keep your credential" not in page.text


def test_expiry_reminders_are_sent_once_and_only_to_learners_who_want_them(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    key = create_provider(client)["api_key"]
    short = create_achievement(client, key, {**COURSE, "name": "First Aid at Work", "validity_days": 40})
    lasting = create_achievement(client, key)  # no expiry
    for email in ("sam@example.com", "alex@example.com"):
        issue_to(client, key, short, email)
        issue_to(client, key, lasting, email)
    revoked = issue_to(client, key, short, "sam@example.com")
    client.post(f"/api/v1/credentials/{revoked}/revoke", json={"reason": "x"}, headers=auth(key))
    sam, alex = Browser.open(app), Browser.open(app)
    sam.sign_up("sam@example.com")
    alex.sign_up("alex@example.com")
    off = alex.submit("/passport/account", "/passport/account/reminders")  # the box unticked
    assert off.status_code == 303
    assert off.headers["location"] == "/passport/account?done=reminders-off"
    assert (
        'id="expiry_reminders" name="expiry_reminders" value="true" checked'
        not in alex.get("/passport/account").text
    )

    config = services_of(app).get(PassportConfig)
    sessions = services_of(app).get(Database).sessions

    def run() -> int:
        with sessions.begin() as session:
            return send_expiry_reminders(session, config, clock.now)

    assert run() == 0  # 40 days away: not yet
    clock.advance(days=15)
    assert run() == 1  # Sam's valid one; not the revoked one, not Alex's
    reminders = [
        m
        for m in _mail_to(client, "sam@example.com")
        if m["subject"].startswith("First Aid at Work expires on")
    ]
    assert len(reminders) == 1
    assert "/passport/account" in reminders[0]["body"]
    assert run() == 0  # once only
    clock.advance(days=1)
    assert run() == 0
    assert _mail_to(client, "alex@example.com")
    assert not [m for m in _mail_to(client, "alex@example.com") if "expires on" in m["subject"]]
    assert alex.sign_in("alex@example.com").status_code == 303  # days later: a new session
    on = alex.submit("/passport/account", "/passport/account/reminders", expiry_reminders="true")
    assert on.headers["location"] == "/passport/account?done=reminders-on"
    assert run() == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ExpiryReminder)) == 2
    assert sam.sign_in("sam@example.com").status_code == 303
    exported = sam.get("/passport/account/export").json()
    assert exported["account"]["expiry_reminders"] is True
    assert len(exported["expiry_reminders_sent"]) == 1
    clock.advance(days=timedelta(days=30).days)
    assert run() == 0  # expired: nothing more to remind


def test_the_reminders_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`passport reminders` runs the job against the configured database and says how many it queued."""
    monkeypatch.setenv("PASSPORT_DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("PASSPORT_MASTER_KEY_FILE", str(tmp_path / "master.key"))
    monkeypatch.setenv("PASSPORT_ADMIN_TOKEN_FILE", str(tmp_path / "admin.token"))
    result = CliRunner().invoke(cli, ["reminders", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert result.output == "0 expiry reminders queued.\n"
    assert CliRunner().invoke(cli, ["reminders", "--days", "0"]).exit_code == 2
