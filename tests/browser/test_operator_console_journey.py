"""The network operator's console in a real browser: an operator administrator onboards a provider,
accredits it, (the provider submits an achievement through the API), assigns the submission to an
assessor and approves it; then the trust list and the figures. Once with the mouse, once with the
keyboard only (Tab, typing, Space and Enter). axe on every page at 390 and 1280 px; screenshots in
$PASSPORT_SHOTS (e.g. /tmp/shots/opcon) when set."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page

from tests.browser.axe import assert_accessible
from tests.conftest import ADMIN_TOKEN

PASSWORD = "correct horse battery staple"
OPERATOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SHOTS = Path(os.environ["PASSPORT_SHOTS"]) if os.environ.get("PASSPORT_SHOTS") else None
COURSE = {
    "kind": "course",
    "name": "Heat Pump Installation (Level 3)",
    "description": "Install and commission heat pumps.",
    "criteria_narrative": "Assessed installation and written test.",
    "level": "RQF 3",
    "sector": "Building services",
    "credits": 6,
}


def emailed_link(base_url: str, email: str, path: str) -> str:
    messages: list[dict[str, Any]] = httpx.get(f"{base_url}/dev/outbox.json", timeout=30).json()
    for message in messages:
        found = re.search(re.escape(base_url + path) + r"[A-Za-z0-9_-]+", message["body"])
        if message["to"] == email and found:
            return found.group(0)
    raise AssertionError(messages)


class Person:
    """Acts on a page with the mouse, or with the keyboard only."""

    def __init__(self, page: Page, keyboard: bool, shots: str) -> None:
        self.page, self.keyboard, self.shots = page, keyboard, shots

    def check(self, name: str) -> None:
        for width in (390, 1280):
            self.page.set_viewport_size({"width": width, "height": 900})
            assert_accessible(self.page)
            if SHOTS is not None:
                SHOTS.mkdir(parents=True, exist_ok=True)
                self.page.screenshot(path=str(SHOTS / f"{self.shots}-{name}-{width}.png"), full_page=True)

    def _tab_to(self, selector: str) -> None:
        for _ in range(120):
            self.page.keyboard.press("Tab")
            if self.page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    def start(self) -> None:
        """From the top of the page (keyboard: focus goes back to the document's start)."""
        if self.keyboard:
            self.page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")

    def fill(self, selector: str, text: str) -> None:
        if not self.keyboard:
            self.page.fill(selector, text)
            return
        self._tab_to(selector)
        self.page.keyboard.type(text)

    def date(self, selector: str, iso: str) -> None:
        if not self.keyboard:
            self.page.fill(selector, iso)
            return
        year, month, day = iso.split("-")
        self._tab_to(selector)
        self.page.keyboard.type(f"{month}{day}{year}")  # Chromium's en-US date field: mm/dd/yyyy

    def tick(self, selector: str) -> None:
        if not self.keyboard:
            self.page.check(selector)
            return
        self._tab_to(selector)
        self.page.keyboard.press("Space")

    def press(self, selector: str) -> None:
        """Follow a link or press a button."""
        if not self.keyboard:
            self.page.click(selector)
            return
        self._tab_to(selector)
        self.page.keyboard.press("Enter")


def _operator_admin(live_server: str, page: Page, email: str) -> None:
    invited = httpx.post(
        f"{live_server}/api/v1/admin/staff",
        json={"email": email, "name": "Olu Operator", "role": "operator_admin"},
        headers=OPERATOR,
        timeout=30,
    )
    assert invited.status_code == 201, invited.text
    page.goto(emailed_link(live_server, email, "/operator/invitations/"))
    page.fill("#password", PASSWORD)
    page.fill("#password_confirmation", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/operator?done=welcome")


@pytest.mark.parametrize("keyboard", [False, True], ids=["mouse", "keyboard"])
def test_operator_journey(live_server: str, page: Page, keyboard: bool) -> None:
    shots = "keyboard" if keyboard else "mouse"
    _operator_admin(live_server, page, "olu@operator.example")
    assessor = httpx.post(
        f"{live_server}/api/v1/admin/staff",
        json={"email": "ada@operator.example", "name": "Ada Assessor", "role": "assessor"},
        headers=OPERATOR,
        timeout=30,
    )
    assert assessor.status_code == 201, assessor.text
    me = Person(page, keyboard, shots)

    # Providers -> onboard
    me.start()
    me.press("nav.sections a[href='/operator/providers']")
    page.wait_for_url(f"{live_server}/operator/providers")
    me.check("providers-empty")
    me.start()
    me.press("a[href='/operator/providers/new']")
    page.wait_for_url(f"{live_server}/operator/providers/new")
    me.check("provider-new")
    me.start()
    me.fill("#name", "Tyneside Training")
    me.fill("#url", "https://tyneside.example.ac.uk")
    me.fill("#contact_email", "quality@tyneside.example.ac.uk")
    me.fill("#ukprn", "10012345")
    me.press("main form button[type=submit]")
    page.wait_for_selector("#api-key")
    api_key = page.inner_text("#api-key").strip()
    me.check("provider-created")

    # Accredit it
    me.start()
    me.press("a.button[href$='/accredit']")
    page.wait_for_url(re.compile(r".*/accredit$"))
    me.check("accredit")
    me.start()
    me.fill("#sectors", "Building services, Digital")
    me.fill("#levels", "RQF 3, RQF 4")
    me.tick("#kind-course")
    me.date("#valid_from", "2026-01-01")
    me.date("#valid_until", "2028-12-31")
    me.fill("#reason", "Quality panel, December")
    me.press("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/accreditations/[a-z0-9]+\?done=accredited$"))
    assert "Building services, Digital" in page.inner_text("main")
    me.check("accreditation")

    # The provider submits an achievement through the API
    with httpx.Client(
        base_url=live_server, timeout=30, headers={"Authorization": f"Bearer {api_key}"}
    ) as api:
        achievement = api.post("/api/v1/achievements", json=COURSE)
        assert achievement.status_code == 201, achievement.text
        submitted = api.post(
            "/api/v1/approvals",
            json={"achievement_id": achievement.json()["id"], "quality_statement": "Internally verified."},
        )
        assert submitted.status_code == 201, submitted.text
        issued = api.post(
            "/api/v1/credentials",
            json={
                "achievement_id": achievement.json()["id"],
                "recipient": {"name": "Priya Learner", "email": "priya@learner.example"},
            },
        )
        assert issued.status_code == 201, issued.text

    # The approval queue: assign to the assessor, approve
    me.start()
    me.press("nav.sections a[href='/operator/approvals']")
    page.wait_for_url(f"{live_server}/operator/approvals")
    me.check("approvals")
    me.start()
    me.press("table a[href^='/operator/approvals/']")
    page.wait_for_url(re.compile(r".*/operator/approvals/[a-z0-9]+$"))
    me.check("approval")
    me.start()
    me.press("form[action$='/assign'] button")
    page.wait_for_url(re.compile(r".*\?done=assigned$"))
    assert "Ada Assessor" in page.inner_text("main")
    me.start()
    me.fill("#comment", "Strong employer involvement.")
    me.press("form[action$='/approve'] button")
    page.wait_for_url(re.compile(r".*\?done=approved$"))
    assert "The signed endorsement" in page.inner_text("main")
    me.check("approval-approved")

    # What is published
    me.start()
    me.press("nav.sections a[href='/operator/trust-list']")
    page.wait_for_url(f"{live_server}/operator/trust-list")
    assert "Tyneside Training" in page.inner_text("main")
    me.check("trust-list")
    me.start()
    me.press("nav.sections a[href='/operator/figures']")
    page.wait_for_url(f"{live_server}/operator/figures")
    assert "Priya" not in page.inner_text("main")  # counts, never a learner
    me.check("figures")

    # Suspend the accreditation, with a reason, after a confirmation
    me.start()
    me.press("nav.sections a[href='/operator/providers']")
    page.wait_for_url(f"{live_server}/operator/providers")
    me.start()
    me.press("table a[href^='/operator/providers/']")
    page.wait_for_url(re.compile(r".*/operator/providers/[a-z0-9]+$"))
    me.check("provider")
    me.start()
    me.press("table a[href^='/operator/accreditations/']")
    page.wait_for_url(re.compile(r".*/operator/accreditations/[a-z0-9]+$"))
    me.start()
    me.press("a[href$='/suspend']")
    page.wait_for_url(re.compile(r".*/suspend$"))
    me.check("suspend-confirm")
    me.start()
    me.fill("#reason", "Complaint under investigation")
    me.press("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*\?done=suspended$"))
    assert "Complaint under investigation" in page.inner_text("main")
    me.check("accreditation-suspended")

    # Change its scope: the edit form, then the history
    me.start()
    me.press("a[href$='/edit']")
    page.wait_for_url(re.compile(r".*/edit$"))
    me.check("accreditation-edit")
    me.start()
    me.fill("#levels", "RQF 5")
    me.fill("#reason", "Panel added level 5")
    me.press("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*\?done=accreditation-saved$"))
    assert "RQF 5" in page.inner_text("main")
    me.check("accreditation-changed")
