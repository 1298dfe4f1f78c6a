"""Partnerships own pathways: each manages only its own (API key or its staff's console session), a
provider manages none, the operator manages all; a partnership's milestones are signed with its own key
and carry a revocation entry on its status list, so revoking one is what any verifier reports."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from argon2 import PasswordHasher, profiles
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.passwords import Passwords
from core.services import Database, services_of
from issuers.staff.accounts import StaffConfig
from network.pathways.models import PathwayCompletion
from tests.conftest import ADMIN_TOKEN, BASE_URL, assert_problem
from tests.issuers.staff.conftest import accept, invite_provider_staff, operator_staff
from tests.passport.conftest import Browser, auth, create_achievement, create_provider, issue_to

ADMIN = "/api/v1/admin/pathways"
MINE = "/api/v1/pathways"
OPERATOR = auth(ADMIN_TOKEN)
SAM = "sam@example.com"


def create_partnership(client: TestClient, name: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/admin/issuers",
        json={"name": name, "url": "https://partnership.example.org.uk", "kind": "partnership"},
        headers=OPERATOR,
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    assert created["kind"] == "partnership"
    return created


@pytest.fixture
def world(app: FastAPI, client: TestClient) -> dict[str, Any]:
    """A college with a course, two partnerships each owning a pathway, and one of the operator's."""
    cheap = Passwords(PasswordHasher.from_parameters(profiles.CHEAPEST))
    services_of(app).replace(replace(services_of(app).get(StaffConfig), passwords=cheap))
    college = create_provider(client, "Midlands College")
    heat = create_achievement(client, college["api_key"])
    north = create_partnership(client, "Northern Skills Partnership")
    south = create_partnership(client, "Southern Net Zero Network")
    pathways = {}
    for name, headers, path in (
        ("north", auth(north["api_key"]), MINE),
        ("south", auth(south["api_key"]), MINE),
        ("operator", OPERATOR, ADMIN),
    ):
        response = client.post(path, json=one_step(heat, f"{name} pathway"), headers=headers)
        assert response.status_code == 201, response.text
        pathways[name] = response.json()
    return {"college": college, "heat": heat, "north": north, "south": south, "pathways": pathways}


def one_step(achievement: str, title: str) -> dict[str, Any]:
    return {
        "title": title,
        "region": "North East",
        "steps": [{"key": "heat", "title": "Heat pumps", "options": [{"achievement": achievement}]}],
    }


def routes(pathway_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every route of a pathway under /api/v1/pathways (method, path, body)."""
    base = f"{MINE}/{pathway_id}"
    return [
        ("get", base, None),
        ("patch", base, {"description": "changed"}),
        ("get", f"{base}/versions/1", None),
        ("get", f"{base}/milestones", None),
        ("post", f"{base}/milestones/{'0' * 32}/revoke", {}),
    ]


def test_a_partnership_reaches_only_its_own_pathways(client: TestClient, world: dict[str, Any]) -> None:
    north = auth(world["north"]["api_key"])
    own = world["pathways"]["north"]
    assert own["owner"] == world["north"]["id"]
    listed = client.get(MINE, headers=north)
    assert [p["id"] for p in listed.json()] == [own["id"]]
    for method, path, body in routes(own["id"]):
        response = client.request(method, path, json=body, headers=north)
        if path.endswith("/revoke"):
            assert_problem(response, 404, "not-found")  # no such milestone: the pathway itself was found
        else:
            assert response.status_code == 200, (path, response.text)
    for other in ("south", "operator"):
        for method, path, body in routes(world["pathways"][other]["id"]):
            response = client.request(method, path, json=body, headers=north)
            assert_problem(response, 404, "not-found")
    south = client.get(f"{ADMIN}/{world['pathways']['south']['id']}", headers=OPERATOR).json()
    assert south["description"] == ""  # nothing of the refused changes happened


def test_providers_and_strangers_manage_no_pathways(client: TestClient, world: dict[str, Any]) -> None:
    provider = auth(world["college"]["api_key"])
    own = world["pathways"]["north"]["id"]
    everything = [("post", MINE, one_step(world["heat"], "x")), ("get", MINE, None), *routes(own)]
    for method, path, body in everything:
        assert_problem(client.request(method, path, json=body, headers=provider), 403, "not-a-partnership")
        for headers in ({}, auth("not-a-key"), OPERATOR):
            assert_problem(client.request(method, path, json=body, headers=headers), 401, "unauthorized")
    # A partnership's key is not the operator's token.
    north = auth(world["north"]["api_key"])
    for method, path in (("get", ADMIN), ("patch", f"{ADMIN}/{own}"), ("get", f"{ADMIN}/{own}/milestones")):
        assert_problem(client.request(method, path, json={}, headers=north), 401, "unauthorized")


def test_the_operator_manages_every_pathway(client: TestClient, world: dict[str, Any]) -> None:
    listed = client.get(ADMIN, headers=OPERATOR).json()
    assert {p["title"] for p in listed} == {"north pathway", "south pathway", "operator pathway"}
    north = world["pathways"]["north"]["id"]
    response = client.patch(f"{ADMIN}/{north}", json={"state": "withdrawn"}, headers=OPERATOR)
    assert response.status_code == 200
    assert response.json()["state"] == "withdrawn"
    assert response.json()["owner"] == world["north"]["id"]  # the owner stays


def test_a_partnership_staff_session_manages_its_pathways_within_its_role(
    app: FastAPI, client: TestClient, world: dict[str, Any]
) -> None:
    partnership = world["north"]["id"]
    own = world["pathways"]["north"]["id"]
    invite_provider_staff(client, partnership, "viv@north.example", "viewer")
    viewer = accept(app, "viv@north.example")
    assert viewer.http.get(f"{MINE}/{own}").status_code == 200
    token = viewer.csrf("/console")
    refused = viewer.http.patch(f"{MINE}/{own}", json={"description": "x"}, headers={"X-CSRF-Token": token})
    assert_problem(refused, 403, "role-not-allowed")
    invite_provider_staff(client, partnership, "ian@north.example", "issuer")
    issuer = accept(app, "ian@north.example")
    token = issuer.csrf("/console")
    assert_problem(issuer.http.patch(f"{MINE}/{own}", json={"description": "x"}), 403, "csrf-token-invalid")
    changed = issuer.http.patch(f"{MINE}/{own}", json={"description": "x"}, headers={"X-CSRF-Token": token})
    assert changed.status_code == 200, changed.text
    other = world["pathways"]["south"]["id"]
    stranger = issuer.http.patch(
        f"{MINE}/{other}", json={"description": "x"}, headers={"X-CSRF-Token": token}
    )
    assert_problem(stranger, 404, "not-found")


def _completions(app: FastAPI) -> list[PathwayCompletion]:
    with services_of(app).get(Database).sessions() as session:
        return list(session.scalars(select(PathwayCompletion).order_by(PathwayCompletion.issued_at)))


def _status_check(client: TestClient, credential: dict[str, Any]) -> dict[str, Any]:
    report = client.post("/credentials/verify", json={"verifiableCredential": credential}).json()
    found: dict[str, Any] = next(item for item in report["checks"] if item["id"] == "status")
    return {"verified": report["verified"], **found}


def test_a_revoked_milestone_is_reported_revoked_by_the_verifier(
    app: FastAPI, client: TestClient, world: dict[str, Any]
) -> None:
    sam = Browser.open(app)
    sam.sign_up(SAM)
    issue_to(client, world["college"]["api_key"], world["heat"], SAM)
    by_owner = {c.pathway_id: c for c in _completions(app)}
    assert len(by_owner) == 3  # the three one-step pathways, each completed by the one course
    north_pathway = world["pathways"]["north"]["id"]
    north = by_owner[north_pathway]
    credential = json.loads(north.document)
    assert credential["issuer"]["id"] == world["north"]["did"]  # signed by the partnership itself
    assert credential["credentialStatus"]["statusListCredential"].startswith(f"{BASE_URL}/status/")
    operators = json.loads(by_owner[world["pathways"]["operator"]["id"]].document)
    assert operators["credentialStatus"]["statusListCredential"].startswith(f"{BASE_URL}/operator/status/")
    before = _status_check(client, credential)
    assert before["verified"] is True, before
    assert before["outcome"] == "passed"

    south = auth(world["south"]["api_key"])
    path = f"{MINE}/{north_pathway}/milestones/{north.id}/revoke"
    assert_problem(client.post(path, json={}, headers=south), 404, "not-found")
    assert _status_check(client, credential)["verified"] is True

    revoked = client.post(path, json={"reason": "awarded in error"}, headers=auth(world["north"]["api_key"]))
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revocation_reason"] == "awarded in error"
    after = _status_check(client, credential)
    assert after["verified"] is False
    assert after["outcome"] == "failed"
    assert "revoked" in after["message"]
    again = client.post(path, json={"reason": "twice"}, headers=auth(world["north"]["api_key"]))
    assert again.json()["revocation_reason"] == "awarded in error"  # idempotent: the first reason stays
    trail = client.get("/api/v1/audit", headers=auth(world["north"]["api_key"])).json()
    revocations = [e for e in trail if e["action"] == "milestone.revoke"]
    assert [(e["subject_id"], e["actor_kind"]) for e in revocations] == [(north.id, "api_key")]
    assert "pathway.create" in [e["action"] for e in trail]
    # The operator revokes one of its own on its own list.
    operator_pathway = world["pathways"]["operator"]["id"]
    operator_path = f"{ADMIN}/{operator_pathway}/milestones/{by_owner[operator_pathway].id}/revoke"
    assert client.post(operator_path, json={}, headers=OPERATOR).status_code == 200
    assert "revoked" in _status_check(client, operators)["message"]
    # The others are untouched.
    south_credential = json.loads(by_owner[world["pathways"]["south"]["id"]].document)
    assert _status_check(client, south_credential)["verified"] is True


def test_the_passport_says_approved_under_the_scheme_and_then_withdrawn(
    app: FastAPI, client: TestClient, world: dict[str, Any]
) -> None:
    key = world["college"]["api_key"]
    submitted = client.post(
        "/api/v1/approvals",
        json={"achievement_id": world["heat"], "quality_statement": "Assessed twice; moderated each term."},
        headers=auth(key),
    )
    assert submitted.status_code == 201, submitted.text
    approval = submitted.json()["id"]
    before = issue_to(client, key, world["heat"], SAM)  # issued before the approval: carries none
    approved = client.post(f"/api/v1/admin/approvals/{approval}/approve", headers=OPERATOR)
    assert approved.status_code == 200, approved.text
    after = issue_to(client, key, world["heat"], SAM)
    sam = Browser.open(app)
    sam.sign_up(SAM)

    page = sam.get(f"/passport/credentials/{after}").text
    assert 'data-approval="approved"' in page
    assert "Approved under Skills Passport Quality Scheme on " in page
    assert "Approved under" not in sam.get(f"/passport/credentials/{before}").text
    home = sam.get("/passport").text
    assert home.count('data-approval="approved"') == 1
    welsh = sam.get(f"/passport/credentials/{after}?lang=cy").text
    assert "Cymeradwywyd o dan Skills Passport Quality Scheme ar " in welsh
    assert "Approved under" not in welsh

    withdrawn = client.post(
        f"/api/v1/admin/approvals/{approval}/withdraw", json={"reason": "no"}, headers=OPERATOR
    )
    assert withdrawn.status_code == 200, withdrawn.text
    page = sam.get(f"/passport/credentials/{after}?lang=en").text
    assert 'data-approval="withdrawn"' in page
    assert "Approval under Skills Passport Quality Scheme withdrawn on " in page


def test_the_passport_shows_a_milestone_revoked_or_under_review(
    app: FastAPI, client: TestClient, world: dict[str, Any]
) -> None:
    sam = Browser.open(app)
    sam.sign_up(SAM)
    course = issue_to(client, world["college"]["api_key"], world["heat"], SAM)
    north, south = world["pathways"]["north"]["id"], world["pathways"]["south"]["id"]
    assert 'data-milestone="valid"' in sam.get(f"/passport/pathways/{north}").text
    [completion] = [c for c in _completions(app) if c.pathway_id == north]
    revoke = f"{MINE}/{north}/milestones/{completion.id}/revoke"
    revoked = client.post(
        revoke, json={"reason": "awarded in error"}, headers=auth(world["north"]["api_key"])
    )
    assert revoked.status_code == 200, revoked.text
    page = sam.get(f"/passport/pathways/{north}").text
    assert 'data-milestone="revoked"' in page
    assert "awarded in error" in page
    assert "Milestone revoked" in sam.get("/passport").text

    # The course the milestones rest on is revoked: the others are flagged for review, not revoked.
    response = client.post(
        f"/api/v1/credentials/{course}/revoke",
        json={"reason": "clerical"},
        headers=auth(world["college"]["api_key"]),
    )
    assert response.status_code == 200, response.text
    assert 'data-milestone="review"' in sam.get(f"/passport/pathways/{south}").text
    records = client.get(f"{MINE}/{south}/milestones", headers=auth(world["south"]["api_key"])).json()
    assert records[0]["review_flagged_at"] is not None
    assert records[0]["revoked_at"] is None
    credential = json.loads(next(c for c in _completions(app) if c.pathway_id == south).document)
    assert _status_check(client, credential)["verified"] is True


def _form(heat: str, **changes: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "Heat pumps to retrofit",
        "description": "",
        "region": "North East",
        "sector": "",
        "step-0-key": "",
        "step-0-title": "Heat pumps",
        "step-0-achievements": [heat],
        "step-0-choose": "",
        "step-0-after": "",
        "step-1-key": "",
        "step-1-title": "Energy",
        "step-1-rule-0-sector": "Energy",
        "step-1-rule-0-level": "RQF 3",
        "step-1-after": "1",
    }
    fields.update(changes)
    return fields


def test_partnership_staff_create_and_publish_a_pathway_in_the_console(
    app: FastAPI, client: TestClient, world: dict[str, Any]
) -> None:
    invite_provider_staff(client, world["north"]["id"], "ian@north.example", "issuer")
    ian = accept(app, "ian@north.example")
    listed = ian.get("/console/pathways")
    assert listed.status_code == 200
    assert "north pathway" in listed.text
    assert "south pathway" not in listed.text
    assert 'href="/console/pathways"' in ian.get("/console").text  # the section navigation lists it
    token = ian.csrf("/console/pathways/new")

    # Bad rules: the order goes round in a circle; a level that does not exist.
    bad = ian.http.post(
        "/console/pathways", data={"csrf_token": token, **_form(world["heat"], **{"step-0-after": "2"})}
    )
    assert bad.status_code == 422
    assert "the steps&#39; order goes round in a circle" in bad.text
    bad = ian.http.post(
        "/console/pathways",
        data={"csrf_token": token, **_form(world["heat"], **{"step-1-rule-0-level": "RQF 9"})},
    )
    assert bad.status_code == 422
    assert "Step 2, rule 1: this could never be met" in bad.text
    assert 'value="Heat pumps to retrofit"' in bad.text  # the form kept as sent
    assert len(client.get(MINE, headers=auth(world["north"]["api_key"])).json()) == 1  # nothing saved

    created = ian.http.post("/console/pathways", data={"csrf_token": token, **_form(world["heat"])})
    assert created.status_code == 303, created.text
    location = created.headers["location"]
    assert location.endswith("?done=created")
    pathway_id = location.split("/")[-1].split("?")[0]
    mine = client.get(f"{MINE}/{pathway_id}", headers=auth(world["north"]["api_key"])).json()
    assert mine["state"] == "draft"
    assert [s["after"] for s in mine["steps"]] == [[], ["step-1"]]
    assert mine["steps"][1]["options"][0]["rule"] == {"sector": "Energy", "min_level": "RQF 3"}
    assert client.get(f"/pathways/{pathway_id}", headers={"Accept": "application/json"}).status_code == 404

    published = ian.http.post(
        f"/console/pathways/{pathway_id}/state", data={"csrf_token": token, "state": "published"}
    )
    assert published.status_code == 303
    assert client.get(f"/pathways/{pathway_id}", headers={"Accept": "application/json"}).status_code == 200
    edit = ian.get(f"/console/pathways/{pathway_id}/edit")
    assert 'value="Energy"' in edit.text
    saved = ian.http.post(
        f"/console/pathways/{pathway_id}", data={"csrf_token": token, **_form(world["heat"], title="Renamed")}
    )
    assert saved.status_code == 303
    assert client.get(f"{MINE}/{pathway_id}", headers=auth(world["north"]["api_key"])).json()["version"] == 2

    # Another partnership's pathway is not found; a provider's staff manage none; a viewer changes nothing.
    other = world["pathways"]["south"]["id"]
    assert ian.get(f"/console/pathways/{other}").status_code == 404
    forged = ian.http.post(
        f"/console/pathways/{other}/state", data={"csrf_token": token, "state": "withdrawn"}
    )
    assert forged.status_code == 404
    invite_provider_staff(client, world["college"]["id"], "pat@college.example", "admin")
    assert accept(app, "pat@college.example").get("/console/pathways").status_code == 403
    invite_provider_staff(client, world["north"]["id"], "viv@north.example", "viewer")
    viv = accept(app, "viv@north.example")
    assert viv.get(f"/console/pathways/{pathway_id}").status_code == 200
    assert viv.get("/console/pathways/new").status_code == 403


def test_operator_staff_manage_every_pathway_and_see_milestones_to_review(
    app: FastAPI, client: TestClient, world: dict[str, Any]
) -> None:
    sam = Browser.open(app)
    sam.sign_up(SAM)
    course = issue_to(client, world["college"]["api_key"], world["heat"], SAM)
    olu = operator_staff(app, client, "olu@operator.example")
    listed = olu.get("/operator/pathways")
    assert listed.status_code == 200
    for title in ("north pathway", "south pathway", "operator pathway"):
        assert title in listed.text
    assert "Northern Skills Partnership" in listed.text  # the owner column

    # The course is revoked: each milestone resting on it is flagged for review at once; the owner sees it.
    revoked = client.post(
        f"/api/v1/credentials/{course}/revoke",
        json={"reason": "clerical"},
        headers=auth(world["college"]["api_key"]),
    )
    assert revoked.status_code == 200, revoked.text  # flagged in the revoking request: no one looked since
    north = world["pathways"]["north"]["id"]
    detail = olu.get(f"/operator/pathways/{north}")
    assert "A credential it rests on is no longer valid." in detail.text
    [completion] = [c for c in _completions(app) if c.pathway_id == north]
    token = olu.csrf(f"/operator/pathways/{north}")
    done = olu.http.post(
        f"/operator/pathways/{north}/milestones/{completion.id}/revoke",
        data={"csrf_token": token, "reason": "component revoked"},
    )
    assert done.status_code == 303
    assert done.headers["location"].endswith("?done=revoked")
    assert "component revoked" in olu.get(f"/operator/pathways/{north}").text
    assert "revoked" in _status_check(client, json.loads(completion.document))["message"]

    ada = operator_staff(app, client, "ada@operator.example", "assessor")
    assert ada.get(f"/operator/pathways/{north}").status_code == 200
    assert ada.get("/operator/pathways/new").status_code == 403
    refused = ada.http.post(
        f"/operator/pathways/{north}/state",
        data={"csrf_token": ada.csrf("/operator/pathways"), "state": "withdrawn"},
    )
    assert refused.status_code == 403
