"""The learner's journey in a real browser, keyboard only, in English and in Welsh: sign up, claim a
credential issued to another address, search the passport, share, see the link's page and make a new
link, then forget the password and reset it by the emailed link. axe-core on every page; nothing wider
than a 390 px phone.

``PASSPORT_SCREENSHOTS=<folder>`` keeps a screenshot of each page at 390 and 1280 px.
"""

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
from tests.issuers.conftest import COURSE

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase"
NAMES = ["Heat Pump Installation (Level 3)", "Solar Thermal Systems (Level 3)", "Gas Safety (Level 2)"]
CLAIMED = "Welding (Level 2)"

WORDS = {
    "en": {
        "passport": "Your passport",
        "claim_add": "Add {email} to my passport",
        "search": "Search",
        "show": "Show",
        "share": "Share your credentials",
        "create_share": "Create share link",
        "make_new": "Make a new link",
        "forgot": "Forgotten your password?",
        "email_me": "Email me a link",
        "set_new": "Set new password",
        "sign_out": "Sign out",
        "showing": "Showing 1 of 4.",
        "reset_done": "Your new password is set",
    },
    "cy": {
        "passport": "Eich pasbort",
        "claim_add": "Ychwanegu {email} at fy mhasbort",
        "search": "Chwilio",
        "show": "Dangos",
        "share": "Rhannu eich tystlythyrau",
        "create_share": "Creu dolen rannu",
        "make_new": "Gwneud dolen newydd",
        "forgot": "Wedi anghofio eich cyfrinair?",
        "email_me": "Anfon dolen ataf drwy e-bost",
        "set_new": "Gosod cyfrinair newydd",
        "sign_out": "Allgofnodi",
        "showing": "Yn dangos 1 o 4.",
        "reset_done": "Mae eich cyfrinair newydd wedi'i osod",
    },
}


class Provider:
    def __init__(self, base_url: str) -> None:
        self.api = httpx.Client(base_url=base_url, timeout=30)
        created = self.api.post(
            "/api/v1/admin/issuers",
            json={"name": "Midlands College", "url": "https://college.example.ac.uk"},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        assert created.status_code == 201, created.text
        self.key = {"Authorization": f"Bearer {created.json()['api_key']}"}

    def close(self) -> None:
        self.api.close()

    def issue(self, name: str, email: str) -> str:
        achievement = self.api.post("/api/v1/achievements", json={**COURSE, "name": name}, headers=self.key)
        assert achievement.status_code == 201, achievement.text
        body = {"achievement_id": achievement.json()["id"], "recipient": {"email": email, "name": "Jo"}}
        issued = self.api.post("/api/v1/credentials", json=body, headers=self.key)
        assert issued.status_code == 201, issued.text
        credential_id: str = issued.json()["id"]
        return credential_id


def emailed_link(base_url: str, email: str, path: str) -> str:
    messages: list[dict[str, Any]] = httpx.get(f"{base_url}/dev/outbox.json", timeout=30).json()
    found = [
        (message["created_at"], match.group(0))
        for message in messages
        if message["to"] == email
        for match in [re.search(re.escape(base_url + path) + r"[A-Za-z0-9_-]+", message["body"])]
        if match
    ]
    assert found, f"no {path} link to {email}"
    return max(found)[1]


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def press_enter(page: Page) -> None:
    """Enter on the focused field or button, waiting for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def checked_page(page: Page, name: str) -> None:
    """axe-core finds nothing serious; the page fits a phone; screenshots at both widths if asked."""
    assert_accessible(page)
    folder = os.environ.get("PASSPORT_SCREENSHOTS")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow} px wider than {width} px"
        if folder:
            page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_learner_journey_by_keyboard(live_server: str, page: Page, language: str) -> None:
    words = WORDS[language]
    email, work = f"jo.{language}@example.com", f"jo.{language}.work@example.com"
    provider = Provider(live_server)
    for name in NAMES:
        provider.issue(name, email)
    page.set_viewport_size({"width": 390, "height": 900})

    # Sign up (keyboard only).
    page.goto(f"{live_server}/passport/sign-up?lang={language}")
    type_into(page, "#email", email)
    type_into(page, "#password", PASSWORD)
    type_into(page, "#password_confirmation", PASSWORD)
    press_enter(page)
    page.goto(emailed_link(live_server, email, "/passport/confirm/"))
    type_into(page, "#password", PASSWORD)
    press_enter(page)
    page.wait_for_url(live_server + "/passport?done=welcome")
    assert page.get_by_role("heading", level=1).inner_text() == words["passport"]

    # Claim a credential issued to another address of Jo's.
    provider.issue(CLAIMED, work)
    provider.close()
    page.goto(emailed_link(live_server, work, "/passport/claim/"))
    checked_page(page, f"{language}-claim")
    tab_to(page, "main form button[type=submit]")
    assert page.evaluate("document.activeElement.innerText") == words["claim_add"].format(email=work)
    press_enter(page)
    page.wait_for_url(re.compile(r".*/passport\?done=claimed"))
    assert page.get_by_role("link", name=CLAIMED).is_visible()
    checked_page(page, f"{language}-passport")

    # Search: the form is a plain GET; Enter in the search box submits it.
    type_into(page, "#q", "gas")
    press_enter(page)
    page.wait_for_url(re.compile(r".*/passport\?q=gas.*"))
    assert page.locator(".credential-card h2").all_inner_texts() == [NAMES[2]]
    assert page.locator("#result-count").inner_text() == words["showing"]
    checked_page(page, f"{language}-search")

    # Share two: each checkbox sits beside its label; Space ticks it.
    page.goto(live_server + "/passport/shares")
    assert page.get_by_role("heading", level=1).inner_text() == words["share"]
    for name in (NAMES[0], CLAIMED):
        box = page.get_by_label(re.compile(re.escape(name)))
        box_id = box.get_attribute("id")
        tab_to(page, f"#{box_id}")
        page.keyboard.press("Space")
        assert box.is_checked()
        label = page.locator(f"label[for='{box_id}']").bounding_box()
        tick = box.bounding_box()
        assert label is not None
        assert tick is not None
        assert abs(label["y"] - tick["y"]) < 12  # on the same line
        assert label["x"] > tick["x"]
    checked_page(page, f"{language}-share-chooser")
    type_into(page, "#shared_by", "Jo Learner")
    tab_to(page, "main form.stack button[type=submit]")
    assert page.evaluate("document.activeElement.innerText") == words["create_share"]
    press_enter(page)
    first_url = page.get_attribute("#share-url", "href")
    assert first_url is not None
    checked_page(page, f"{language}-share-created")

    # The link's page: its credentials, and a new link (the old one is never shown again).
    tab_to(page, "main a[href^='/passport/shares/']")
    press_enter(page)
    assert first_url not in page.content()
    assert sorted(page.locator("main .card a").all_inner_texts()) == sorted([NAMES[0], CLAIMED])
    checked_page(page, f"{language}-share-page")
    tab_to(page, "main form[action$='/renew'] button[type=submit]")
    assert page.evaluate("document.activeElement.innerText") == words["make_new"]
    press_enter(page)
    second_url = page.get_attribute("#share-url", "href")
    assert second_url is not None
    assert second_url != first_url

    # The public page of the new link, in a context with no cookies (an employer).
    employer = page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        viewer = employer.new_page()
        viewer.set_viewport_size({"width": 390, "height": 900})
        viewer.goto(f"{second_url}?lang={language}")
        assert sorted(viewer.locator(".shared-credential h2").all_inner_texts()) == sorted(
            [NAMES[0], CLAIMED]
        )
        checked_page(viewer, f"{language}-shared")
    finally:
        employer.close()

    # Sign out, forget the password, reset it by the emailed link.
    tab_to(page, "header button.link-button")
    assert page.evaluate("document.activeElement.innerText") == words["sign_out"]
    press_enter(page)
    page.wait_for_url(re.compile(r".*/passport/sign-in.*"))
    tab_to(page, "main a[href='/passport/forgot-password']")
    assert page.evaluate("document.activeElement.innerText") == words["forgot"]
    press_enter(page)
    checked_page(page, f"{language}-forgot")
    type_into(page, "#email", email)
    press_enter(page)
    checked_page(page, f"{language}-forgot-sent")
    page.goto(emailed_link(live_server, email, "/passport/reset-password/"))
    checked_page(page, f"{language}-reset")
    type_into(page, "#password", NEW_PASSWORD)
    type_into(page, "#password_confirmation", NEW_PASSWORD)
    tab_to(page, "main form button[type=submit]")
    assert page.evaluate("document.activeElement.innerText") == words["set_new"]
    press_enter(page)
    page.wait_for_url(re.compile(r".*/passport\?done=password-reset"))
    assert words["reset_done"] in page.locator("main .verdict[role=status]").inner_text()
    assert page.get_by_role("link", name=CLAIMED).is_visible()
