"""Partnerships' pathway pages in a real browser, from the demo data: the demo partnership's pathways
officer creates a pathway in the console, sees a definition that could never be met refused, saves and
publishes it; the demo learner sees the Net Zero pathway part way and the approval line on a credential.
Each at phone and desktop width, checked with axe. Screenshots go to /tmp/shots/partnerships/ (set
PASSPORT_SHOTS to change it), never into the repository."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser

from core.db import transaction
from core.services import Database, services_of
from issuers.service import IssuerConfig
from issuers.staff.accounts import StaffConfig
from network.trust import TrustConfig
from passport.config import PassportConfig
from server.app import create_app
from server.seed import seed_demo, seed_demo_learner
from server.seed_partnerships import seed_partnership_staff
from server.settings import Settings
from tests.browser.axe import assert_accessible

SHOTS = Path(os.environ.get("PASSPORT_SHOTS", "/tmp/shots/partnerships"))
NET_ZERO = "Net Zero: from heat pump installer to retrofit coordinator"


@pytest.fixture
def demo(live_settings: tuple[Settings, socket.socket]) -> Iterator[dict[str, str]]:
    """The app with the demo data (approvals too), served on loopback."""
    settings, listener = live_settings
    app = create_app(settings)
    now = datetime.now(UTC)
    services = services_of(app)
    with transaction(services.get(Database).sessions) as session:
        learner = seed_demo_learner(session, services.get(PassportConfig), now)
        seed_demo(session, services.get(IssuerConfig), now, services.get(TrustConfig))
        [(_, _, staff_email, staff_password)] = seed_partnership_staff(
            session, services.get(StaffConfig), now
        )
    assert learner is not None
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield {
        "base": settings.base_url,
        "learner": learner[0],
        "learner_password": learner[1],
        "staff": staff_email,
        "staff_password": staff_password,
    }
    server.should_exit = True
    thread.join(timeout=10)
    services.get(Database).engine.dispose()


@pytest.mark.parametrize("width", [390, 1280])
def test_partnership_staff_create_and_publish_a_pathway(
    demo: dict[str, str], browser: Browser, width: int
) -> None:
    base = demo["base"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(base + "/console/sign-in?next=/console/pathways")
        page.fill("#email", demo["staff"])
        page.fill("#password", demo["staff_password"])
        page.click("main button[type=submit]")
        page.wait_for_url(base + "/console/pathways")
        assert page.get_by_role("link", name=NET_ZERO).is_visible()
        page.screenshot(path=str(SHOTS / f"console-pathways-{width}.png"), full_page=True)
        assert_accessible(page)

        page.get_by_role("link", name="New pathway").click()
        page.wait_for_load_state()
        page.fill("#title", "Heat pumps, then retrofit")
        page.fill("#region", "West Midlands")
        page.fill("#step-0-title", "Heat pumps")
        page.select_option(
            "#step-0-achievements",
            label="Heat Pump Installation (Level 3) — Midlands Further Education College",
        )
        page.fill("#step-1-title", "Retrofit")
        page.select_option(
            "#step-1-achievements",
            label="Domestic Retrofit Coordination (Level 5) — University of the Midlands",
        )
        page.fill("#step-1-after", "2")  # after itself: a circle
        page.click("form.pathway-form button[type=submit]")
        page.wait_for_load_state()
        alert = page.get_by_role("alert")
        assert "order goes round in a circle" in alert.inner_text()
        assert page.input_value("#title") == "Heat pumps, then retrofit"  # the form kept as sent
        page.screenshot(path=str(SHOTS / f"console-pathway-error-{width}.png"), full_page=True)
        assert_accessible(page)

        page.fill("#step-1-after", "1")
        page.click("form.pathway-form button[type=submit]")
        page.wait_for_load_state()
        assert "Pathway saved as a draft" in page.inner_text("main")
        assert page.locator("dd[data-state]").get_attribute("data-state") == "draft"
        page.get_by_role("button", name="Publish").click()
        page.wait_for_load_state()
        assert "Pathway published." in page.inner_text("main")
        assert page.locator("dd[data-state]").get_attribute("data-state") == "published"
        page.screenshot(path=str(SHOTS / f"console-pathway-detail-{width}.png"), full_page=True)
        assert_accessible(page)

        page.goto(base + "/pathways")
        assert page.get_by_role("link", name="Heat pumps, then retrofit").is_visible()

        page.goto(base + "/console/pathways")
        page.get_by_role("link", name=NET_ZERO).click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="Milestones issued").is_visible()
        assert page.get_by_role("button", name="Revoke").count() == 1  # the learner who completed it
        page.screenshot(path=str(SHOTS / f"console-net-zero-{width}.png"), full_page=True)
        assert_accessible(page)
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_learner_sees_progress_and_the_approval_line(
    demo: dict[str, str], browser: Browser, width: int
) -> None:
    base = demo["base"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(base + "/passport/sign-in")
        page.fill("#email", demo["learner"])
        page.fill("#password", demo["learner_password"])
        page.click("main button[type=submit]")
        page.wait_for_url(base + "/passport")
        assert "2 of 3 steps done" in page.locator("section.pathways").inner_text()
        card = page.locator("li.credential-card", has_text="Heat Pump Installation (Level 3)")
        line = card.locator(".approval-line")
        assert line.inner_text().startswith("Approved under Skills Passport Quality Scheme on ")
        page.screenshot(path=str(SHOTS / f"passport-home-{width}.png"), full_page=True)
        assert_accessible(page)

        card.get_by_role("link", name="Heat Pump Installation (Level 3)").click()
        page.wait_for_load_state()
        assert page.locator("dd.approval-line").get_attribute("data-approval") == "approved"
        page.screenshot(path=str(SHOTS / f"passport-credential-{width}.png"), full_page=True)
        assert_accessible(page)
        page.goto(page.url + "?lang=cy")
        assert (
            "Cymeradwywyd o dan Skills Passport Quality Scheme ar "
            in page.locator("dd.approval-line").inner_text()
        )
        page.screenshot(path=str(SHOTS / f"passport-credential-cy-{width}.png"), full_page=True)
        assert_accessible(page)
    finally:
        context.close()
