"""Lifelong-learning pathways end to end: the operator defines them, the public reads them, learners see
their progress, and completing one issues the milestone credential once, in the completing request."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import transaction
from core.services import Database, services_of
from issuers.service import IssuerConfig
from network.pathways import milestones
from network.pathways.models import PathwayCompletion
from passport.config import PassportConfig
from passport.models import Learner
from passport.pathways.progress import PathwayMilestones, progress
from server.seed import seed_demo, seed_demo_learner
from tests.conftest import ADMIN_TOKEN, BASE_URL
from tests.passport.conftest import (
    COURSE,
    PASSWORD,
    Browser,
    Clock,
    assert_problem,
    auth,
    bearer,
    create_achievement,
    create_provider,
    issue_to,
)

ADMIN = "/api/v1/admin/pathways"
OPERATOR = auth(ADMIN_TOKEN)
SAM = "sam@example.com"


def _accredit(client: TestClient, provider_id: str) -> None:
    response = client.post(
        "/api/v1/admin/accreditations",
        json={
            "provider_id": provider_id,
            "scope": {},
            "valid_from": "2025-09-01T00:00:00Z",
            "valid_until": "2028-08-31T23:59:59Z",
        },
        headers=OPERATOR,
    )
    assert response.status_code == 201, response.text


@pytest.fixture
def network(client: TestClient) -> dict[str, Any]:
    """A college (accredited) with a heat pump course, and a university (not accredited) with a module."""
    college = create_provider(client, "Midlands College")
    university = create_provider(client, "Midlands University")
    _accredit(client, college["id"])
    heat = create_achievement(client, college["api_key"])
    solar = create_achievement(
        client,
        college["api_key"],
        {**COURSE, "name": "Solar PV (Level 3)", "sector": "Energy", "credits": 10},
    )
    retrofit = create_achievement(
        client,
        university["api_key"],
        {**COURSE, "name": "Retrofit Coordination", "level": "RQF 5", "sector": "Energy", "credits": 20},
    )
    return {"college": college, "university": university, "heat": heat, "solar": solar, "retrofit": retrofit}


def net_zero(network: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": "Net Zero installer to retrofit coordinator",
        "description": "From installing low-carbon heating to coordinating retrofit.",
        "region": "West Midlands",
        "sector": "Net Zero",
        "steps": [
            {"key": "heat", "title": "Heat pumps", "options": [{"achievement": network["heat"]}]},
            {
                "key": "energy",
                "title": "Energy credits",
                "options": [{"rule": {"sector": "Energy", "min_credits": 10}}],
            },
            {
                "key": "retrofit",
                "title": "Retrofit",
                "after": ["heat"],
                "options": [{"achievement": network["retrofit"]}],
            },
        ],
    }


def create(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(ADMIN, json=body, headers=OPERATOR)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def completions(app: FastAPI) -> list[PathwayCompletion]:
    with services_of(app).get(Database).sessions() as session:
        return list(session.scalars(select(PathwayCompletion)))


def test_the_public_sees_each_step_and_who_offers_it(client: TestClient, network: dict[str, Any]) -> None:
    pathway = create(client, net_zero(network))
    assert pathway["version"] == 1
    listed = client.get("/pathways", headers={"Accept": "application/json"})
    assert [p["id"] for p in listed.json()] == [pathway["id"]]
    one = client.get(f"/pathways/{pathway['id']}", headers={"Accept": "application/json"}).json()
    heat, energy, retrofit = one["steps"]
    assert [o["provider"]["name"] for o in heat["options"][0]["offered_by"]] == ["Midlands College"]
    # A rule counts only accredited providers' courses: the university's Energy module is not offered.
    assert [o["achievement_name"] for o in energy["options"][0]["offered_by"]] == ["Solar PV (Level 3)"]
    assert "Energy" in energy["options"][0]["described"]
    assert retrofit["after"] == ["heat"]
    page = client.get(f"/pathways/{pathway['id']}")
    assert page.status_code == 200
    assert "Midlands University" in page.text
    assert "Solar PV (Level 3)" in page.text
    assert pathway["title"] in client.get("/pathways").text


@pytest.mark.parametrize(
    ("change", "error_type"),
    [
        (lambda b: b["steps"][0].update(after=["retrofit"]), "cycle"),
        (lambda b: b["steps"][1].update(choose=2), "never_met"),
        (lambda b: b["steps"][1]["options"][0]["rule"].update(min_level="RQF 9"), "never_met"),
        (lambda b: b["steps"][0]["options"][0].update(achievement="0" * 32), "unknown_achievement"),
        (lambda b: b["steps"][2].update(after=["nowhere"]), "unknown_step"),
    ],
)
def test_a_pathway_that_could_never_be_completed_is_refused(
    client: TestClient, network: dict[str, Any], change: Any, error_type: str
) -> None:
    body = net_zero(network)
    change(body)
    response = client.post(ADMIN, json=body, headers=OPERATOR)
    assert_problem(response, 422, "validation-error")
    assert error_type in [error["type"] for error in response.json()["errors"]]
    assert client.get(ADMIN, headers=OPERATOR).json() == []  # nothing half-written


def test_only_the_operator_defines_pathways(client: TestClient, network: dict[str, Any]) -> None:
    pathway = create(client, net_zero(network))
    provider_key = auth(network["college"]["api_key"])
    for method, path in [
        ("post", ADMIN),
        ("get", ADMIN),
        ("get", f"{ADMIN}/{pathway['id']}"),
        ("patch", f"{ADMIN}/{pathway['id']}"),
        ("get", f"{ADMIN}/{pathway['id']}/versions/1"),
    ]:
        for headers in ({}, provider_key, auth("not-the-token")):
            response = client.request(method, path, json={"title": "x"}, headers=headers)
            assert_problem(response, 401, "unauthorized")
    for path in ("/api/v1/passport/pathways", f"/api/v1/passport/pathways/{pathway['id']}"):
        assert_problem(client.get(path, headers=provider_key), 401, "unauthorized")
    response = client.post(f"/api/v1/passport/pathways/{pathway['id']}/milestone", headers=provider_key)
    assert_problem(response, 401, "unauthorized")


def test_completing_the_last_step_issues_the_milestone_once(
    app: FastAPI, client: TestClient, network: dict[str, Any], clock: Clock
) -> None:
    pathway = create(client, net_zero(network))
    sam = Browser.open(app)
    sam.sign_up(SAM)
    token = bearer(sam.token(SAM))
    college, university = network["college"]["api_key"], network["university"]["api_key"]

    issue_to(client, university, network["retrofit"], SAM)  # before heat pumps: does not count yet
    clock.advance(days=1)
    issue_to(client, college, network["heat"], SAM)
    progress = client.get(f"/api/v1/passport/pathways/{pathway['id']}", headers=token).json()
    assert [s["state"] for s in progress["steps"]] == ["done", "next", "next"]
    assert progress["steps_done"] == 1
    assert progress["milestone"] is None
    sam.sign_in(SAM)  # a day later: the browser's session has ended
    home = sam.get("/passport")
    assert "Your pathways" in home.text
    assert "1 of 3 steps done" in home.text
    assert "Midlands College" in sam.get(f"/passport/pathways/{pathway['id']}").text

    missing = client.post(f"/api/v1/passport/pathways/{pathway['id']}/milestone", headers=token)
    assert_problem(missing, 409, "conflict")
    assert missing.json()["missing_steps"] == ["energy", "retrofit"]
    assert completions(app) == []

    clock.advance(days=1)
    issue_to(client, college, network["solar"], SAM)
    clock.advance(days=1)
    last = issue_to(client, university, network["retrofit"], SAM)
    # Issued in the request that issued the completing credential, before anyone looked.
    [completion] = completions(app)
    assert completion.version == 1
    assert {c["step"] for c in completion.components} == {"heat", "energy", "retrofit"}
    assert any(c["id"].endswith(last) for c in completion.components)

    issue_to(client, college, network["heat"], SAM)  # a later credential: no second milestone
    again = client.post(f"/api/v1/passport/pathways/{pathway['id']}/milestone", headers=token)
    assert again.status_code == 200
    assert again.json()["id"] == completion.id
    assert len(completions(app)) == 1

    credential = again.json()["credential"]
    assert credential["issuer"]["id"].endswith(":operator")
    assert credential["credentialSubject"]["achievement"]["achievementType"] == "LearningProgram"
    evidence = credential["evidence"]
    assert len(evidence) == 3
    assert all(e["digestMultibase"].startswith("uEi") for e in evidence)  # sha2-256 multihash
    verified = client.post("/credentials/verify", json={"verifiableCredential": credential}).json()
    assert verified["verified"] is True, verified
    sam.sign_in(SAM)
    download = sam.get(f"/passport/pathways/{pathway['id']}/milestone.json")
    assert download.status_code == 200
    assert download.json()["id"] == credential["id"]


def test_a_new_version_does_not_change_what_learners_completed(
    app: FastAPI, client: TestClient, network: dict[str, Any]
) -> None:
    body = net_zero(network)
    body["steps"] = body["steps"][:1]
    pathway = create(client, body)
    sam = Browser.open(app)
    sam.sign_up(SAM)
    issue_to(client, network["college"]["api_key"], network["heat"], SAM)
    assert len(completions(app)) == 1

    changed = client.patch(
        f"{ADMIN}/{pathway['id']}", json={"steps": net_zero(network)["steps"]}, headers=OPERATOR
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    mine = client.get(f"/api/v1/passport/pathways/{pathway['id']}", headers=bearer(sam.token(SAM))).json()
    assert mine["complete"]
    assert mine["version"] == 1
    assert len(mine["steps"]) == 1

    alex = Browser.open(app)
    alex.sign_up("alex@example.com")
    issue_to(client, network["college"]["api_key"], network["heat"], "alex@example.com")
    theirs = client.get(
        f"/api/v1/passport/pathways/{pathway['id']}", headers=bearer(alex.token("alex@example.com"))
    ).json()
    assert not theirs["complete"]
    assert theirs["version"] == 2
    assert len(theirs["steps"]) == 3
    old = client.get(f"{ADMIN}/{pathway['id']}/versions/1", headers=OPERATOR).json()
    assert len(old["steps"]) == 1


def test_deleting_the_passport_deletes_its_completions(
    app: FastAPI, client: TestClient, network: dict[str, Any]
) -> None:
    body = net_zero(network)
    body["steps"] = body["steps"][:1]
    create(client, body)
    sam = Browser.open(app)
    sam.sign_up(SAM)
    token = bearer(sam.token(SAM))
    issue_to(client, network["college"]["api_key"], network["heat"], SAM)
    assert len(completions(app)) == 1
    deleted = client.post("/api/v1/passport/account/delete", json={"password": PASSWORD}, headers=token)
    assert deleted.status_code in (200, 204), deleted.text
    assert completions(app) == []


def test_a_withdrawn_pathway_is_not_public(client: TestClient, network: dict[str, Any]) -> None:
    pathway = create(client, net_zero(network))
    response = client.patch(f"{ADMIN}/{pathway['id']}", json={"state": "withdrawn"}, headers=OPERATOR)
    assert response.json()["state"] == "withdrawn"
    assert client.get("/pathways", headers={"Accept": "application/json"}).json() == []
    assert client.get(f"/pathways/{pathway['id']}", headers={"Accept": "application/json"}).status_code == 404


def test_the_demo_learner_is_part_way_along_the_net_zero_pathway(app: FastAPI, clock: Clock) -> None:
    now = clock.now
    with transaction(services_of(app).get(Database).sessions) as session:
        created = seed_demo_learner(session, services_of(app).get(PassportConfig), now)
        assert seed_demo(session, services_of(app).get(IssuerConfig), now) is not None
    assert created is not None
    sam = Browser.open(app)
    sam.sign_in(*created)
    home = sam.get("/passport").text
    assert "Net Zero: from heat pump installer to retrofit coordinator" in home
    assert "2 of 3 steps done" in home
    assert "University of the Midlands" in home  # who offers the next step
    pathways = TestClient(app).get("/pathways", headers={"Accept": "application/json"}).json()
    providers = {
        offer["provider"]["name"]
        for step in pathways[0]["steps"]
        for option in step["options"]
        for offer in option["offered_by"]
    }
    assert providers >= {
        "Midlands Further Education College",
        "Northern Institute of Technology",
        "University of the Midlands",
    }
    # The demo partnership owns the pathway; the learner who completed it has its milestone, signed by it.
    assert pathways[0]["owner"] != "operator"
    [completion] = completions(app)
    issuer = json.loads(completion.document)["issuer"]
    assert issuer["name"] == "Midlands Net Zero Skills Partnership"
    assert issuer["id"] == f"did:web:passport.test:issuers:{pathways[0]['owner']}"
    assert completion.revoked_at is None


def test_a_milestone_racing_another_request_keeps_the_first(
    app: FastAPI, client: TestClient, network: dict[str, Any], monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    """Two requests complete the same pathway at once: the unique constraint decides, the second request
    gets the first one's milestone, and its own insert leaves nothing behind."""
    body = net_zero(network)
    body["steps"] = body["steps"][:1]
    pathway = create(client, body)
    sam = Browser.open(app)
    sam.sign_up(SAM)
    issue_to(client, network["college"]["api_key"], network["heat"], SAM)
    [first] = completions(app)
    hook = services_of(app).get(PathwayMilestones)
    checked: list[str] = []
    original = milestones.completion_of

    def not_yet(session: Any, pathway_id: str, learner_id: str) -> PathwayCompletion | None:
        """The first check happens before the other request committed; later ones see it."""
        checked.append(pathway_id)
        return None if len(checked) == 1 else original(session, pathway_id, learner_id)

    monkeypatch.setattr(milestones, "completion_of", not_yet)
    with transaction(services_of(app).get(Database).sessions) as session:
        learner = session.get(Learner, first.learner_id)
        assert learner is not None
        [item] = progress(session, BASE_URL, learner, clock.now, pathway["id"])
        item = replace(item, completion=None)  # as the racing request saw it
        again = milestones.issue(session, hook.config, learner.id, SAM, item, clock.now)
        assert again.id == first.id
    assert [c.id for c in completions(app)] == [first.id]
