"""Helpers for the staff tests: an app with a settable clock and cheap password hashing, browsers that
fill in forms as a person would, and staff members made the way a real one is (invited by the operator
or an administrator, the emailed link opened, a password chosen)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.deps import get_now
from core.services import Database, services_of
from issuers.staff.accounts import StaffConfig
from passport.models import OutboxMessage
from server.app import create_app
from server.settings import Settings
from tests.conftest import ADMIN_TOKEN, BASE_URL, CHEAP_PASSWORDS, PASSWORD, Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def app(settings: Settings, clock: Clock) -> Iterator[FastAPI]:
    application = create_app(settings)
    application.dependency_overrides[get_now] = clock
    services = services_of(application)
    services.replace(replace(services.get(StaffConfig), passwords=CHEAP_PASSWORDS))
    yield application
    services.get(Database).engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


def operator_auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def assert_problem(response: Any, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    assert response.json()["type"] == f"{BASE_URL}/problems/{slug}"


def assert_page_problem(response: Any, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert f'<meta name="problem-type" content="{BASE_URL}/problems/{slug}">' in response.text


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def emailed_link(app: FastAPI, email: str, path: str) -> str:
    """The path of the newest link emailed to ``email`` that starts with ``path``."""
    with services_of(app).get(Database).sessions() as session:
        bodies = session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.to_email == email.lower())
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id)
        ).all()
    for body in bodies:
        found = re.search(re.escape(BASE_URL + path) + r"[A-Za-z0-9_-]+", body)
        if found:
            return found.group(0).removeprefix(BASE_URL)
    raise AssertionError(f"no {path} link was emailed to {email}")


@dataclass
class Browser:
    """One person's browser: its own cookies."""

    http: TestClient

    @classmethod
    def open(cls, app: FastAPI, address: str = "testclient") -> Browser:
        return cls(TestClient(app, base_url=BASE_URL, follow_redirects=False, client=(address, 50000)))

    def get(self, path: str) -> Any:
        return self.http.get(path)

    def submit(self, form_page: str, action: str, **fields: str) -> Any:
        page = self.http.get(form_page)
        assert page.status_code == 200, page.text
        return self.http.post(action, data={"csrf_token": csrf_of(page.text), **fields})

    def csrf(self, page: str) -> str:
        return csrf_of(self.http.get(page).text)

    def sign_in(self, realm: str, email: str, password: str = PASSWORD) -> Any:
        return self.submit(f"/{realm}/sign-in", f"/{realm}/sign-in", email=email, password=password)


def accept(app: FastAPI, email: str, realm: str = "console", password: str = PASSWORD) -> Browser:
    """Open the invitation emailed to ``email``, choose a password: a browser signed in."""
    browser = Browser.open(app)
    link = emailed_link(app, email, f"/{realm}/invitations/")
    response = browser.submit(link, link, password=password, password_confirmation=password)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/{realm}?done=welcome"
    return browser


def invite_provider_staff(client: TestClient, provider_id: str, email: str, role: str, name: str = "") -> Any:
    response = client.post(
        f"/api/v1/admin/issuers/{provider_id}/staff",
        json={"email": email, "name": name or email.split("@")[0].title(), "role": role},
        headers=operator_auth(),
    )
    assert response.status_code == 201, response.text
    return response.json()


def provider_staff(app: FastAPI, client: TestClient, provider_id: str, email: str, role: str) -> Browser:
    """A provider's staff member, invited by the operator, signed in to the console."""
    invite_provider_staff(client, provider_id, email, role)
    return accept(app, email)


def operator_staff(app: FastAPI, client: TestClient, email: str, role: str = "operator_admin") -> Browser:
    response = client.post(
        "/api/v1/admin/staff",
        json={"email": email, "name": "Olu Operator", "role": role},
        headers=operator_auth(),
    )
    assert response.status_code == 201, response.text
    return accept(app, email, "operator")
