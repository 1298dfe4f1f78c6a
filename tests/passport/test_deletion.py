"""Deleting an account removes everything the passport holds; credentials stay valid at their issuers.
The personal-data export lists every stored item about the learner."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import transaction
from core.services import Database, services_of
from passport.models import EmailLink, Learner, LearnerEmail, LearnerSession, LearnerToken, OutboxMessage
from tests.conftest import assert_problem
from tests.passport.conftest import (
    PASSWORD,
    Browser,
    Clock,
    auth,
    bearer,
    create_achievement,
    create_provider,
    issue_to,
    last_link,
    outbox,
)


def _rows(app: FastAPI) -> dict[str, int]:
    with transaction(services_of(app).get(Database).sessions) as session:
        return {
            table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Learner, LearnerEmail, LearnerSession, LearnerToken, EmailLink, OutboxMessage)
        }


def _learner_with_everything(client: TestClient, app: FastAPI, clock: Clock) -> tuple[Browser, str, str, str]:
    key = create_provider(client, "Midlands College")["api_key"]
    achievement = create_achievement(client, key)
    claimed = issue_to(client, key, achievement, "sam.old@example.com")  # claim link and mail
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    link = last_link(client, "sam.old@example.com", "/passport/claim/")
    browser.submit(link, f"{link}/add")
    clock.advance(seconds=1)
    browser.add_address("pending@example.com")
    token = browser.token("sam@example.com")
    return browser, token, key, claimed


def test_the_export_holds_every_stored_item_and_no_secret(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    browser, token, _, claimed = _learner_with_everything(client, app, clock)
    data = client.get("/api/v1/passport/export", headers=bearer(token)).json()
    assert {e["email"] for e in data["email_addresses"]} == {
        "sam@example.com",
        "sam.old@example.com",
        "pending@example.com",
    }
    assert len(data["sessions"]) == 1
    assert len(data["api_tokens"]) == 1
    assert {link["purpose"] for link in data["emailed_links"]} == {"sign_up", "claim", "verify"}
    assert {m["to"] for m in data["emails"]} == {
        "sam@example.com",
        "sam.old@example.com",
        "pending@example.com",
    }
    [credential] = data["credentials"]
    assert credential["id"] == claimed
    assert credential["credential"]["id"].endswith(claimed)
    text = str(data)
    assert "$argon2" not in text
    assert token not in text
    assert "secret_sha256" not in text
    assert "password_hash" not in text
    download = browser.get("/passport/account/export")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.json()["account"] == data["account"]


def test_deleting_removes_the_passport_but_not_the_credentials(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    browser, token, key, claimed = _learner_with_everything(client, app, clock)
    other = Browser.open(app)
    other.sign_up("other@example.com")
    before = _rows(app)
    page = browser.get("/passport/account/delete")
    assert "Your credentials are not revoked." in page.text
    assert "not revocation" in page.text
    wrong = browser.submit("/passport/account/delete", "/passport/account/delete", password="not my password")
    assert wrong.status_code == 401
    assert "That is not your password." in wrong.text
    assert _rows(app) == before
    deleted = browser.submit("/passport/account/delete", "/passport/account/delete", password=PASSWORD)
    assert deleted.status_code == 200
    assert "Your passport has been deleted" in deleted.text
    assert "still valid at their issuers" in deleted.text
    after = _rows(app)
    # What is left is the other learner's: their account, address, session, sign-up link and its mail.
    assert after == {
        "learner": 1,
        "learner_email": 1,
        "learner_session": 1,
        "learner_token": 0,
        "email_link": 1,
        "outbox_message": 1,
    }
    assert browser.get("/passport").status_code == 303
    assert_problem(client.get("/api/v1/passport/credentials", headers=bearer(token)), 401, "unauthorized")
    assert Browser.open(app).sign_in("sam@example.com").status_code == 401
    # The issuer still has the credential, not revoked; its status list bit is unset.
    status = client.get(f"/api/v1/credentials/{claimed}", headers=auth(key))
    assert status.status_code == 200
    assert other.get("/passport").status_code == 200
    # Signing up again with the address brings the credentials back.
    again = Browser.open(app)
    again.sign_up("sam.old@example.com")
    assert "Heat Pump Installation" in again.get("/passport").text


def test_deleting_through_the_api_needs_the_password(client: TestClient, app: FastAPI, clock: Clock) -> None:
    _, token, _, _ = _learner_with_everything(client, app, clock)
    assert_problem(
        client.post("/api/v1/passport/account/delete", json={"password": "wrong"}, headers=bearer(token)),
        401,
        "sign-in-failed",
    )
    assert_problem(
        client.post("/api/v1/passport/account/delete", json={}, headers=bearer(token)),
        422,
        "validation-error",
    )
    response = client.post(
        "/api/v1/passport/account/delete", json={"password": PASSWORD}, headers=bearer(token)
    )
    assert response.status_code == 204
    assert _rows(app)["learner"] == 0
    assert all(m["to"] != "sam.old@example.com" for m in outbox(client))
