"""The provider console in Chromium, on the demo data: an issuer signs in, finds a learner by email in
the credentials list, opens a valid credential and revokes it with a reason (the reason, then the
confirmation) — once with the mouse, once with the keyboard alone (Tab and Enter, and typing into
fields). axe on every page at 390 and 1280 px; screenshots in $PASSPORT_SHOTS when set."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import uvicorn
from playwright.sync_api import Page

from core.db import transaction
from core.services import Database, services_of
from issuers.service import IssuerConfig
from issuers.staff.accounts import StaffConfig
from server.app import create_app
from server.seed import seed_demo, seed_demo_staff
from server.settings import Settings
from tests.browser.axe import assert_accessible
from tests.browser.test_staff_journey import check

LEARNER = "alex.trainee@example.com"
REASON = "Assessment evidence withdrawn"


@pytest.fixture
def demo_console(live_settings: tuple[Settings, socket.socket]) -> Iterator[tuple[str, str, str]]:
    """The app with the demo data and staff, on loopback; yields its URL and the issuer's sign-in."""
    settings, listener = live_settings
    app = create_app(settings)
    now = datetime.now(UTC)
    with transaction(services_of(app).get(Database).sessions) as session:
        keys = seed_demo(session, services_of(app).get(IssuerConfig), now)
        assert keys is not None
        college = next(iter(keys.values()))["id"]
        staff = seed_demo_staff(session, services_of(app).get(StaffConfig), college, now)
    _, _, email, password = next(member for member in staff if member[1] == "issuer")
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield settings.base_url, email, password
    server.should_exit = True
    thread.join(timeout=10)
    services_of(app).get(Database).engine.dispose()


def test_an_issuer_finds_a_learner_and_revokes_a_credential(
    demo_console: tuple[str, str, str], page: Page
) -> None:
    base, email, password = demo_console
    page.goto(base + "/console/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/console")
    assert page.locator(".figure-number").first.inner_text() != "0"  # the demo issued credentials
    assert (page.locator("svg[role=img] title").text_content() or "").startswith(
        "Credentials issued each month"
    )
    check(page, "home")

    page.click("nav.sections >> text=Credentials")
    page.wait_for_url(base + "/console/credentials")
    check(page, "list")
    page.fill("#email", LEARNER.upper())
    page.click("form[role=search] button[type=submit]")
    rows = page.locator("table.stack tbody tr")
    assert rows.count() >= 2
    for number in range(rows.count()):
        assert LEARNER in rows.nth(number).inner_text()
    check(page, "list-search")

    rows.filter(has=page.locator(".status-valid")).first.locator("a").click()
    page.wait_for_selector("text=What was issued")
    assert LEARNER in page.inner_text("main")
    check(page, "credential")

    page.click("button.danger")  # no reason yet: the browser asks for one (required) and stays
    assert page.evaluate("document.querySelector('#revoke-reason').validity.valueMissing")
    assert page.locator("text=Revoke this credential?").count() == 0
    page.fill("#revoke-reason", REASON)
    page.click("button.danger")
    page.wait_for_selector("text=Revoke this credential?")
    assert REASON in page.inner_text("main")
    check(page, "confirm")
    page.click("text=Yes, revoke it")
    page.wait_for_url("**?done=revoked")
    assert "The credential is revoked." in page.inner_text("[role=status]")
    assert "Revoked" in page.inner_text(".lead .tag")
    assert f"Reason: {REASON}" in page.inner_text(".history")
    check(page, "revoked")


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches `selector`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_same_with_the_keyboard_only(demo_console: tuple[str, str, str], page: Page) -> None:
    base, email, password = demo_console
    page.goto(base + "/console/sign-in")
    tab_to(page, "#email")
    page.keyboard.type(email)
    tab_to(page, "#password")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/console")

    tab_to(page, 'nav.sections a[href="/console/credentials"]')
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/console/credentials")
    tab_to(page, "#email")
    page.keyboard.type(LEARNER)
    tab_to(page, "form[role=search] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/credentials?*")
    tab_to(page, "table.stack tr:has(.status-valid) a")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=What was issued")
    credential_url = page.url
    assert_accessible(page)

    tab_to(page, "#revoke-reason")
    page.keyboard.type(REASON)
    tab_to(page, "button.danger")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Revoke this credential?")
    assert_accessible(page)
    tab_to(page, "button.danger")
    page.keyboard.press("Enter")
    page.wait_for_url(credential_url + "?done=revoked")
    assert f"Reason: {REASON}" in page.inner_text(".history")
    check(page, "keyboard-revoked")
