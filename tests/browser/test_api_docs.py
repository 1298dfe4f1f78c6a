"""/docs renders Swagger UI offline, from this site only, under the site's CSP (attack run: it loaded
Swagger UI from a CDN: blank offline, no Subresource Integrity, outside the CSP)."""

from __future__ import annotations

from playwright.sync_api import Page, Route

from core.web import CONTENT_SECURITY_POLICY


def test_the_api_docs_render_offline_under_the_site_csp(live_server: str, page: Page) -> None:
    elsewhere: list[str] = []

    def offline(route: Route) -> None:  # the machine has no network: anything else is refused
        if route.request.url.startswith(live_server + "/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    response = page.goto(live_server + "/docs")
    assert response is not None
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".info .title").inner_text().startswith("Skills Passport")
    assert page.locator(".opblock").count() > 50  # every operation of the API is listed
    page.locator(".opblock-summary", has_text="/health").first.click()
    page.wait_for_selector(".opblock.is-open")
    assert elsewhere == []
    assert problems == []
    inline = page.evaluate("[...document.scripts].filter(script => !script.src).length")
    assert inline == 0
