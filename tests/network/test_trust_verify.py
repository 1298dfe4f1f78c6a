"""The three answers through `vc.verify.verify_credential` with credentials issued through the API, from
the database registry and from the signed trust list (as a verifier elsewhere, or offline, would)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.db import transaction
from core.keystore import KeystoreError
from core.services import Database, services_of
from issuers.service import IssuerConfig
from network.operator import operator_did, operator_keys
from network.trust import DatabaseTrustRegistry, TrustConfig
from network.trust_list import (
    SnapshotTrustRegistry,
    TrustList,
    TrustListError,
    load_trust_list,
    resolver_from_did_document,
)
from tests.issuers.conftest import BASE_URL, COURSE, create_achievement, create_provider
from tests.issuers.test_api import issue, ports_for
from tests.network.test_trust_registry import accredit, act
from vc import data_integrity
from vc.did_key import VerificationMethod
from vc.jsonld import canonicalize
from vc.keys import KeyType, PrivateKey
from vc.ports import StaticResolver
from vc.report import CheckId, Outcome, Trust, VerificationReport
from vc.verify import IssuerRegistry, Ports, verify_credential

OPERATOR_DID = operator_did(BASE_URL)
COURSE_SCOPE = {"kinds": ["course"], "levels": ["RQF 2", "RQF 3"], "sectors": ["Building services"]}
COMPETITION = {**COURSE, "kind": "competition", "name": "Skills Competition: Gold", "level": None}


@contextmanager
def database_registry(client: TestClient) -> Iterator[IssuerRegistry]:
    app: Any = client.app
    with transaction(services_of(app).get(Database).sessions) as session:
        yield DatabaseTrustRegistry(session, services_of(app).get(TrustConfig).operator_name)


def fetch_trust_list(client: TestClient) -> TrustList:
    """What a remote verifier does: fetch the operator's DID document and the list, check, read."""
    did_document = client.get("/operator/did.json").json()
    response = client.get("/trust-list")
    assert response.status_code == 200, response.text
    return load_trust_list(
        response.text, resolver_from_did_document(did_document, OPERATOR_DID), operator_id=OPERATOR_DID
    )


def verify(
    client: TestClient,
    provider: dict[str, Any],
    credential: Any,
    registry: IssuerRegistry,
    now: datetime | None = None,
) -> VerificationReport:
    ports = ports_for(client, provider["did"])
    return verify_credential(
        credential, Ports(ports.resolver, ports.status, registry), now or datetime.now(UTC)
    )


def reports(
    client: TestClient, provider: dict[str, Any], credential: Any, now: datetime | None = None
) -> list[VerificationReport]:
    """The same credential checked against the database and against the fetched, verified trust list."""
    with database_registry(client) as registry:
        online = verify(client, provider, credential, registry, now)
    offline = verify(client, provider, credential, SnapshotTrustRegistry(fetch_trust_list(client)), now)
    assert online.check(CheckId.ISSUER_TRUST) == offline.check(CheckId.ISSUER_TRUST)
    return [online, offline]


@pytest.fixture
def college(client: TestClient) -> dict[str, Any]:
    provider = create_provider(client, "Midlands College")
    provider["course"] = create_achievement(client, provider["api_key"])  # RQF 3, Building services
    provider["competition"] = create_achievement(client, provider["api_key"], COMPETITION)
    return provider


@pytest.mark.parametrize("credential_format", ["ldp", "jwt"])
def test_accredited_for_a_course_in_scope(
    client: TestClient, college: dict[str, Any], credential_format: str
) -> None:
    accredit(
        client,
        provider_id=college["id"],
        scope=COURSE_SCOPE,
        logo_url="https://college.example.ac.uk/logo.png",
    )
    credential = issue(client, college["api_key"], college["course"], format=credential_format)["credential"]
    for report in reports(client, college, credential):
        trust = report.check(CheckId.ISSUER_TRUST)
        assert trust is not None
        assert report.verified
        assert report.trust is Trust.ACCREDITED
        assert trust.outcome is Outcome.PASSED
        assert trust.message == (
            "Midlands College is accredited by National Skills Network for courses at RQF 2-3 in Building "
            "services until 2027-08-31."
        )
        assert trust.details == {
            "trust": "accredited",
            "issuerName": "Midlands College",
            "issuerLogo": "https://college.example.ac.uk/logo.png",
        }


def test_not_on_the_register_is_outside_the_scheme_but_verified(
    client: TestClient, college: dict[str, Any]
) -> None:
    credential = issue(client, college["api_key"], college["course"])["credential"]
    for report in reports(client, college, credential):
        assert report.verified
        assert report.trust is Trust.OUTSIDE_SCHEME
        trust = report.check(CheckId.ISSUER_TRUST)
        assert trust is not None
        assert trust.outcome is Outcome.WARNING
        assert "is not on National Skills Network's register" in trust.message


def test_an_achievement_outside_the_scope_is_outside_the_scheme(
    client: TestClient, college: dict[str, Any]
) -> None:
    accredit(client, provider_id=college["id"], scope=COURSE_SCOPE)
    credential = issue(client, college["api_key"], college["competition"])["credential"]
    for report in reports(client, college, credential):
        assert report.verified
        assert report.trust is Trust.OUTSIDE_SCHEME
        assert (
            "but this credential's achievement is of type Award" in report.check(CheckId.ISSUER_TRUST).message
        )  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("action", "reason", "expected"),
    [
        ("suspend", "Quality review pending", "is suspended since"),
        ("withdraw", "Provider closed", "was withdrawn on"),
    ],
)
def test_suspended_or_withdrawn_is_not_trustworthy(
    client: TestClient, college: dict[str, Any], action: str, reason: str, expected: str
) -> None:
    accreditation = accredit(client, provider_id=college["id"], scope=COURSE_SCOPE)
    credential = issue(client, college["api_key"], college["course"])["credential"]
    assert act(client, accreditation["id"], action, reason=reason).status_code == 200
    for report in reports(client, college, credential):
        assert not report.verified
        assert report.trust is Trust.NOT_TRUSTWORTHY
        trust = report.check(CheckId.ISSUER_TRUST)
        assert trust is not None
        assert trust.outcome is Outcome.FAILED
        assert expected in trust.message
        assert trust.message.endswith(f": {reason}.")
    act(client, accreditation["id"], "reinstate")
    expected_after = Trust.ACCREDITED if action == "suspend" else Trust.NOT_TRUSTWORTHY
    assert all(report.trust is expected_after for report in reports(client, college, credential))


def test_an_expired_accreditation_is_not_trustworthy(client: TestClient, college: dict[str, Any]) -> None:
    accredit(client, provider_id=college["id"], scope=COURSE_SCOPE)
    credential = issue(client, college["api_key"], college["course"])["credential"]
    with database_registry(client) as registry:
        report = verify(client, college, credential, registry, datetime(2027, 9, 1, tzinfo=UTC))
    assert report.trust is Trust.NOT_TRUSTWORTHY
    assert "expired on 2027-08-31" in report.check(CheckId.ISSUER_TRUST).message  # type: ignore[union-attr]


def test_a_credential_from_a_key_not_the_issuers_borrows_no_accreditation(
    client: TestClient, college: dict[str, Any]
) -> None:
    """The registry is consulted only for a key proven to be the issuer's (vc.verify): a forger who
    names an accredited provider as issuer but signs with its own key gets no trust."""
    accredit(client, provider_id=college["id"], scope=COURSE_SCOPE)
    credential = issue(client, college["api_key"], college["course"])["credential"]
    forger = PrivateKey.generate(KeyType.ED25519)
    unsigned = {key: value for key, value in credential.items() if key != "proof"}
    forged = data_integrity.sign(unsigned, forger, "did:web:forger.example#key-1", datetime.now(UTC))
    method = VerificationMethod(
        id="did:web:forger.example#key-1",
        type="Multikey",
        controller="did:web:forger.example",
        public_key=forger.public_key,
    )
    resolver = StaticResolver([method])
    with database_registry(client) as registry:
        report = verify_credential(forged, Ports(resolver=resolver, registry=registry), datetime.now(UTC))
    assert report.trust is Trust.NOT_TRUSTWORTHY
    assert "not consulted" in report.check(CheckId.ISSUER_TRUST).message  # type: ignore[union-attr]


# --- the signed trust list ----------------------------------------------------------------------------------


def test_the_trust_list_is_a_signed_strict_json_ld_credential_of_the_register(
    client: TestClient, college: dict[str, Any]
) -> None:
    accreditation = accredit(client, provider_id=college["id"], scope=COURSE_SCOPE)
    accredit(
        client, issuer="https://training.example.org", name="Example Training", scope={"kinds": ["event"]}
    )
    response = client.get("/trust-list")
    assert response.headers["content-type"].startswith("application/vc+ld+json")
    document = response.json()
    canonicalize({k: v for k, v in document.items() if k != "proof"})  # every term defined; nothing dropped
    assert document["issuer"] == {"id": OPERATOR_DID, "name": "National Skills Network"}
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert document["proof"]["verificationMethod"].startswith(f"{OPERATOR_DID}#key-")
    listed = fetch_trust_list(client)
    assert listed.version == int(response.headers["x-trust-list-version"]) == 2
    assert listed.valid_until - listed.valid_from == timedelta(days=7)
    by_issuer = {entry.issuer_id: entry for entry in listed.entries}
    entry = by_issuer[college["did"]]
    assert entry.accreditation_id == accreditation["id"]
    assert (entry.name, entry.state.value) == ("Midlands College", "active")
    assert entry.scope.kinds == ("course",)
    assert entry.scope.levels == ("RQF 2", "RQF 3")
    assert by_issuer["https://training.example.org"].scope.kinds == ("event",)
    assert by_issuer["https://training.example.org"].scope.levels == ()


def test_the_trust_list_version_and_etag_move_with_every_change_only(
    client: TestClient, college: dict[str, Any]
) -> None:
    first = client.get("/trust-list")
    assert "max-age=300" in first.headers["cache-control"]
    assert client.get("/trust-list").headers["etag"] == first.headers["etag"]  # cached, not re-signed
    not_modified = client.get("/trust-list", headers={"If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    accreditation = accredit(client, provider_id=college["id"])
    second = client.get("/trust-list", headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200
    assert second.headers["etag"] != first.headers["etag"]
    act(client, accreditation["id"], "suspend", reason="Review")
    versions = [int(r.headers["x-trust-list-version"]) for r in (first, second, client.get("/trust-list"))]
    assert versions == [0, 1, 2]


def _tamper_state(document: dict[str, Any]) -> None:
    element = document["credentialSubject"]["https://schema.org/itemListElement"][0]
    element["https://schema.org/certificationStatus"] = "active"


def _tamper_scope(document: dict[str, Any]) -> None:
    element = document["credentialSubject"]["https://schema.org/itemListElement"][0]
    del element["https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievementType"]  # now "any kind"


def _drop_entry(document: dict[str, Any]) -> None:
    document["credentialSubject"]["https://schema.org/itemListElement"] = []


def _hide_entry(document: dict[str, Any]) -> None:
    """Move the entry under a key the reader skips: refused by the strict shape, whatever RDF it makes."""
    subject = document["credentialSubject"]
    subject["https://example.org/hidden"] = subject.pop("https://schema.org/itemListElement")


def _bump_version(document: dict[str, Any]) -> None:
    document["credentialSubject"]["https://schema.org/version"] += 1


@pytest.mark.parametrize("tamper", [_tamper_state, _tamper_scope, _drop_entry, _hide_entry, _bump_version])
def test_a_tampered_trust_list_does_not_load(
    client: TestClient, college: dict[str, Any], tamper: Any
) -> None:
    accreditation = accredit(client, provider_id=college["id"], scope=COURSE_SCOPE)
    act(client, accreditation["id"], "suspend", reason="Complaint")
    document = client.get("/trust-list").json()
    resolver = resolver_from_did_document(client.get("/operator/did.json").json(), OPERATOR_DID)
    assert load_trust_list(copy.deepcopy(document), resolver, operator_id=OPERATOR_DID).entries[
        0
    ].state.value == ("suspended")
    tamper(document)
    with pytest.raises(TrustListError):
        load_trust_list(document, resolver, operator_id=OPERATOR_DID)


def test_a_trust_list_signed_by_anyone_else_does_not_load(
    client: TestClient, college: dict[str, Any]
) -> None:
    accredit(client, provider_id=college["id"])
    document = client.get("/trust-list").json()
    resolver = resolver_from_did_document(client.get("/operator/did.json").json(), OPERATOR_DID)
    # Someone else re-signs the list (with their own key, named as theirs): not the operator's list.
    impostor = PrivateKey.generate(KeyType.ED25519)
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    unsigned["issuer"] = {"id": "did:web:impostor.example", "name": "National Skills Network"}
    forged = data_integrity.sign(unsigned, impostor, "did:web:impostor.example#key-1", datetime.now(UTC))
    with pytest.raises(TrustListError, match="issued by"):
        load_trust_list(forged, resolver, operator_id=OPERATOR_DID)
    # A list naming the operator but signed by another key fails the proof.
    forged = data_integrity.sign(
        {key: value for key, value in document.items() if key != "proof"},
        impostor,
        document["proof"]["verificationMethod"],
        datetime.now(UTC),
    )
    with pytest.raises(TrustListError, match="does not verify"):
        load_trust_list(forged, resolver, operator_id=OPERATOR_DID)
    # Neither the wrong DID document nor garbage loads.
    with pytest.raises(TrustListError):
        resolver_from_did_document(client.get("/operator/did.json").json(), "did:web:impostor.example")
    for garbage in ("not json", "[]", json.dumps({**document, "extra": 1})):
        with pytest.raises(TrustListError):
            load_trust_list(garbage, resolver)


def test_a_stale_trust_list_vouches_for_nobody(client: TestClient, college: dict[str, Any]) -> None:
    accredit(client, provider_id=college["id"], scope=COURSE_SCOPE)
    credential = issue(client, college["api_key"], college["course"])["credential"]
    snapshot = SnapshotTrustRegistry(fetch_trust_list(client))
    report = verify(client, college, credential, snapshot, datetime.now(UTC) + timedelta(days=8))
    assert report.trust is Trust.OUTSIDE_SCHEME
    assert (
        "the trust list (version 1) from National Skills Network expired"
        in report.check(CheckId.ISSUER_TRUST).message
    )  # type: ignore[union-attr]


def test_the_operator_did_document_publishes_its_key_only(client: TestClient) -> None:
    response = client.get("/operator/did.json")
    assert response.headers["content-type"].startswith("application/did+json")
    document = response.json()
    assert document["id"] == OPERATOR_DID == "did:web:passport.test:operator"
    assert [method["type"] for method in document["verificationMethod"]] == ["Multikey"]
    assert '"d"' not in response.text
    assert client.get("/operator/did.json").json() == document  # one key, made once
    # The private half is encrypted at rest under the master key, bound to its key id.
    app: Any = client.app
    with transaction(services_of(app).get(Database).sessions) as session:
        (key,) = operator_keys(session)
        sealed = key.encrypted_private_key
        assert b'"d"' not in sealed
        private = services_of(app).get(TrustConfig).keystore.open(sealed, key.id)
        assert document["verificationMethod"][0]["publicKeyMultibase"] == private.public_key.to_multibase()
        with pytest.raises(KeystoreError):
            services_of(app).get(TrustConfig).keystore.open(sealed, "another-key-id")


def test_demo_data_accredits_three_providers_and_shows_every_answer(client: TestClient) -> None:
    from server.seed import seed_demo

    app: Any = client.app
    with transaction(services_of(app).get(Database).sessions) as session:
        keys = seed_demo(session, services_of(app).get(IssuerConfig), datetime.now(UTC))
    assert keys is not None
    answers = {}
    for name, provider in keys.items():
        for achievement in client.get(
            "/api/v1/achievements", headers={"Authorization": f"Bearer {provider['api_key']}"}
        ).json():
            credential = issue(client, provider["api_key"], achievement["id"])["credential"]
            with database_registry(client) as registry:
                answers[(name, achievement["kind"])] = verify(client, provider, credential, registry).trust
    assert answers == {
        ("Midlands Further Education College", "course"): Trust.ACCREDITED,
        ("Midlands Further Education College", "competition"): Trust.OUTSIDE_SCHEME,  # courses only
        ("Northern Institute of Technology", "community_of_practice"): Trust.ACCREDITED,
        ("Northern Institute of Technology", "event"): Trust.ACCREDITED,
        ("University of the Midlands", "course"): Trust.OUTSIDE_SCHEME,  # the Net Zero pathway's last step
        ("University of the Midlands", "exchange_visit"): Trust.OUTSIDE_SCHEME,  # not accredited
        ("National Skills Network", "community_of_practice"): Trust.ACCREDITED,
    }
    assert len(fetch_trust_list(client).entries) == 3
