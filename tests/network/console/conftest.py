"""The operator console's tests: the staff tests' app (a settable clock, cheap password hashing) and
browsers that sign in as a person would; a provider with an achievement submitted for approval."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.services import Database, services_of
from issuers.staff.models import StaffMember
from tests.issuers.conftest import auth, create_achievement, create_provider
from tests.issuers.staff.conftest import Browser, accept, app, client, clock, operator_auth

__all__ = ["app", "client", "clock", "submitted"]

STATEMENT = "Assessed by two qualified assessors; internally verified and moderated each term."


def submit(client: TestClient, key: str, achievement_id: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/approvals",
        json={"achievement_id": achievement_id, "quality_statement": STATEMENT},
        headers=auth(key),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def submitted(client: TestClient) -> dict[str, Any]:
    """A provider's achievement submitted for approval, with the provider."""
    provider = create_provider(client, "Midlands College")
    achievement_id = create_achievement(client, provider["api_key"])
    approval = submit(client, provider["api_key"], achievement_id)
    return {"provider": provider, "achievement_id": achievement_id, "approval": approval}


def member_id(app: FastAPI, email: str) -> str:
    with services_of(app).get(Database).sessions() as session:
        found = session.scalar(select(StaffMember.id).where(StaffMember.email == email))
    assert found is not None, email
    return found


def staff(app: FastAPI, client: TestClient, email: str, role: str) -> Browser:
    """An operator staff member named after their address ("ada@..." is "Ada"), signed in."""
    response = client.post(
        "/api/v1/admin/staff",
        json={"email": email, "name": email.split("@")[0].title(), "role": role},
        headers=operator_auth(),
    )
    assert response.status_code == 201, response.text
    return accept(app, email, "operator")
