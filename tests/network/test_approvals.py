"""Scheme approval through the API: providers submit, the operator decides, the endorsement is signed,
published and carried by credentials issued afterwards; every route walked with the wrong identity."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.services import Database, services_of
from network.models import SchemeApproval
from schemas.validation import SchemaName, schema_errors
from tests.conftest import ADMIN_TOKEN, BASE_URL
from tests.issuers.conftest import COURSE, auth, create_achievement, create_provider

OPERATOR = auth(ADMIN_TOKEN)
STATEMENT = "Assessed by two qualified assessors; internally verified and moderated each term."


def submit(client: TestClient, key: str, achievement_id: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/approvals",
        json={"achievement_id": achievement_id, "quality_statement": STATEMENT},
        headers=auth(key),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def approve(client: TestClient, approval_id: str, comment: str | None = None) -> dict[str, Any]:
    body = {"comment": comment} if comment else None
    response = client.post(f"/api/v1/admin/approvals/{approval_id}/approve", json=body, headers=OPERATOR)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def issue(client: TestClient, key: str, achievement_id: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/credentials",
        json={"achievement_id": achievement_id, "recipient": {"email": "sam@example.com"}, "format": "ldp"},
        headers=auth(key),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def document_of(issued: dict[str, Any]) -> dict[str, Any]:
    credential: dict[str, Any] = issued["credential"]
    return credential


def approvals_in_database(client: TestClient) -> int:
    with services_of(client.app).get(Database).sessions() as session:
        return session.query(SchemeApproval).count()


@pytest.fixture
def college(client: TestClient) -> dict[str, Any]:
    provider = create_provider(client)
    provider["achievement_id"] = create_achievement(client, provider["api_key"])
    return provider


def test_an_approved_achievement_carries_the_operators_endorsement_from_then_on(
    client: TestClient, college: dict[str, Any]
) -> None:
    key, achievement_id = college["api_key"], college["achievement_id"]
    before = document_of(issue(client, key, achievement_id))
    submitted = submit(client, key, achievement_id)
    assert submitted["state"] == "pending"
    assert all(criterion["met"] for criterion in submitted["criteria"].values())
    approved = approve(client, submitted["id"], "Strong employer involvement.")
    assert approved["state"] == "approved"
    assert approved["decided_by"] == "operator:operator"
    assert approved["endorsement_url"] == f"{BASE_URL}/approvals/{submitted['id']}"

    published = client.get(f"/approvals/{submitted['id']}")
    assert published.status_code == 200
    endorsement = published.json()
    assert endorsement["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert endorsement["id"] == approved["endorsement_url"]
    assert endorsement["issuer"]["id"] == "did:web:passport.test:operator"
    assert endorsement["name"] == "Skills Passport Quality Scheme"
    assert endorsement["credentialSubject"]["endorsementComment"] == "Strong employer involvement."
    assert endorsement["credentialStatus"]["statusListCredential"].startswith(f"{BASE_URL}/operator/status/")
    assert endorsement["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    unsigned = {name: value for name, value in endorsement.items() if name != "proof"}
    assert schema_errors(unsigned, SchemaName.ENDORSEMENT_CREDENTIAL) == []

    after = document_of(issue(client, key, achievement_id))
    achievement = after["credentialSubject"]["achievement"]
    assert achievement["endorsement"] == [endorsement]
    assert endorsement["credentialSubject"]["id"] == achievement["id"]
    assert "endorsement" not in before["credentialSubject"]["achievement"]  # issued before: unchanged


def test_the_providers_own_list_and_the_operators_queue(client: TestClient, college: dict[str, Any]) -> None:
    submitted = submit(client, college["api_key"], college["achievement_id"])
    own = client.get("/api/v1/approvals", headers=auth(college["api_key"])).json()
    assert [row["id"] for row in own] == [submitted["id"]]
    queue = client.get("/api/v1/admin/approvals?state=pending", headers=OPERATOR).json()
    assert [row["id"] for row in queue] == [submitted["id"]]
    assert client.get("/api/v1/admin/approvals?state=approved", headers=OPERATOR).json() == []


def test_a_refusal_gives_reasons_and_the_achievement_can_be_submitted_again(
    client: TestClient, college: dict[str, Any]
) -> None:
    submitted = submit(client, college["api_key"], college["achievement_id"])
    reasons = [{"criterion": "quality_statement", "reason": "No external moderation is described."}]
    refused = client.post(
        f"/api/v1/admin/approvals/{submitted['id']}/refuse", json={"reasons": reasons}, headers=OPERATOR
    )
    assert refused.status_code == 200, refused.text
    assert refused.json()["state"] == "refused"
    assert refused.json()["reasons"] == reasons
    assert client.get(f"/approvals/{submitted['id']}").status_code == 404  # nothing published
    again = client.post(f"/api/v1/admin/approvals/{submitted['id']}/approve", headers=OPERATOR)
    assert again.status_code == 409
    assert again.json()["current_state"] == "refused"
    submit(client, college["api_key"], college["achievement_id"])  # a new submission


def test_a_double_submission_is_409_and_writes_nothing(client: TestClient, college: dict[str, Any]) -> None:
    first = submit(client, college["api_key"], college["achievement_id"])
    response = client.post(
        "/api/v1/approvals",
        json={"achievement_id": college["achievement_id"], "quality_statement": STATEMENT},
        headers=auth(college["api_key"]),
    )
    assert response.status_code == 409
    assert response.json()["type"] == f"{BASE_URL}/problems/conflict"
    assert response.json()["approval_id"] == first["id"]
    approve(client, first["id"])
    assert (
        client.post(
            "/api/v1/approvals",
            json={"achievement_id": college["achievement_id"], "quality_statement": STATEMENT},
            headers=auth(college["api_key"]),
        ).json()["current_state"]
        == "approved"
    )
    assert approvals_in_database(client) == 1


def test_an_achievement_that_misses_a_criterion_cannot_be_approved(client: TestClient) -> None:
    provider = create_provider(client)
    bare = {name: value for name, value in COURSE.items() if name not in ("credits", "sector")}
    achievement_id = create_achievement(client, provider["api_key"], bare)
    submitted = submit(client, provider["api_key"], achievement_id)
    assert submitted["criteria"]["credits"] == {"met": False, "value": None}
    assert submitted["criteria"]["sector"]["met"] is False
    response = client.post(f"/api/v1/admin/approvals/{submitted['id']}/approve", headers=OPERATOR)
    assert response.status_code == 422
    assert response.json()["type"] == f"{BASE_URL}/problems/validation-error"
    assert {tuple(error["loc"]) for error in response.json()["errors"]} == {
        ("criteria", "sector"),
        ("criteria", "credits"),
    }
    state = client.get(f"/api/v1/admin/approvals/{submitted['id']}", headers=OPERATOR).json()
    assert state["state"] == "pending"
    assert state["endorsement_url"] is None


def test_a_provider_cannot_decide_and_cannot_touch_another_providers_achievement(
    client: TestClient, college: dict[str, Any]
) -> None:
    other = create_provider(client, "Another College")
    submitted = submit(client, college["api_key"], college["achievement_id"])
    # Another provider submitting this provider's achievement: it does not exist for them.
    response = client.post(
        "/api/v1/approvals",
        json={"achievement_id": college["achievement_id"], "quality_statement": STATEMENT},
        headers=auth(other["api_key"]),
    )
    assert response.status_code == 404
    assert response.json()["type"] == f"{BASE_URL}/problems/not-found"
    assert (
        client.get(f"/api/v1/approvals/{submitted['id']}", headers=auth(other["api_key"])).status_code == 404
    )
    assert client.get("/api/v1/approvals", headers=auth(other["api_key"])).json() == []
    # Providers never decide, not even on their own submission: 403.
    for key in (college["api_key"], other["api_key"]):
        for path, body in (
            ("approve", None),
            ("refuse", {"reasons": [{"criterion": "other", "reason": "no"}]}),
            ("withdraw", {"reason": "no"}),
        ):
            answer = client.post(
                f"/api/v1/admin/approvals/{submitted['id']}/{path}", json=body, headers=auth(key)
            )
            assert answer.status_code == 403, (path, answer.text)
            assert answer.json()["type"] == f"{BASE_URL}/problems/forbidden"
        assert client.get("/api/v1/admin/approvals", headers=auth(key)).status_code == 403
    # No identity, or a wrong token: 401.
    assert client.get("/api/v1/admin/approvals").status_code == 401
    assert client.get("/api/v1/admin/approvals", headers=auth("op_wrong")).status_code == 401
    assert client.post("/api/v1/approvals", json={}).status_code == 401
    assert client.get("/api/v1/approvals", headers=OPERATOR).status_code == 401  # not a provider key
    state = client.get(f"/api/v1/admin/approvals/{submitted['id']}", headers=OPERATOR).json()
    assert state["state"] == "pending"


def test_unknown_approvals_and_lists_are_404(client: TestClient) -> None:
    for path in ("/approvals/nope", "/operator/status/nope", "/approvals/" + "a" * 40):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")
    assert client.post("/api/v1/admin/approvals/nope/approve", headers=OPERATOR).status_code == 404


def test_withdrawing_revokes_the_endorsement_and_new_credentials_no_longer_carry_it(
    client: TestClient, college: dict[str, Any]
) -> None:
    submitted = submit(client, college["api_key"], college["achievement_id"])
    approve(client, submitted["id"])
    response = client.post(
        f"/api/v1/admin/approvals/{submitted['id']}/withdraw",
        json={"reason": "The course no longer has an external moderator."},
        headers=OPERATOR,
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "withdrawn"
    again = client.post(
        f"/api/v1/admin/approvals/{submitted['id']}/withdraw", json={"reason": "x"}, headers=OPERATOR
    )
    assert again.status_code == 409
    assert client.get(f"/approvals/{submitted['id']}").status_code == 200  # still published
    later = document_of(issue(client, college["api_key"], college["achievement_id"]))
    assert "endorsement" not in later["credentialSubject"]["achievement"]


def test_the_demo_data_has_an_approved_achievement_and_a_pending_one(client: TestClient) -> None:
    from datetime import UTC, datetime

    from core.db import transaction
    from issuers.service import IssuerConfig
    from network.trust import TrustConfig
    from server.seed import seed_demo

    services = services_of(client.app)
    with transaction(services.get(Database).sessions) as session:
        keys = seed_demo(session, services.get(IssuerConfig), datetime.now(UTC), services.get(TrustConfig))
    assert keys is not None
    rows = client.get("/api/v1/admin/approvals", headers=OPERATOR).json()
    assert sorted(row["state"] for row in rows) == ["approved", "pending"]
    pending = next(row for row in rows if row["state"] == "pending")
    assert all(criterion["met"] for criterion in pending["criteria"].values())  # ready to decide
    college = keys["Midlands Further Education College"]["api_key"]
    course = next(
        item
        for item in client.get("/api/v1/achievements", headers=auth(college)).json()
        if item["kind"] == "course"
    )
    issued = document_of(issue(client, college, course["id"]))
    (endorsement,) = issued["credentialSubject"]["achievement"]["endorsement"]
    approved = next(row for row in rows if row["state"] == "approved")
    assert endorsement["id"] == approved["endorsement_url"]
    report = client.post("/credentials/verify", json={"verifiableCredential": issued}).json()
    assert (report["trust"], report["approval"]["state"]) == ("accredited", "approved")
