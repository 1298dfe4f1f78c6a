"""The demo data's staff sign in with the details `passport serve --demo` prints, each in their role."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.db import transaction
from core.services import Database, services_of
from issuers.service import IssuerConfig
from issuers.staff.accounts import StaffConfig
from server.seed import seed_demo, seed_demo_staff
from tests.issuers.staff.conftest import Browser


def test_the_demo_staff_sign_in_in_their_roles(client: TestClient, app: FastAPI) -> None:
    now = datetime.now(UTC)
    services = services_of(app)
    with transaction(services.get(Database).sessions) as session:
        keys = seed_demo(session, services.get(IssuerConfig), now)
        assert keys is not None
        college = keys["Midlands Further Education College"]["id"]
        staff = seed_demo_staff(session, services.get(StaffConfig), college, now)
    assert [(realm, role) for realm, role, _, _ in staff] == [
        ("console", "admin"),
        ("console", "issuer"),
        ("console", "viewer"),
        ("operator", "operator_admin"),
        ("operator", "assessor"),
    ]
    for realm, role, email, password in staff:
        browser = Browser.open(app)
        assert browser.sign_in(realm, email, password).status_code == 303, (realm, email)
        home = browser.get(f"/{realm}")
        assert home.status_code == 200
        if realm == "console":
            assert "Midlands Further Education College" in home.text
        staff_page = browser.get(f"/{realm}/staff")
        assert staff_page.status_code == (200 if role in ("admin", "operator_admin") else 403)
