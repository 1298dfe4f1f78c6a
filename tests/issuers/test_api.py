"""The issuer service end to end: onboard, define, issue (both formats), verify, revoke, rotate."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.services import Database, services_of
from issuers.service import IssuerConfig
from schemas.identity import matches_identity_hash
from schemas.validation import SchemaName, validate
from tests.issuers.conftest import ADMIN_TOKEN, BASE_URL, COURSE, auth, create_achievement, create_provider
from vc.did_key import VerificationMethod
from vc.ports import StaticResolver
from vc.report import CheckId, Outcome
from vc.status_list import BitstringStatusSource
from vc.verify import Ports, verify_credential

NOW = datetime.now(UTC)


def ports_for(client: TestClient, did: str) -> Ports:
    """What a remote verifier would do: resolve keys from the DID document, fetch the status list."""
    issuer_id = did.rsplit(":", 1)[-1]
    document = client.get(f"/issuers/{issuer_id}/did.json").json()
    resolver = StaticResolver([VerificationMethod.from_json(m) for m in document["verificationMethod"]])

    def fetch(url: str) -> Any:
        assert url.startswith(BASE_URL)
        response = client.get(url.removeprefix(BASE_URL))
        assert response.status_code == 200
        return response.json()

    return Ports(resolver=resolver, status=BitstringStatusSource(fetch, Ports(resolver=resolver)))


def issue(client: TestClient, api_key: str, achievement_id: str, **extra: Any) -> dict[str, Any]:
    body = {
        "achievement_id": achievement_id,
        "recipient": {"email": "Sam.Learner@Example.com", "name": "Sam"},
    }
    response = client.post("/api/v1/credentials", json={**body, **extra}, headers=auth(api_key))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def assert_problem(response: Any, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == f"{BASE_URL}/problems/{slug}"


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok", "database": "ok"}


def test_onboarding_gives_a_did_web_identity_and_a_key(client: TestClient) -> None:
    provider = create_provider(client)
    assert provider["did"] == f"did:web:passport.test:issuers:{provider['id']}"
    assert provider["api_key"].startswith("sk_")
    me = client.get("/api/v1/issuer", headers=auth(provider["api_key"])).json()
    assert me["id"] == provider["id"]
    assert "api_key" not in me


def test_operator_token_is_required(client: TestClient) -> None:
    response = client.post("/api/v1/admin/issuers", json={"name": "X", "url": "https://x.example"})
    assert_problem(response, 401, "unauthorized")
    response = client.post(
        "/api/v1/admin/issuers", json={"name": "X", "url": "https://x.example"}, headers=auth("wrong")
    )
    assert_problem(response, 401, "unauthorized")


def test_did_document_lists_multikey_and_jwk_methods_without_private_parts(client: TestClient) -> None:
    provider = create_provider(client)
    document = client.get(f"/issuers/{provider['id']}/did.json")
    assert document.headers["content-type"].startswith("application/did+json")
    methods = document.json()["verificationMethod"]
    assert sorted(m["type"] for m in methods) == ["JsonWebKey", "JsonWebKey", "Multikey"]
    assert all(m["controller"] == provider["did"] for m in methods)
    assert '"d"' not in document.text
    profile = client.get(f"/issuers/{provider['id']}/profile").json()
    validate(profile, SchemaName.PROFILE)


@pytest.mark.parametrize("credential_format", ["ldp", "jwt"])
def test_issued_credential_validates_verifies_and_hides_the_email(
    client: TestClient, credential_format: str
) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    created = issue(
        client, provider["api_key"], achievement_id, format=credential_format, result="Distinction"
    )
    credential = created["credential"]
    report = verify_credential(credential, ports_for(client, provider["did"]), datetime.now(UTC))
    assert report.verified, report.to_json()
    assert report.check(CheckId.STATUS).outcome is Outcome.PASSED  # type: ignore[union-attr]
    document = report.credential
    assert document is not None
    validate(document, SchemaName.ACHIEVEMENT_CREDENTIAL)
    assert "sam.learner" not in json.dumps(document).lower()
    identity = document["credentialSubject"]["identifier"][0]
    assert matches_identity_hash("Sam.Learner@example.com", identity["salt"], identity["identityHash"])
    assert document["issuer"]["id"] == provider["did"]
    assert document["credentialSubject"]["achievement"]["achievementType"] == "Course"


def test_idempotency_key_returns_the_same_credential(client: TestClient) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    body = {"achievement_id": achievement_id, "recipient": {"email": "a@example.com"}}
    headers = {**auth(provider["api_key"]), "Idempotency-Key": "cohort-7-row-1"}
    first = client.post("/api/v1/credentials", json=body, headers=headers)
    second = client.post("/api/v1/credentials", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    other = client.post("/api/v1/credentials", json={**body, "format": "jwt"}, headers=headers)
    assert_problem(other, 409, "conflict")


@pytest.mark.parametrize(
    ("body", "status", "slug"),
    [
        ({"achievement_id": "nope", "recipient": {"email": "a@example.com"}}, 404, "not-found"),
        ({"recipient": {"email": "a@example.com"}}, 422, "validation-error"),
        ({"achievement_id": "{a}", "recipient": {"email": "not-an-email"}}, 422, "validation-error"),
        (
            {"achievement_id": "{a}", "recipient": {"email": "a@example.com"}, "format": "pdf"},
            422,
            "validation-error",
        ),
        (
            {
                "achievement_id": "{a}",
                "recipient": {"email": "a@example.com"},
                "valid_from": "2026-01-01T00:00:00",
            },
            422,
            "validation-error",
        ),
    ],
)
def test_bad_issue_requests_are_problems_and_issue_nothing(
    client: TestClient, body: dict[str, Any], status: int, slug: str
) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    if body.get("achievement_id") == "{a}":
        body = {**body, "achievement_id": achievement_id}
    assert_problem(
        client.post("/api/v1/credentials", json=body, headers=auth(provider["api_key"])), status, slug
    )


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "exchange_visit"},  # no exchange details
        {"kind": "community_of_practice"},  # no community named
        {"kind": "party"},
        {"level": "Level 3"},
        {"criteria_narrative": None},
    ],
)
def test_bad_achievements_are_refused(client: TestClient, change: dict[str, Any]) -> None:
    provider = create_provider(client)
    response = client.post(
        "/api/v1/achievements", json={**COURSE, **change}, headers=auth(provider["api_key"])
    )
    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize(
    ("extra", "achievement_type"),
    [
        ({"kind": "community_of_practice", "community": "Net Zero"}, "ext:CommunityOfPracticeParticipation"),
        ({"kind": "event"}, "ext:EventParticipation"),
        ({"kind": "competition"}, "Award"),
        (
            {
                "kind": "exchange_visit",
                "exchange": {
                    "host_organisation": "Berufskolleg",
                    "country": "DE",
                    "start_date": "2026-03-02",
                    "end_date": "2026-03-13",
                    "funder": "Turing Scheme",
                },
            },
            "ext:InternationalSkillsExchange",
        ),
    ],
)
def test_every_kind_issues_a_valid_credential(
    client: TestClient, extra: dict[str, Any], achievement_type: str
) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"], {**COURSE, **extra})
    credential = issue(client, provider["api_key"], achievement_id)["credential"]
    assert credential["credentialSubject"]["achievement"]["achievementType"] == achievement_type
    assert verify_credential(credential, ports_for(client, provider["did"]), datetime.now(UTC)).verified


def test_revocation_shows_in_the_signed_status_list(client: TestClient) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    created = issue(client, provider["api_key"], achievement_id)
    revoke = client.post(
        f"/api/v1/credentials/{created['id']}/revoke",
        json={"reason": "issued in error"},
        headers=auth(provider["api_key"]),
    )
    assert revoke.status_code == 200, revoke.text
    assert revoke.json()["revocation_reason"] == "issued in error"
    report = verify_credential(created["credential"], ports_for(client, provider["did"]), datetime.now(UTC))
    assert not report.verified
    assert report.check(CheckId.STATUS).message == "The credential has been revoked."  # type: ignore[union-attr]
    again = client.post(
        f"/api/v1/credentials/{created['id']}/revoke",
        json={"reason": "again"},
        headers=auth(provider["api_key"]),
    )
    assert_problem(again, 409, "conflict")


def test_status_list_is_public_cacheable_and_full_size(client: TestClient) -> None:
    provider = create_provider(client)
    credential = issue(client, provider["api_key"], create_achievement(client, provider["api_key"]))[
        "credential"
    ]
    url = credential["credentialStatus"]["statusListCredential"]
    response = client.get(url.removeprefix(BASE_URL))
    assert "max-age=300" in response.headers["cache-control"]
    assert response.headers["etag"]
    from vc.status_list import StatusList

    assert StatusList.decode(response.json()["credentialSubject"]["encodedList"]).length == 131_072


def test_rotation_keeps_old_credentials_verifying(client: TestClient) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    old = issue(client, provider["api_key"], achievement_id)["credential"]
    rotated = client.post("/api/v1/signing-keys/rotate?key_type=Ed25519", headers=auth(provider["api_key"]))
    assert rotated.status_code == 201, rotated.text
    new = issue(client, provider["api_key"], achievement_id)["credential"]
    assert new["proof"]["verificationMethod"] == rotated.json()["verification_method"]
    assert old["proof"]["verificationMethod"] != new["proof"]["verificationMethod"]
    ports = ports_for(client, provider["did"])
    assert verify_credential(old, ports, datetime.now(UTC)).verified
    assert verify_credential(new, ports, datetime.now(UTC)).verified


def test_api_keys_are_shown_once_and_revocable(client: TestClient) -> None:
    provider = create_provider(client)
    created = client.post(
        "/api/v1/api-keys", json={"label": "bulk uploads"}, headers=auth(provider["api_key"])
    ).json()
    listed = client.get("/api/v1/api-keys", headers=auth(created["api_key"])).json()
    assert {key["label"] for key in listed} == {"initial", "bulk uploads"}
    assert all("api_key" not in key for key in listed)
    assert any(key["last_used_at"] for key in listed)
    revoked = client.post(f"/api/v1/api-keys/{created['id']}/revoke", headers=auth(provider["api_key"]))
    assert revoked.json()["revoked_at"]
    assert_problem(client.get("/api/v1/issuer", headers=auth(created["api_key"])), 401, "unauthorized")
    assert_problem(client.get("/api/v1/issuer"), 401, "unauthorized")


def test_another_providers_key_sees_nothing(client: TestClient) -> None:
    owner = create_provider(client, "Owner College")
    stranger = create_provider(client, "Stranger College")
    achievement_id = create_achievement(client, owner["api_key"])
    credential_id = issue(client, owner["api_key"], achievement_id)["id"]
    owner_keys = client.get("/api/v1/api-keys", headers=auth(owner["api_key"])).json()
    key = auth(stranger["api_key"])
    attempts = [
        client.get(f"/api/v1/achievements/{achievement_id}", headers=key),
        client.post(
            "/api/v1/credentials",
            json={"achievement_id": achievement_id, "recipient": {"email": "a@b.co"}},
            headers=key,
        ),
        client.get(f"/api/v1/credentials/{credential_id}", headers=key),
        client.post(f"/api/v1/credentials/{credential_id}/revoke", json={"reason": "x"}, headers=key),
        client.post(f"/api/v1/api-keys/{owner_keys[0]['id']}/revoke", headers=key),
    ]
    for response in attempts:
        assert_problem(response, 404, "not-found")
    assert client.get("/api/v1/achievements", headers=key).json() == []
    assert_problem(client.get("/api/v1/admin/issuers", headers=key), 401, "unauthorized")


def test_oversized_body_is_413(client: TestClient) -> None:
    provider = create_provider(client)
    response = client.post(
        "/api/v1/achievements",
        content=b"{" + b" " * (3 * 1024 * 1024) + b"}",
        headers=auth(provider["api_key"]),
    )
    assert_problem(response, 413, "payload-too-large")


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/nothing-here"), 404, "not-found")


def test_demo_seed_issues_and_revokes(client: TestClient) -> None:
    from core.db import transaction
    from server.seed import seed_demo

    app = client.app
    with transaction(services_of(app).get(Database).sessions) as session:
        keys = seed_demo(session, services_of(app).get(IssuerConfig), datetime.now(UTC))
    assert keys is not None
    assert len(keys) == 4
    providers = client.get("/api/v1/admin/issuers", headers=auth(ADMIN_TOKEN)).json()
    # The four providers, and the partnership that owns the demo pathway (server.seed_partnerships).
    assert sorted(p["kind"] for p in providers) == [
        "partnership",
        "provider",
        "provider",
        "provider",
        "provider",
    ]
    with transaction(services_of(app).get(Database).sessions) as session:
        assert seed_demo(session, services_of(app).get(IssuerConfig), datetime.now(UTC)) is None
