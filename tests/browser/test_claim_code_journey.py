"""An event's claim code in a real browser: a provider's staff member opens it in the console and shows
its QR code; an attendee on a phone opens the short link, gives an email address, follows the emailed
confirmation link, waits while the claim worker issues the credential (the page refreshes itself), keeps
it in a new passport and finds the credential in it. axe-core on every page at 390 and
1280 px; nothing wider than the phone. Screenshots in ``PASSPORT_SHOTS`` when set (e.g. /tmp/shots/claims).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from playwright.sync_api import Browser, Page

from core.services import Database, services_of
from issuers.service import IssuerConfig
from passport.claim_codes.issuing import ClaimWorker
from tests.browser.axe import assert_accessible
from tests.conftest import ADMIN_TOKEN
from tests.issuers.conftest import COURSE

PASSWORD = "correct horse battery staple"
OPERATOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SHOTS = Path(os.environ["PASSPORT_SHOTS"]) if os.environ.get("PASSPORT_SHOTS") else None


def emailed_link(base_url: str, email: str, pattern: str) -> str:
    messages: list[dict[str, Any]] = httpx.get(f"{base_url}/dev/outbox.json", timeout=30).json()
    links = [
        found.group(0)
        for message in messages
        if message["to"] == email
        for found in [re.search(re.escape(base_url) + pattern, message["body"])]
        if found
    ]
    assert len(links) == 1, messages
    return links[0]


def check(page: Page, name: str) -> None:
    """axe at both widths, the page no wider than either, and a screenshot of each when asked for."""
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow} px wider than {width} px"
        if SHOTS is not None:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})


def test_an_event_claim_from_the_console_to_the_passport(
    live_server: str, live_app: FastAPI, page: Page, browser: Browser
) -> None:
    # The claim worker waits until the attendee has seen the page that says the credential is coming.
    services = services_of(live_app)
    services.get(ClaimWorker).stop()
    with httpx.Client(base_url=live_server, timeout=30) as api:
        provider = api.post(
            "/api/v1/admin/issuers",
            json={"name": "Midlands College", "url": "https://college.example.ac.uk"},
            headers=OPERATOR,
        ).json()
        key = {"Authorization": f"Bearer {provider['api_key']}"}
        assert api.post("/api/v1/achievements", json=COURSE, headers=key).status_code == 201
        invited = api.post(
            f"/api/v1/admin/issuers/{provider['id']}/staff",
            json={"email": "ivor@college.example", "name": "Ivor Issuer", "role": "issuer"},
            headers=OPERATOR,
        )
        assert invited.status_code == 201, invited.text

    # The provider's issuer opens a code in the console.
    page.goto(emailed_link(live_server, "ivor@college.example", r"/console/invitations/[A-Za-z0-9_-]+"))
    page.fill("#password", PASSWORD)
    page.fill("#password_confirmation", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/console?done=welcome")
    page.click("nav >> text=Claim codes")
    page.wait_for_url(f"{live_server}/console/claim-codes")
    check(page, "console-claim-codes")
    now = datetime.now(UTC)
    page.fill("#event_name", "Heat pump open day, Leeds")
    page.fill("#opens_at", (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#closes_at", (now + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#capacity", "30")
    page.click("text=Open claim code")
    page.wait_for_url(re.compile(r".*/console/claim-codes/[0-9a-f]{32}\?done=opened"))
    assert page.locator("img[src$='/qr.svg']").evaluate("img => img.naturalWidth") > 0
    check(page, "console-claim-code")
    short_link = page.locator("dd a").first.inner_text()
    assert re.fullmatch(re.escape(live_server) + r"/c/[2-9A-Z]{10}", short_link)
    detail = page.url.split("?")[0]

    # An attendee on a phone.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    attendee = phone.new_page()
    attendee.goto(short_link)
    assert "Heat Pump Installation" in attendee.inner_text("h1")
    check(attendee, "claim-event")
    attendee.fill("#email", "Sam.Attendee@example.com")
    attendee.click("text=Email me a link")
    assert attendee.inner_text("h1") == "Check your email"
    check(attendee, "claim-sent")
    link = emailed_link(live_server, "sam.attendee@example.com", r"/c/[2-9A-Z]{10}/confirm/[A-Za-z0-9_-]+")
    attendee.goto(link)
    check(attendee, "claim-confirm")
    attendee.click("text=Confirm and receive it")
    attendee.wait_for_url(link)
    assert attendee.inner_text("h1") == "Your credential is on its way"
    check(attendee, "claim-waiting")
    worker = ClaimWorker(services.get(Database).sessions, services.get(IssuerConfig))
    worker.start()
    try:  # the page's script asks again (after 1, 2, 3, 5 ... seconds) and shows it once issued
        attendee.wait_for_selector("h1:has-text('Your credential has been issued')", timeout=30_000)
    finally:
        worker.stop()
    assert attendee.inner_text("body > p[role=status]") == "Your credential has been issued"  # announced
    check(attendee, "claim-issued")
    attendee.click("text=Keep it in a passport")
    attendee.wait_for_url(re.compile(r".*/passport/claim/[A-Za-z0-9_-]+$"))
    check(attendee, "claim-keep")
    attendee.fill("#password", PASSWORD)
    attendee.fill("#password_confirmation", PASSWORD)
    attendee.click("text=Create passport")
    attendee.wait_for_url(re.compile(r".*/passport\?done=.*"))
    assert "Heat Pump Installation (Level 3)" in attendee.inner_text("main")
    check(attendee, "claim-passport")
    # The same link again says it has been issued, and where to see it.
    attendee.goto(link)
    attendee.click("text=See it in your passport")
    attendee.wait_for_url(re.compile(r".*/passport/credentials/[0-9a-f]{32}$"))
    assert "Heat Pump Installation (Level 3)" in attendee.inner_text("h1")
    attendee.goto(link)
    check(attendee, "claim-again")
    phone.close()

    page.goto(detail)
    assert "1 of 30 places" in page.inner_text("main")
    assert "sam.attendee@example.com" in page.inner_text("main")
    check(page, "console-claim-code-claimed")
