"""Every console route (``/console...``, found in the app, so routes added later are walked too), asked
about provider A's rows by every role of provider B, by A's viewer, and signed out:

* B's staff (admin, issuer, viewer): a route naming one of A's rows is 403 or 404, and no page shows
  anything of A's; B's viewer is refused every change (403);
* A's viewer: every change is 403, and A's audit trail shows that nothing changed;
* signed out: every page and every form sends the visitor to sign in.

**Extending it.** A route's path parameters are filled with ids of rows belonging to provider A, made by
`PARAMETERS`: one entry per parameter name, a function that makes (or finds) such a row through the API
and returns its id. A route whose parameter is not in the table fails this test, naming the parameter:
add an entry for it (e.g. ``"cohort_id": lambda a: a.post(...)["id"]``). Routes anyone may open (signing
in, an invitation link, which is its own secret) are listed in `PUBLIC`; a signed-in member's own
account, which every role may change, in `OWN_ACCOUNT`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import transaction
from core.services import Database, services_of
from issuers import service
from issuers.bulk import JobWorker
from issuers.console.issuing import cohorts
from issuers.staff.models import AuditEvent
from tests.conftest import ADMIN_TOKEN
from tests.issuers.conftest import COURSE, auth
from tests.issuers.staff.conftest import Browser, operator_auth, provider_staff

ROLES = ("admin", "issuer", "viewer")
PUBLIC = {"/console/sign-in", "/console/sign-in/code", "/console/sign-out", "/console/invitations/{secret}"}
OWN_ACCOUNT = "/console/account"
#: What no page may show to anyone but provider A's staff.
MARKERS = ("Alpha College", "@alpha.example", "alice@alpha-learner.example", "Alice Alpha", "Alpha Welding")


@dataclass
class Owner:
    """Provider A, with what its rows are made through."""

    client: TestClient
    provider: dict[str, Any]
    made: dict[str, str] = field(default_factory=dict)

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, path, headers=auth(self.provider["api_key"]), **kwargs)
        assert response.status_code < 300, response.text
        return response.json()

    @cached_property
    def achievement_id(self) -> str:
        body = {**COURSE, "name": "Alpha Welding (Level 2)"}
        found: str = self.api("POST", "/api/v1/achievements", json=body)["id"]
        return found

    @cached_property
    def credential_id(self) -> str:
        recipient = {"email": "alice@alpha-learner.example", "name": "Alice Alpha", "learner_id": "A-1"}
        body = {"achievement_id": self.achievement_id, "recipient": recipient}
        found: str = self.api("POST", "/api/v1/credentials", json=body)["id"]
        return found


def _member_id(owner: Owner) -> str:
    listed = owner.client.get(f"/api/v1/admin/issuers/{owner.provider['id']}/staff", headers=operator_auth())
    return str(next(member["id"] for member in listed.json() if member["role"] == "admin"))


def _job_id(owner: Owner) -> str:
    csv = "email,name\nbob@alpha-learner.example,Bob Alpha\n"
    data = {"achievement_id": owner.achievement_id}
    files = {"file": ("cohort.csv", csv.encode(), "text/csv")}
    return str(owner.api("POST", "/api/v1/credentials/bulk", data=data, files=files)["id"])


def _pathway_id(owner: Owner) -> str:
    """A pathway through A's course (the operator's: a provider owns none, so its console refuses them)."""
    body = {
        "title": "Through A's course",
        "region": "North",
        "steps": [{"title": "Course", "options": [{"achievement": owner.achievement_id}]}],
    }
    response = owner.client.post("/api/v1/admin/pathways", json=body, headers=operator_auth())
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _upload_id(owner: Owner) -> str:
    """A cohort file uploaded in provider A's console, kept for its preview (never confirmed)."""
    app = owner.client.app
    with transaction(services_of(app).get(Database).sessions) as session:
        issuer = service.get_issuer(session, owner.provider["id"])
        content = b"email,name\ncarol@alpha-learner.example,Carol Alpha\n"
        upload = cohorts.stage(
            session, issuer, owner.achievement_id, "ldp", "cohort.csv", content, datetime.now(UTC)
        )
        return upload.id


def _claim_code_id(owner: Owner) -> str:
    body = {
        "achievement_id": owner.achievement_id,
        "event_name": "Alpha College open day",
        "opens_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
        "closes_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
    }
    return str(owner.api("POST", "/api/v1/claim-codes", json=body)["id"])


def _community_id(owner: Owner) -> str:
    """A community of practice provider A coordinates (network.communities); made once."""
    if "community_id" in owner.made:
        return owner.made["community_id"]
    body = {"name": "North Welding Circle", "sector": "Engineering", "coordinators": [owner.provider["id"]]}
    response = owner.client.post("/api/v1/communities", json=body, headers=operator_auth())
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


#: Path parameter name -> how to make a row of provider A and get its id. Add a line for a new name.
def _community_session_id(owner: Owner) -> str:
    """A session of a community provider A coordinates."""
    community_id = _community_id(owner)
    body = {
        "title": "Fume extraction",
        "kind": "seminar",
        "starts_at": "2026-06-01T10:00:00Z",
        "place": "Derby",
    }
    path = f"/api/v1/communities/{community_id}/sessions"
    response = owner.client.post(path, json=body, headers=operator_auth())
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


PARAMETERS: dict[str, Callable[[Owner], str]] = {
    "credential_id": lambda owner: owner.credential_id,
    "achievement_id": lambda owner: owner.achievement_id,
    "member_id": _member_id,
    "job_id": _job_id,
    "cohort_id": _job_id,  # a cohort is issued as a bulk job
    "key_id": lambda owner: str(owner.api("GET", "/api/v1/signing-keys")[0]["id"]),
    "version": lambda owner: "1" if owner.achievement_id else "",
    "pathway_id": _pathway_id,
    "completion_id": lambda owner: "0" * 32,  # refused before any milestone is looked up
    "upload_id": _upload_id,  # a cohort file kept for its preview (issuers.console.issuing)
    "api_key_id": lambda owner: str(owner.api("GET", "/api/v1/api-keys")[0]["id"]),
    "code_id": lambda owner: _claim_code_id(owner),
    "community_id": _community_id,
    "session_id": _community_session_id,
    "participation_id": lambda owner: "0" * 32,  # the operator revokes these; a coordinator is refused
}


def _flat(routes: list[Any]) -> list[Any]:
    """Every route, those of included routers too."""
    flat: list[Any] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        flat.extend(_flat(included.routes) if included is not None else [route])
    return flat


def console_routes(app: FastAPI) -> list[tuple[str, str]]:
    found = set()
    for route in _flat(app.routes):
        if isinstance(route, APIRoute) and (route.path == "/console" or route.path.startswith("/console/")):
            found.update((method, route.path) for method in route.methods if method != "HEAD")
    return sorted(found, key=lambda pair: (pair[1], pair[0]))


def _fill(path: str, owner: Owner) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        make = PARAMETERS.get(name)
        assert make is not None, (
            f"{path}: no way to make provider A's {{{name}}}: add {name!r} to PARAMETERS in {__name__}"
        )
        if name not in owner.made:
            owner.made[name] = make(owner)
        return owner.made[name]

    return re.sub(r"{([^}]+)}", value, path)


FORM = {
    "reason": "walked",
    "confirmed": "yes",
    "role": "viewer",
    "name": "Mallory",
    "email": "m@evil.example",
}


def _ask(browser: Browser, method: str, url: str, csrf: str) -> Any:
    if method == "GET":
        return browser.http.get(url)
    return browser.http.request(
        method, url, data={"csrf_token": csrf, **FORM}, headers={"X-CSRF-Token": csrf}
    )


def _audit_count(app: FastAPI, provider_id: str) -> int:
    with services_of(app).get(Database).sessions() as session:
        return int(session.scalar(select(func.count()).where(AuditEvent.provider_id == provider_id)) or 0)


def _status(client: TestClient, owner: Owner) -> str:
    found = client.get(f"/api/v1/credentials/{owner.credential_id}", headers=auth(owner.provider["api_key"]))
    return str(found.json()["status"]["status"])


def _new_provider(client: TestClient, name: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/admin/issuers",
        json={"name": name, "url": "https://college.example.ac.uk", "suspension_enabled": True},
        headers=auth(ADMIN_TOKEN),
    )
    assert response.status_code == 201, response.text
    provider: dict[str, Any] = response.json()
    return provider


def test_every_console_route_keeps_provider_a_to_itself(app: FastAPI, client: TestClient) -> None:
    routes = [(method, path) for method, path in console_routes(app) if path not in PUBLIC]
    mine = {"/console", "/console/credentials", "/console/credentials/{credential_id}"}
    assert mine <= {path for _, path in routes}
    owner = Owner(client, _new_provider(client, "Alpha College"))
    own = {
        role: provider_staff(app, client, owner.provider["id"], f"{role}@alpha.example", role)
        for role in ROLES
    }
    # The cohort job made for the walk stays pending: its credential, issued in the background during the
    # walk, would be an audit event of A's that the walk did not cause.
    services_of(app).get(JobWorker).stop()
    urls = {(method, path): _fill(path, owner) for method, path in routes}  # every row made before the walk
    other = _new_provider(client, "Beta College")
    strangers = {
        role: provider_staff(app, client, other["id"], f"{role}@beta.example", role) for role in ROLES
    }
    before = _audit_count(app, owner.provider["id"])

    for role, browser in strangers.items():
        csrf = browser.csrf("/console/account")
        for (method, path), url in urls.items():
            response = _ask(browser, method, url, csrf)
            where = f"provider B's {role}: {method} {url} -> {response.status_code}"
            for marker in MARKERS:
                assert marker not in response.text, f"{where} shows {marker!r}"
            assert response.status_code < 500, where
            if method != "GET" and role == "viewer" and not path.startswith(OWN_ACCOUNT):
                assert response.status_code == 403, where
            elif "{" in path:
                assert response.status_code in (403, 404), where

    viewer = own["viewer"]
    csrf = viewer.csrf("/console/account")
    for (method, path), url in urls.items():
        if method != "GET" and not path.startswith(OWN_ACCOUNT):
            response = _ask(viewer, method, url, csrf)
            assert response.status_code == 403, (
                f"provider A's viewer: {method} {url} -> {response.status_code}"
            )

    signed_out = Browser.open(app)
    csrf = signed_out.csrf("/console/sign-in")  # a signed-out form's token (the anonymous one)
    for (method, _path), url in urls.items():
        response = _ask(signed_out, method, url, csrf)
        where = f"signed out: {method} {url} -> {response.status_code}"
        assert response.status_code == 303, where
        assert response.headers["location"].startswith("/console/sign-in"), where

    assert _audit_count(app, owner.provider["id"]) == before  # nothing of A's changed
    assert _status(client, owner) == "valid"


def test_an_unknown_path_parameter_fails_with_a_message_saying_what_to_add(client: TestClient) -> None:
    owner = Owner(client, {"id": "x", "api_key": "x"})
    with pytest.raises(AssertionError, match="add 'widget_id' to PARAMETERS"):
        _fill("/console/widgets/{widget_id}", owner)
