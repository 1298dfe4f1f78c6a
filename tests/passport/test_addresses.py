"""Several verified addresses per learner: add, verify by link, remove, choose the primary one."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import assert_page_problem, assert_problem
from tests.passport.conftest import (
    Browser,
    Clock,
    bearer,
    create_achievement,
    create_provider,
    issue_to,
    last_link,
)


def addresses(client: TestClient, token: str) -> dict[str, dict[str, Any]]:
    rows = client.get("/api/v1/passport/emails", headers=bearer(token)).json()
    return {row["email"]: row for row in rows}


def credential_ids(client: TestClient, token: str) -> set[str]:
    return {c["id"] for c in client.get("/api/v1/passport/credentials", headers=bearer(token)).json()}


def test_credentials_issued_before_an_address_was_added_land_once_it_is_verified(
    client: TestClient, app: FastAPI
) -> None:
    provider = create_provider(client)
    achievement = create_achievement(client, provider["api_key"])
    old = issue_to(client, provider["api_key"], achievement, "Sam.Work@Example.COM")
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    token = browser.token("sam@example.com")
    added = browser.add_address("sam.work@example.com")
    assert added.headers["location"] == "/passport/emails?done=added"
    assert addresses(client, token)["sam.work@example.com"]["verified"] is False
    assert credential_ids(client, token) == set()  # never shown for an unverified address
    assert_problem(client.get(f"/api/v1/passport/credentials/{old}", headers=bearer(token)), 404, "not-found")
    verified = browser.verify_address("sam.work@example.com")
    assert verified.headers["location"] == "/passport/emails?done=verified"
    assert addresses(client, token)["sam.work@example.com"]["verified"] is True
    assert credential_ids(client, token) == {old}
    # And later credentials to either address land too.
    new = issue_to(client, provider["api_key"], achievement, "sam@example.com")
    assert credential_ids(client, token) == {old, new}


def test_a_verify_link_acts_on_its_own_address_only(client: TestClient, app: FastAPI, clock: Clock) -> None:
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    token = browser.token("sam@example.com")
    browser.add_address("a@example.com")
    clock.advance(seconds=1)
    browser.add_address("b@example.com")
    link_a = last_link(client, "a@example.com", "/passport/verify/")
    page = browser.get(link_a)
    assert "Confirm a@example.com" in page.text
    # A form field naming another address changes nothing: the link is bound to its address.
    browser.submit(link_a, link_a, email="b@example.com")
    state = addresses(client, token)
    assert state["a@example.com"]["verified"] is True
    assert state["b@example.com"]["verified"] is False
    assert_page_problem(browser.get(link_a), 410, "link-used")


def test_a_verify_link_needs_the_learner_who_added_the_address(client: TestClient, app: FastAPI) -> None:
    owner = Browser.open(app)
    owner.sign_up("owner@example.com")
    owner_token = owner.token("owner@example.com")
    owner.add_address("new@example.com")
    link = last_link(client, "new@example.com", "/passport/verify/")
    signed_out = Browser.open(app)
    assert signed_out.get(link).headers["location"] == f"/passport/sign-in?next={link}"
    other = Browser.open(app)
    other.sign_up("other@example.com")
    assert_page_problem(other.get(link), 404, "link-not-found")
    posted = other.submit("/passport", link)
    assert_page_problem(posted, 404, "link-not-found")
    assert addresses(client, owner_token)["new@example.com"]["verified"] is False
    assert "new@example.com" not in addresses(client, other.token("other@example.com"))


def test_a_removed_address_cannot_be_verified_by_its_old_link(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    token = browser.token("sam@example.com")
    browser.add_address("old@example.com")
    old_link = last_link(client, "old@example.com", "/passport/verify/")
    row = addresses(client, token)["old@example.com"]
    assert client.delete(f"/api/v1/passport/emails/{row['id']}", headers=bearer(token)).status_code == 204
    clock.advance(seconds=1)
    browser.add_address("old@example.com")
    assert_page_problem(browser.get(old_link), 404, "link-not-found")
    assert addresses(client, token)["old@example.com"]["verified"] is False


def test_a_verified_address_belongs_to_one_passport(client: TestClient, app: FastAPI) -> None:
    first = Browser.open(app)
    first.sign_up("shared@example.com")
    second = Browser.open(app)
    second.sign_up("second@example.com")
    added = second.add_address("shared@example.com")  # not refused: that would tell who has it
    assert added.status_code == 303
    refused = second.verify_address("shared@example.com")
    assert_page_problem(refused, 409, "conflict")
    assert "already belongs to another passport" in refused.text
    assert addresses(client, second.token("second@example.com"))["shared@example.com"]["verified"] is False


def test_primary_and_last_addresses_cannot_be_removed(client: TestClient, app: FastAPI) -> None:
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    token = browser.token("sam@example.com")
    primary = addresses(client, token)["sam@example.com"]
    only = client.delete(f"/api/v1/passport/emails/{primary['id']}", headers=bearer(token))
    assert_problem(only, 409, "conflict")
    assert "only address" in only.json()["detail"]
    browser.add_address("second@example.com")
    browser.verify_address("second@example.com")
    still_primary = client.delete(f"/api/v1/passport/emails/{primary['id']}", headers=bearer(token))
    assert_problem(still_primary, 409, "conflict")
    assert "Choose another primary address first" in still_primary.json()["detail"]
    page = browser.submit("/passport/emails", f"/passport/emails/{primary['id']}/remove")
    assert page.status_code == 409
    assert "Choose another primary address first" in page.text


def test_choosing_the_primary_address(client: TestClient, app: FastAPI) -> None:
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    token = browser.token("sam@example.com")
    browser.add_address("unverified@example.com")
    pending = addresses(client, token)["unverified@example.com"]
    assert_problem(
        client.post(f"/api/v1/passport/emails/{pending['id']}/primary", headers=bearer(token)),
        409,
        "conflict",
    )
    browser.add_address("work@example.com")
    browser.verify_address("work@example.com")
    work = addresses(client, token)["work@example.com"]
    made = browser.submit("/passport/emails", f"/passport/emails/{work['id']}/primary")
    assert made.headers["location"] == "/passport/emails?done=primary"
    state = addresses(client, token)
    assert state["work@example.com"]["primary"] is True
    assert state["sam@example.com"]["primary"] is False
    assert (
        client.get("/api/v1/passport/account", headers=bearer(token)).json()["primary_email"]
        == "work@example.com"
    )
    # Now the first address can go, and its credentials with it.
    old = state["sam@example.com"]
    assert client.delete(f"/api/v1/passport/emails/{old['id']}", headers=bearer(token)).status_code == 204
    assert set(addresses(client, token)) == {"work@example.com", "unverified@example.com"}


def test_address_input_is_checked(client: TestClient, app: FastAPI, clock: Clock) -> None:
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    token = browser.token("sam@example.com")
    bad = client.post("/api/v1/passport/emails", json={"email": "not an address"}, headers=bearer(token))
    assert_problem(bad, 422, "validation-error")
    page = browser.add_address("not an address")
    assert page.status_code == 422
    assert "Enter an email address" in page.text
    again = client.post("/api/v1/passport/emails", json={"email": "SAM@example.com"}, headers=bearer(token))
    assert_problem(again, 409, "conflict")
    # Links to one address are bounded: nobody floods an inbox through the passport.
    row = client.post(
        "/api/v1/passport/emails", json={"email": "x@example.com"}, headers=bearer(token)
    ).json()
    for _ in range(2):
        assert (
            client.post(f"/api/v1/passport/emails/{row['id']}/resend", headers=bearer(token)).status_code
            == 202
        )
    assert_problem(
        client.post(f"/api/v1/passport/emails/{row['id']}/resend", headers=bearer(token)),
        429,
        "too-many-requests",
    )
    clock.advance(hours=24)
    assert (
        client.post(f"/api/v1/passport/emails/{row['id']}/resend", headers=bearer(token)).status_code == 202
    )


def test_the_emails_page_lists_addresses_with_their_state(client: TestClient, app: FastAPI) -> None:
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    browser.add_address("pending@example.com")
    page = browser.get("/passport/emails")
    assert page.status_code == 200
    assert "sam@example.com" in page.text
    assert "pending@example.com" in page.text
    assert "Not confirmed" in page.text
    assert 'autocomplete="email"' in page.text
    assert '<label for="email">' in page.text
