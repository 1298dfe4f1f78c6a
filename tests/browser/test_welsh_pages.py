"""The pages in Welsh and in English, in a real browser, on a phone (390 px) and a desktop (1280 px):
the header's switch changes the language and keeps the page; nothing is wider than the screen (Welsh
is often longer than English); axe-core finds no serious or critical violation in either language.

Set PASSPORT_SCREENSHOTS to a folder to keep a screenshot of each page, language and width.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page

from tests.browser.axe import assert_accessible
from tests.browser.test_passport_journey import EMAIL, PASSWORD, confirmation_link, issue_before_sign_up

WIDTHS = (390, 1280)
#: A heading of each page, in each language.
HEADINGS = {
    "/": {"en": "Skills Passport", "cy": "Pasbort Sgiliau"},
    "/verify": {"en": "Check a credential", "cy": "Gwirio tystlythyr"},
    "/passport": {"en": "Your passport", "cy": "Eich pasbort"},
    "/passport/emails": {"en": "Email addresses", "cy": "Cyfeiriadau e-bost"},
    "/passport/account/delete": {"en": "Delete your passport", "cy": "Dileu eich pasbort"},
}


def _sign_up_in_welsh(page: Page, base_url: str) -> None:
    page.goto(base_url + "/passport/sign-up?lang=cy")
    assert page.get_by_role("heading", level=1).inner_text() == "Creu eich Pasbort Sgiliau"
    page.get_by_label("Cyfeiriad e-bost").fill(EMAIL)
    page.get_by_label("Dewiswch gyfrinair").fill(PASSWORD)
    page.get_by_label("Teipiwch y cyfrinair eto").fill(PASSWORD)
    page.get_by_role("button", name="Creu pasbort").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Gwiriwch eich e-bost"
    page.goto(confirmation_link(base_url))
    page.get_by_label("Cyfrinair").fill(PASSWORD)
    page.get_by_role("button", name="Creu pasbort").click()
    page.wait_for_url(base_url + "/passport?done=welcome")


def _overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0: it reflows)."""
    overflow: int = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return overflow


def _screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("PASSPORT_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_pages_in_both_languages_fit_the_screen_and_pass_axe(live_server: str, page: Page) -> None:
    issue_before_sign_up(live_server)
    _sign_up_in_welsh(page, live_server)
    credential = page.get_by_role("link", name="Heat Pump Installation (Level 3)").get_attribute("href")
    assert credential is not None
    paths = [*HEADINGS, credential]
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for language in ("cy", "en"):
            for path in paths:
                page.goto(f"{live_server}{path}?lang={language}")
                assert page.get_attribute("html", "lang") == ("cy" if language == "cy" else "en-GB")
                heading = (HEADINGS.get(path) or {}).get(language)
                if heading:
                    assert page.get_by_role("heading", level=1).inner_text() == heading
                name = re.sub(r"[^a-z0-9]+", "-", path.strip("/") or "home")[:40]
                _screenshot(page, f"{name}-{language}-{width}")
                assert _overflow(page) <= 0, f"{path} in {language} is wider than {width} px"
                assert_accessible(page)


def test_the_header_switch_changes_the_language_of_the_same_page(live_server: str, page: Page) -> None:
    page.goto(live_server + "/passport/sign-in?next=/passport/emails")
    assert page.get_attribute("html", "lang") == "en-GB"
    page.get_by_role("link", name="Cymraeg").click()  # a plain link: no script needed
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "cy"
    assert page.url == live_server + "/passport/sign-in?next=%2Fpassport%2Femails&lang=cy"
    assert page.get_by_role("heading", level=1).inner_text() == "Mewngofnodi i'ch pasbort"
    page.goto(live_server + "/")  # remembered: the next page is Welsh without asking again
    assert page.get_by_role("heading", level=1).inner_text() == "Pasbort Sgiliau"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Neidio i'r prif gynnwys"
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en-GB"
    assert page.get_by_role("heading", level=1).inner_text() == "Skills Passport"
