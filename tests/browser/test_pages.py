"""The site's pages in a real browser: content, keyboard use and the security policy in force."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.axe import assert_accessible, violations


def test_home_page_renders_styled_and_keyboard_first(live_server: str, page: Page) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Skills Passport"
    # The stylesheet applied (served by the site itself under the CSP): the header has the brand colour.
    colour = page.eval_on_selector(".site-header", "node => getComputedStyle(node).backgroundColor")
    assert colour == "rgb(29, 63, 114)"
    # The first Tab reaches the skip link, which leads to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    assert errors == []
    assert_accessible(page)


def test_axe_finds_what_it_should(live_server: str, page: Page) -> None:
    """The accessibility check can fail: an image without alternative text is reported."""
    page.goto(live_server + "/")
    page.evaluate("document.querySelector('main').appendChild(document.createElement('img')).src = '/x.png'")
    assert "image-alt" in {violation["id"] for violation in violations(page)}


def test_every_request_of_the_page_stays_on_the_site(live_server: str, page: Page) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server + "/")
    page.wait_for_load_state("networkidle")
    assert requested, "the page made no requests at all"
    assert all(url.startswith(live_server + "/") for url in requested), requested
