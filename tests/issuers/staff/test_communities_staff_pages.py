"""The communities' staff pages: the operator's administrator creates a community and names a coordinator;
the coordinator's staff record a session, a member, attendance, a rule and issue the credential from the
console; everyone else is kept out (another provider: 404, a viewer or assessor changing something: 403);
a refused form is shown again with its values and why."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.services import Database, services_of
from network.communities.models import CommunityParticipation
from tests.conftest import assert_page_problem
from tests.issuers.conftest import create_provider
from tests.issuers.staff.conftest import Browser, operator_staff, provider_staff

COMMUNITIES = "/operator/communities"


def participations(app: FastAPI) -> list[CommunityParticipation]:
    with services_of(app).get(Database).sessions() as session:
        return list(session.scalars(select(CommunityParticipation)))


@pytest.fixture
def community(app: FastAPI, client: TestClient) -> dict[str, Any]:
    """Created on the operator's page, coordinated by Derby College; Derby's issuer signed in."""
    derby = create_provider(client, "Derby College")
    create_provider(client, "Leeds College")
    olu = operator_staff(app, client, "olu@network.example")
    created = olu.submit(
        COMMUNITIES,
        COMMUNITIES,
        name="Net Zero Educators",
        sector="Construction",
        description="Teaching low-carbon skills.",
        coordinators=derby["id"],
    )
    assert created.status_code == 303, created.text
    path = created.headers["location"].split("?")[0]
    ivy = provider_staff(app, client, derby["id"], "ivy@derby.example", "issuer")
    return {
        "path": path,
        "console": path.replace("/operator/", "/console/"),
        "olu": olu,
        "ivy": ivy,
        "derby": derby,
    }


def test_a_coordinator_runs_the_community_from_the_console(app: FastAPI, community: dict[str, Any]) -> None:
    ivy: Browser = community["ivy"]
    console = community["console"]
    listing = ivy.get("/console/communities")
    assert "Net Zero Educators" in listing.text
    assert 'href="/console/communities"' in listing.text  # the section navigation

    added = ivy.submit(
        console,
        f"{console}/sessions",
        title="Heat pumps seminar",
        kind="seminar",
        starts_at="2026-11-20T14:00",
        place="Derby campus",
    )
    assert added.status_code == 303, added.text
    member = ivy.submit(
        console, f"{console}/members", name="Ada Lovelace", email="ada@derby.example", how="add"
    )
    assert member.headers["location"].endswith("done=member#members")
    page = ivy.get(console).text
    assert "Heat pumps seminar" in page
    assert "ada@derby.example" in page
    [(session_id, member_id)] = re.findall(r'id="attended-([0-9a-f]+)-([0-9a-f]+)"', page)
    attended = ivy.http.post(
        f"{console}/sessions/{session_id}/attendance",
        data={"csrf_token": ivy.csrf(console), "member": member_id},
    )
    assert attended.status_code == 303, attended.text
    rule = ivy.submit(console, f"{console}/rule", attended_at_least="1", attended_of_last="1")
    assert rule.status_code == 303, rule.text
    assert "attend 1 of the last 1 sessions" in ivy.get(console).text
    issued = ivy.submit(console, f"{console}/participation")
    assert issued.headers["location"].endswith("done=issued#participation")
    assert len(participations(app)) == 1
    assert "Issued on 2026-12-01" in ivy.get(console).text
    again = ivy.submit(console, f"{console}/participation")
    assert again.headers["location"].endswith("done=none-issued#participation")
    assert len(participations(app)) == 1


def test_a_rule_that_can_never_be_met_is_shown_again_with_why(community: dict[str, Any]) -> None:
    ivy: Browser = community["ivy"]
    refused = ivy.submit(
        community["console"], f"{community['console']}/rule", attended_at_least="5", attended_of_last="3"
    )
    assert refused.status_code == 422
    assert "attending 5 of the last 3 sessions can never happen" in refused.text
    assert 'value="5"' in refused.text
    assert "No participation rule yet." in ivy.get(community["console"]).text


def test_a_session_without_place_or_link_is_refused_and_nothing_is_added(community: dict[str, Any]) -> None:
    ivy: Browser = community["ivy"]
    refused = ivy.submit(
        community["console"],
        f"{community['console']}/sessions",
        title="Nowhere",
        kind="seminar",
        starts_at="2026-11-20T14:00",
    )
    assert refused.status_code == 422
    assert "a session needs a place, a link, or both" in refused.text
    assert 'value="Nowhere"' in refused.text
    assert "No sessions yet." in ivy.get(community["console"]).text


def test_another_provider_and_lesser_roles_are_kept_out(
    app: FastAPI, client: TestClient, community: dict[str, Any]
) -> None:
    leeds = create_provider(client, "Leeds Other")
    lee = provider_staff(app, client, leeds["id"], "lee@leeds.example", "admin")
    assert "Net Zero Educators" not in lee.get("/console/communities").text
    assert_page_problem(lee.get(community["console"]), 404, "not-found")
    refused = lee.http.post(
        f"{community['console']}/members",
        data={"csrf_token": lee.csrf("/console/communities"), "email": "x@y.z"},
    )
    assert_page_problem(refused, 404, "not-found")

    vic = provider_staff(app, client, community["derby"]["id"], "vic@derby.example", "viewer")
    assert vic.get(community["console"]).status_code == 200
    forbidden = vic.http.post(
        f"{community['console']}/rule",
        data={"csrf_token": vic.csrf(community["console"]), "attended_at_least": "1"},
    )
    assert_page_problem(forbidden, 403, "role-not-allowed")

    ann = operator_staff(app, client, "ann@network.example", "assessor")
    assert ann.get(community["path"]).status_code == 200
    create = ann.http.post(COMMUNITIES, data={"csrf_token": ann.csrf(COMMUNITIES), "name": "Mine"})
    assert_page_problem(create, 403, "role-not-allowed")

    signed_out = Browser.open(app).get(community["console"])
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/console/sign-in")
    no_csrf = community["ivy"].http.post(f"{community['console']}/rule", data={"attended_at_least": "1"})
    assert_page_problem(no_csrf, 403, "csrf-token-invalid")


def test_the_operator_invites_and_a_duplicate_community_is_refused(community: dict[str, Any]) -> None:
    olu: Browser = community["olu"]
    invited = olu.submit(community["path"], f"{community['path']}/members", email="cy@college.example")
    assert invited.headers["location"].endswith("done=invited#members")
    assert "Invited" in olu.get(community["path"]).text
    again = olu.submit(COMMUNITIES, COMMUNITIES, name="net zero educators")
    assert again.status_code == 409
    assert 'value="net zero educators"' in again.text
