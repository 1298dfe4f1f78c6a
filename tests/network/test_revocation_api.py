"""The exchange-visit credential carries a revocation entry on the operator's status list: the operator
revokes it through the API (once: again is 409; a provider's key is 403), the revocation is in the audit
trail, and every verifier reports it revoked at once (the employer's page and the VC API)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from core.services import Database, services_of
from issuers.staff.audit import ACTIONS
from issuers.staff.models import AuditEvent
from tests.conftest import assert_problem
from tests.issuers.conftest import auth, create_provider
from tests.network.bursaries_helpers import (
    OPERATOR,
    REPORT,
    SESSION,
    create_award,
    create_fund,
    step,
    visited,
)


def _issued(client: TestClient) -> tuple[dict[str, Any], dict[str, Any]]:
    provider = create_provider(client)
    award = create_award(client, create_fund(client)["id"], provider["id"])
    visited(client, award["id"])
    assert step(client, award["id"], "dissemination", {**REPORT, **SESSION}).status_code == 200
    response = step(client, award["id"], "issue")
    assert response.status_code == 200, response.text
    issued: dict[str, Any] = response.json()
    return issued, provider


def _verify(client: TestClient, credential: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def _status_check(report: dict[str, Any]) -> str:
    return str(next(check["outcome"] for check in report["checks"] if check["id"] == "status"))


def test_issue_verify_revoke_verify_revoked(client: TestClient) -> None:
    award, _ = _issued(client)
    document = award["credential"]
    status = document["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListCredential"].startswith("https://passport.test/operator/status/")
    before = _verify(client, document)
    assert _status_check(before) == "passed"
    page = client.get(f"/exchange-visits/{award['id']}", headers={"Accept": "application/json"}).json()
    assert _status_check(page) == "passed"

    response = step(client, award["id"], "revoke", {"reason": "The visit did not take place as recorded."})
    assert response.status_code == 200, response.text
    assert response.json()["revocation_reason"] == "The visit did not take place as recorded."
    assert response.json()["revoked_at"] is not None

    after = _verify(client, document)
    assert _status_check(after) == "failed"
    assert after["status"]["state"] == "revoked"
    page = client.get(f"/exchange-visits/{award['id']}", headers={"Accept": "application/json"}).json()
    assert _status_check(page) == "failed"
    html = client.get(f"/exchange-visits/{award['id']}")
    assert html.status_code == 200
    assert 'data-verdict="revoked"' in html.text

    with services_of(client.app).get(Database).sessions() as session:
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_id == award["id"], AuditEvent.action == "bursary.award.revoke"
            )
        ).all()
        assert len(events) == 1
        assert events[0].after == {"reason": "The visit did not take place as recorded."}
    assert "bursary.award.revoke" in ACTIONS


def test_revoking_twice_is_409_and_keeps_the_first_reason(client: TestClient) -> None:
    award, _ = _issued(client)
    assert step(client, award["id"], "revoke", {"reason": "First reason"}).status_code == 200
    again = step(client, award["id"], "revoke", {"reason": "Second reason"})
    assert_problem(again, 409, "credential-already-revoked")
    shown = client.get(f"/api/v1/bursaries/awards/{award['id']}", headers=OPERATOR).json()
    assert shown["revocation_reason"] == "First reason"


def test_only_an_issued_credential_can_be_revoked(client: TestClient) -> None:
    provider = create_provider(client)
    award = create_award(client, create_fund(client)["id"], provider["id"])
    response = step(client, award["id"], "revoke", {"reason": "Too early"})
    assert_problem(response, 409, "bursary-award-state")
    assert_problem(step(client, award["id"], "revoke", {"reason": ""}), 422, "validation-error")


def test_a_provider_cannot_revoke(client: TestClient) -> None:
    award, provider = _issued(client)
    response = client.post(
        f"/api/v1/bursaries/awards/{award['id']}/revoke",
        json={"reason": "x"},
        headers=auth(provider["api_key"]),
    )
    assert_problem(response, 403, "forbidden")
    assert _status_check(_verify(client, award["credential"])) == "passed"
