"""A learner's journey in a real browser: credentials issued before sign-up are waiting in the new
passport; two of three are shared; the link, opened in a fresh browser context (no cookies: an employer),
shows exactly those two, verified, and no email address anywhere in the page."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Browser, Page

from tests.browser.axe import assert_accessible
from tests.conftest import ADMIN_TOKEN
from tests.issuers.conftest import COURSE

EMAIL = "jo.learner@example.com"
PASSWORD = "correct horse battery staple"
NAMES = ["Heat Pump Installation (Level 3)", "Solar Thermal Systems (Level 3)", "Gas Safety (Level 2)"]


def issue_before_sign_up(base_url: str) -> None:
    """A provider issues three credentials to an address that has no passport yet (the provider API)."""
    with httpx.Client(base_url=base_url, timeout=30) as api:
        provider = api.post(
            "/api/v1/admin/issuers",
            json={"name": "Midlands College", "url": "https://college.example.ac.uk"},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        assert provider.status_code == 201, provider.text
        key = {"Authorization": f"Bearer {provider.json()['api_key']}"}
        for name in NAMES:
            achievement = api.post("/api/v1/achievements", json={**COURSE, "name": name}, headers=key)
            assert achievement.status_code == 201, achievement.text
            body = {"achievement_id": achievement.json()["id"], "recipient": {"email": EMAIL, "name": "Jo"}}
            issued = api.post("/api/v1/credentials", json=body, headers=key)
            assert issued.status_code == 201, issued.text


def confirmation_link(base_url: str) -> str:
    """The sign-up link the service emailed, read from the development outbox."""
    messages: list[dict[str, Any]] = httpx.get(f"{base_url}/dev/outbox.json", timeout=30).json()
    links = [
        found.group(0)
        for message in messages
        if message["to"] == EMAIL
        for found in [re.search(re.escape(base_url) + r"/passport/confirm/[A-Za-z0-9_-]+", message["body"])]
        if found
    ]
    assert len(links) == 1, messages
    return links[0]


def test_sign_up_see_earlier_credentials_share_two_and_open_the_link_elsewhere(
    live_server: str, page: Page, browser: Browser
) -> None:
    issue_before_sign_up(live_server)

    page.goto(live_server + "/passport/sign-up")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirmation", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(confirmation_link(live_server))
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(live_server + "/passport?done=welcome")
    for name in NAMES:  # issued before the passport existed, and there now
        assert page.get_by_role("link", name=name).is_visible()
    assert_accessible(page)

    page.goto(live_server + "/passport/shares")
    page.get_by_label(re.compile(re.escape(NAMES[0]))).check()
    page.get_by_label(re.compile(re.escape(NAMES[2]))).check()
    page.fill("#shared_by", "Jo Learner")
    page.fill("#label", "Application to Acme Engineering")
    page.click("main form.stack button[type=submit]")
    share_url = page.get_attribute("#share-url", "href")
    assert share_url is not None
    assert share_url.startswith(live_server + "/shared/")
    # decode() waits for the image (wait_for_function would need 'unsafe-eval', which the CSP refuses).
    qr = page.locator("img[alt='QR code of the share link']")
    assert qr.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    assert_accessible(page)

    employer = browser.new_context()  # a fresh context: no cookies, no session
    try:
        viewer = employer.new_page()
        viewer.goto(share_url)
        shown = viewer.locator(".shared-credential h2").all_inner_texts()
        assert sorted(shown) == sorted([NAMES[0], NAMES[2]])
        assert viewer.locator(".shared-credential").count() == 2
        assert_accessible(viewer)
        html = viewer.content()
        assert NAMES[1] not in html
        assert "@" not in html
        assert "Application to Acme" not in html
        assert viewer.get_by_role("link", name="Your passport").count() == 0  # not signed in here
    finally:
        employer.close()
