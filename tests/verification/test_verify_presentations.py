"""POST /presentations/verify: the holder's proof and each credential inside, through the service's ports."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_problem
from tests.verification.conftest import issue
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.keys import KeyType, PrivateKey
from vc.presentation import sign_presentation
from vc.presentation_jwt import sign_presentation_jwt

HOLDER = PrivateKey.generate(KeyType.ED25519)


def presentation(credentials: list[Any], **options: Any) -> dict[str, Any]:
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": did_key_for(HOLDER.public_key),
        "verifiableCredential": credentials,
    }
    method = did_key_verification_method_id(HOLDER.public_key)
    return sign_presentation(unsigned, HOLDER, method, datetime.now(UTC), **options)


def test_presentation_of_own_credentials_verifies(client: TestClient, provider: dict[str, Any]) -> None:
    ldp = issue(client, provider["api_key"], provider["achievement_id"])["credential"]
    jwt = issue(client, provider["api_key"], provider["achievement_id"], format="jwt")["credential"]
    enveloped = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"data:application/vc+jwt,{jwt}",
        "type": "EnvelopedVerifiableCredential",
    }
    vp = presentation([ldp, enveloped], challenge="n-1", domain="employer.example")
    body = {"verifiablePresentation": vp, "options": {"challenge": "n-1", "domain": "employer.example"}}
    response = client.post("/presentations/verify", json=body)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["verified"] is True, report
    assert report["holder"] == did_key_for(HOLDER.public_key)
    assert [r["verified"] for r in report["credentialResults"]] == [True, True]
    assert [r["issuer"] for r in report["credentialResults"]] == [provider["did"]] * 2


def test_replayed_presentation_is_not_verified(client: TestClient, provider: dict[str, Any]) -> None:
    ldp = issue(client, provider["api_key"], provider["achievement_id"])["credential"]
    vp = presentation([ldp], challenge="yesterday")
    response = client.post(
        "/presentations/verify", json={"verifiablePresentation": vp, "options": {"challenge": "today"}}
    )
    assert response.status_code == 200
    report = response.json()
    assert report["verified"] is False
    assert [e["id"] for e in report["errors"]] == ["presentation_proof"]


def test_revoked_credential_inside_fails_the_presentation(
    client: TestClient, provider: dict[str, Any]
) -> None:
    created = issue(client, provider["api_key"], provider["achievement_id"])
    client.post(
        f"/api/v1/credentials/{created['id']}/revoke",
        json={"reason": "withdrawn"},
        headers={"Authorization": f"Bearer {provider['api_key']}"},
    )
    vp = presentation([created["credential"]], challenge="n")
    report = client.post(
        "/presentations/verify", json={"verifiablePresentation": vp, "options": {"challenge": "n"}}
    ).json()
    assert report["verified"] is False
    assert [e["id"] for e in report["credentialResults"][0]["errors"]] == ["status"]


@pytest.mark.parametrize(
    ("body", "status", "slug"),
    [
        ({"verifiablePresentation": 42}, 422, "validation-error"),
        ({"verifiablePresentation": {}, "options": {"challenge": 5}}, 422, "validation-error"),
        ({"verifiablePresentation": {}, "options": {"unknown": "x"}}, 422, "validation-error"),
        ({"presentation": {}}, 422, "validation-error"),
    ],
)
def test_malformed_presentation_request_is_a_problem(
    client: TestClient, body: dict[str, Any], status: int, slug: str
) -> None:
    response = client.post(
        "/presentations/verify", content=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert_problem(response, status, slug)


def test_presentation_jwt_of_own_credentials_verifies(client: TestClient, provider: dict[str, Any]) -> None:
    jwt = issue(client, provider["api_key"], provider["achievement_id"], format="jwt")["credential"]
    vp = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"]}
    holder = did_key_for(HOLDER.public_key)
    method = did_key_verification_method_id(HOLDER.public_key)
    token = sign_presentation_jwt(
        {**vp, "verifiableCredential": [jwt]}, HOLDER, method, holder, challenge="n-2"
    )
    body = {"verifiablePresentation": token, "options": {"challenge": "n-2"}}
    report = client.post("/presentations/verify", json=body).json()
    assert report["verified"] is True, report
    assert report["credentialResults"][0]["issuer"] == provider["did"]
    replayed = client.post("/presentations/verify", json={**body, "options": {"challenge": "n-3"}}).json()
    assert replayed["verified"] is False


def test_broken_presentation_jwt_is_a_200_report(client: TestClient) -> None:
    response = client.post("/presentations/verify", json={"verifiablePresentation": "eyJ.a.b"})
    assert response.status_code == 200
    assert response.json()["checks"][0]["outcome"] == "failed"
