"""Concurrent claims through one code, over HTTP against the app served by uvicorn (threads of real
clients, each its own connection): capacity and one-per-person hold on SQLite and on PostgreSQL
(PASSPORT_TEST_DATABASE_URL). The served app's claim worker is stopped; each test issues the confirmed
claims by hand, after the race, to count the credentials."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn

from core.services import Database, services_of
from issuers.service import IssuerConfig
from passport.claim_codes.issuing import ClaimWorker
from server.app import create_app
from server.settings import Settings
from tests.issuers.conftest import COURSE, auth, create_provider

THREADS = 8


@dataclass
class Live:
    url: str
    issue_claims: Callable[[], int]


@pytest.fixture
def live(settings: Settings) -> Iterator[Live]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    served = settings.model_copy(update={"base_url": url, "claim_requests_per_client": 10_000})
    app = create_app(served)
    services = services_of(app)
    services.get(ClaimWorker).stop()
    by_hand = ClaimWorker(services.get(Database).sessions, services.get(IssuerConfig))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        assert thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield Live(url, by_hand.run_once)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
        services_of(app).get(Database).engine.dispose()


def _code(http: httpx.Client, capacity: int | None) -> tuple[str, dict[str, Any]]:
    key = create_provider(http)["api_key"]  # type: ignore[arg-type]
    achievement = http.post("/api/v1/achievements", json=COURSE, headers=auth(key))
    assert achievement.status_code == 201, achievement.text
    now = datetime.now(UTC)
    body = {
        "achievement_id": achievement.json()["id"],
        "event_name": "Open day",
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(hours=1)).isoformat(),
        "capacity": capacity,
    }
    code = http.post("/api/v1/claim-codes", json=body, headers=auth(key))
    assert code.status_code == 201, code.text
    return key, code.json()


def _links(http: httpx.Client, code: str) -> dict[str, list[str]]:
    """Every confirmation link in the development outbox, by address."""
    messages = http.get("/dev/outbox.json").json()
    found: dict[str, list[str]] = {}
    for message in messages:
        match = re.search(rf"/c/{code}/confirm/[A-Za-z0-9_-]+", message["body"])
        if match:
            found.setdefault(message["to"], []).append(match.group(0))
    return found


def _confirm(base: str, link: str, start: threading.Barrier) -> tuple[int, str]:
    """One person's browser: load the confirmation page (for its CSRF token), wait for the others, post."""
    with httpx.Client(base_url=base, follow_redirects=False, timeout=120) as browser:
        form = browser.get(link)
        if form.status_code != 200:
            start.wait()
            return form.status_code, _problem(form.text)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        start.wait()
        answer = browser.post(link, data={"csrf_token": token.group(1)})
        return answer.status_code, _problem(answer.text)


def _problem(html: str) -> str:
    problem = re.search(r'name="problem-type" content="[^"]*/problems/([a-z-]+)"', html)
    return problem.group(1) if problem else ""


def _all_at_once(base: str, links: list[str]) -> list[tuple[int, str]]:
    start = threading.Barrier(len(links))
    results: list[tuple[int, str]] = [(0, "")] * len(links)

    def run(index: int) -> None:
        results[index] = _confirm(base, links[index], start)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(links))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def _issued(http: httpx.Client, key: str) -> list[str]:
    body = http.get("/api/v1/credentials", headers=auth(key)).json()
    items = body["items"] if isinstance(body, dict) else body
    return [item["recipient"]["email"] if "recipient" in item else item["recipient_email"] for item in items]


def test_concurrent_confirmations_never_pass_the_capacity(live: Live) -> None:
    with httpx.Client(base_url=live.url, timeout=60) as http:
        key, code = _code(http, capacity=3)
        emails = [f"person{n}@example.com" for n in range(THREADS)]
        for email in emails:
            assert http.post(f"/api/v1/claims/{code['code']}", json={"email": email}).status_code == 202
        links = _links(http, code["code"])
        results = _all_at_once(live.url, [links[email][0] for email in emails])
        assert Counter(results) == {(303, ""): 3, (409, "claim-code-full"): THREADS - 3}
        assert live.issue_claims() == 3
        issued = _issued(http, key)
        assert len(issued) == len(set(issued)) == 3
        assert http.get(f"/api/v1/claim-codes/{code['id']}", headers=auth(key)).json()["claimed"] == 3


def test_one_person_claims_once_however_many_times_at_once(live: Live) -> None:
    with httpx.Client(base_url=live.url, timeout=60) as http:
        key, code = _code(http, capacity=None)

        def ask(_: int) -> int:
            with httpx.Client(base_url=live.url, timeout=60) as own:
                return own.post(
                    f"/api/v1/claims/{code['code']}", json={"email": "sam@example.com"}
                ).status_code

        asked = [0] * THREADS
        threads = [threading.Thread(target=lambda n=n: asked.__setitem__(n, ask(n))) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert Counter(asked) == {202: 3, 429: THREADS - 3}  # one claim row, at most three emails
        sent = _links(http, code["code"])["sam@example.com"]
        assert len(sent) == 3  # each replaced the one before: only the last to commit works
        working = [link for link in sent if httpx.get(f"{live.url}{link}").status_code == 200]
        assert len(working) == 1
        results = _all_at_once(live.url, [sent[n % 3] for n in range(THREADS)])
        # The working link, opened in several browsers at once, confirms once; the others show the claim.
        assert {
            result
            for link, result in zip([sent[n % 3] for n in range(THREADS)], results, strict=True)
            if link in working
        } == {(303, "")}
        assert {
            result
            for link, result in zip([sent[n % 3] for n in range(THREADS)], results, strict=True)
            if link not in working
        } == {(404, "claim-link-not-found")}
        assert http.get(f"/api/v1/claim-codes/{code['id']}", headers=auth(key)).json()["claimed"] == 1
        assert live.issue_claims() == 1
        assert _issued(http, key) == ["sam@example.com"]
