"""Pages checked in a real headless browser: Debian's Chromium driven by Playwright, against the app
served by uvicorn on a loopback port.

Without /usr/bin/chromium these tests are skipped with a reason, unless PASSPORT_REQUIRE_BROWSER is set
(.ci/run sets it after installing Chromium), so CI can never pass by skipping them.
"""

from __future__ import annotations

import base64
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright

from core.services import Database, services_of
from server.app import create_app
from server.settings import Settings
from tests.conftest import ADMIN_TOKEN

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Per module, not per session: Playwright's sync API keeps an event loop running in the main thread while
# it is open, and the anyio tests of other folders (tests/verification/test_admission.py) cannot start
# theirs under it. A module's fixture is closed before the next module's tests run.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("PASSPORT_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def live_settings(database_url: str, tmp_path: Path) -> Iterator[tuple[Settings, socket.socket]]:
    """Settings whose base URL is the loopback address the server will listen on."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    settings = Settings(
        database_url=database_url,
        base_url=f"http://127.0.0.1:{port}",
        master_key=base64.urlsafe_b64encode(bytes(range(32))).decode(),  # type: ignore[arg-type]
        admin_token=ADMIN_TOKEN,  # type: ignore[arg-type]
        master_key_file=tmp_path / "unused.key",
        admin_token_file=tmp_path / "unused.token",
    )
    yield settings, listener
    listener.close()


@pytest.fixture
def live_app(live_settings: tuple[Settings, socket.socket]) -> FastAPI:
    """The app `live_server` serves (for a test that reaches into its services)."""
    return create_app(live_settings[0])


@pytest.fixture
def live_server(live_settings: tuple[Settings, socket.socket], live_app: FastAPI) -> Iterator[str]:
    """The app served on loopback in a thread; yields its base URL."""
    settings, listener = live_settings
    app = live_app
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield settings.base_url
    server.should_exit = True
    thread.join(timeout=10)
    services_of(app).get(Database).engine.dispose()
