"""An educator invited to a community of practice accepts into their passport account: only an account
that confirmed the invited address can, the link works once, and the passport lists the community with
the participation credential once earned."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.db import transaction
from core.services import Database, services_of
from issuers.service import IssuerConfig
from passport.config import PassportConfig
from server.seed import DEMO_LEARNER_EMAIL, seed_demo, seed_demo_learner
from tests.conftest import ADMIN_TOKEN, assert_page_problem
from tests.passport.conftest import Browser, auth, create_provider, last_link

API = "/api/v1/communities"
OPERATOR = auth(ADMIN_TOKEN)


def invite(client: TestClient, email: str) -> tuple[str, str]:
    college = create_provider(client, "Derby College")
    community = client.post(
        API,
        json={"name": "Robotics", "coordinators": [college["id"]], "description": "Robots in FE."},
        headers=OPERATOR,
    ).json()
    invited = client.post(
        f"{API}/{community['id']}/members", json={"email": email, "name": "Sam"}, headers=OPERATOR
    )
    assert invited.status_code == 201, invited.text
    return community["id"], invited.json()["id"]


def test_an_invited_educator_joins_into_their_passport_once(app: FastAPI, client: TestClient) -> None:
    community_id, member_id = invite(client, "sam@example.com")
    link = last_link(client, "sam@example.com", "/passport/communities/join/")

    stranger = Browser.open(app)
    assert stranger.get(link).status_code == 303  # signed out: sign in first
    stranger.sign_up("eve@example.com")
    shown = stranger.get(link)
    assert "Add and confirm that address" in shown.text
    refused = stranger.submit(link, link)
    assert_page_problem(refused, 403, "forbidden")

    sam = Browser.open(app)
    sam.sign_up("sam@example.com")
    page = sam.get(link)
    assert "Join the Robotics community of practice" in page.text
    joined = sam.submit(link, link)
    assert joined.status_code == 303, joined.text
    assert joined.headers["location"] == "/passport/communities?done=joined"
    listed = sam.get("/passport/communities").text
    assert "Robotics" in listed
    assert "Participation credential earned" not in listed
    assert "Your communities of practice" in sam.get("/passport").text

    assert_page_problem(sam.get(link), 404, "not-found")  # once
    member = client.get(f"{API}/{community_id}/members", headers=OPERATOR).json()[0]
    assert member["state"] == "active"
    assert member["id"] == member_id


def test_the_demo_net_zero_community_has_sessions_members_and_an_earned_credential(
    app: FastAPI, client: TestClient
) -> None:
    now = datetime.now(UTC)
    with transaction(services_of(app).get(Database).sessions) as session:
        created = seed_demo_learner(session, services_of(app).get(PassportConfig), now)
        keys = seed_demo(session, services_of(app).get(IssuerConfig), now)
    assert created is not None
    assert keys is not None
    [net_zero] = [c for c in client.get(API, headers=OPERATOR).json() if c["name"] == "Net Zero"]
    assert [c["name"] for c in net_zero["coordinators"]] == sorted(
        ["Northern Institute of Technology", "Midlands Further Education College"],
        key=lambda name: next(k["id"] for n, k in keys.items() if n == name),
    )
    assert net_zero["owner"] == keys["Northern Institute of Technology"]["id"]
    sessions = client.get(f"{API}/{net_zero['id']}/sessions", headers=OPERATOR).json()
    assert len(sessions) == 7
    standing = {
        s["email"]: s for s in client.get(f"{API}/{net_zero['id']}/participation", headers=OPERATOR).json()
    }
    assert standing["priya.tutor@iot.example.ac.uk"]["participation_id"] is not None
    assert standing[DEMO_LEARNER_EMAIL]["meets_rule"] is False
    assert standing[DEMO_LEARNER_EMAIL]["state"] == "active"
    issued = client.get(
        f"{API}/{net_zero['id']}/participation/{standing['priya.tutor@iot.example.ac.uk']['participation_id']}",
        headers=OPERATOR,
    ).json()
    credential = issued["credential"]
    assert credential["issuer"]["id"] == keys["Northern Institute of Technology"]["did"]
    evidence = credential["evidence"]
    assert len(evidence) == 6  # the 5 of the last 6 sessions she attended, and her case study
    assert evidence[0]["narrative"].startswith("Attended the seminar on ")
    assert evidence[-1]["name"] == "Heat pump commissioning with a live rig"
    assert (
        client.post("/credentials/verify", json={"verifiableCredential": credential}).json()["verified"]
        is True
    )

    public = client.get(f"/communities/{net_zero['id']}").text
    assert "Electric vehicle maintenance" in public  # upcoming
    assert "Case study showcase" in public  # past
    sam = Browser.open(app)
    assert sam.sign_in(created[0], created[1]).status_code == 303
    assert "Net Zero" in sam.get("/passport/communities").text
