"""Provider and operator staff in a real browser: invited by email, choose a password, invite a
colleague, set up two-step sign-in (scanning is replaced by reading the key shown), sign out and in with
a code, read the audit trail; the operator's administrator reads the whole network's trail and a
provider's staff. Every page passes axe, at phone and desktop widths (screenshots in /tmp/shots/staff
when PASSPORT_SHOTS is set)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pyotp
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.conftest import ADMIN_TOKEN

PASSWORD = "correct horse battery staple"
OPERATOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SHOTS = Path(os.environ["PASSPORT_SHOTS"]) if os.environ.get("PASSPORT_SHOTS") else None


def emailed_link(base_url: str, email: str, path: str) -> str:
    messages: list[dict[str, Any]] = httpx.get(f"{base_url}/dev/outbox.json", timeout=30).json()
    links = [
        found.group(0)
        for message in messages
        if message["to"] == email
        for found in [re.search(re.escape(base_url + path) + r"[A-Za-z0-9_-]+", message["body"])]
        if found
    ]
    assert len(links) == 1, messages
    return links[0]


def check(page: Page, name: str) -> None:
    """axe at both widths, and a screenshot of each when asked for."""
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        if SHOTS is not None:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def test_provider_staff_journey(live_server: str, page: Page) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as api:
        provider = api.post(
            "/api/v1/admin/issuers",
            json={"name": "Midlands College", "url": "https://college.example.ac.uk"},
            headers=OPERATOR,
        ).json()
        invited = api.post(
            f"/api/v1/admin/issuers/{provider['id']}/staff",
            json={"email": "ada@college.example", "name": "Ada Admin", "role": "admin"},
            headers=OPERATOR,
        )
        assert invited.status_code == 201, invited.text

    page.goto(emailed_link(live_server, "ada@college.example", "/console/invitations/"))
    check(page, "console-invitation")
    page.fill("#password", "short")
    page.fill("#password_confirmation", "short")
    page.click("button[type=submit]")
    assert page.locator(".error-message").first.is_visible()
    check(page, "console-invitation-error")
    page.fill("#password", PASSWORD)
    page.fill("#password_confirmation", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/console?done=welcome")
    assert "Midlands College" in page.inner_text("h1")
    check(page, "console-home")

    page.click("text=Staff >> nth=0")
    page.fill("#name", "Ivor Issuer")
    page.fill("#email", "ivor@college.example")
    page.select_option("#role", "issuer")
    page.click("text=Send invitation")
    page.wait_for_url(f"{live_server}/console/staff?done=invited")
    assert "ivor@college.example" in page.inner_text("table")
    check(page, "console-staff")

    page.goto(f"{live_server}/console/account")
    page.click("text=Set up two-step sign-in")
    key = page.inner_text("main code")
    assert page.locator("img[alt='QR code to set up two-step sign-in']").is_visible()
    check(page, "console-two-step")
    totp = pyotp.TOTP(key)
    page.fill("#code", totp.now())
    page.click("text=Turn on two-step sign-in")
    expect(page.locator("[role=status]")).to_contain_text("Two-step sign-in is on")
    recovery_codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(recovery_codes) == 10
    check(page, "console-recovery-codes")
    page.goto(f"{live_server}/console/account")
    check(page, "console-account")

    page.goto(f"{live_server}/console/audit")
    assert "Staff member invited" in page.inner_text("table")
    check(page, "console-audit")

    page.click("text=Sign out")
    page.wait_for_url(f"{live_server}/console/sign-in?done=signed-out")
    check(page, "console-sign-in")
    # Signing in with the keyboard only: Tab to each field, Enter to send.
    tab_to(page, "email")
    page.keyboard.type("ada@college.example")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/console/sign-in/code")
    check(page, "console-code")
    tab_to(page, "code")
    page.keyboard.type(totp.at(time.time() + 30))  # the next step: this one was used to switch it on
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/console")


def tab_to(page: Page, element_id: str) -> None:
    """Press Tab from the top of the page until the element has the focus (at most 20 times)."""
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with Tab")


def test_operator_staff_journey(live_server: str, page: Page) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as api:
        provider = api.post(
            "/api/v1/admin/issuers",
            json={"name": "Midlands College", "url": "https://college.example.ac.uk"},
            headers=OPERATOR,
        ).json()
        invited = api.post(
            "/api/v1/admin/staff",
            json={"email": "olu@network.example", "name": "Olu Operator", "role": "operator_admin"},
            headers=OPERATOR,
        )
        assert invited.status_code == 201, invited.text
    page.goto(emailed_link(live_server, "olu@network.example", "/operator/invitations/"))
    page.fill("#password", PASSWORD)
    page.fill("#password_confirmation", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/operator?done=welcome")
    check(page, "operator-home")
    page.goto(f"{live_server}/operator/providers/{provider['id']}/staff")
    page.fill("#name", "Ada Admin")
    page.fill("#email", "ada@college.example")
    page.select_option("#role", "admin")
    page.click("text=Send invitation")
    page.wait_for_url(re.compile(r".*done=invited$"))
    assert "ada@college.example" in page.inner_text("table")
    check(page, "operator-provider-staff")
    page.goto(f"{live_server}/operator/audit")
    assert "provider.create" in page.inner_text("table")
    check(page, "operator-audit")
    page.goto(f"{live_server}/operator/staff")
    check(page, "operator-staff")
    page.goto(f"{live_server}/operator/staff?lang=cy")  # and in Welsh
    assert page.inner_text("h1") == "Staff National Skills Network"
    assert "Gwahodd rhywun" in page.inner_text("main")
    check(page, "operator-staff-cy")
