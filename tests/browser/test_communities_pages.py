"""Communities of practice in a real browser, from the demo data: the operator's administrator reads
the communities and the Net Zero community and is refused a rule that can never be met; the college's
issuer (a coordinator) adds a session from the console; the public community page and the learner's
communities page. Each page at phone and desktop width, checked with axe. Screenshots go to
/tmp/shots/communities/ (set PASSPORT_SHOTS to change it), never into the repository."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page

from core.db import transaction
from core.services import Database, services_of
from issuers.service import IssuerConfig
from issuers.staff.accounts import StaffConfig
from passport.config import PassportConfig
from server.app import create_app
from server.seed import seed_demo, seed_demo_learner, seed_demo_staff
from server.settings import Settings
from tests.browser.axe import assert_accessible

SHOTS = Path(os.environ.get("PASSPORT_SHOTS", "/tmp/shots/communities"))


@pytest.fixture
def demo_server(live_settings: tuple[Settings, socket.socket]) -> Iterator[dict[str, Any]]:
    settings, listener = live_settings
    app = create_app(settings)
    now = datetime.now(UTC)
    services = services_of(app)
    with transaction(services.get(Database).sessions) as session:
        learner = seed_demo_learner(session, services.get(PassportConfig), now)
        keys = seed_demo(session, services.get(IssuerConfig), now)
        assert keys is not None
        staff = seed_demo_staff(
            session, services.get(StaffConfig), keys["Midlands Further Education College"]["id"], now
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
        "learner": learner,
        "staff": {(realm, role): (email, password) for realm, role, email, password in staff},
    }
    server.should_exit = True
    thread.join(timeout=10)
    services.get(Database).engine.dispose()


def check(page: Page, name: str, width: int) -> None:
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def sign_in(page: Page, base: str, path: str, email: str, password: str) -> None:
    page.goto(base + path)
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("width", [390, 1280])
def test_community_pages_for_the_operator_the_coordinator_and_the_public(
    demo_server: dict[str, Any], browser: Browser, width: int
) -> None:
    base = demo_server["base"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, base, "/operator/sign-in", *demo_server["staff"][("operator", "operator_admin")])
        page.goto(base + "/operator/communities")
        assert page.get_by_role("link", name="Net Zero").is_visible()
        assert "Northern Institute of Technology" in page.inner_text("main")
        check(page, "operator-communities", width)
        page.get_by_role("link", name="Net Zero").click()
        page.wait_for_load_state()
        assert "attend 4 of the last 6 sessions; contribute 1 case study" in page.inner_text("main")
        assert "Priya Tutor" in page.inner_text("main")
        assert (
            "Not yet: attended 2 of the 4 sessions needed; 0 of the 1 contribution needed (case study)"
            in (page.inner_text("main"))
        )
        assert "Issued on" in page.inner_text("#participation ~ div")
        check(page, "operator-community", width)

        page.fill("#attended_at_least", "9")
        page.fill("#attended_of_last", "3")
        page.get_by_role("button", name="Save rule").click()
        page.wait_for_load_state()
        assert "attending 9 of the last 3 sessions can never happen" in page.inner_text("[role=alert]")
        assert page.input_value("#attended_at_least") == "9"
        check(page, "operator-community-refused-rule", width)

        console = context.new_page()
        sign_in(console, base, "/console/sign-in", *demo_server["staff"][("console", "issuer")])
        console.goto(base + "/console/communities")
        assert console.get_by_role("link", name="Communities").first.is_visible()
        check(console, "console-communities", width)
        console.get_by_role("link", name="Net Zero").click()
        console.wait_for_load_state()
        console.fill("#session-title", "Retrofit coordinators' round table")
        console.fill("#session-starts", "2027-01-20T15:00")
        console.fill("#session-online", "https://meet.example.org/round-table")
        console.get_by_role("button", name="Add session").click()
        console.wait_for_url("**done=session**")
        assert "Session added." in console.inner_text("[role=status]")
        assert "Retrofit coordinators' round table" in console.inner_text("#sessions ~ div")
        check(console, "console-community", width)

        public_url = page.get_by_role("link", name=base + "/communities/").first.get_attribute("href")
        assert public_url is not None
        page.goto(public_url)
        assert "Electric vehicle maintenance" in page.inner_text("main")
        assert "Issued by" in page.inner_text("main") or "issued by" in page.inner_text("main")
        check(page, "public-community", width)

        learner = context.new_page()
        sign_in(learner, base, "/passport/sign-in", *demo_server["learner"])
        learner.goto(base + "/passport/communities")
        assert learner.get_by_role("link", name="Net Zero").is_visible()
        check(learner, "passport-communities", width)
    finally:
        context.close()
