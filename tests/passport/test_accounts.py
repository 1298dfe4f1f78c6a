"""Learner accounts: sign-up by emailed link, sign-in, sessions, API tokens, and what goes wrong."""

from __future__ import annotations

from dataclasses import replace

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import transaction
from core.services import Database, services_of
from passport.accounts.ratelimit import SignInLimiter
from passport.accounts.security import Passwords
from passport.config import PassportConfig
from passport.models import EmailLink, Learner, LearnerSession, LearnerToken
from tests.conftest import assert_page_problem, assert_problem
from tests.passport.conftest import (
    ADMIN_TOKEN,
    PASSWORD,
    Browser,
    Clock,
    bearer,
    create_provider,
    last_link,
    outbox,
)

SIGN_IN_FAILED = "The email address or password is not right."


def test_sign_up_confirm_and_sign_in(client: TestClient, app: FastAPI) -> None:
    browser = Browser.open(app)
    browser.sign_up("Sam.Learner@Example.com")
    home = browser.get("/passport")
    assert home.status_code == 200
    assert "No credentials yet" in home.text
    # Another browser signs in with the address, whatever its case.
    other = Browser.open(app)
    response = other.sign_in("SAM.learner@example.com")
    assert response.status_code == 303
    assert response.headers["location"] == "/passport"
    assert other.get("/passport").status_code == 200


def test_sign_up_for_an_address_with_a_passport_looks_the_same_and_tells_its_owner(
    client: TestClient, app: FastAPI
) -> None:
    Browser.open(app).sign_up("sam@example.com")
    stranger = Browser.open(app)
    fields = {
        "email": "sam@example.com",
        "password": "another password",
        "password_confirmation": "another password",
    }
    response = stranger.submit("/passport/sign-up", "/passport/sign-up", **fields)
    fresh = Browser.open(app).submit(
        "/passport/sign-up", "/passport/sign-up", **{**fields, "email": "new@example.com"}
    )
    assert response.status_code == fresh.status_code == 200
    assert "Check your email" in response.text
    assert "Check your email" in fresh.text
    to_sam = [m for m in outbox(client) if m["to"] == "sam@example.com"]
    subjects = sorted(m["subject"] for m in to_sam)
    assert subjects == [
        "Confirm your address to create your Skills Passport",
        "You already have a Skills Passport",
    ]
    told = next(m for m in to_sam if m["subject"] == "You already have a Skills Passport")
    assert "/passport/confirm/" not in told["body"]
    # The stranger's password opens nothing.
    assert Browser.open(app).sign_in("sam@example.com", "another password").status_code == 401


def test_sign_up_form_errors(client: TestClient, app: FastAPI) -> None:
    browser = Browser.open(app)
    response = browser.submit(
        "/passport/sign-up",
        "/passport/sign-up",
        email="not-an-address",
        password="short",
        password_confirmation="x",
    )
    assert response.status_code == 422
    assert "Enter an email address" in response.text
    assert "Use at least 10 characters." in response.text
    mismatch = browser.submit(
        "/passport/sign-up",
        "/passport/sign-up",
        email="a@example.com",
        password=PASSWORD,
        password_confirmation=PASSWORD + "!",
    )
    assert mismatch.status_code == 422
    assert "The two passwords are not the same." in mismatch.text
    assert outbox(client) == []


def test_confirm_link_needs_the_password_chosen_at_sign_up(client: TestClient, app: FastAPI) -> None:
    """Someone who signs up with another person's address gains nothing when that person clicks."""
    attacker = Browser.open(app)
    attacker.submit(
        "/passport/sign-up",
        "/passport/sign-up",
        email="victim@example.com",
        password="attacker password",
        password_confirmation="attacker password",
    )
    link = last_link(client, "victim@example.com", "/passport/confirm/")
    victim = Browser.open(app)
    wrong = victim.submit(link, link, password="victim's own password")
    assert wrong.status_code == 401
    assert "not the password you chose" in wrong.text
    assert Browser.open(app).sign_in("victim@example.com", "attacker password").status_code == 401


def test_confirm_links_are_single_use_and_expire(client: TestClient, app: FastAPI, clock: Clock) -> None:
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    used = last_link(client, "sam@example.com", "/passport/confirm/")
    assert_page_problem(browser.get(used), 410, "link-used")
    assert_page_problem(browser.http.post(used, data={"password": PASSWORD}), 403, "csrf-token-invalid")

    later = Browser.open(app)
    later.submit(
        "/passport/sign-up",
        "/passport/sign-up",
        email="late@example.com",
        password=PASSWORD,
        password_confirmation=PASSWORD,
    )
    link = last_link(client, "late@example.com", "/passport/confirm/")
    clock.advance(hours=24, seconds=1)
    expired = later.get(link)
    assert_page_problem(expired, 410, "link-expired")
    assert "expired" in expired.text
    assert_page_problem(later.get("/passport/confirm/not-a-real-link"), 404, "link-not-found")


def test_wrong_password_and_unknown_address_get_the_same_answer(client: TestClient, app: FastAPI) -> None:
    Browser.open(app).sign_up("sam@example.com")
    wrong = Browser.open(app).sign_in("sam@example.com", "wrong password!")
    unknown = Browser.open(app).sign_in("nobody@example.com", "wrong password!")
    assert wrong.status_code == unknown.status_code == 401
    assert SIGN_IN_FAILED in wrong.text
    assert SIGN_IN_FAILED in unknown.text
    api_wrong = client.post("/api/v1/passport/tokens", json={"email": "sam@example.com", "password": "nope"})
    api_unknown = client.post("/api/v1/passport/tokens", json={"email": "no@example.com", "password": "nope"})
    for response in (api_wrong, api_unknown):
        assert_problem(response, 401, "sign-in-failed")
        assert response.json()["detail"] == SIGN_IN_FAILED


def test_an_unverified_address_does_not_sign_in(client: TestClient, app: FastAPI) -> None:
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    browser.add_address("second@example.com")
    assert Browser.open(app).sign_in("second@example.com").status_code == 401


def test_wrong_passwords_slow_the_guesser_and_never_lock_the_owner_out(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    """Attack run: five wrong passwords locked the owner out for 15 minutes, even with the right one.
    Now the guessing client waits twice as long after each failure; the owner, elsewhere, signs in."""
    Browser.open(app).sign_up("sam@example.com")
    attacker = Browser.open(app, "203.0.113.66")
    for _ in range(3):
        assert attacker.sign_in("sam@example.com", "guess guess guess").status_code == 401
    waits = []
    for _ in range(8):
        refused = attacker.sign_in("sam@example.com")  # even the right password, from the guesser
        assert refused.status_code == 429
        assert "Too many attempts to sign in. Wait" in refused.text
        waits.append(int(refused.headers["retry-after"]))
        clock.advance(seconds=waits[-1])
        assert attacker.sign_in("sam@example.com", "guess guess guess").status_code == 401
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128]
    # Eleven failures later, the owner signs in from their own machine, on a page and through the API.
    owner = Browser.open(app, "198.51.100.20")
    assert owner.sign_in("sam@example.com").status_code == 303
    token = owner.http.post(
        "/api/v1/passport/tokens", json={"email": "sam@example.com", "password": PASSWORD}
    )
    assert token.status_code == 201, token.text
    api = attacker.http.post("/api/v1/passport/tokens", json={"email": "sam@example.com", "password": "x"})
    assert_problem(api, 429, "too-many-sign-in-attempts")
    assert api.headers["retry-after"] == "256"


def test_the_account_cap_bounds_guessers_spread_over_many_addresses(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    """NIST SP 800-63B §5.2.2's ceiling on failures per account (100 by default; 6 here)."""
    config = services_of(app).get(PassportConfig)
    services_of(app).replace(
        replace(config, limiter=SignInLimiter(per_account=6, store=config.limiter.store))
    )
    Browser.open(app).sign_up("sam@example.com")
    for number in range(6):
        guesser = Browser.open(app, f"203.0.113.{number + 1}")
        assert guesser.sign_in("sam@example.com", "guess guess guess").status_code == 401
    refused = Browser.open(app, "198.51.100.20").sign_in("sam@example.com")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) == 15 * 60
    clock.advance(minutes=15)
    assert Browser.open(app, "198.51.100.20").sign_in("sam@example.com").status_code == 303


def test_sign_in_is_rate_limited_per_client_address(client: TestClient, app: FastAPI) -> None:
    Browser.open(app).sign_up("sam@example.com")
    for number in range(20):
        response = client.post(
            "/api/v1/passport/tokens", json={"email": f"guess{number}@example.com", "password": "nope"}
        )
        assert_problem(response, 401, "sign-in-failed")
    # A fresh account name from the same client address is refused too.
    assert_problem(
        client.post("/api/v1/passport/tokens", json={"email": "sam@example.com", "password": PASSWORD}),
        429,
        "too-many-sign-in-attempts",
    )


def test_session_cookie_is_httponly_lax_secure_and_host_only(client: TestClient, app: FastAPI) -> None:
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    response = Browser.open(app).sign_in("sam@example.com")
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and "passport_session" in v
    )
    assert cookie.startswith("__Host-passport_session=")
    for attribute in ("HttpOnly", "Secure", "Path=/", "SameSite=lax"):
        assert attribute in cookie
    assert "Domain" not in cookie


def test_sign_out_ends_the_session_on_the_server(client: TestClient, app: FastAPI) -> None:
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    stolen = dict(browser.http.cookies)
    signed_out = browser.submit("/passport", "/passport/sign-out")
    assert signed_out.status_code == 303
    assert browser.get("/passport").status_code == 303
    replay = TestClient(app, base_url=browser.http.base_url, cookies=stolen, follow_redirects=False)
    assert replay.get("/passport").headers["location"] == "/passport/sign-in?next=/passport"


def test_sessions_expire(client: TestClient, app: FastAPI, clock: Clock) -> None:
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    clock.advance(hours=11, minutes=59)
    assert browser.get("/passport").status_code == 200
    clock.advance(minutes=1)
    assert browser.get("/passport").status_code == 303


def test_sign_in_redirects_only_within_the_passport(client: TestClient, app: FastAPI) -> None:
    Browser.open(app).sign_up("sam@example.com")
    for hostile in ("https://evil.example/", "//evil.example/passport", "/passport//evil.example"):
        browser = Browser.open(app)
        fields = {"email": "sam@example.com", "password": PASSWORD, "next": hostile}
        response = browser.submit("/passport/sign-in", "/passport/sign-in", **fields)
        assert response.headers["location"] == "/passport", hostile
    browser = Browser.open(app)
    wanted = browser.get("/passport/emails")
    assert wanted.headers["location"] == "/passport/sign-in?next=/passport/emails"
    signed_in = browser.submit(
        wanted.headers["location"],
        "/passport/sign-in",
        email="sam@example.com",
        password=PASSWORD,
        next="/passport/emails",
    )
    assert signed_in.headers["location"] == "/passport/emails"


def test_api_tokens_are_distinct_hashed_listed_and_revocable(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    token = browser.token("sam@example.com")
    assert token.startswith("lt_")
    tokens = client.get("/api/v1/passport/tokens", headers=bearer(token)).json()
    assert len(tokens) == 1
    assert token not in str(tokens)
    assert (
        client.get("/api/v1/passport/account", headers=bearer(token)).json()["primary_email"]
        == "sam@example.com"
    )
    assert (
        client.delete(f"/api/v1/passport/tokens/{tokens[0]['id']}", headers=bearer(token)).status_code == 204
    )
    assert_problem(client.get("/api/v1/passport/account", headers=bearer(token)), 401, "unauthorized")
    expiring = browser.token("sam@example.com")
    clock.advance(days=90)
    assert_problem(client.get("/api/v1/passport/account", headers=bearer(expiring)), 401, "unauthorized")


def test_provider_and_operator_keys_open_no_passport_and_learner_tokens_no_provider_api(
    client: TestClient, app: FastAPI
) -> None:
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    token = browser.token("sam@example.com")
    provider = create_provider(client)
    for key in (provider["api_key"], ADMIN_TOKEN):
        assert_problem(client.get("/api/v1/passport/credentials", headers=bearer(key)), 401, "unauthorized")
    assert_problem(client.get("/api/v1/issuer", headers=bearer(token)), 401, "unauthorized")
    assert_problem(client.get("/api/v1/admin/issuers", headers=bearer(token)), 401, "unauthorized")
    # A session cookie does not open the API either: the API is bearer-only (no CSRF exposure).
    assert_problem(browser.http.get("/api/v1/passport/credentials"), 401, "unauthorized")


def test_passwords_are_argon2id_with_the_rfc_9106_profile() -> None:
    passwords = Passwords()
    stored = passwords.hash(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert passwords.check(stored, PASSWORD)
    assert not passwords.check(stored, PASSWORD + "x")
    assert not passwords.check(None, PASSWORD)  # an unknown account: same work, no match
    assert not passwords.check(stored, "x" * 1000)  # bounded input


def _stored_hash(app: FastAPI) -> str:
    with transaction(services_of(app).get(Database).sessions) as session:
        return session.scalars(select(Learner.password_hash)).one()


def test_sign_in_upgrades_an_outdated_hash(client: TestClient, app: FastAPI) -> None:
    Browser.open(app).sign_up("sam@example.com")
    cheap = _stored_hash(app)
    stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1))
    services_of(app).replace(replace(services_of(app).get(PassportConfig), passwords=stronger))
    assert Browser.open(app).sign_in("sam@example.com").status_code == 303
    upgraded = _stored_hash(app)
    assert upgraded != cheap
    assert upgraded.startswith("$argon2id$v=19$m=1024,t=2,p=1$")
    assert Browser.open(app).sign_in("sam@example.com").status_code == 303
    assert _stored_hash(app) == upgraded


def test_expired_sessions_tokens_and_old_links_are_purged_at_sign_in(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    browser.token("sam@example.com")
    clock.advance(days=91)
    browser.sign_in("sam@example.com")
    with transaction(services_of(app).get(Database).sessions) as session:
        # Only the new session is left; the token and the 91-day-old used sign-up link are gone.
        assert session.scalar(select(func.count()).select_from(LearnerSession)) == 1
        assert session.scalar(select(func.count()).select_from(LearnerToken)) == 0
        assert session.scalar(select(func.count()).select_from(EmailLink)) == 0
