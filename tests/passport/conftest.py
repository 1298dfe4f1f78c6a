"""Helpers for tests that drive the passport through its pages and its API, as a learner would.

The app is the real one on a fresh migrated database (SQLite, or PostgreSQL with
PASSPORT_TEST_DATABASE_URL), with two changes at its ports: a clock the test moves, and argon2 at its
cheapest cost so that tests that sign up many times stay fast (one test checks the production profile).
Each ``Browser`` is its own cookie jar against the same app.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.deps import get_now
from core.services import Database, services_of
from issuers.service import IssuerConfig
from passport.claim_codes.issuing import ClaimWorker
from passport.config import PassportConfig
from server.app import create_app
from server.settings import Settings
from tests.conftest import (
    ADMIN_TOKEN,
    BASE_URL,
    CHEAP_PASSWORDS,
    PASSWORD,
    Clock,
    assert_page_problem,
    assert_problem,
)
from tests.issuers.conftest import COURSE, auth, create_achievement, create_provider
from tests.verification.conftest import FakeWeb

__all__ = [
    "ADMIN_TOKEN",
    "BASE_URL",
    "COURSE",
    "PASSWORD",
    "Browser",
    "Clock",
    "assert_page_problem",
    "assert_problem",
    "auth",
    "create_achievement",
    "create_provider",
]


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))


@pytest.fixture
def web() -> FakeWeb:
    """The network the verifier sees (imported credentials' issuers live here); nothing leaves the process."""
    return FakeWeb()


@pytest.fixture
def app(settings: Settings, clock: Clock, web: FakeWeb) -> Iterator[FastAPI]:
    application = create_app(settings, fetch_transport=web.transport, resolve_host=web.resolve)
    application.dependency_overrides[get_now] = clock
    services = services_of(application)
    services.replace(replace(services.get(PassportConfig), passwords=CHEAP_PASSWORDS))
    yield application
    services_of(application).get(Database).engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def issue_claims(app: FastAPI, clock: Clock) -> Callable[[], int]:
    """The claim worker, driven by the test (the app's own thread is stopped): each call issues every
    confirmed claim waiting, at the test's time, and says how many."""
    services = services_of(app)
    services.get(ClaimWorker).stop()
    return ClaimWorker(services.get(Database).sessions, services.get(IssuerConfig), clock=clock).run_once


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


@dataclass
class Browser:
    """One person's browser: its own cookies, reading forms and submitting them as a person would."""

    http: TestClient

    @classmethod
    def open(cls, app: FastAPI, address: str = "testclient") -> Browser:
        """A browser on a machine at `address` (the client address the service sees)."""
        return cls(TestClient(app, base_url=BASE_URL, follow_redirects=False, client=(address, 50000)))

    def get(self, path: str) -> Any:
        return self.http.get(path)

    def submit(self, form_page: str, action: str, **fields: str) -> Any:
        """Load ``form_page``, take its CSRF token, and post ``fields`` to ``action``."""
        page = self.http.get(form_page)
        assert page.status_code == 200, page.text
        return self.http.post(action, data={"csrf_token": csrf_of(page.text), **fields})

    def sign_up(self, email: str, password: str = PASSWORD) -> None:
        response = self.submit(
            "/passport/sign-up",
            "/passport/sign-up",
            email=email,
            password=password,
            password_confirmation=password,
        )
        assert response.status_code == 200, response.text
        link = last_link(self.http, email, "/passport/confirm/")
        confirmed = self.submit(link, link, password=password)
        assert confirmed.status_code == 303, confirmed.text
        assert confirmed.headers["location"] == "/passport?done=welcome"

    def sign_in(self, email: str, password: str = PASSWORD) -> Any:
        return self.submit("/passport/sign-in", "/passport/sign-in", email=email, password=password)

    def add_address(self, email: str) -> Any:
        return self.submit("/passport/emails", "/passport/emails", email=email)

    def verify_address(self, email: str) -> Any:
        link = last_link(self.http, email, "/passport/verify/")
        return self.submit(link, link)

    def token(self, email: str, password: str = PASSWORD) -> str:
        response = self.http.post("/api/v1/passport/tokens", json={"email": email, "password": password})
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token


#: A client on the service's own machine: the development outbox answers no other (core.clients).
LOOPBACK = ("127.0.0.1", 50000)


def on_this_machine(http: TestClient) -> TestClient:
    """A client of the same app, connecting from loopback, as the developer reading the outbox does."""
    return TestClient(http.app, base_url=BASE_URL, client=LOOPBACK)


def outbox(http: TestClient) -> list[dict[str, Any]]:
    response = on_this_machine(http).get("/dev/outbox.json")
    assert response.status_code == 200
    messages: list[dict[str, Any]] = response.json()
    return messages


def last_link(http: TestClient, email: str, path: str) -> str:
    """The path of the newest link of this kind emailed to ``email`` (as the person would click it)."""
    pattern = re.escape(BASE_URL + path) + r"[A-Za-z0-9_-]+"
    found = [
        (message["created_at"], match.group(0).removeprefix(BASE_URL))
        for message in outbox(http)
        if message["to"] == email.lower()
        for match in [re.search(pattern, message["body"])]
        if match
    ]
    assert found, f"no {path} link was emailed to {email}"
    newest = max(when for when, _ in found)
    links = [link for when, link in found if when == newest]
    assert len(links) == 1, "several links at the same moment: move the clock between them"
    return links[0]


def issue_to(client: TestClient, api_key: str, achievement_id: str, email: str, **extra: Any) -> str:
    body = {"achievement_id": achievement_id, "recipient": {"email": email, "name": "Sam"}, **extra}
    response = client.post("/api/v1/credentials", json=body, headers=auth(api_key))
    assert response.status_code == 201, response.text
    credential_id: str = response.json()["id"]
    return credential_id


def bearer(token: str) -> dict[str, str]:
    return auth(token)
