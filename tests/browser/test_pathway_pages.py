"""Pathway pages in a real browser, from the demo data: the demo learner's passport home shows the Net
Zero pathway part-way, the learner's pathway page the next step and who offers it, and the public pages
every step and provider; each at phone and desktop width, checked with axe. Screenshots go to
/tmp/shots/pathways/ (set PASSPORT_SHOTS to change it), never into the repository."""

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
from passport.config import PassportConfig
from server.app import create_app
from server.seed import seed_demo, seed_demo_learner
from server.settings import Settings
from tests.browser.axe import assert_accessible

SHOTS = Path(os.environ.get("PASSPORT_SHOTS", "/tmp/shots/pathways"))
TITLE = "Net Zero: from heat pump installer to retrofit coordinator"


@pytest.fixture
def demo_server(live_settings: tuple[Settings, socket.socket]) -> Iterator[tuple[str, str, str]]:
    """The app with the demo data, served on loopback; yields its URL and the demo learner's sign-in."""
    settings, listener = live_settings
    app = create_app(settings)
    now = datetime.now(UTC)
    with transaction(services_of(app).get(Database).sessions) as session:
        learner = seed_demo_learner(session, services_of(app).get(PassportConfig), now)
        seed_demo(session, services_of(app).get(IssuerConfig), now)
    assert learner is not None
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield settings.base_url, *learner
    server.should_exit = True
    thread.join(timeout=10)
    services_of(app).get(Database).engine.dispose()


@pytest.mark.parametrize("width", [390, 1280])
def test_pathway_pages_for_the_learner_and_the_public(
    demo_server: tuple[str, str, str], browser: Browser, width: int
) -> None:
    base, email, password = demo_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(base + "/passport/sign-in")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("main button[type=submit]")
        page.wait_for_url(base + "/passport")
        section = page.locator("section.pathways")
        assert section.get_by_role("link", name=TITLE).is_visible()
        assert "2 of 3 steps done" in section.inner_text()
        assert "University of the Midlands" in section.inner_text()
        section.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"passport-home-{width}.png"), full_page=True)
        assert_accessible(page)

        section.get_by_role("link", name=TITLE).click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="Retrofit coordination").is_visible()
        assert "Domestic Retrofit Coordination (Level 5)" in page.inner_text("main")
        page.screenshot(path=str(SHOTS / f"passport-pathway-{width}.png"), full_page=True)
        assert_accessible(page)

        page.get_by_role("link", name="The pathway, as the network publishes it").click()
        page.wait_for_load_state()
        text = page.inner_text("main")
        for provider in ("Midlands Further Education College", "Northern Institute of Technology"):
            assert provider in text
        page.screenshot(path=str(SHOTS / f"public-pathway-{width}.png"), full_page=True)
        assert_accessible(page)

        page.goto(base + "/pathways?lang=cy")
        assert page.get_by_role("heading", name="Llwybrau dysgu gydol oes").is_visible()
        page.screenshot(path=str(SHOTS / f"public-pathways-cy-{width}.png"), full_page=True)
        assert_accessible(page)
    finally:
        context.close()
