"""Communities of practice as the network runs them, through the API: the operator creates a community with
coordinators, a coordinator records sessions, members, attendance and contributions, sets the
participation rule, and members who meet it get a participation credential from the community's owner
(the operator's did:web key, or the owner provider's issuing service), with evidence, once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import transaction
from core.services import Database, services_of
from issuers.service import IssuerConfig
from network.communities import participation, service
from network.communities.models import CommunityParticipation
from network.trust import TrustConfig
from tests.issuers.conftest import ADMIN_TOKEN, COURSE, auth, create_achievement, create_provider
from tests.issuers.test_api import assert_problem

API = "/api/v1/communities"
OPERATOR = auth(ADMIN_TOKEN)


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def create_community(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post(API, json={"name": "Robotics", "sector": "Engineering", **body}, headers=OPERATOR)
    assert response.status_code == 201, response.text
    return response.json()


def add_session(client: TestClient, headers: dict[str, str], community_id: str, days: int, title: str) -> str:
    response = client.post(
        f"{API}/{community_id}/sessions",
        json={"title": title, "kind": "seminar", "starts_at": days_ago(days), "place": "Derby"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def add_member(client: TestClient, headers: dict[str, str], community_id: str, email: str) -> str:
    response = client.post(
        f"{API}/{community_id}/members",
        json={"email": email, "name": "Ada", "invite": False},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "active"
    return str(response.json()["id"])


def attend(
    client: TestClient, headers: dict[str, str], community_id: str, session_id: str, *members: str
) -> None:
    response = client.put(
        f"{API}/{community_id}/sessions/{session_id}/attendance",
        json={"member_ids": list(members)},
        headers=headers,
    )
    assert response.status_code == 200, response.text


@pytest.fixture
def setup(client: TestClient) -> dict[str, Any]:
    """A community the operator owns, coordinated by a college; six past sessions; two members."""
    college = create_provider(client, "Derby College")
    other = create_provider(client, "Leeds College")
    community = create_community(client, coordinators=[college["id"]], description="Robots in FE.")
    key = auth(college["api_key"])
    sessions = [add_session(client, key, community["id"], 60 - 7 * i, f"Seminar {i + 1}") for i in range(6)]
    ada = add_member(client, key, community["id"], "ada@example.com")
    bob = add_member(client, key, community["id"], "bob@example.com")
    return {
        "college": college,
        "other": other,
        "community": community,
        "key": key,
        "sessions": sessions,
        "ada": ada,
        "bob": bob,
    }


def test_a_member_meeting_the_rule_gets_one_operator_signed_credential_with_evidence(
    client: TestClient, setup: dict[str, Any]
) -> None:
    cid, key, sessions = setup["community"]["id"], setup["key"], setup["sessions"]
    for s in sessions[1:5]:  # 4 of the last 6
        attend(client, key, cid, s, setup["ada"], setup["bob"])
    case = client.post(
        f"{API}/{cid}/contributions",
        json={
            "member_id": setup["ada"],
            "kind": "case_study",
            "title": "Cobots in the workshop",
            "url": "https://example.org/cobots",
            "summary": "How we brought cobots into level 3 teaching.",
        },
        headers=key,
    )
    assert case.status_code == 201, case.text
    rule = {"attended": {"at_least": 4, "of_last": 6}, "contributed": {"at_least": 1, "kind": "case_study"}}
    changed = client.patch(f"{API}/{cid}", json={"rule": rule}, headers=key)
    assert changed.status_code == 200, changed.text
    assert changed.json()["rule"] == rule

    standing = {s["email"]: s for s in client.get(f"{API}/{cid}/participation", headers=key).json()}
    assert standing["ada@example.com"]["meets_rule"] is True
    assert standing["bob@example.com"]["meets_rule"] is False
    assert standing["bob@example.com"]["missing"] == ["contributed 0 of the 1 case studies needed"]

    issued = client.post(f"{API}/{cid}/participation", headers=key)
    assert issued.status_code == 200, issued.text
    [credential_out] = issued.json()
    assert credential_out["member_id"] == setup["ada"]
    credential = credential_out["credential"]
    assert credential["issuer"]["id"].endswith(":operator")
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "ext:CommunityOfPracticeParticipation"
    assert achievement["id"] == f"{setup['community']['url']}/participation"
    genres = [e["genre"] for e in credential["evidence"]]
    assert genres == ["Attendance"] * 4 + ["Case study"]
    assert credential["evidence"][-1]["id"] == "https://example.org/cobots"
    verified = client.post("/credentials/verify", json={"verifiableCredential": credential}).json()
    assert verified["verified"] is True, verified

    again = client.post(f"{API}/{cid}/participation", headers=key)
    assert again.json() == []  # nothing twice
    public = client.get(credential["id"].removeprefix("https://passport.test"))
    assert public.status_code == 200
    assert public.json()["id"] == credential["id"]


def test_a_provider_owner_issues_through_its_own_achievement(client: TestClient) -> None:
    college = create_provider(client, "Derby College")
    client.post("/api/v1/admin/communities", json={"name": "Robotics"}, headers=OPERATOR)
    achievement = create_achievement(
        client,
        college["api_key"],
        {**COURSE, "kind": "community_of_practice", "community": "Robotics", "name": "Robotics CoP member"},
    )
    wrong = client.post(
        API,
        json={"name": "Robotics 2", "coordinators": [college["id"]], "owner_provider_id": college["id"]},
        headers=OPERATOR,
    )
    assert_problem(wrong, 422, "validation-error")
    assert wrong.json()["errors"][0]["loc"] == ["body", "achievement_id"]
    [robotics] = [c for c in client.get(API, headers=OPERATOR).json() if c["name"] == "Robotics"]
    owned = client.patch(
        f"{API}/{robotics['id']}",
        json={
            "coordinators": [college["id"]],
            "owner_provider_id": college["id"],
            "achievement_id": achievement,
        },
        headers=OPERATOR,
    )
    assert owned.status_code == 200, owned.text
    key = auth(college["api_key"])
    session_id = add_session(client, key, robotics["id"], 3, "Kick-off")
    ada = add_member(client, key, robotics["id"], "ada@example.com")
    attend(client, key, robotics["id"], session_id, ada)
    client.patch(
        f"{API}/{robotics['id']}", json={"rule": {"attended": {"at_least": 1, "of_last": 1}}}, headers=key
    )
    [issued] = client.post(f"{API}/{robotics['id']}/participation", headers=key).json()
    assert issued["credential_id"]
    credential = issued["credential"]
    assert credential["issuer"]["id"] == college["did"]
    assert credential["evidence"][0]["name"] == "Kick-off"
    listed = client.get(f"/api/v1/credentials/{issued['credential_id']}", headers=key)
    assert listed.status_code == 200, listed.text


@pytest.mark.parametrize(
    ("rule", "loc", "code"),
    [
        ({"attended": {"at_least": 5, "of_last": 4}}, ["body", "rule", "attended", "at_least"], "never_met"),
        (
            {"attended": {"at_least": 1, "from": "2026-05-01", "until": "2026-04-01"}},
            ["body", "rule", "attended", "until"],
            "never_met",
        ),
        (
            {"attended": {"at_least": 7, "from": "2020-01-01", "until": "2026-01-01"}},
            ["body", "rule", "attended", "at_least"],
            "never_met",
        ),
        (
            {"attended": {"at_least": 0, "of_last": 4}},
            ["body", "rule", "attended", "at_least"],
            "value_error",
        ),
        ({"contributed": {"at_least": 1, "kind": "poem"}}, ["body", "rule", "contributed", "kind"], "enum"),
        ({}, ["body", "rule"], "missing"),
        (
            {"attended": {"at_least": 2, "of_last": 4, "from": "2026-01-01", "until": "2026-02-01"}},
            ["body", "rule", "attended"],
            "never_met",
        ),
    ],
)
def test_a_rule_that_can_never_be_met_is_refused_and_nothing_changes(
    client: TestClient, setup: dict[str, Any], rule: dict[str, Any], loc: list[str], code: str
) -> None:
    cid = setup["community"]["id"]
    refused = client.patch(f"{API}/{cid}", json={"rule": rule}, headers=setup["key"])
    assert_problem(refused, 422, "validation-error")
    assert refused.json()["errors"][0]["loc"] == loc
    assert refused.json()["errors"][0]["type"] == code
    assert client.get(f"{API}/{cid}", headers=setup["key"]).json()["rule"] is None


def test_issuing_without_a_rule_is_a_conflict(client: TestClient, setup: dict[str, Any]) -> None:
    assert_problem(
        client.post(f"{API}/{setup['community']['id']}/participation", headers=setup["key"]), 409, "conflict"
    )


def test_attendance_before_a_session_started_and_of_strangers_is_refused(
    client: TestClient, setup: dict[str, Any]
) -> None:
    cid, key = setup["community"]["id"], setup["key"]
    future = client.post(
        f"{API}/{cid}/sessions",
        json={
            "title": "Next term",
            "kind": "event",
            "starts_at": (datetime.now(UTC) + timedelta(days=9)).isoformat(),
            "online_url": "https://meet.example.org/x",
        },
        headers=key,
    ).json()
    too_early = client.put(
        f"{API}/{cid}/sessions/{future['id']}/attendance", json={"member_ids": [setup["ada"]]}, headers=key
    )
    assert_problem(too_early, 409, "conflict")
    stranger = client.put(
        f"{API}/{cid}/sessions/{setup['sessions'][0]}/attendance",
        json={"member_ids": ["nobody"]},
        headers=key,
    )
    assert_problem(stranger, 404, "not-found")
    sessions = client.get(f"{API}/{cid}/sessions", headers=key).json()
    assert all(s["attendees"] == [] for s in sessions)


def test_a_session_needs_a_place_or_a_link(client: TestClient, setup: dict[str, Any]) -> None:
    response = client.post(
        f"{API}/{setup['community']['id']}/sessions",
        json={"title": "Nowhere", "starts_at": days_ago(1)},
        headers=setup["key"],
    )
    assert_problem(response, 422, "validation-error")


def test_a_member_is_listed_once(client: TestClient, setup: dict[str, Any]) -> None:
    again = client.post(
        f"{API}/{setup['community']['id']}/members",
        json={"email": "ADA@example.com", "invite": False},
        headers=setup["key"],
    )
    assert_problem(again, 409, "conflict")


def test_the_operator_invites_and_the_link_is_mailed(client: TestClient, setup: dict[str, Any]) -> None:
    cid = setup["community"]["id"]
    direct = client.post(
        f"{API}/{cid}/members", json={"email": "cy@example.com", "invite": False}, headers=OPERATOR
    )
    assert_problem(direct, 422, "validation-error")
    invited = client.post(f"{API}/{cid}/members", json={"email": "cy@example.com"}, headers=OPERATOR)
    assert invited.status_code == 201, invited.text
    assert invited.json()["state"] == "invited"
    assert invited.json()["invitation_url"].startswith("https://passport.test/passport/communities/join/")
    listed = client.get(f"{API}/{cid}/members", headers=OPERATOR).json()
    assert all(m["invitation_url"] is None for m in listed)


def test_the_public_page_shows_what_the_community_is_and_its_sessions(
    client: TestClient, setup: dict[str, Any]
) -> None:
    page = client.get(f"/communities/{setup['community']['id']}")
    assert page.status_code == 200
    assert "Robots in FE." in page.text
    assert "Seminar 6" in page.text
    assert "Derby College" in page.text
    assert "ada@example.com" not in page.text
    as_json = client.get(f"/communities/{setup['community']['id']}", headers={"Accept": "application/json"})
    assert as_json.json()["name"] == "Robotics"
    assert "Robotics" in client.get("/communities").text
    assert_problem(client.get("/communities/nope", headers={"Accept": "application/json"}), 404, "not-found")


# --- authorisation: every route, every identity ---------------------------------------------------------


def routes(setup: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    cid, sid, member = setup["community"]["id"], setup["sessions"][0], setup["ada"]
    return [
        ("GET", f"{API}/{cid}", None),
        ("PATCH", f"{API}/{cid}", {"description": "x"}),
        ("GET", f"{API}/{cid}/sessions", None),
        ("POST", f"{API}/{cid}/sessions", {"title": "t", "starts_at": days_ago(1), "place": "p"}),
        ("PUT", f"{API}/{cid}/sessions/{sid}/attendance", {"member_ids": [member]}),
        ("GET", f"{API}/{cid}/members", None),
        ("POST", f"{API}/{cid}/members", {"email": "z@example.com"}),
        ("GET", f"{API}/{cid}/contributions", None),
        ("POST", f"{API}/{cid}/contributions", {"member_id": member, "title": "t", "summary": "s"}),
        ("GET", f"{API}/{cid}/participation", None),
        ("POST", f"{API}/{cid}/participation", None),
        ("GET", f"{API}/{cid}/participation/any", None),
    ]


def test_another_provider_sees_no_community_of_others(client: TestClient, setup: dict[str, Any]) -> None:
    other = auth(setup["other"]["api_key"])
    assert client.get(API, headers=other).json() == []
    for method, path, body in routes(setup):
        assert_problem(client.request(method, path, json=body, headers=other), 404, "not-found")


def test_without_credentials_every_route_is_401(client: TestClient, setup: dict[str, Any]) -> None:
    for method, path, body in [*routes(setup), ("GET", API, None), ("POST", API, {"name": "x"})]:
        for headers in ({}, {"Authorization": "Bearer op_wrong"}):
            assert_problem(client.request(method, path, json=body, headers=headers), 401, "unauthorized")


def test_a_coordinator_cannot_do_what_only_the_operator_may(
    client: TestClient, setup: dict[str, Any]
) -> None:
    key, cid = setup["key"], setup["community"]["id"]
    assert [c["id"] for c in client.get(API, headers=key).json()] == [cid]
    assert_problem(client.post(API, json={"name": "Mine"}, headers=key), 403, "forbidden")
    for change in ({"sector": "x"}, {"coordinators": []}, {"owner_provider_id": setup["college"]["id"]}):
        assert_problem(client.patch(f"{API}/{cid}", json=change, headers=key), 403, "forbidden")
    assert client.get(f"{API}/{cid}", headers=key).json()["sector"] == "Engineering"


def test_the_operator_may_use_every_route(client: TestClient, setup: dict[str, Any]) -> None:
    # what each route answers the operator here: the last two have no rule yet and no such participation
    expected = [200, 200, 200, 201, 200, 200, 201, 200, 201, 200, 409, 404]
    answered = [
        client.request(method, path, json=body, headers=OPERATOR).status_code
        for method, path, body in routes(setup)
    ]
    assert answered == expected


def test_a_participation_racing_another_request_keeps_the_first(
    client: TestClient, setup: dict[str, Any]
) -> None:
    """Two requests issue the same member's credential at once: the unique constraint decides, the second
    gets the first one's, and its own insert leaves nothing behind."""
    cid, key = setup["community"]["id"], setup["key"]
    attend(client, key, cid, setup["sessions"][-1], setup["ada"])
    client.patch(f"{API}/{cid}", json={"rule": {"attended": {"at_least": 1, "of_last": 1}}}, headers=key)
    [first] = client.post(f"{API}/{cid}/participation", headers=key).json()
    app = client.app
    services = services_of(app)  # type: ignore[arg-type]
    with transaction(services.get(Database).sessions) as session:
        community = service.get(session, service.OPERATOR, cid)
        [standing] = [
            s for s in service.standings(session, community, datetime.now(UTC)) if s.member.id == setup["ada"]
        ]
        as_seen = replace(standing, participation=None)  # as the racing request saw it
        again = participation.issue(
            session,
            services.get(TrustConfig),
            services.get(IssuerConfig),
            community,
            as_seen,
            datetime.now(UTC),
        )
        assert again.id == first["id"]
    with services.get(Database).sessions() as session:
        rows = session.scalars(select(CommunityParticipation)).all()
    assert [row.id for row in rows] == [first["id"]]
