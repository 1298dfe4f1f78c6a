"""The console's pathway form with several rules in a step, in a real browser without scripts' help: the
demo partnership's pathways officer creates a pathway with a rule, adds a second rule in the edit form's
empty fieldset, sees a bad value in it shown against that step and rule with the form kept, then saves;
the public page says who runs the pathway. At phone and desktop width, checked with axe. Screenshots go to
/tmp/shots/pathform/ (set PASSPORT_SHOTS to change it), never into the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.axe import assert_accessible
from tests.browser.test_partnership_pathway_pages import demo

__all__ = ["demo"]

SHOTS = Path(os.environ.get("PASSPORT_SHOTS", "/tmp/shots/pathform"))
HEAT_PUMPS = "Heat Pump Installation (Level 3) — Midlands Further Education College"


def assert_accessible_as_shown(browser: Browser, shown: Page, base: str) -> None:
    """axe on the page as the script-less browser shows it: axe is a script, so it runs in a second
    browser (same width, same origin, for the style sheets) holding a copy of the page."""
    viewport = shown.viewport_size
    assert viewport is not None
    context = browser.new_context(viewport=viewport)
    try:
        copy = context.new_page()
        copy.goto(base + "/pathways")
        copy.set_content(shown.content())
        assert_accessible(copy)
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_second_rule_is_added_in_the_console_form(
    demo: dict[str, str], browser: Browser, width: int
) -> None:
    base = demo["base"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base + "/console/sign-in?next=/console/pathways/new")
        page.fill("#email", demo["staff"])
        page.fill("#password", demo["staff_password"])
        page.click("main button[type=submit]")
        page.wait_for_url(base + "/console/pathways/new")
        page.fill("#title", "Heat pumps and energy")
        page.fill("#region", "West Midlands")
        page.fill("#step-0-title", "Heat pumps or energy")
        page.select_option("#step-0-achievements", label=HEAT_PUMPS)
        page.locator("#step-0-rule-0-code").locator("xpath=ancestor::details/summary").click()
        page.select_option("#step-0-rule-0-level", "RQF 3")
        page.fill("#step-0-choose", "1")
        page.click("form.pathway-form button[type=submit]")
        page.wait_for_load_state()
        assert "Pathway saved as a draft" in page.inner_text("main")

        page.get_by_role("link", name="Edit").click()
        page.wait_for_load_state()
        assert page.input_value("#step-0-rule-0-level") == "RQF 3"
        page.get_by_text("Add another rule (optional)").first.click()
        page.fill("#step-0-rule-1-sector", "Energy")
        page.fill("#step-0-rule-1-credits", "lots")
        page.click("form.pathway-form button[type=submit]")
        page.wait_for_load_state()
        alert = page.get_by_role("alert")
        assert "Step 1, rule 2: credits must be a number." in alert.inner_text()
        assert page.get_attribute("#step-0-rule-1-credits", "aria-invalid") == "true"
        assert page.input_value("#step-0-rule-1-sector") == "Energy"  # kept as sent
        assert page.input_value("#step-0-rule-0-level") == "RQF 3"
        page.screenshot(path=str(SHOTS / f"pathway-rule-error-{width}.png"), full_page=True)
        assert_accessible_as_shown(browser, page, base)

        page.fill("#step-0-rule-1-credits", "30")
        page.click("form.pathway-form button[type=submit]")
        page.wait_for_load_state()
        assert "Pathway saved." in page.inner_text("main")
        text = page.inner_text("main")
        assert "at RQF 3 or above" in text
        assert "in Energy, 30 credits in all" in text
        page.get_by_role("button", name="Publish").click()
        page.wait_for_load_state()

        page.get_by_role("link", name="Edit").click()
        page.wait_for_load_state()
        assert page.input_value("#step-0-rule-1-credits") == "30"
        page.screenshot(path=str(SHOTS / f"pathway-two-rules-{width}.png"), full_page=True)
        assert_accessible_as_shown(browser, page, base)

        page.goto(base + "/pathways")
        card = page.locator("li.card", has_text="Heat pumps and energy")
        assert "Run by Midlands Net Zero Skills Partnership" in card.inner_text()
        card.get_by_role("link", name="Heat pumps and energy").click()
        page.wait_for_load_state()
        assert page.locator("p.run-by").inner_text() == "Run by Midlands Net Zero Skills Partnership"
        page.screenshot(path=str(SHOTS / f"public-pathway-run-by-{width}.png"), full_page=True)
        assert_accessible_as_shown(browser, page, base)
    finally:
        context.close()
