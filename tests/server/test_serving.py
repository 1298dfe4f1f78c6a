"""The app as `passport serve` runs it (uvicorn with `server.workers.uvicorn_options`), on a loopback port:
whom ``X-Forwarded-For`` is believed from, and what the access log records."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request

from core.clients import client_address
from core.services import Database, services_of
from server.app import create_app
from server.settings import Settings
from server.workers import uvicorn_options


@dataclass
class Served:
    url: str
    app: FastAPI


def serve(settings: Settings) -> Iterator[Served]:
    """The app behind uvicorn in a thread, with a route that says which client address the app sees."""
    app = create_app(settings)

    @app.get("/test/client-address")
    def seen(request: Request) -> dict[str, str]:
        return {"client": client_address(request)}

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, lifespan="on", **uvicorn_options("info", access_log=True))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        assert thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield Served(f"http://127.0.0.1:{listener.getsockname()[1]}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
        services_of(app).get(Database).engine.dispose()


@pytest.fixture
def served(settings: Settings) -> Iterator[Served]:
    yield from serve(settings)


def seen_as(url: str, forwarded_for: str | None = None) -> str:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    answer: str = httpx.get(f"{url}/test/client-address", headers=headers, timeout=10).json()["client"]
    return answer


def test_x_forwarded_for_is_believed_from_no_one_by_default(served: Served) -> None:
    """Attack run: a client on loopback set X-Forwarded-For and was believed (uvicorn trusts loopback),
    so each request of a password-guessing run came from "another" address."""
    assert seen_as(served.url) == "127.0.0.1"
    assert seen_as(served.url, "203.0.113.9") == "127.0.0.1"


def test_x_forwarded_for_is_believed_from_a_configured_proxy(settings: Settings) -> None:
    behind_proxy = settings.model_copy(update={"trusted_proxies": ["127.0.0.0/8"]})
    for served in serve(behind_proxy):
        assert seen_as(served.url, "203.0.113.9") == "203.0.113.9"
        # What the client wrote itself, left of what the proxy added, proves nothing.
        assert seen_as(served.url, "198.51.100.1, 203.0.113.9") == "203.0.113.9"
        assert seen_as(served.url, "not-an-address") == "127.0.0.1"
        assert seen_as(served.url) == "127.0.0.1"


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_the_access_log_records_no_capability_url(served: Served) -> None:
    """Attack run: the access log held share, claim, confirm and verify links, each usable by whoever
    reads it. The path and query are logged with every secret-looking part replaced."""
    records = Records()
    access = logging.getLogger("uvicorn.access")
    access.addHandler(records)  # after uvicorn configured its logging, which replaces handlers
    secret = "Zq3t0S9x-c_Jb1YkV6n2Lw8hPp4RmAa7UdEe5FfGgHh"
    paths = [
        f"/shared/{secret}",
        f"/passport/claim/{secret}",
        f"/passport/confirm/{secret}?next=/passport",
        f"/passport/verify/{secret}",
        "/credentials/0123456789abcdef0123456789abcdef",
        f"/anything?token={secret}",
    ]
    try:
        for path in paths:
            httpx.get(served.url + path, timeout=10)
    finally:
        access.removeHandler(records)
    logged = "\n".join(records.lines)
    assert len(records.lines) == len(paths), logged
    assert secret not in logged, logged
    assert "0123456789abcdef" not in logged, logged
    assert '"GET /shared/[redacted] HTTP/1.1" 4' in logged
    assert '"GET /passport/confirm/[redacted]?next=/passport HTTP/1.1"' in logged
