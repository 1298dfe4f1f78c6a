"""The employer page's approval block in headless Chromium: "Approved under <scheme> on <date>" for an
approved achievement, in English and Welsh, on a phone (390 px) and a desktop (1280 px), then withdrawn;
axe-core on each. ``PASSPORT_SCREENSHOTS=<folder>`` keeps a screenshot of each."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.test_employer_page import api, college, issue, visible_verdict
from tests.conftest import ADMIN_TOKEN
from tests.issuers.conftest import COURSE

__all__ = ["api", "college"]

OPERATOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
STATEMENT = "Assessed by two qualified assessors; internally verified and moderated each term."


def _screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("PASSPORT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def approve_and_issue(api: httpx.Client, college: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    key = {"Authorization": f"Bearer {college['api_key']}"}
    first = issue(api, college, COURSE)  # creates the achievement
    achievement_id = first["credential"]["credentialSubject"]["achievement"]["id"].rsplit("/", 1)[1]
    submitted = api.post(
        "/api/v1/approvals",
        json={"achievement_id": achievement_id, "quality_statement": STATEMENT},
        headers=key,
    )
    assert submitted.status_code == 201, submitted.text
    approval_id: str = submitted.json()["id"]
    assert api.post(f"/api/v1/admin/approvals/{approval_id}/approve", headers=OPERATOR).status_code == 200
    body = {"achievement_id": achievement_id, "recipient": {"email": "sam@example.com", "name": "Sam Jones"}}
    issued = api.post("/api/v1/credentials", json=body, headers=key)
    assert issued.status_code == 201, issued.text
    result: dict[str, Any] = issued.json()
    return approval_id, result


@pytest.mark.parametrize("width", [390, 1280])
def test_an_approved_achievement_in_both_languages(
    page: Page, api: httpx.Client, college: dict[str, Any], width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    _, issued = approve_and_issue(api, college)
    page.goto(issued["verification_url"] + "?lang=en")
    assert visible_verdict(page) == "Valid"
    line = page.locator(".approval strong")
    expect(line).to_be_visible()
    assert line.inner_text().startswith("Approved under Skills Passport Quality Scheme on ")
    # The line fits the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)
    _screenshot(page, f"approval-en-{width}")
    page.goto(issued["verification_url"] + "?lang=cy")
    expect(page.locator(".approval strong")).to_contain_text(
        "Cymeradwywyd o dan Skills Passport Quality Scheme ar"
    )
    assert_accessible(page)
    _screenshot(page, f"approval-cy-{width}")


def test_a_withdrawn_approval(page: Page, api: httpx.Client, college: dict[str, Any]) -> None:
    page.set_viewport_size({"width": 390, "height": 900})
    approval_id, issued = approve_and_issue(api, college)
    withdrawn = api.post(
        f"/api/v1/admin/approvals/{approval_id}/withdraw", json={"reason": "No moderator"}, headers=OPERATOR
    )
    assert withdrawn.status_code == 200, withdrawn.text
    page.goto(issued["verification_url"] + "?lang=en")
    assert visible_verdict(page) == "Valid"  # the credential itself is unaffected
    expect(page.locator(".approval strong")).to_have_text(
        "Approval under Skills Passport Quality Scheme withdrawn"
    )
    assert_accessible(page)
    _screenshot(page, "approval-withdrawn-390")
