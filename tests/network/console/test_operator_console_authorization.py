"""Every operator console page and every operator API route, walked signed out, as a provider's staff
member, as an assessor and as an operator administrator: each reaches only what its role allows. The
operator API takes an operator staff session cookie as well as the token (a change needs the session's
CSRF token in X-CSRF-Token); an assessor only reviews the approvals assigned to them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from core.deps import operator
from network.api import current_reviewer
from tests.conftest import assert_page_problem, assert_problem
from tests.issuers.staff.conftest import Browser, operator_auth, provider_staff
from tests.network.console.conftest import member_id, staff

REVIEW_API = "/api/v1/admin/approvals"
#: The console pages an assessor reads.
ASSESSOR_READS = {
    ("GET", "/operator/providers"),
    ("GET", "/operator/providers/{provider_id}"),
    ("GET", "/operator/accreditations/{accreditation_id}"),
    ("GET", "/operator/approvals"),
    ("GET", "/operator/trust-list"),
    ("GET", "/operator/figures"),
}
#: Bodies that pass validation, so a refusal is the route's own (not a 422 before it runs).
BODIES = {
    f"{REVIEW_API}/{{approval_id}}/refuse": {"reasons": [{"criterion": "other", "reason": "no"}]},
    f"{REVIEW_API}/{{approval_id}}/withdraw": {"reason": "no"},
    f"{REVIEW_API}/{{approval_id}}/assign": {"assessor_id": "x"},
}


def _flat(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        included = getattr(route, "original_router", None)
        yield from _flat(included.routes) if included is not None else [route]


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def _routes(app: FastAPI, wanted: Any) -> list[tuple[str, str]]:
    found = []
    for route in _flat(app.routes):
        if isinstance(route, APIRoute) and wanted(route):
            found.extend((method, route.path) for method in sorted(route.methods) if method != "HEAD")
    return found


def operator_api(app: FastAPI) -> list[tuple[str, str]]:
    """Every route that takes the operator's token (or reviews approvals)."""
    return _routes(app, lambda route: {operator, current_reviewer} & set(_calls(route.dependant)))


def console_pages(app: FastAPI) -> list[tuple[str, str]]:
    return _routes(app, lambda route: route.endpoint.__module__.startswith("network.console."))


@pytest.fixture
def ids(client: TestClient, submitted: dict[str, Any]) -> dict[str, str]:
    provider = submitted["provider"]["id"]
    accreditation = client.post(
        "/api/v1/admin/accreditations",
        json={
            "provider_id": provider,
            "valid_from": "2026-01-01T00:00:00Z",
            "valid_until": "2027-01-01T00:00:00Z",
        },
        headers=operator_auth(),
    ).json()["id"]
    return {
        "provider_id": provider,
        "issuer_id": provider,
        "accreditation_id": accreditation,
        "approval_id": submitted["approval"]["id"],
        "action": "suspend",
        "version": "1",
    }


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{([a-z_]+)\}", lambda name: ids.get(name.group(1), "x"), path)


def test_the_walk_finds_the_routes(app: FastAPI) -> None:
    api = operator_api(app)
    assert ("POST", "/api/v1/admin/issuers") in api
    assert ("POST", f"{REVIEW_API}/{{approval_id}}/assign") in api
    assert ("GET", "/api/v1/admin/accreditations/{accreditation_id}/history") in api
    pages = console_pages(app)
    assert ("GET", "/operator/providers") in pages
    assert ("POST", "/operator/approvals/{approval_id}/assign") in pages
    assert ("GET", "/operator/figures") in pages


def test_signed_out_and_provider_staff_reach_nothing(
    app: FastAPI, client: TestClient, ids: dict[str, str]
) -> None:
    signed_out = Browser.open(app)
    provider_admin = provider_staff(app, client, ids["provider_id"], "admin@college.example", "admin")
    for browser in (signed_out, provider_admin):
        csrf = browser.csrf("/operator/sign-in")
        for method, path in console_pages(app):
            url = _fill(path, ids)
            response = browser.http.request(method, url, data={"csrf_token": csrf})
            assert response.status_code == 303, (method, path, response.text)
            assert response.headers["location"].startswith("/operator/sign-in"), (method, path)
        for method, path in operator_api(app):
            response = browser.http.request(method, _fill(path, ids), json=BODIES.get(path, {}))
            assert_problem(response, 401, "unauthorized")


def test_an_assessor_reads_pages_and_reviews_only_what_is_assigned(
    app: FastAPI, client: TestClient, ids: dict[str, str]
) -> None:
    assessor = staff(app, client, "ada@operator.example", "assessor")
    csrf = assessor.csrf("/operator")
    for method, path in console_pages(app):
        response = assessor.http.request(method, _fill(path, ids), data={"csrf_token": csrf})
        if (method, path) in ASSESSOR_READS:
            assert response.status_code == 200, (method, path, response.text)
        elif "{approval_id}" in path and not path.endswith(("/assign", "/withdraw")):
            assert_page_problem(response, 404, "not-found")  # not assigned to them: none of theirs
        else:  # every change but a decision on their own submissions
            assert_page_problem(response, 403, "role-not-allowed")
    headers = {"X-CSRF-Token": csrf}
    for method, path in operator_api(app):
        response = assessor.http.request(method, _fill(path, ids), json=BODIES.get(path, {}), headers=headers)
        if path == REVIEW_API:
            assert response.status_code == 200, response.text
            assert response.json() == []  # nothing assigned to them
        elif path in {f"{REVIEW_API}/{{approval_id}}/assign", f"{REVIEW_API}/{{approval_id}}/withdraw"}:
            assert_problem(response, 403, "forbidden")
        elif path.startswith(REVIEW_API):
            assert_problem(response, 404, "not-found")
        else:
            assert_problem(response, 403, "role-not-allowed")


def test_an_operator_administrator_reaches_every_page_and_route(
    app: FastAPI, client: TestClient, ids: dict[str, str]
) -> None:
    admin = staff(app, client, "olu@operator.example", "operator_admin")
    for method, path in console_pages(app):
        if method == "GET":
            response = admin.get(_fill(path, ids))
            assert response.status_code == 200, (path, response.text)
        else:  # every form checks its CSRF token
            response = admin.http.post(_fill(path, ids), data={"csrf_token": "forged" * 6})
            assert_page_problem(response, 403, "csrf-token-invalid")
    csrf = admin.csrf("/operator")
    for method, path in operator_api(app):
        url = _fill(path, ids)
        if method == "GET":
            response = admin.http.get(url)
            if "/x" in url:  # a row of another helper's kind, none made here: past the identity check
                assert response.status_code in (404, 422), (path, response.text)
            else:
                assert response.status_code == 200, (path, response.text)
            continue
        forged = admin.http.request(method, url, json=BODIES.get(path, {}))
        assert_problem(forged, 403, "csrf-token-invalid")  # the cookie alone changes nothing
        response = admin.http.request(method, url, json={"unexpected": 1}, headers={"X-CSRF-Token": csrf})
        assert response.status_code == 422, (method, path, response.text)  # past the identity check


def test_an_assessor_decides_an_assigned_approval_through_the_api(
    app: FastAPI, client: TestClient, ids: dict[str, str]
) -> None:
    assessor = staff(app, client, "ada@operator.example", "assessor")
    approval = ids["approval_id"]
    assigned = client.post(
        f"{REVIEW_API}/{approval}/assign",
        json={"assessor_id": member_id(app, "ada@operator.example")},
        headers=operator_auth(),
    )
    assert assigned.status_code == 200, assigned.text
    assert [row["id"] for row in assessor.http.get(REVIEW_API).json()] == [approval]
    without_csrf = assessor.http.post(f"{REVIEW_API}/{approval}/approve")
    assert_problem(without_csrf, 403, "csrf-token-invalid")
    csrf = assessor.csrf("/operator")
    approved = assessor.http.post(f"{REVIEW_API}/{approval}/approve", headers={"X-CSRF-Token": csrf})
    assert approved.status_code == 200, approved.text
    assert approved.json()["decided_by"].startswith("assessor:")
