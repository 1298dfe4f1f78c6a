"""The learner's other pages in a real browser, in English and Welsh: a credential's exports, the
whole-passport CLR page with what it leaves out, the account page (password, reminders), the password
change, and the claim page of a revoked credential. axe-core on each; nothing wider than 390 px.

``PASSPORT_SCREENSHOTS=<folder>`` keeps a screenshot of each page at 390 and 1280 px.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.browser.test_learner_journey import (
    PASSWORD,
    Provider,
    checked_page,
    emailed_link,
    press_enter,
    type_into,
)

HEADINGS = {
    "en": {"clr": "Comprehensive Learner Record", "revoked": "This credential has been revoked"},
    "cy": {"clr": "Cofnod Cynhwysfawr y Dysgwr (CLR)", "revoked": "Mae'r tystlythyr hwn wedi'i ddirymu"},
}


@pytest.mark.parametrize("language", ["en", "cy"])
def test_exports_clr_account_and_a_revoked_claim(live_server: str, page: Page, language: str) -> None:
    email = f"sam.{language}@example.com"
    provider = Provider(live_server)
    provider.issue("Heat Pump Installation (Level 3)", email)
    revoked = provider.issue("Gas Safety (Level 2)", f"other.{language}@example.com")
    response = provider.api.post(
        f"/api/v1/credentials/{revoked}/revoke", json={"reason": "Issued in error"}, headers=provider.key
    )
    assert response.status_code == 200, response.text
    # A VC-JWT credential: the CLR leaves it out and says why.
    achievement = provider.api.post(
        "/api/v1/achievements",
        json={"kind": "course", "name": "Solar PV (Level 3)", "description": "d", "criteria_narrative": "c"},
        headers=provider.key,
    ).json()["id"]
    body = {"achievement_id": achievement, "recipient": {"email": email}, "format": "jwt"}
    assert provider.api.post("/api/v1/credentials", json=body, headers=provider.key).status_code == 201
    provider.close()
    page.set_viewport_size({"width": 390, "height": 900})

    claim = emailed_link(live_server, f"other.{language}@example.com", "/passport/claim/")
    page.goto(f"{claim}?lang={language}")
    assert page.get_by_role("heading", level=1).inner_text() == HEADINGS[language]["revoked"]
    assert "Issued in error" in page.locator("main .verdict").inner_text()
    checked_page(page, f"{language}-claim-revoked")

    page.goto(f"{live_server}/passport/sign-up?lang={language}")
    type_into(page, "#email", email)
    type_into(page, "#password", PASSWORD)
    type_into(page, "#password_confirmation", PASSWORD)
    press_enter(page)
    page.goto(emailed_link(live_server, email, "/passport/confirm/"))
    type_into(page, "#password", PASSWORD)
    press_enter(page)

    page.get_by_role("link", name="Heat Pump Installation (Level 3)").click()
    page.wait_for_load_state()
    assert page.locator(".export-list li").count() == 5
    checked_page(page, f"{language}-credential")

    page.goto(live_server + "/passport/clr")
    assert page.get_by_role("heading", level=1).inner_text() == HEADINGS[language]["clr"]
    assert page.locator("ul.left-out li[data-reason='vc_jwt_only']").count() == 1
    checked_page(page, f"{language}-clr")

    page.goto(live_server + "/passport/account")
    checked_page(page, f"{language}-account")
    page.goto(live_server + "/passport/account/password")
    type_into(page, "#current_password", "not my password")
    type_into(page, "#password", "short")
    type_into(page, "#password_confirmation", "short")
    press_enter(page)
    assert page.locator("#password-error").is_visible()
    checked_page(page, f"{language}-password-error")
    assert re.search(r"/passport/account/password$", page.url)
