"""Every staff route, walked with every role of another provider (and of the operator where it does
not belong): 403 or 404 (or sent to sign in, for a realm the session is not of), nothing of the owner's
shown or changed. And within a provider, each role reaches only what it may: a viewer cannot issue."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from issuers.staff.web import ConsoleRoute, OperatorRoute
from tests.issuers.conftest import auth, create_achievement, create_provider
from tests.issuers.staff.conftest import Browser, operator_auth, provider_staff

ROLES = ("admin", "issuer", "viewer")


def _staff_ids(client: TestClient, provider_id: str) -> dict[str, str]:
    listed = client.get(f"/api/v1/admin/issuers/{provider_id}/staff", headers=operator_auth()).json()
    return {member["role"]: member["id"] for member in listed}


STAFF_API = {
    "/api/v1/audit",
    "/api/v1/staff",
    "/api/v1/admin/audit",
    "/api/v1/admin/staff",
    "/api/v1/admin/issuers/{issuer_id}/staff",
}


def _flat(routes: list[Any]) -> list[Any]:
    """Every route, those of included routers too (FastAPI keeps those lazily)."""
    flat: list[Any] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        flat.extend(_flat(included.routes) if included is not None else [route])
    return flat


def _new_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every route this work added: the console's and the operator's pages, the staff and audit API."""
    found = []
    for route in _flat(app.routes):
        path = getattr(route, "path", "")
        is_page = isinstance(route, ConsoleRoute | OperatorRoute)  # not the operator's public documents
        if isinstance(route, APIRoute) and (is_page or path in STAFF_API):
            found.extend((method, path) for method in sorted(route.methods) if method != "HEAD")
    return found


def test_every_staff_route_refuses_every_role_of_another_provider(app: FastAPI, client: TestClient) -> None:
    owner = create_provider(client, "Owner College")
    stranger = create_provider(client, "Stranger College")
    for role in ROLES:
        provider_staff(app, client, owner["id"], f"{role}@owner.example", role)
    strangers = {
        role: provider_staff(app, client, stranger["id"], f"{role}@stranger.example", role) for role in ROLES
    }
    owner_ids = _staff_ids(client, owner["id"])
    before = client.get(f"/api/v1/admin/issuers/{owner['id']}/staff", headers=operator_auth()).json()
    routes = _new_routes(app)
    assert len(routes) >= 25
    walked = 0
    for role, browser in strangers.items():
        csrf = browser.csrf("/console/account")
        for method, path in routes:
            if path == "/console/sign-out":  # acts on the visitor only (and would end the walk)
                continue
            url = re.sub(
                r"{(\w+)}",
                lambda match: {
                    "member_id": owner_ids["admin"],
                    "provider_id": owner["id"],
                    "issuer_id": owner["id"],
                }.get(match.group(1), "x" * 43),
                path,
            )
            data = {"csrf_token": csrf, "role": "viewer", "name": "Mallory", "email": "mallory@evil.example"}
            response = (
                browser.http.get(url)
                if method == "GET"
                else browser.http.post(url, data=data, headers={"X-CSRF-Token": csrf})
            )
            walked += 1
            where = f"{role}: {method} {path} -> {response.status_code}"
            body = response.text
            assert "Owner College" not in body, where
            assert "@owner.example" not in body, where
            if path.startswith("/api/v1/admin/"):
                assert response.status_code == 401, where  # the operator's token only
            elif path.startswith("/operator"):
                # A console session is no operator session: its forms' tokens are not the operator's
                # (403), and its pages send it to the operator's sign-in.
                if method == "POST":
                    assert response.status_code == 403, where
                elif path == "/operator/sign-in":
                    assert response.status_code == 200, where
                elif path.startswith("/operator/invitations"):
                    assert response.status_code == 404, where
                else:
                    assert response.status_code == 303, where
                    assert response.headers["location"].startswith("/operator/sign-in"), where
            elif "{member_id}" in path:
                assert response.status_code == (404 if role == "admin" else 403), where
            elif path.startswith("/console/invitations"):
                assert response.status_code == 404, where
            elif path in ("/console/staff", "/api/v1/staff", "/console/audit", "/api/v1/audit"):
                # The stranger's own list and trail: admins see theirs, others are refused.
                assert response.status_code in ((200, 303) if role == "admin" else (403,)), where
    assert walked == (len(routes) - 1) * len(ROLES)
    after = client.get(f"/api/v1/admin/issuers/{owner['id']}/staff", headers=operator_auth()).json()
    assert after == before
    assert "mallory@evil.example" not in str(after)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_the_provider_api_within_its_role(
    app: FastAPI, client: TestClient, role: str
) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    browser = provider_staff(app, client, provider["id"], f"{role}@college.example", role)
    csrf = browser.csrf("/console/account")
    header = {"X-CSRF-Token": csrf}
    body = {"achievement_id": achievement_id, "recipient": {"email": "sam@example.com"}}

    assert browser.http.get("/api/v1/achievements").status_code == 200  # every role reads
    issued = browser.http.post("/api/v1/credentials", json=body, headers=header)
    keys = browser.http.get("/api/v1/api-keys")
    if role == "viewer":
        assert issued.status_code == 403, issued.text
        assert issued.json()["type"].endswith("/problems/role-not-allowed")
    else:
        assert issued.status_code == 201, issued.text
    assert keys.status_code == (200 if role == "admin" else 403)
    # A change without the CSRF header is refused whatever the role: a cookie alone changes nothing.
    no_csrf = browser.http.post("/api/v1/credentials", json=body)
    assert no_csrf.status_code == 403
    assert no_csrf.json()["type"].endswith("/problems/csrf-token-invalid")


def test_api_keys_keep_working_and_act_as_the_provider(client: TestClient) -> None:
    provider = create_provider(client)
    assert client.get("/api/v1/api-keys", headers=auth(provider["api_key"])).status_code == 200
    assert client.get("/api/v1/audit", headers=auth(provider["api_key"])).status_code == 200
    assert client.get("/api/v1/achievements").status_code == 401  # no key, no session


def test_a_console_session_is_not_an_operator_token(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    browser = provider_staff(app, client, provider["id"], "ada@college.example", "admin")
    assert browser.http.get("/api/v1/admin/issuers").status_code == 401
    assert browser.http.get("/api/v1/admin/audit").status_code == 401
    assert Browser.open(app).get("/operator").headers["location"].startswith("/operator/sign-in")
