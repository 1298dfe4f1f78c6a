"""Claiming: a credential issued to an address with no passport sends a claim link, through the
issuers' notification port; opening it creates a passport or joins one, and verifies the address."""

from __future__ import annotations

import time

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import assert_page_problem
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


def _provider(client: TestClient) -> tuple[str, str]:
    provider = create_provider(client, "Midlands College")
    return provider["api_key"], create_achievement(client, provider["api_key"])


def test_issuing_to_an_address_without_a_passport_sends_a_claim_link(client: TestClient) -> None:
    key, achievement = _provider(client)
    issue_to(client, key, achievement, "New.Learner@Example.com")
    [message] = outbox(client)
    assert message["to"] == "new.learner@example.com"
    assert (
        message["subject"] == "Midlands College has issued you a credential: Heat Pump Installation (Level 3)"
    )
    assert "/passport/claim/" in message["body"]
    assert "works once, until 24 December 2026" in message["body"]


def test_claiming_creates_a_passport_with_every_credential_to_that_address(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    key, achievement = _provider(client)
    first = issue_to(client, key, achievement, "new@example.com")
    clock.advance(seconds=1)
    second = issue_to(client, key, achievement, "NEW@example.com")
    link = last_link(client, "new@example.com", "/passport/claim/")
    browser = Browser.open(app)
    page = browser.get(link)
    assert page.status_code == 200
    assert "Heat Pump Installation (Level 3)" in page.text
    assert "Midlands College" in page.text
    created = browser.submit(link, f"{link}/create", password=PASSWORD, password_confirmation=PASSWORD)
    assert created.headers["location"] == "/passport?done=claimed"
    home = browser.get("/passport")
    assert home.text.count("Heat Pump Installation (Level 3)") == 2
    ids = {
        c["id"]
        for c in client.get(
            "/api/v1/passport/credentials", headers=bearer(browser.token("new@example.com"))
        ).json()
    }
    assert ids == {first, second}
    assert_page_problem(Browser.open(app).get(link), 410, "link-used")


def test_claiming_into_an_existing_passport_by_signing_in(client: TestClient, app: FastAPI) -> None:
    owner = Browser.open(app)
    owner.sign_up("sam@example.com")
    key, achievement = _provider(client)
    credential = issue_to(client, key, achievement, "sam.old@example.com")
    link = last_link(client, "sam.old@example.com", "/passport/claim/")
    browser = Browser.open(app)
    wrong = browser.submit(link, f"{link}/sign-in", email="sam@example.com", password="not my password")
    assert wrong.status_code == 401
    assert "The email address or password is not right." in wrong.text
    joined = browser.submit(link, f"{link}/sign-in", email="sam@example.com", password=PASSWORD)
    assert joined.headers["location"] == "/passport?done=claimed"
    token = owner.token("sam@example.com")
    assert [c["id"] for c in client.get("/api/v1/passport/credentials", headers=bearer(token)).json()] == [
        credential
    ]
    emails = client.get("/api/v1/passport/emails", headers=bearer(token)).json()
    assert {(e["email"], e["verified"]) for e in emails} == {
        ("sam@example.com", True),
        ("sam.old@example.com", True),
    }


def test_claiming_while_signed_in(client: TestClient, app: FastAPI) -> None:
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    key, achievement = _provider(client)
    issue_to(client, key, achievement, "sam.college@example.com")
    link = last_link(client, "sam.college@example.com", "/passport/claim/")
    page = browser.get(link)
    assert "Add sam.college@example.com to my passport" in page.text
    added = browser.submit(link, f"{link}/add")
    assert added.headers["location"] == "/passport?done=claimed"
    assert "Heat Pump Installation" in browser.get("/passport").text


def test_reused_and_expired_claim_links_say_so(client: TestClient, app: FastAPI, clock: Clock) -> None:
    key, achievement = _provider(client)
    issue_to(client, key, achievement, "a@example.com")
    used = last_link(client, "a@example.com", "/passport/claim/")
    browser = Browser.open(app)
    browser.submit(used, f"{used}/create", password=PASSWORD, password_confirmation=PASSWORD)
    again = Browser.open(app).get(used)
    assert_page_problem(again, 410, "link-used")
    assert "already been used" in again.text
    issue_to(client, key, achievement, "b@example.com")
    late = last_link(client, "b@example.com", "/passport/claim/")
    clock.advance(days=30)
    expired = Browser.open(app).get(late)
    assert_page_problem(expired, 410, "link-expired")
    assert "expired" in expired.text
    assert_page_problem(Browser.open(app).get("/passport/claim/forged"), 404, "link-not-found")


def test_a_claim_for_an_address_another_passport_verified_meanwhile_is_refused(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    key, achievement = _provider(client)
    issue_to(client, key, achievement, "shared@example.com")
    link = last_link(client, "shared@example.com", "/passport/claim/")
    Browser.open(app).sign_up("shared@example.com")  # verified by signing up instead
    refused = Browser.open(app).submit(
        link, f"{link}/create", password=PASSWORD, password_confirmation=PASSWORD
    )
    assert_page_problem(refused, 409, "conflict")
    assert "already belongs to another passport" in refused.text


def test_claim_form_errors_keep_the_link_usable(client: TestClient, app: FastAPI) -> None:
    key, achievement = _provider(client)
    issue_to(client, key, achievement, "new@example.com")
    link = last_link(client, "new@example.com", "/passport/claim/")
    browser = Browser.open(app)
    short = browser.submit(link, f"{link}/create", password="short", password_confirmation="short")
    assert short.status_code == 422
    assert "Use at least 10 characters." in short.text
    assert (
        browser.submit(link, f"{link}/create", password=PASSWORD, password_confirmation=PASSWORD).status_code
        == 303
    )


def test_an_address_with_a_passport_gets_a_notice_not_a_claim_link(client: TestClient, app: FastAPI) -> None:
    Browser.open(app).sign_up("sam@example.com")
    key, achievement = _provider(client)
    issue_to(client, key, achievement, "Sam@Example.com")
    notices = [m for m in outbox(client) if m["subject"].startswith("New in your Skills Passport")]
    assert len(notices) == 1
    assert "/passport/claim/" not in notices[0]["body"]


def test_a_failed_issue_sends_nothing(client: TestClient) -> None:
    key, achievement = _provider(client)
    body = {
        "achievement_id": achievement,
        "recipient": {"email": "x@example.com"},
        "valid_from": "2027-01-01T00:00:00Z",
        "valid_until": "2026-01-01T00:00:00Z",
    }
    assert client.post("/api/v1/credentials", json=body, headers=auth(key)).status_code == 422
    assert outbox(client) == []


def test_bulk_issuing_sends_claim_links_too(client: TestClient) -> None:
    key, achievement = _provider(client)
    csv = b"email,name\nfirst@example.com,First\nsecond@example.com,Second\n"
    response = client.post(
        "/api/v1/credentials/bulk",
        data={"achievement_id": achievement, "format": "ldp"},
        files={"file": ("cohort.csv", csv, "text/csv")},
        headers=auth(key),
    )
    assert response.status_code == 202, response.text
    deadline = time.monotonic() + 30
    while client.get(f"/api/v1/jobs/{response.json()['id']}", headers=auth(key)).json()["state"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert sorted(m["to"] for m in outbox(client)) == ["first@example.com", "second@example.com"]
