"""The public achievement page (the achievement's `url`) in headless Chromium: what it is and who offers
it, an edited achievement's older version, an archived one; on a phone and a desktop; no serious
accessibility violation; Welsh. Screenshots go to /tmp/shots/providerapi/ (looked at, never committed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.conftest import ADMIN_TOKEN
from tests.issuers.conftest import COURSE

SHOTS = Path("/tmp/shots/providerapi")


@pytest.fixture
def achievement(live_server: str) -> Iterator[dict[str, Any]]:
    with httpx.Client(base_url=live_server, timeout=30) as api:
        created = api.post(
            "/api/v1/admin/issuers",
            json={"name": "Midlands College", "url": "https://college.example.ac.uk"},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        key = {"Authorization": f"Bearer {created.json()['api_key']}"}
        body = COURSE | {"criteria_url": "https://college.example.ac.uk/heat-pumps", "tags": ["Net zero"]}
        made = api.post("/api/v1/achievements", json=body, headers=key).json()
        edited = api.patch(
            f"/api/v1/achievements/{made['id']}", json={"name": "Heat Pump Installation 2027"}, headers=key
        )
        assert edited.status_code == 200, edited.text
        yield made | {"key": key, "api": live_server}


@pytest.mark.parametrize("width", [390, 1280])
def test_the_achievement_page(page: Page, achievement: dict[str, Any], width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(achievement["url"] + "?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Heat Pump Installation 2027")
    expect(page.get_by_text("Midlands College").first).to_be_visible()
    expect(page.get_by_text("RQF 3")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing runs off a phone
    assert_accessible(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"achievement-{width}.png"), full_page=True)

    page.goto(achievement["url"] + "?version=1")
    expect(page.get_by_role("heading", level=1)).to_have_text(COURSE["name"])
    expect(page.get_by_text("This is version 1 of the achievement")).to_be_visible()
    page.get_by_role("link", name="See the current version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Heat Pump Installation 2027")
    assert_accessible(page)


def test_an_archived_achievement_in_welsh(page: Page, achievement: dict[str, Any]) -> None:
    with httpx.Client(base_url=achievement["api"], timeout=30) as api:
        archived = api.post(f"/api/v1/achievements/{achievement['id']}/archive", headers=achievement["key"])
        assert archived.status_code == 200
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(achievement["url"] + "?lang=cy")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_text("Nid yw Midlands College yn cyhoeddi'r cyflawniad hwn mwyach")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "achievement-archived-cy-390.png"), full_page=True)
    page.goto(achievement["url"].rsplit("/", 1)[0] + "/" + "0" * 32)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
