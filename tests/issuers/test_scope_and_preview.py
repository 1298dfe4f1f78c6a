"""The scheme's answer before and when issuing (inside the accreditation's scope, or why not), and the
previews of one credential and of a cohort: checked as issuing checks, nothing signed or stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.issuers.conftest import ADMIN_TOKEN, COURSE, auth, create_achievement, create_provider
from tests.issuers.test_bulk import csv_rows

NOW = datetime.now(UTC)


def accredit(client: TestClient, provider_id: str, scope: dict[str, Any]) -> None:
    response = client.post(
        "/api/v1/admin/accreditations",
        json={
            "provider_id": provider_id,
            "scope": scope,
            "valid_from": (NOW - timedelta(days=30)).isoformat(),
            "valid_until": (NOW + timedelta(days=365)).isoformat(),
        },
        headers=auth(ADMIN_TOKEN),
    )
    assert response.status_code == 201, response.text


def request_for(achievement_id: str, email: str = "sam@example.com") -> dict[str, Any]:
    return {"achievement_id": achievement_id, "recipient": {"email": email, "name": "Sam"}}


def stored_count(client: TestClient, key: str) -> int:
    return len(client.get("/api/v1/credentials", headers=auth(key)).json()["items"])


@pytest.fixture
def provider(client: TestClient) -> dict[str, Any]:
    """Accredited for RQF 2-3 courses in Building services; one achievement inside, one outside."""
    provider = create_provider(client)
    key = provider["api_key"]
    accredit(
        client,
        provider["id"],
        {"levels": ["RQF 2", "RQF 3"], "kinds": ["course"], "sectors": ["Building services"]},
    )
    inside = create_achievement(client, key)
    outside = create_achievement(client, key, COURSE | {"name": "Aerospace", "level": "RQF 6"})
    return provider | {"inside": inside, "outside": outside}


def test_the_issue_answer_says_whether_the_credential_is_inside_the_scope(
    client: TestClient, provider: dict[str, Any]
) -> None:
    key = provider["api_key"]
    inside = client.post(
        "/api/v1/credentials", json=request_for(provider["inside"]), headers=auth(key)
    ).json()
    assert inside["scope"]["inside"] is True
    assert inside["scope"]["trust"] == "accredited"
    assert "is accredited by" in inside["scope"]["reason"]

    outside = client.post(
        "/api/v1/credentials", json=request_for(provider["outside"], "kim@example.com"), headers=auth(key)
    ).json()
    assert outside["scope"]["inside"] is False
    assert outside["scope"]["trust"] == "outside_scheme"
    assert "RQF 6" in outside["scope"]["reason"]
    # What verification tells an employer is the same answer.
    report = client.post("/credentials/verify", json={"verifiableCredential": outside["credential"]}).json()
    assert "RQF 6" in str(report)


def test_a_provider_with_no_accreditation_is_told_so(client: TestClient) -> None:
    provider = create_provider(client, "Unlisted College")
    achievement = create_achievement(client, provider["api_key"])
    answer = client.post(
        "/api/v1/issue/preview", json=request_for(achievement), headers=auth(provider["api_key"])
    ).json()
    assert answer["scope"]["inside"] is False
    assert "not on" in answer["scope"]["reason"]


def test_a_suspended_accreditation_is_not_inside(client: TestClient, provider: dict[str, Any]) -> None:
    accreditations = client.get("/api/v1/admin/accreditations", headers=auth(ADMIN_TOKEN)).json()
    accreditation_id = (
        accreditations[0]["id"] if isinstance(accreditations, list) else accreditations["items"][0]["id"]
    )
    suspended = client.post(
        f"/api/v1/admin/accreditations/{accreditation_id}/suspend",
        json={"reason": "audit"},
        headers=auth(ADMIN_TOKEN),
    )
    assert suspended.status_code == 200, suspended.text
    answer = client.post(
        "/api/v1/issue/preview", json=request_for(provider["inside"]), headers=auth(provider["api_key"])
    ).json()
    assert (answer["scope"]["inside"], answer["scope"]["trust"]) == (False, "not_trustworthy")


def test_the_preview_answers_before_anything_is_issued(client: TestClient, provider: dict[str, Any]) -> None:
    key = provider["api_key"]
    for achievement, inside in ((provider["inside"], True), (provider["outside"], False)):
        response = client.post("/api/v1/issue/preview", json=request_for(achievement), headers=auth(key))
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["scope"]["inside"] is inside
        assert answer["problems"] == []
        assert answer["achievement_version"] == 1
        assert answer["credential"]["credentialSubject"]["achievement"]["id"].endswith(achievement)
        assert "proof" not in answer["credential"]
    assert stored_count(client, key) == 0


def test_the_preview_refuses_what_issuing_refuses(client: TestClient, provider: dict[str, Any]) -> None:
    key = provider["api_key"]
    stranger = create_provider(client, "Other College")["api_key"]
    assert (
        client.post(
            "/api/v1/issue/preview", json=request_for(provider["inside"]), headers=auth(stranger)
        ).status_code
        == 404
    )
    assert client.post("/api/v1/issue/preview", json=request_for(provider["inside"])).status_code == 401
    bad = client.post(
        "/api/v1/issue/preview", json=request_for(provider["inside"], "not-an-address"), headers=auth(key)
    )
    assert bad.status_code == 422
    client.post(f"/api/v1/achievements/{provider['inside']}/archive", headers=auth(key))
    archived = client.post("/api/v1/issue/preview", json=request_for(provider["inside"]), headers=auth(key))
    assert archived.status_code == 409
    unsignable = request_for(provider["outside"]) | {"evidence": [{"url": "https://example.org/a|b"}]}
    answer = client.post("/api/v1/issue/preview", json=unsignable, headers=auth(key)).json()
    assert answer["problems"]
    assert stored_count(client, key) == 0


def preview(client: TestClient, key: str, achievement_id: str, content: bytes) -> Any:
    return client.post(
        "/api/v1/credentials/bulk/preview",
        data={"achievement_id": achievement_id, "format": "ldp"},
        files={"file": ("cohort.csv", content, "text/csv")},
        headers=auth(key),
    )


def test_a_cohort_preview_shows_every_row_and_issues_nothing(
    client: TestClient, provider: dict[str, Any]
) -> None:
    key = provider["api_key"]
    content = (
        b"email,name,learner_id,result\n"
        b"ann@example.com,Ann,L1,Pass\n"
        b"not-an-address,Bob,L2,Pass\n"
        b"ann@example.com,Ann again,L3,Pass\n"
        b"cat@example.com,=cmd(),L4,Merit\n"
        b"dan@example.com,Dan,L5,Pass,extra\n"
    )
    response = preview(client, key, provider["inside"], content)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["total"], answer["valid"], answer["invalid"]) == (5, 1, 4)
    rows = answer["rows"]
    assert [row["row"] for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["problems"] == []
    assert rows[0]["email"] == "ann@example.com"
    assert "email" in rows[1]["problems"][0]
    assert rows[2]["problems"] == ["same email as row 1"]
    assert "formula" in rows[3]["problems"][0]
    assert rows[4]["problems"] == ["more cells than columns"]
    assert answer["scope"]["inside"] is True
    assert answer["cohort_problems"] == []
    assert stored_count(client, key) == 0
    assert client.get("/api/v1/jobs", headers=auth(key)).json()["items"] == []


def test_a_cohort_preview_of_a_good_file_and_its_scope(client: TestClient, provider: dict[str, Any]) -> None:
    answer = preview(client, provider["api_key"], provider["outside"], csv_rows(30)).json()
    assert (answer["total"], answer["valid"], answer["invalid"]) == (30, 30, 0)
    assert answer["scope"]["inside"] is False
    assert "RQF 6" in answer["scope"]["reason"]


def test_a_cohort_preview_lists_more_than_a_hundred_bad_rows(
    client: TestClient, provider: dict[str, Any]
) -> None:
    content = ("email\n" + "\n".join(f"bad{i}" for i in range(150)) + "\n").encode()
    answer = preview(client, provider["api_key"], provider["inside"], content).json()
    assert answer["invalid"] == 150
    assert all(row["problems"] for row in answer["rows"])


@pytest.mark.parametrize(
    ("content", "status"),
    [(b"\xff\xfe", 400), (b"mail,name\nx@example.com,X\n", 422), (b"email\n", 422)],
)
def test_a_file_that_is_no_cohort_is_refused_whole(
    client: TestClient, provider: dict[str, Any], content: bytes, status: int
) -> None:
    response = preview(client, provider["api_key"], provider["inside"], content)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


def test_a_cohort_preview_is_the_providers_own(client: TestClient, provider: dict[str, Any]) -> None:
    stranger = create_provider(client, "Other College")["api_key"]
    assert preview(client, stranger, provider["inside"], csv_rows(2)).status_code == 404
    assert (
        client.post(
            "/api/v1/credentials/bulk/preview",
            data={"achievement_id": provider["inside"]},
            files={"file": ("c.csv", csv_rows(2), "text/csv")},
        ).status_code
        == 401
    )
