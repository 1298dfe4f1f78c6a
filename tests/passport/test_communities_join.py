"""An educator invited to a community of practice accepts into their passport account: only an account
that confirmed the invited address can, the link works once, and the passport lists the community with
the participation credential once earned."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_TOKEN
from tests.passport.conftest import Browser, assert_page_problem, auth, create_provider, last_link

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
