"""A share link in headless Chromium, as an employer opens it: the person sharing is named, and each
credential says whether it was issued to them, to someone else (said first, and never "Verified"), or to a
recipient that cannot be confirmed; a self-signed credential's issuer name is "not confirmed". On a phone
(390 px) and a desktop (1280 px), with axe-core. ``PASSPORT_SCREENSHOTS=<folder>`` keeps a screenshot of
each width there, to look at."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.axe import assert_accessible
from tests.conftest import ADMIN_TOKEN
from tests.issuers.conftest import COURSE
from tests.passport.test_trust_shown import self_signed_without_recipient

EMAIL = "sam.jones@example.com"
PASSWORD = "correct horse battery staple"
OPERATOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PERIOD = {"valid_from": "2025-09-01T00:00:00Z", "valid_until": "2027-08-31T23:59:59Z"}


@pytest.fixture
def api(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30) as client:
        yield client


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def sign_up(api: httpx.Client) -> str:
    """Sam's passport, made through the pages (cookies in `api`), and an API token for it."""
    form = api.get("/passport/sign-up")
    body = {"csrf_token": csrf(form.text), "email": EMAIL, "password": PASSWORD}
    created = api.post("/passport/sign-up", data={**body, "password_confirmation": PASSWORD})
    assert created.status_code == 200, created.text
    messages: list[dict[str, Any]] = api.get("/dev/outbox.json").json()
    link = next(
        found.group(0)
        for message in messages
        for found in [re.search(r"/passport/confirm/[A-Za-z0-9_-]+", message["body"])]
        if found
    )
    confirm = api.get(link)
    assert api.post(link, data={"csrf_token": csrf(confirm.text), "password": PASSWORD}).status_code == 303
    token = api.post("/api/v1/passport/tokens", json={"email": EMAIL, "password": PASSWORD})
    assert token.status_code == 201, token.text
    return str(token.json()["token"])


def issue(api: httpx.Client, key: dict[str, str], name: str, email: str) -> dict[str, Any]:
    achievement = api.post("/api/v1/achievements", json={**COURSE, "name": name}, headers=key)
    assert achievement.status_code == 201, achievement.text
    body = {"achievement_id": achievement.json()["id"], "recipient": {"email": email}}
    issued = api.post("/api/v1/credentials", json=body, headers=key)
    assert issued.status_code == 201, issued.text
    result: dict[str, Any] = issued.json()
    return result


@pytest.fixture
def share_url(api: httpx.Client) -> str:
    """Sam shares three credentials: one issued to Sam, one issued to Alex (imported by Sam), and one
    self-signed that names no recipient (imported)."""
    college = {"name": "Midlands College", "url": "https://college.example.ac.uk"}
    provider = api.post("/api/v1/admin/issuers", json=college, headers=OPERATOR).json()
    accredited = api.post(
        "/api/v1/admin/accreditations",
        json={**PERIOD, "provider_id": provider["id"], "scope": {"kinds": ["course"]}},
        headers=OPERATOR,
    )
    assert accredited.status_code == 201, accredited.text
    key = {"Authorization": f"Bearer {provider['api_key']}"}
    own = issue(api, key, "Heat Pump Installation (Level 3)", EMAIL)
    alexs = issue(api, key, "Electrical Safety (Level 3)", "alex@example.com")["credential"]
    token = {"Authorization": f"Bearer {sign_up(api)}"}
    ids = [own["id"]]
    for document in (alexs, self_signed_without_recipient()):
        added = api.post("/api/v1/passport/imports", json={"credential": document}, headers=token)
        assert added.status_code == 201, added.text
        ids.append(added.json()["item"]["id"])
    share = api.post(
        "/api/v1/passport/shares", json={"credential_ids": ids, "shared_by": "Sam Jones"}, headers=token
    )
    assert share.status_code == 201, share.text
    return str(share.json()["url"])


@pytest.mark.parametrize("width", [390, 1280])
def test_the_three_recipient_answers(browser: Browser, share_url: str, width: int) -> None:
    employer = browser.new_context(viewport={"width": width, "height": 900})  # no cookies, no session
    try:
        page = employer.new_page()
        page.goto(share_url)
        expect(page.locator(".shared-by")).to_have_text("Sam Jones")
        cards = page.locator(".shared-credential")
        expect(cards).to_have_count(3)
        assert [cards.nth(i).get_attribute("data-recipient") for i in range(3)] == [
            "holder",
            "not_holder",
            "unknown",
        ]
        expect(cards.nth(0).locator(".recipient")).to_contain_text("Issued to this person")
        expect(cards.nth(0).locator(".verdict strong")).to_have_text("Verified")
        someone_else = cards.nth(1)
        # The first thing said of it, in its verdict block, is whose it is; "Verified" is not said at all.
        expect(someone_else.locator(".verdict").first.locator("strong").first).to_have_text(
            "Issued to someone else"
        )
        assert "Verified" not in someone_else.inner_text()
        expect(cards.nth(2).locator(".recipient")).to_contain_text("Recipient cannot be confirmed")
        expect(cards.nth(2).locator(".issued-by")).to_contain_text("Names itself \u201cTrainer\u201d")
        # Nothing is wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert "@" not in page.content()
        assert_accessible(page)
        folder = os.environ.get("PASSPORT_SCREENSHOTS")
        if folder:
            page.screenshot(path=str(Path(folder) / f"shared-{width}.png"), full_page=True)
    finally:
        employer.close()
