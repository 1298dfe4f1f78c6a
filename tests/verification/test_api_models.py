"""The verify API's response models document every field the reports carry (the outcome as data: proof,
status, validity, holder bindings), and nothing they do not: a report read back through its model is the
same JSON, and OpenAPI describes each field."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient
from pydantic import BaseModel

from tests.verification.conftest import issue, verify
from tests.verification.test_verify_presentations import presentation
from verification.api_models import CredentialVerificationOut, PresentationVerificationOut


def same_through(model: type[BaseModel], report: dict[str, Any]) -> None:
    """Every key of `report`, at every depth, is a field of `model` (and back)."""
    assert model.model_validate(report).model_dump(mode="json", exclude_unset=True) == report


def test_a_credential_report_is_exactly_what_its_model_documents(
    client: TestClient, provider: dict[str, Any]
) -> None:
    issued = issue(
        client, provider["api_key"], provider["achievement_id"], valid_until="2027-01-01T00:00:00Z"
    )
    report = verify(client, issued["credential"])
    assert report["proof"]["state"] == "verified"
    assert report["status"] == {"state": "valid", "purpose": "revocation", "date": None}
    assert report["validity"]["state"] == "current"
    same_through(CredentialVerificationOut, report)
    tampered = copy.deepcopy(issued["credential"])
    tampered["name"] = "Altered"
    same_through(CredentialVerificationOut, verify(client, tampered))
    jwt = issue(client, provider["api_key"], provider["achievement_id"], format="jwt")["credential"]
    same_through(CredentialVerificationOut, verify(client, jwt))


def test_a_presentation_report_is_exactly_what_its_model_documents(
    client: TestClient, provider: dict[str, Any]
) -> None:
    credential = issue(client, provider["api_key"], provider["achievement_id"])["credential"]
    response = client.post(
        "/presentations/verify", json={"verifiablePresentation": presentation([credential])}
    )
    report = response.json()
    assert report["holderIsSubject"] is False
    assert report["holderBindings"] == [{"subject": "unknown", "subjectIds": []}]  # named by a hashed email
    same_through(PresentationVerificationOut, report)


def test_openapi_describes_the_outcome_fields(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    credential = schemas["CredentialVerificationOut"]["properties"]
    assert {"proof", "status", "validity"} <= set(credential)
    assert schemas["StatusOut"]["properties"]["state"]["enum"] == [
        "valid",
        "revoked",
        "suspended",
        "flagged",
        "unknown",
        "none",
        "not_checked",
    ]
    assert schemas["ValidityOut"]["properties"]["state"]["enum"] == [
        "current",
        "expired",
        "not_yet_valid",
        "not_checked",
    ]
    presentation_report = schemas["PresentationVerificationOut"]["properties"]
    assert {"proof", "holderIsSubject", "holderBindings"} <= set(presentation_report)
    assert "description" in schemas["HolderBindingOut"]["properties"]["subject"]
