"""POST /credentials/verify end to end: our own credentials (both formats), other issuers' via did:web,
and one regression test per attack class of the verification issue."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.services import Database, services_of
from server.app import create_app
from server.settings import Settings
from tests.conftest import BASE_URL, assert_problem
from tests.issuers.conftest import auth
from tests.network.test_trust_registry import COURSES, accredit, act
from tests.verification.conftest import ExternalIssuer, FakeWeb, check, issue, verify
from vc import data_integrity
from vc.keys import KeyType, PrivateKey
from verification.service import no_registry

# --- our own issuers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("credential_format", ["ldp", "jwt"])
def test_own_credential_verifies_through_the_api_without_http(
    client: TestClient, provider: dict[str, Any], web: FakeWeb, credential_format: str
) -> None:
    created = issue(client, provider["api_key"], provider["achievement_id"], format=credential_format)
    report = verify(client, created["credential"])
    assert report["verified"] is True, report
    assert report["format"] == credential_format
    assert report["issuer"] == provider["did"]
    assert [item["outcome"] for item in report["checks"]] == [
        "passed",  # well_formed
        "passed",  # schema
        "passed",  # proof
        "passed",  # issuer_key_binding
        "passed",  # validity_period
        "passed",  # status
        "warning",  # issuer_trust: authentic, but not on the operator's register
    ]
    assert report["errors"] == []
    assert report["trust"] == "outside_scheme"
    assert web.requests == []  # own keys and lists come from the database


@pytest.mark.parametrize("credential_format", ["ldp", "jwt"])
def test_revoked_credential_reports_revoked(
    client: TestClient, provider: dict[str, Any], credential_format: str
) -> None:
    created = issue(client, provider["api_key"], provider["achievement_id"], format=credential_format)
    response = client.post(
        f"/api/v1/credentials/{created['id']}/revoke",
        json={"reason": "issued in error"},
        headers=auth(provider["api_key"]),
    )
    assert response.status_code == 200, response.text
    report = verify(client, created["credential"])
    assert report["verified"] is False
    status = check(report, "status")
    assert status["outcome"] == "failed"
    assert "revoked" in status["message"]
    assert [item["id"] for item in report["errors"]] == ["status"]


def test_credential_of_a_rotated_key_still_verifies(client: TestClient, provider: dict[str, Any]) -> None:
    before = issue(client, provider["api_key"], provider["achievement_id"])
    assert verify(client, before["credential"])["verified"] is True  # the DID document is now cached
    response = client.post("/api/v1/signing-keys/rotate?key_type=Ed25519", headers=auth(provider["api_key"]))
    assert response.status_code == 201, response.text
    after = issue(client, provider["api_key"], provider["achievement_id"])
    assert verify(client, after["credential"])["verified"] is True  # a key newer than the cache
    assert verify(client, before["credential"])["verified"] is True  # a retired key


def test_unknown_own_issuer_is_a_failed_proof(client: TestClient, provider: dict[str, Any]) -> None:
    created = issue(client, provider["api_key"], provider["achievement_id"])
    credential = created["credential"]
    stranger = provider["did"][:-32] + "0" * 32
    credential["proof"]["verificationMethod"] = stranger + "#key-1"
    report = verify(client, credential)
    assert report["verified"] is False
    assert "not an issuer of this service" in check(report, "proof")["message"]


# --- attack classes ---------------------------------------------------------------------------------------


def test_tampered_field_fails_the_proof(client: TestClient, provider: dict[str, Any]) -> None:
    credential = issue(client, provider["api_key"], provider["achievement_id"])["credential"]
    credential["credentialSubject"]["achievement"]["name"] = "Nuclear Engineering (Level 8)"
    report = verify(client, credential)
    assert report["verified"] is False
    assert check(report, "proof")["outcome"] == "failed"
    assert check(report, "status")["outcome"] == "skipped"  # nothing after a failed proof is reported


def test_tampered_jwt_payload_fails_the_proof(client: TestClient, provider: dict[str, Any]) -> None:
    token = issue(client, provider["api_key"], provider["achievement_id"], format="jwt")["credential"]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["name"] = "Forged"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    report = verify(client, f"{header}.{forged_payload}.{signature}")
    assert report["verified"] is False
    assert check(report, "proof")["outcome"] == "failed"


def test_proof_copied_from_another_credential_fails(client: TestClient, provider: dict[str, Any]) -> None:
    genuine = issue(client, provider["api_key"], provider["achievement_id"])["credential"]
    other = issue(client, provider["api_key"], provider["achievement_id"])["credential"]
    forged = {**other, "proof": copy.deepcopy(genuine["proof"])}
    report = verify(client, forged)
    assert report["verified"] is False
    assert check(report, "proof")["outcome"] == "failed"


def test_key_the_issuer_does_not_control_fails_the_binding(
    client: TestClient, provider: dict[str, Any], college: ExternalIssuer
) -> None:
    # A genuine signature by another issuer's key, on a credential that names our provider as issuer.
    credential = college.credential(issuer={"id": provider["did"], "type": ["Profile"], "name": "Ours"})
    del credential["credentialStatus"]
    report = verify(client, college.sign(credential))
    assert report["verified"] is False
    assert check(report, "proof")["outcome"] == "passed"
    binding = check(report, "issuer_key_binding")
    assert binding["outcome"] == "failed"
    assert college.did in binding["message"]


def test_document_lending_a_key_to_another_controller_is_refused(
    client: TestClient, provider: dict[str, Any], college: ExternalIssuer, web: FakeWeb
) -> None:
    # The college's document lists its own key but says the key is controlled by our provider.
    document = college.did_document()
    document["verificationMethod"][0]["controller"] = provider["did"]
    web.serve(f"https://{college.host}/.well-known/did.json", document)
    credential = college.credential(issuer={"id": provider["did"], "type": ["Profile"], "name": "Ours"})
    del credential["credentialStatus"]
    report = verify(client, college.sign(credential))
    assert report["verified"] is False
    assert "controlled by" in check(report, "proof")["message"]


def test_unknown_did_method_fails_the_proof(client: TestClient, college: ExternalIssuer) -> None:
    credential = college.sign(college.credential())
    credential["proof"]["verificationMethod"] = "did:example:123#key-1"
    report = verify(client, credential)
    assert report["verified"] is False
    assert "unsupported DID method" in check(report, "proof")["message"]


def test_did_web_pointing_at_a_private_address_is_never_fetched(client: TestClient, web: FakeWeb) -> None:
    inside = ExternalIssuer(web, host="intranet.example")
    inside.publish()
    web.dns["intranet.example"] = ["10.0.0.5"]
    report = verify(client, inside.sign(inside.credential()))
    assert report["verified"] is False
    assert "is not a public Internet host" in check(report, "proof")["message"]
    assert "10.0.0.5" not in str(report)  # what an internal name resolves to is never told
    assert web.requests == []


@pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "::1", "::ffff:192.168.1.1", "0.0.0.0"])
def test_did_web_at_loopback_link_local_and_mapped_addresses_is_refused(
    client: TestClient, web: FakeWeb, address: str
) -> None:
    inside = ExternalIssuer(web, host="metadata.example")
    inside.publish()
    web.dns["metadata.example"] = [address]
    report = verify(client, inside.sign(inside.credential()))
    assert "is not a public Internet host" in check(report, "proof")["message"]
    assert web.requests == []


def test_status_list_that_is_itself_forged_fails_the_status_check(
    client: TestClient, college: ExternalIssuer
) -> None:
    college.publish_status(signer=PrivateKey.generate(KeyType.ED25519))  # not the college's key
    report = verify(client, college.sign(college.credential()))
    assert report["verified"] is False
    assert check(report, "proof")["outcome"] == "passed"
    status = check(report, "status")
    assert status["outcome"] == "failed"
    assert "does not verify" in status["message"]


def test_status_list_that_cannot_be_fetched_fails_the_status_check(
    client: TestClient, college: ExternalIssuer, web: FakeWeb
) -> None:
    del web.pages[(college.host, "/status/1")]
    report = verify(client, college.sign(college.credential()))
    assert report["verified"] is False
    assert "HTTP 404" in check(report, "status")["message"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"validUntil": "2025-07-01T00:00:00Z"}, "expired"),
        ({"validFrom": "2099-01-01T00:00:00Z", "validUntil": "2099-12-31T00:00:00Z"}, "not valid until"),
    ],
)
def test_expired_and_not_yet_valid_are_genuine_but_not_verified(
    client: TestClient, college: ExternalIssuer, fields: dict[str, str], message: str
) -> None:
    report = verify(client, college.sign(college.credential(**fields)))
    assert report["verified"] is False
    assert check(report, "proof")["outcome"] == "passed"
    validity = check(report, "validity_period")
    assert validity["outcome"] == "failed"
    assert message in validity["message"]


def test_key_not_listed_for_assertion_fails(client: TestClient, web: FakeWeb) -> None:
    holder_only = ExternalIssuer(web, host="holder.example")
    holder_only.publish(relationships=("authentication",))
    report = verify(client, holder_only.sign(holder_only.credential()))
    assert report["verified"] is False
    assert "not listed under assertionMethod" in check(report, "proof")["message"]


# --- other issuers through the bounded fetcher ------------------------------------------------------------


@pytest.mark.parametrize("credential_format", ["ldp", "jwt"])
def test_external_did_web_issuer_verifies_and_is_cached(
    client: TestClient, college: ExternalIssuer, web: FakeWeb, credential_format: str
) -> None:
    unsigned = college.credential()
    credential = college.sign(unsigned) if credential_format == "ldp" else college.sign_jwt(unsigned)
    report = verify(client, credential)
    assert report["verified"] is True, report
    assert report["verificationMethod"] == college.method_id
    fetched = sorted(request.url.path for request in web.requests)
    assert fetched == ["/.well-known/did.json", "/status/1"]
    assert verify(client, credential)["verified"] is True
    assert len(web.requests) == 2  # the DID document and the list came from the cache


def test_external_revoked_credential_reports_revoked(client: TestClient, college: ExternalIssuer) -> None:
    college.status[7] = True
    college.publish_status()
    report = verify(client, college.sign(college.credential(index=7)))
    assert report["verified"] is False
    assert "revoked" in check(report, "status")["message"]


def test_https_controller_document_key(client: TestClient, web: FakeWeb) -> None:
    issuer = ExternalIssuer(web, host="badges.example")
    controller = "https://badges.example/issuers/1"
    method_id = f"{controller}#key-1"
    web.serve(
        controller,
        {
            "@context": ["https://www.w3.org/ns/cid/v1"],
            "id": controller,
            "verificationMethod": [
                {
                    "id": method_id,
                    "type": "Multikey",
                    "controller": controller,
                    "publicKeyMultibase": issuer.public_key.to_multibase(),
                }
            ],
            "assertionMethod": ["#key-1"],
        },
    )
    credential = issuer.credential(issuer={"id": controller, "type": ["Profile"], "name": "Badges"})
    del credential["credentialStatus"]
    signed = data_integrity.sign(credential, issuer.key, method_id, datetime.now(UTC))
    report = verify(client, signed)
    assert report["verified"] is True, report
    assert check(report, "issuer_key_binding")["outcome"] == "passed"


# --- malformed requests are problems ---------------------------------------------------------------------


def test_body_over_the_limit_is_413(client: TestClient) -> None:
    body = b'{"verifiableCredential": "' + b"a" * (3 * 1024 * 1024) + b'"}'
    response = client.post("/credentials/verify", content=body, headers={"Content-Type": "application/json"})
    assert_problem(response, 413, "payload-too-large")


@pytest.mark.parametrize(
    ("body", "status", "slug"),
    [
        (b"not json", 400, "bad-request"),
        (b'{"verifiableCredential": {}, "verifiableCredential": "x"}', 400, "bad-request"),
        (b"[]", 422, "validation-error"),
        (b"{}", 422, "validation-error"),
        (b'{"verifiableCredential": 42}', 422, "validation-error"),
        (b'{"verifiableCredential": "x", "options": {"checks": ["proof"]}}', 422, "validation-error"),
        (b'{"verifiableCredential": "x", "extra": 1}', 422, "validation-error"),
    ],
)
def test_malformed_request_is_a_problem(client: TestClient, body: bytes, status: int, slug: str) -> None:
    response = client.post("/credentials/verify", content=body, headers={"Content-Type": "application/json"})
    assert_problem(response, status, slug)


@pytest.mark.parametrize("credential", ["not a jwt", {"hello": "world"}, {"@context": 5}])
def test_broken_credential_is_a_200_report(client: TestClient, credential: Any) -> None:
    report = verify(client, credential)
    assert report["verified"] is False
    assert report["checks"][0]["id"] == "well_formed"
    assert report["checks"][0]["outcome"] == "failed"


def test_openapi_declares_the_verify_routes_and_their_problems(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"200", "413", "422"} <= set(paths["/credentials/verify/upload"]["post"]["responses"])
    for route in ("/credentials/verify", "/presentations/verify"):
        responses = paths[route]["post"]["responses"]
        assert {"200", "400", "413", "422"} <= set(responses)
        assert "requestBody" in paths[route]["post"]


# --- the trust result ----------------------------------------------------------------------------------


def other_app(settings: Settings, **options: Any) -> Iterator[TestClient]:
    app = create_app(settings, **options)
    with TestClient(app, base_url=BASE_URL) as other:
        yield other
    services_of(app).get(Database).engine.dispose()


def test_accredited_provider_is_accredited_and_a_suspension_shows(
    client: TestClient, provider: dict[str, Any], settings: Settings
) -> None:
    accreditation = accredit(client, provider_id=provider["id"], scope=COURSES)
    credential = issue(client, provider["api_key"], provider["achievement_id"])["credential"]
    for fresh in other_app(settings.model_copy(update={"verify_cache_seconds": 0})):  # nothing kept
        report = verify(fresh, credential)
        assert report["verified"] is True
        assert report["trust"] == "accredited"
        assert check(report, "issuer_trust")["outcome"] == "passed"
        assert act(client, accreditation["id"], "suspend", reason="inspection").status_code == 200
        report = verify(fresh, credential)
        assert report["verified"] is False
        assert report["trust"] == "not_trustworthy"
        assert check(report, "issuer_trust")["outcome"] == "failed"


def test_registry_can_be_left_out(client: TestClient, provider: dict[str, Any], settings: Settings) -> None:
    credential = issue(client, provider["api_key"], provider["achievement_id"])["credential"]
    for other in other_app(settings, registry_for=no_registry):
        report = verify(other, credential)
        assert check(report, "issuer_trust")["outcome"] == "skipped"
        assert report["verified"] is True


def test_operator_signed_documents_verify_from_the_database_without_a_fetch(
    client: TestClient, web: FakeWeb
) -> None:
    """The operator signs trust lists and passport CLR exports: its did:web key resolves locally, like a
    provider's, and a change to what it signed still fails."""
    trust_list = client.get("/trust-list").json()
    report = verify(client, trust_list)
    assert check(report, "proof")["outcome"] == "passed", report
    assert check(report, "issuer_key_binding")["outcome"] == "passed", report
    assert web.requests == []
    tampered = {**trust_list, "validUntil": "2099-01-01T00:00:00Z"}
    assert check(verify(client, tampered), "proof")["outcome"] == "failed"
