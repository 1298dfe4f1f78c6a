"""Issuing never signs what verification would refuse: a VC-JWT gets the JSON-LD signing rules that a
Data Integrity proof gets (every statement signed, or the credential refused with the reason), single
and bulk, before anything is signed or stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import transaction
from core.services import Database, services_of
from issuers.bulk import JobWorker
from issuers.models import IssuedCredential
from issuers.service import IssuerConfig
from tests.issuers.conftest import ADMIN_TOKEN, COURSE, auth, create_achievement, create_provider
from tests.issuers.test_api import assert_problem, issue, ports_for
from tests.issuers.test_bulk import upload, wait_for
from vc.verify import verify_credential

#: A URL pydantic accepts that is not a well-formed IRI (RFC 3987 forbids "|"): JSON-LD would drop the
#: statements it is in, so our verifier refuses a credential holding it (`ill_formed_iri`).
ILL_FORMED = "https://example.org/evidence/portfolio|2026"


def stored(client: TestClient) -> int:
    with transaction(services_of(client.app).get(Database).sessions) as session:
        return session.scalar(select(func.count()).select_from(IssuedCredential)) or 0


@pytest.mark.parametrize("credential_format", ["jwt", "ldp"])
def test_an_issuer_never_signs_a_credential_its_own_verifier_refuses(
    client: TestClient, credential_format: str
) -> None:
    provider = create_provider(client)
    key = provider["api_key"]
    body = {
        "achievement_id": create_achievement(client, key),
        "recipient": {"email": "sam@example.com"},
        "format": credential_format,
        "evidence": [{"url": ILL_FORMED, "name": "Portfolio"}],
    }
    response = client.post("/api/v1/credentials", json=body, headers=auth(key))
    assert_problem(response, 422, "validation-error")
    (error,) = response.json()["errors"]
    assert "ill_formed_iri" in error["msg"]
    assert "could not be signed" in error["msg"]
    assert stored(client) == 0


@pytest.mark.parametrize("credential_format", ["jwt", "ldp"])
def test_what_is_signed_verifies(client: TestClient, credential_format: str) -> None:
    """The check refuses only what verification refuses: ordinary evidence is signed and verifies."""
    provider = create_provider(client)
    key = provider["api_key"]
    evidence = [{"url": "https://example.org/evidence/portfolio-2026", "name": "Portfolio"}]
    created = issue(client, key, create_achievement(client, key), format=credential_format, evidence=evidence)
    report = verify_credential(created["credential"], ports_for(client, provider["did"]), datetime.now(UTC))
    assert report.verified, report


@pytest.mark.parametrize("credential_format", ["jwt", "ldp"])
def test_a_bulk_upload_whose_credentials_could_not_be_signed_is_refused_before_the_job(
    client: TestClient, credential_format: str
) -> None:
    provider = create_provider(client)
    key = provider["api_key"]
    achievement: dict[str, Any] = {**COURSE, "criteria_url": "https://example.org/criteria/heat-pumps|v2"}
    achievement_id = create_achievement(client, key, achievement)
    response = client.post(
        "/api/v1/credentials/bulk",
        data={"achievement_id": achievement_id, "format": credential_format},
        files={"file": ("cohort.csv", b"email\na@example.com\nb@example.com\n", "text/csv")},
        headers=auth(key),
    )
    assert_problem(response, 422, "validation-error")
    assert "ill_formed_iri" in response.json()["errors"][0]["msg"]
    assert stored(client) == 0


def test_a_bulk_row_with_text_that_cannot_be_signed_is_refused_with_its_row(client: TestClient) -> None:
    provider = create_provider(client)
    key = provider["api_key"]
    achievement_id = create_achievement(client, key)
    content = '[{"email": "a@example.com", "name": "Sam"}, {"email": "b@example.com", "name": "Kim\\ufffe"}]'
    response = upload(client, key, achievement_id, content.encode(), "cohort.json")
    assert_problem(response, 422, "validation-error")
    assert response.json()["errors"] == [
        {"row": 2, "field": "name", "msg": "U+FFFE is a noncharacter: it cannot be signed"}
    ]
    assert stored(client) == 0


def test_a_bulk_job_of_signable_rows_is_done(client: TestClient) -> None:
    provider = create_provider(client)
    key = provider["api_key"]
    response = upload(client, key, create_achievement(client, key), b"email,name\na@example.com,Sam\n")
    assert response.status_code == 202, response.text
    assert wait_for(client, key, response.json()["id"])["state"] == "done"


@pytest.mark.parametrize("credential_format", ["jwt", "ldp"])
def test_a_job_whose_provider_became_unsignable_after_upload_fails_naming_the_row(
    client: TestClient, credential_format: str
) -> None:
    """The job checks again as it signs: the operator may change the provider's details meanwhile."""
    provider = create_provider(client)
    key = provider["api_key"]
    achievement_id = create_achievement(client, key)
    services_of(client.app).get(JobWorker).stop()  # run the job by hand, after the change
    response = client.post(
        "/api/v1/credentials/bulk",
        data={"achievement_id": achievement_id, "format": credential_format},
        files={"file": ("cohort.csv", b"email,result\na@example.com,Pass\nb@example.com,\n", "text/csv")},
        headers=auth(key),
    )
    assert response.status_code == 202, response.text
    changed = client.patch(
        f"/api/v1/admin/issuers/{provider['id']}",
        json={"logo_url": "https://example.org/logos/college|2026.png"},
        headers=auth(ADMIN_TOKEN),
    )
    assert changed.status_code == 200, changed.text
    sessions = services_of(client.app).get(Database).sessions
    JobWorker(sessions, services_of(client.app).get(IssuerConfig))._run(response.json()["id"])
    job = client.get(f"/api/v1/jobs/{response.json()['id']}", headers=auth(key)).json()
    assert job["state"] == "failed"
    assert job["error"].startswith(
        "ValidationFailed: row 1: the credential could not be signed (ill_formed_iri)"
    )
    assert stored(client) == 0
