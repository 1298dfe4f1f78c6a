"""The verification pipeline: the report's rules (order, skipping, one clock, nothing self-vouched), on some
1EdTech validator fixtures and on our own credentials."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import load_vector
from vc import data_integrity as di
from vc.did_key import VerificationMethod, did_key_for, did_key_verification_method_id
from vc.errors import KeyResolutionError
from vc.jwt import sign_jwt
from vc.keys import KeyType, PrivateKey, PublicKey
from vc.ports import ChainResolver, DidKeyResolver, StaticResolver
from vc.report import CheckId, Trust
from vc.status_list import BitstringStatusSource, StatusList, status_entry, status_list_credential
from vc.verify import Ports, TrustDecision, verify_credential

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class FixtureResolver:
    """Stands in for each issuer's controller document, shaped like the 1EdTech vector's: the key
    ``<issuer>#<multikey>`` is that Multikey, controlled by ``<issuer>`` (the fixtures' https key URLs
    are not resolvable)."""

    def resolve(self, verification_method_id: str) -> VerificationMethod:
        controller, _, fragment = verification_method_id.partition("#")
        if not fragment.startswith("z6Mk"):
            raise KeyResolutionError(f"not found: {verification_method_id}")
        return VerificationMethod(
            id=verification_method_id,
            type="Multikey",
            controller=controller,
            public_key=PublicKey.from_multibase(fragment),
        )


FIXTURE_PORTS = Ports(resolver=ChainResolver({"did:key:": DidKeyResolver(), "https://": FixtureResolver()}))


def outcomes(report: Any) -> dict[str, str]:
    return {check.id.value: check.outcome.value for check in report.checks}


# Every 1EdTech validator fixture is classified in test_validator_fixtures.py; these use a few of them.


def test_expired_credential_is_genuine_but_expired() -> None:
    report = verify_credential(load_vector("1edtech-validator/simple-err-expired.json"), FIXTURE_PORTS, NOW)
    assert outcomes(report)["proof"] == "passed"
    assert "expired" in report.check(CheckId.VALIDITY_PERIOD).message  # type: ignore[union-attr]


def test_when_the_proof_fails_later_checks_are_skipped_not_passed() -> None:
    report = verify_credential(
        load_vector("1edtech-validator/simple-err-proof-value.json"), FIXTURE_PORTS, NOW
    )
    later = ["issuer_key_binding", "validity_period", "status", "issuer_trust"]
    assert [outcomes(report)[check] for check in later] == ["skipped"] * 4
    assert report.to_json()["verified"] is False
    assert report.errors[0].problem_type.endswith("CRYPTOGRAPHIC_SECURITY_ERROR")  # type: ignore[union-attr]


def test_checks_run_in_order_with_stable_ids() -> None:
    report = verify_credential(load_vector("1edtech-validator/simple.json"), FIXTURE_PORTS, NOW)
    assert [check.id for check in report.checks] == list(CheckId)


def test_not_yet_valid_is_reported_against_the_injected_clock() -> None:
    fixture = load_vector("1edtech-validator/simple-err-issued.json")  # validFrom 2040-01-01
    report = verify_credential(fixture, FIXTURE_PORTS, NOW)
    assert "not valid until 2040" in report.check(CheckId.VALIDITY_PERIOD).message  # type: ignore[union-attr]


# --- our own credentials: did:key issuer, both formats, status and trust ports ---------------------


@pytest.fixture(scope="module")
def issuer_key() -> PrivateKey:
    return PrivateKey.from_ed25519_secret(bytes(range(1, 33)))


def _credential(issuer: str, **extra: Any) -> dict[str, Any]:
    credential: dict[str, Any] = copy.deepcopy(
        load_vector("1edtech/ob-v3p0-eddsa-rdfc-2022.json")["unsigned"]
    )
    credential["issuer"] = {**credential["issuer"], "id": issuer}
    credential.update(extra)
    return credential


class ListServer:
    def __init__(self) -> None:
        self.documents: dict[str, Any] = {}
        self.fetched: list[str] = []

    def __call__(self, url: str) -> Mapping[str, Any] | str:
        self.fetched.append(url)
        if url not in self.documents:
            raise KeyResolutionError(f"cannot fetch {url}")
        return self.documents[url]


def _status_setup(issuer_key: PrivateKey, revoked: bool) -> tuple[dict[str, Any], Ports]:
    did = did_key_for(issuer_key.public_key)
    method = did_key_verification_method_id(issuer_key.public_key)
    list_url = "https://status.example/lists/1"
    bits = StatusList()
    bits[42] = revoked
    server = ListServer()
    server.documents[list_url] = di.sign(
        status_list_credential(list_url, did, bits, "revocation", "2026-01-01T00:00:00Z"),
        issuer_key,
        method,
        NOW - timedelta(days=1),
    )
    credential = di.sign(
        _credential(did, credentialStatus=status_entry(list_url, 42)),
        issuer_key,
        method,
        NOW - timedelta(days=1),
    )
    ports = Ports(resolver=DidKeyResolver())
    return credential, Ports(resolver=ports.resolver, status=BitstringStatusSource(server, ports))


@pytest.mark.parametrize("revoked", [False, True])
def test_bitstring_status(issuer_key: PrivateKey, revoked: bool) -> None:
    credential, ports = _status_setup(issuer_key, revoked)
    report = verify_credential(credential, ports, NOW)
    assert outcomes(report)["status"] == ("failed" if revoked else "passed")
    assert report.verified is not revoked


def test_forged_status_list_fails_the_status_check(issuer_key: PrivateKey) -> None:
    credential, ports = _status_setup(issuer_key, revoked=True)
    server = ports.status._fetch  # type: ignore[union-attr]
    url = credential["credentialStatus"]["statusListCredential"]
    forged = copy.deepcopy(server.documents[url])
    forged["credentialSubject"]["encodedList"] = StatusList().encode()  # "un-revoke" without re-signing
    server.documents[url] = forged
    report = verify_credential(credential, ports, NOW)
    assert outcomes(report)["status"] == "failed"
    assert "does not verify" in report.check(CheckId.STATUS).message  # type: ignore[union-attr]


def test_status_list_from_another_issuer_is_refused(issuer_key: PrivateKey) -> None:
    credential, ports = _status_setup(issuer_key, revoked=False)
    server = ports.status._fetch  # type: ignore[union-attr]
    url = credential["credentialStatus"]["statusListCredential"]
    other = PrivateKey.generate(KeyType.ED25519)
    server.documents[url] = di.sign(
        status_list_credential(
            url, did_key_for(other.public_key), StatusList(), "revocation", "2026-01-01T00:00:00Z"
        ),
        other,
        did_key_verification_method_id(other.public_key),
        NOW,
    )
    assert outcomes(verify_credential(credential, ports, NOW))["status"] == "failed"


def test_unreachable_status_list_fails_closed(issuer_key: PrivateKey) -> None:
    credential, ports = _status_setup(issuer_key, revoked=False)
    ports.status._fetch.documents.clear()  # type: ignore[union-attr]
    report = verify_credential(credential, ports, NOW)
    assert outcomes(report)["status"] == "failed"
    assert not report.verified


def test_status_without_a_source_is_not_a_silent_pass(issuer_key: PrivateKey) -> None:
    credential, _ = _status_setup(issuer_key, revoked=False)
    report = verify_credential(credential, Ports(resolver=DidKeyResolver()), NOW)
    assert outcomes(report)["status"] == "failed"


def test_jwt_credential_verifies_and_reports_its_format(issuer_key: PrivateKey) -> None:
    did = did_key_for(issuer_key.public_key)
    token = sign_jwt(_credential(did), issuer_key, kid=did_key_verification_method_id(issuer_key.public_key))
    report = verify_credential(token, Ports(resolver=DidKeyResolver()), NOW)
    assert report.verified, report.to_json()
    assert report.format == "jwt"
    assert outcomes(report)["issuer_key_binding"] == "passed"


def test_key_not_controlled_by_the_issuer_fails_binding(issuer_key: PrivateKey) -> None:
    # Signed correctly, but by a did:key that is not the https issuer named in the credential.
    credential = di.sign(
        _credential("https://college.example/issuers/1"),
        issuer_key,
        did_key_verification_method_id(issuer_key.public_key),
        NOW,
    )
    report = verify_credential(credential, Ports(resolver=DidKeyResolver()), NOW)
    assert outcomes(report)["proof"] == "passed"
    assert outcomes(report)["issuer_key_binding"] == "failed"
    assert not report.verified


def test_jwt_with_embedded_key_is_not_bound_to_an_https_issuer(issuer_key: PrivateKey) -> None:
    token = sign_jwt(_credential("https://college.example/issuers/1"), issuer_key)  # jwk header
    report = verify_credential(token, Ports(resolver=StaticResolver([])), NOW)
    assert outcomes(report)["issuer_key_binding"] == "failed"


class Registry:
    def __init__(self, trust: Trust) -> None:
        self.trust = trust

    def decide(self, issuer_id: str, credential: Mapping[str, Any], now: datetime) -> TrustDecision:
        return TrustDecision(self.trust, f"{issuer_id} is {self.trust.value}", issuer_name="Registry Name")


@pytest.mark.parametrize(
    ("trust", "outcome", "verified"),
    [
        (Trust.ACCREDITED, "passed", True),
        (Trust.OUTSIDE_SCHEME, "warning", True),
        (Trust.NOT_TRUSTWORTHY, "failed", False),
    ],
)
def test_trust_registry_decides_the_trust_check(
    issuer_key: PrivateKey, trust: Trust, outcome: str, verified: bool
) -> None:
    did = did_key_for(issuer_key.public_key)
    credential = di.sign(
        _credential(did), issuer_key, did_key_verification_method_id(issuer_key.public_key), NOW
    )
    report = verify_credential(credential, Ports(resolver=DidKeyResolver(), registry=Registry(trust)), NOW)
    assert outcomes(report)["issuer_trust"] == outcome
    assert report.trust is trust
    assert report.verified is verified


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"@context": "https://www.w3.org/ns/credentials/v2"},
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["Thing"]},
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]},
        {"@context": ["https://example.com/ctx"], "type": "VerifiableCredential"},
    ],
)
def test_not_a_credential_is_not_well_formed(document: dict[str, Any]) -> None:
    report = verify_credential(document, FIXTURE_PORTS, NOW)
    assert outcomes(report)["well_formed"] == "failed"
    assert set(outcomes(report).values()) == {"failed", "skipped"}


def test_undefined_term_fails_the_proof_check_with_a_clear_message(issuer_key: PrivateKey) -> None:
    did = did_key_for(issuer_key.public_key)
    credential = di.sign(
        _credential(did), issuer_key, did_key_verification_method_id(issuer_key.public_key), NOW
    )
    report = verify_credential({**credential, "sneaky": "x"}, Ports(resolver=DidKeyResolver()), NOW)
    assert outcomes(report)["proof"] == "failed"
    assert "sneaky" in report.check(CheckId.PROOF).message  # type: ignore[union-attr]


@pytest.mark.parametrize(("now", "outcome"), [(NOW, "passed"), (datetime(2031, 1, 1, tzinfo=UTC), "failed")])
def test_the_clock_is_injected(issuer_key: PrivateKey, now: datetime, outcome: str) -> None:
    did = did_key_for(issuer_key.public_key)
    credential = di.sign(
        _credential(did, validUntil="2030-01-01T00:00:00Z"),
        issuer_key,
        did_key_verification_method_id(issuer_key.public_key),
        NOW,
    )
    assert (
        outcomes(verify_credential(credential, Ports(resolver=DidKeyResolver()), now))["validity_period"]
        == outcome
    )


def test_self_asserted_validity_is_not_trusted(issuer_key: PrivateKey) -> None:
    # A credential cannot declare itself verified: unknown properties are refused, and the report
    # is computed, never read from the document.
    did = did_key_for(issuer_key.public_key)
    credential = di.sign(
        _credential(did, validUntil="2020-01-01T00:00:00Z"),
        issuer_key,
        did_key_verification_method_id(issuer_key.public_key),
        NOW,
    )
    report = verify_credential(credential, Ports(resolver=DidKeyResolver()), NOW)
    assert not report.verified
    assert outcomes(report)["validity_period"] == "failed"


def test_a_registry_that_cannot_answer_fails_the_trust_check_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Unreachable:
        def decide(self, issuer_id: str, credential: Any, now: datetime) -> TrustDecision:
            raise KeyResolutionError("the register is unreachable")

    key = PrivateKey.generate(KeyType.ED25519)
    unsigned = {**load_vector("1edtech/ob-v3p0-eddsa-rdfc-2022.json")["unsigned"]}
    unsigned["issuer"] = {**unsigned["issuer"], "id": did_key_for(key.public_key)}
    unsigned.pop("credentialStatus", None)
    signed = di.sign(unsigned, key, did_key_verification_method_id(key.public_key), NOW)
    report = verify_credential(signed, Ports(resolver=DidKeyResolver(), registry=Unreachable()), NOW)
    trust = report.check(CheckId.ISSUER_TRUST)
    assert trust is not None
    assert trust.outcome.value == "failed"
    assert "unreachable" in trust.message
    assert not report.verified
    assert caplog.records == []


def test_a_date_beyond_year_9999_is_named_as_such() -> None:
    """10000-01-01T00:00:00Z is a valid xsd:dateTime this service cannot hold: the report says that,
    not that it is no date-time."""
    report = verify_credential(
        _credential("did:example:x", validFrom="10000-01-01T00:00:00Z"), FIXTURE_PORTS, NOW
    )
    well_formed = next(check for check in report.checks if check.id is CheckId.WELL_FORMED)
    assert well_formed.outcome.value == "failed"
    assert "year 10000 is outside 0001-9999" in well_formed.message
