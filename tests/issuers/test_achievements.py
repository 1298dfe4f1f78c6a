"""Achievements edited as versions (issued credentials keep theirs), archived, and published at their url."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.db import transaction
from core.problems import Conflict
from core.services import Database, services_of
from issuers import achievements, service
from issuers.api_models import AchievementUpdate
from issuers.models import Achievement
from issuers.service import IssuerConfig
from tests.issuers.conftest import COURSE, auth, create_achievement, create_provider
from tests.issuers.test_bulk import csv_rows, upload, wait_for

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def issue(client: TestClient, key: str, achievement_id: str, email: str = "sam@example.com") -> Any:
    return client.post(
        "/api/v1/credentials",
        json={"achievement_id": achievement_id, "recipient": {"email": email, "name": "Sam"}},
        headers=auth(key),
    )


def achievement_in(credential: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = credential["credentialSubject"]["achievement"]
    return found


def patch(client: TestClient, key: str, achievement_id: str, body: dict[str, Any]) -> Any:
    return client.patch(f"/api/v1/achievements/{achievement_id}", json=body, headers=auth(key))


@pytest.fixture
def provider(client: TestClient) -> dict[str, Any]:
    provider = create_provider(client)
    return provider | {"achievement": create_achievement(client, provider["api_key"])}


def test_an_edit_makes_a_new_version_and_issued_credentials_keep_theirs(
    client: TestClient, provider: dict[str, Any]
) -> None:
    key, achievement_id = provider["api_key"], provider["achievement"]
    before = issue(client, key, achievement_id).json()
    edited = patch(client, key, achievement_id, {"name": "Heat Pumps (Level 3, 2027)", "sector": None})
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert (body["version"], body["definition"]["name"]) == (2, "Heat Pumps (Level 3, 2027)")
    assert body["definition"]["sector"] is None
    assert body["definition"]["description"] == COURSE["description"]  # what was not sent is kept
    after = issue(client, key, achievement_id, "kim@example.com").json()

    assert achievement_in(after["credential"])["name"] == "Heat Pumps (Level 3, 2027)"
    assert achievement_in(after["credential"])["version"] == "2"
    assert achievement_in(before["credential"])["name"] == COURSE["name"]
    assert "version" not in achievement_in(before["credential"])
    stored = client.get(f"/api/v1/credentials/{before['id']}", headers=auth(key)).json()
    assert stored["credential"] == before["credential"]  # the signed document never changes
    listed = client.get("/api/v1/credentials", headers=auth(key)).json()["items"]
    assert {item["id"]: item["achievement_version"] for item in listed} == {after["id"]: 2, before["id"]: 1}

    versions = client.get(f"/api/v1/achievements/{achievement_id}/versions", headers=auth(key)).json()
    assert [(v["version"], v["definition"]["name"]) for v in versions] == [
        (1, COURSE["name"]),
        (2, "Heat Pumps (Level 3, 2027)"),
    ]


def test_an_edit_that_changes_nothing_makes_no_version(client: TestClient, provider: dict[str, Any]) -> None:
    response = patch(client, provider["api_key"], provider["achievement"], {"name": COURSE["name"]})
    assert response.json()["version"] == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "at least one field"),
        ({"kind": "event"}, "Extra inputs"),
        ({"name": None}, "cannot be cleared"),
        ({"criteria_narrative": None}, "criteria"),  # the result is checked whole: criteria are needed
        ({"level": "Level 3"}, "pattern"),
        ({"community": "Knitting"}, "communities"),
    ],
)
def test_a_bad_edit_is_422_and_changes_nothing(
    client: TestClient, provider: dict[str, Any], body: dict[str, Any], message: str
) -> None:
    key, achievement_id = provider["api_key"], provider["achievement"]
    response = patch(client, key, achievement_id, body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert message in response.text
    current = client.get(f"/api/v1/achievements/{achievement_id}", headers=auth(key)).json()
    assert current["version"] == 1
    assert current["definition"]["name"] == COURSE["name"]


def test_another_providers_achievement_is_404_to_every_route(
    client: TestClient, provider: dict[str, Any]
) -> None:
    stranger = create_provider(client, "Other College")["api_key"]
    path = f"/api/v1/achievements/{provider['achievement']}"
    for response in (
        client.patch(path, json={"name": "Mine now"}, headers=auth(stranger)),
        client.get(f"{path}/versions", headers=auth(stranger)),
        client.post(f"{path}/archive", headers=auth(stranger)),
        client.post(f"{path}/restore", headers=auth(stranger)),
    ):
        assert response.status_code == 404
        assert response.json()["type"].endswith("not-found")
    current = client.get(path, headers=auth(provider["api_key"])).json()
    assert (current["version"], current["archived_at"]) == (1, None)
    for response in (client.patch(path, json={"name": "x"}), client.post(f"{path}/archive")):
        assert response.status_code == 401


def test_of_two_edits_of_one_version_the_second_is_409(client: TestClient, provider: dict[str, Any]) -> None:
    sessions = services_of(client.app).get(Database).sessions
    config = services_of(client.app).get(IssuerConfig)
    with transaction(sessions) as first, transaction(sessions) as second:
        mine = first.get(Achievement, provider["achievement"])
        theirs = second.get(Achievement, provider["achievement"])
        assert mine is not None
        assert theirs is not None
        achievements.update_achievement(first, config, mine, AchievementUpdate(name="First"), NOW)
        first.commit()
        with pytest.raises(Conflict):
            achievements.update_achievement(second, config, theirs, AchievementUpdate(name="Second"), NOW)
        second.rollback()
    current = client.get(f"/api/v1/achievements/{provider['achievement']}", headers=auth(provider["api_key"]))
    assert (current.json()["version"], current.json()["definition"]["name"]) == (2, "First")


def test_a_cohort_is_issued_with_the_version_it_was_accepted_with(
    client: TestClient, provider: dict[str, Any]
) -> None:
    """An edit racing a bulk job: every row of the cohort is the version the upload saw, none the next."""
    key, achievement_id = provider["api_key"], provider["achievement"]
    sessions = services_of(client.app).get(Database).sessions
    config = services_of(client.app).get(IssuerConfig)
    with transaction(sessions) as session:  # accepted, not yet run: the worker is asleep till woken
        issuer = service.get_issuer(session, provider["id"])
        from issuers import bulk

        job = bulk.create_job(session, config, issuer, achievement_id, "ldp", "c.csv", csv_rows(4), NOW)
        job_id = job.id
    assert patch(client, key, achievement_id, {"name": "Renamed"}).json()["version"] == 2
    bulk.run_job(sessions, config, job_id)
    assert wait_for(client, key, job_id)["state"] == "done"
    rows = client.get(f"/api/v1/jobs/{job_id}/credentials", headers=auth(key)).json()["items"]
    assert [row["achievement_version"] for row in rows] == [1, 1, 1, 1]
    for row in rows:
        document = client.get(f"/api/v1/credentials/{row['id']}", headers=auth(key)).json()["credential"]
        assert achievement_in(document)["name"] == COURSE["name"]


def test_an_archived_achievement_issues_nothing_and_what_was_issued_still_verifies(
    client: TestClient, provider: dict[str, Any]
) -> None:
    key, achievement_id = provider["api_key"], provider["achievement"]
    issued = issue(client, key, achievement_id).json()
    archived = client.post(f"/api/v1/achievements/{achievement_id}/archive", headers=auth(key))
    assert archived.status_code == 200
    assert archived.json()["archived_at"] is not None
    again = client.post(f"/api/v1/achievements/{achievement_id}/archive", headers=auth(key))
    assert again.status_code == 409

    refused = issue(client, key, achievement_id, "kim@example.com")
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("conflict")
    assert "archived" in refused.json()["detail"]
    assert upload(client, key, achievement_id, csv_rows(2)).status_code == 409
    assert client.get("/api/v1/credentials", headers=auth(key)).json()["items"][0]["id"] == issued["id"]

    report = client.post("/credentials/verify", json={"verifiableCredential": issued["credential"]}).json()
    assert report["verified"] is True, json.dumps(report)[:500]
    assert client.get(f"/achievements/{achievement_id}").status_code == 200

    restored = client.post(f"/api/v1/achievements/{achievement_id}/restore", headers=auth(key))
    assert restored.json()["archived_at"] is None
    assert issue(client, key, achievement_id, "kim@example.com").status_code == 201
    assert client.post(f"/api/v1/achievements/{achievement_id}/restore", headers=auth(key)).status_code == 409


# --- the public page ---------------------------------------------------------------------------------------


def test_the_achievement_url_is_a_page_and_ob3_json(client: TestClient, provider: dict[str, Any]) -> None:
    key = provider["api_key"]
    url = client.get(f"/api/v1/achievements/{provider['achievement']}", headers=auth(key)).json()["url"]
    path = url.removeprefix("https://passport.test")
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert COURSE["name"] in page.text
    assert "Midlands College" in page.text
    assert "RQF 3" in page.text
    assert "sam@example.com" not in page.text

    document = client.get(path, headers={"Accept": "application/json"}).json()
    assert document["id"] == url
    assert document["type"] == ["Achievement"]
    assert document["achievementType"] == "Course"
    assert document["name"] == COURSE["name"]
    assert document["creator"]["name"] == "Midlands College"
    # The same Achievement the credentials hold.
    credential = issue(client, key, provider["achievement"]).json()["credential"]
    assert document | {"@context": None} == achievement_in(credential) | {"@context": None}


def test_the_page_shows_any_version_and_says_which(client: TestClient, provider: dict[str, Any]) -> None:
    key, achievement_id = provider["api_key"], provider["achievement"]
    patch(client, key, achievement_id, {"name": "Heat Pumps 2027"})
    assert "Heat Pumps 2027" in client.get(f"/achievements/{achievement_id}").text
    old = client.get(f"/achievements/{achievement_id}", params={"version": 1})
    assert COURSE["name"] in old.text
    assert "version 1 of the achievement" in old.text
    old_json = client.get(
        f"/achievements/{achievement_id}", params={"version": 1}, headers={"Accept": "application/json"}
    ).json()
    assert (old_json["name"], old_json.get("version")) == (COURSE["name"], None)
    assert client.get(f"/achievements/{achievement_id}", params={"version": 3}).status_code == 404


def test_the_page_is_in_welsh_for_a_welsh_reader(client: TestClient, provider: dict[str, Any]) -> None:
    english = client.get(f"/achievements/{provider['achievement']}", params={"lang": "en"}).text
    welsh = client.get(f"/achievements/{provider['achievement']}", params={"lang": "cy"}).text
    assert "Offered by" in english
    assert "Offered by" not in welsh
    assert 'lang="cy"' in welsh


def test_an_unknown_achievement_is_404_page_or_problem(client: TestClient) -> None:
    page = client.get("/achievements/" + "0" * 32, headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    problem = client.get("/achievements/" + "0" * 32, headers={"Accept": "application/json"})
    assert problem.status_code == 404
    assert problem.headers["content-type"] == "application/problem+json"
    assert client.get("/achievements/" + "x" * 300).status_code == 404


def test_an_archived_achievements_page_says_so(client: TestClient, provider: dict[str, Any]) -> None:
    client.post(f"/api/v1/achievements/{provider['achievement']}/archive", headers=auth(provider["api_key"]))
    page = client.get(f"/achievements/{provider['achievement']}", params={"lang": "en"})
    assert page.status_code == 200
    assert "no longer issues this achievement" in page.text


def test_edits_racing_issues_never_mix_versions(client: TestClient, provider: dict[str, Any]) -> None:
    """Ten issues and five edits released together: each credential is wholly the version it records,
    and of the edits of one version only one applies (the others are 409)."""
    from tests.issuers.test_races import together, warm

    key, achievement_id = provider["api_key"], provider["achievement"]
    warm(client, key)

    def act(number: int) -> tuple[str, int]:
        if number % 3 == 0:
            edit = patch(client, key, achievement_id, {"name": f"Edited {number}"})
            return "edit", edit.status_code
        issued = issue(client, key, achievement_id, f"learner{number}@example.com")
        assert issued.status_code == 201, issued.text
        return issued.json()["id"], issued.status_code

    results = together(15, act)
    edits = [status for kind, status in results if kind == "edit"]
    assert set(edits) <= {200, 409}
    assert 200 in edits
    versions = client.get(f"/api/v1/achievements/{achievement_id}/versions", headers=auth(key)).json()
    names = {version["version"]: version["definition"]["name"] for version in versions}
    assert len(names) == 1 + edits.count(200)
    listed = client.get("/api/v1/credentials", params={"limit": 200}, headers=auth(key)).json()["items"]
    assert len(listed) == 10
    for item in listed:
        document = client.get(f"/api/v1/credentials/{item['id']}", headers=auth(key)).json()["credential"]
        assert achievement_in(document)["name"] == names[item["achievement_version"]]
        assert achievement_in(document).get("version", "1") == str(item["achievement_version"])
