"""A forgotten password (reset by an emailed link: single use, expiring, throttled, no account
enumeration) and a changed one (the current password asked for again); either way every session and
API token of the learner is revoked and the learner is told by email."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import assert_page_problem, assert_problem
from tests.passport.conftest import PASSWORD, Browser, Clock, bearer, last_link, outbox

NEW_PASSWORD = "a brand new passphrase"
FORGOT = "/passport/forgot-password"


def _reset_link(browser: Browser, client: TestClient, email: str) -> str:
    answer = browser.submit(FORGOT, FORGOT, email=email)
    assert answer.status_code == 200, answer.text
    return last_link(client, email, "/passport/reset-password/")


def test_a_forgotten_password_is_reset_by_the_emailed_link_once(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    sam = Browser.open(app)
    sam.sign_up("sam@example.com")
    token = sam.token("sam@example.com")
    other_browser = Browser.open(app)
    assert other_browser.sign_in("sam@example.com").status_code == 303

    visitor = Browser.open(app)
    assert 'href="/passport/forgot-password"' in visitor.get("/passport/sign-in").text
    clock.advance(seconds=1)
    link = _reset_link(visitor, client, "Sam@Example.com")
    form = visitor.get(link)
    assert form.status_code == 200
    assert "sam@example.com" in form.text
    # The old password still works until the link is used.
    assert Browser.open(app).sign_in("sam@example.com").status_code == 303

    done = visitor.submit(link, link, password=NEW_PASSWORD, password_confirmation=NEW_PASSWORD)
    assert done.status_code == 303
    assert done.headers["location"] == "/passport?done=password-reset"
    assert visitor.get("/passport").status_code == 200  # signed in with a new session
    # Every other session and every API token is revoked; the old password no longer opens the passport.
    assert other_browser.get("/passport").status_code == 303
    assert sam.get("/passport").status_code == 303
    assert_problem(client.get("/api/v1/passport/credentials", headers=bearer(token)), 401, "unauthorized")
    assert Browser.open(app).sign_in("sam@example.com").status_code == 401
    assert Browser.open(app).sign_in("sam@example.com", NEW_PASSWORD).status_code == 303
    # The link works once; the learner is told by email.
    assert_page_problem(visitor.get(link), 410, "link-used")
    subjects = [m["subject"] for m in outbox(client) if m["to"] == "sam@example.com"]
    assert "Your Skills Passport password was changed" in subjects


def test_asking_to_reset_tells_nobody_whether_an_address_has_a_passport(
    client: TestClient, app: FastAPI
) -> None:
    sam = Browser.open(app)
    sam.sign_up("sam@example.com")
    sam.add_address("sam.unconfirmed@example.com")
    visitor = Browser.open(app)
    answers = []
    for email in ("sam@example.com", "nobody@example.com", "sam.unconfirmed@example.com"):
        response = visitor.submit(FORGOT, FORGOT, email=email)
        assert response.status_code == 200
        answers.append(response.text.replace(email, "ADDRESS"))
    assert answers[0] == answers[1] == answers[2]
    emailed = {m["to"] for m in outbox(client) if "/passport/reset-password/" in m["body"]}
    assert emailed == {"sam@example.com"}  # an unconfirmed address is not a way in


def test_a_reset_link_expires_and_is_spent_by_a_newer_password(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    sam = Browser.open(app)
    sam.sign_up("sam@example.com")
    first = _reset_link(Browser.open(app), client, "sam@example.com")
    clock.advance(minutes=61)
    assert_page_problem(Browser.open(app).get(first), 410, "link-expired")
    second = _reset_link(Browser.open(app), client, "sam@example.com")
    clock.advance(seconds=1)
    third = _reset_link(Browser.open(app), client, "sam@example.com")
    used = Browser.open(app).submit(third, third, password=NEW_PASSWORD, password_confirmation=NEW_PASSWORD)
    assert used.status_code == 303
    assert_page_problem(Browser.open(app).get(second), 410, "link-used")  # every other reset link is spent
    assert_page_problem(Browser.open(app).get("/passport/reset-password/forged"), 404, "link-not-found")


def test_a_reset_needs_an_acceptable_password_and_changes_nothing_otherwise(
    client: TestClient, app: FastAPI
) -> None:
    sam = Browser.open(app)
    sam.sign_up("sam@example.com")
    link = _reset_link(Browser.open(app), client, "sam@example.com")
    visitor = Browser.open(app)
    short = visitor.submit(link, link, password="short", password_confirmation="short")
    assert short.status_code == 422
    assert "Use at least 10 characters." in short.text
    mismatch = visitor.submit(link, link, password=NEW_PASSWORD, password_confirmation=NEW_PASSWORD + "!")
    assert mismatch.status_code == 422
    assert sam.get("/passport").status_code == 200  # nothing was revoked
    assert visitor.get(link).status_code == 200  # the link still works


def test_reset_requests_are_throttled_and_mail_to_one_address_is_bounded(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    sam = Browser.open(app)
    sam.sign_up("sam@example.com")
    visitor = Browser.open(app)
    statuses = []
    for _ in range(6):
        clock.advance(seconds=1)
        statuses.append(visitor.submit(FORGOT, FORGOT, email="sam@example.com").status_code)
    assert statuses[:3] == [200, 200, 200]
    assert 429 in statuses[3:]
    refused = visitor.submit(FORGOT, FORGOT, email="sam@example.com")
    assert refused.status_code == 429
    assert "retry-after" in refused.headers
    assert "Too many requests to reset a password" in refused.text
    # However many are asked for from many machines, at most three unused links are out at a time.
    for number in range(6):
        clock.advance(seconds=1)
        Browser.open(app, f"10.0.0.{number}").submit(FORGOT, FORGOT, email="sam@example.com")
    links = [m for m in outbox(client) if "/passport/reset-password/" in m["body"]]
    assert len(links) == 3


def test_changing_the_password_asks_for_the_current_one_and_signs_out_everything_else(
    client: TestClient, app: FastAPI
) -> None:
    sam = Browser.open(app)
    sam.sign_up("sam@example.com")
    token = sam.token("sam@example.com")
    laptop = Browser.open(app)
    assert laptop.sign_in("sam@example.com").status_code == 303
    page = "/passport/account/password"
    wrong = sam.submit(
        page,
        page,
        current_password="not it at all",
        password=NEW_PASSWORD,
        password_confirmation=NEW_PASSWORD,
    )
    assert wrong.status_code == 401
    assert "That is not your password." in wrong.text
    assert laptop.get("/passport").status_code == 200  # nothing changed

    changed = sam.submit(
        page, page, current_password=PASSWORD, password=NEW_PASSWORD, password_confirmation=NEW_PASSWORD
    )
    assert changed.status_code == 303
    assert changed.headers["location"] == "/passport/account?done=password-changed"
    account = sam.get(changed.headers["location"])
    assert account.status_code == 200  # this browser has a new session
    assert "Password changed." in account.text
    assert laptop.get("/passport").status_code == 303
    assert_problem(client.get("/api/v1/passport/credentials", headers=bearer(token)), 401, "unauthorized")
    assert Browser.open(app).sign_in("sam@example.com", NEW_PASSWORD).status_code == 303


def test_the_reset_pages_are_in_welsh(client: TestClient, app: FastAPI) -> None:
    sam = Browser.open(app)
    sam.sign_up("sam@example.com")
    visitor = Browser.open(app)
    form = visitor.get(FORGOT + "?lang=cy").text
    assert '<html lang="cy">' in form
    assert "Ailosod eich cyfrinair" in form
    sent = visitor.submit(FORGOT, FORGOT, email="sam@example.com")
    assert "Gwiriwch eich e-bost" in sent.text
