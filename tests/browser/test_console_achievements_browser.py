"""A provider's issuer in a real browser: creates an achievement, designs its badge (previewed by the
server, no script needed), previews the achievement as learners and employers see it, edits it; then the
same again with the keyboard only. Every page passes axe at 390 and 1280 px (screenshots in
/tmp/shots/achcon when PASSPORT_SHOTS is set)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.test_staff_journey import emailed_link, tab_to
from tests.conftest import ADMIN_TOKEN

PASSWORD = "correct horse battery staple"
OPERATOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SHOTS = Path(os.environ["PASSPORT_SHOTS"]) if os.environ.get("PASSPORT_SHOTS") else None


def check(page: Page, name: str) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        if SHOTS is not None:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def signed_in_issuer(live_server: str, page: Page, email: str) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as api:
        provider = api.post(
            "/api/v1/admin/issuers",
            json={"name": "Midlands College", "url": "https://college.example.ac.uk"},
            headers=OPERATOR,
        ).json()
        invited = api.post(
            f"/api/v1/admin/issuers/{provider['id']}/staff",
            json={"email": email, "name": "Ivor Issuer", "role": "issuer"},
            headers=OPERATOR,
        )
        assert invited.status_code == 201, invited.text
    page.goto(emailed_link(live_server, email, "/console/invitations/"))
    page.fill("#password", PASSWORD)
    page.fill("#password_confirmation", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/console?done=welcome")


def test_an_issuer_designs_a_badge_creates_and_previews_an_achievement(live_server: str, page: Page) -> None:
    signed_in_issuer(live_server, page, "ivor@college.example")
    page.click("nav.sections >> text=Achievements")
    page.wait_for_url(f"{live_server}/console/achievements")
    check(page, "list-empty")

    page.click("text=New achievement")
    page.check("#kind")  # a course
    page.fill("#name", "First Aid at Work")
    page.fill("#description", "Three days of first aid training.")
    page.fill("#level", "Level three")
    page.click("text=Create achievement")
    assert page.locator(".error-message").first.is_visible()
    assert page.input_value("#name") == "First Aid at Work"
    check(page, "form-errors")
    page.fill("#level", "RQF 3")
    page.fill("#criteria_narrative", "Practical assessment by a first aid trainer.")
    page.click("text=Create achievement")
    page.wait_for_url(re.compile(r".*/console/achievements/[A-Za-z0-9_-]+\?done=created$"))
    detail_url = page.url.split("?")[0]
    check(page, "detail")

    page.click("text=Change the badge image")
    page.check("#shape-shield")
    page.check("#colours-navy")
    page.check("#icon-book")
    # The small script redraws the preview as choices change (the server draws it)...
    page.locator(".designed-badge svg path[fill='#1b2a4a']").wait_for()
    # ...and the Preview button does the same without it.
    page.click("button[value=preview]")
    expect(page.locator(".designed-badge svg")).to_be_visible()  # after the page the button loads
    assert page.text_content(".designed-badge svg title") == "First Aid at Work"
    check(page, "image-designer")
    page.click("button[value=use]")
    page.wait_for_url(f"{detail_url}?done=image")
    badge = page.locator(".badge-image img")
    assert badge.is_visible()
    assert page.evaluate("document.querySelector('.badge-image img').naturalWidth") == 256
    check(page, "detail-with-badge")

    page.click("text=Preview as learners and employers see it")
    assert "nothing here is issued or signed" in page.inner_text(".preview-banner")
    assert page.locator("section.preview img").count() == 2
    check(page, "preview")

    page.goto(f"{detail_url}/edit")
    page.fill("#name", "First Aid at Work (2027)")
    page.click("text=Save as a new version")
    page.wait_for_url(f"{detail_url}?done=saved")
    assert "First Aid at Work (2027)" in page.inner_text("h1")
    page.goto(f"{live_server}/console/achievements")
    check(page, "list")
    page.goto(detail_url.replace("/console/achievements/", "/achievements/"))
    assert page.locator(".badge-image img").is_visible()
    check(page, "public-page")


def test_the_badge_designer_works_with_the_keyboard_only(live_server: str, page: Page) -> None:
    signed_in_issuer(live_server, page, "kay@college.example")
    page.goto(f"{live_server}/console/achievements/new")
    tab_to(page, "kind")
    page.keyboard.press("Space")
    tab_to(page, "name")
    page.keyboard.type("Welding Level 2")
    page.keyboard.press("Tab")
    page.keyboard.type("Safe MIG welding.")
    page.keyboard.press("Tab")
    page.keyboard.type("Assessed weld test.")
    page.focus("#name")  # back to a text field: Enter sends the form
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*\?done=created$"))
    detail_url = page.url.split("?")[0]

    page.goto(f"{detail_url}/image")
    tab_to(page, "shape")
    page.keyboard.press("ArrowRight")  # circle -> shield, within the radio group
    page.keyboard.press("Tab")  # to the colours group
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # teal -> navy -> plum
    page.keyboard.press("Tab")  # to the icons group
    page.keyboard.press("ArrowRight")  # star -> tick
    page.keyboard.press("Tab")  # the text
    page.keyboard.press("Tab")  # "Preview"
    assert page.evaluate("document.activeElement.value") == "preview"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.is_checked("#shape-shield")
    assert page.is_checked("#colours-plum")
    assert page.is_checked("#icon-tick")
    check(page, "image-designer-keyboard")
    tab_to(page, "text")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # "Use this badge"
    assert page.evaluate("document.activeElement.value") == "use"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{detail_url}?done=image")
    assert page.locator(".badge-image img").is_visible()
