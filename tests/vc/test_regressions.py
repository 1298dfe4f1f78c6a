"""One test per vulnerability class found in review of the credential core (named after the class)."""

from __future__ import annotations

import base64
import copy
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from server.demo import demo_credential
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.errors import JsonLdError, ParsingError
from vc.jsonld import canonicalize
from vc.jwt import decode_jwt, looks_like_jwt, sign_jwt
from vc.keys import KeyType, PrivateKey
from vc.parsing import parse_json
from vc.ports import DidKeyResolver
from vc.report import CheckId, Outcome, Trust
from vc.status_list import BitstringStatusSource, StatusList, status_list_credential
from vc.verify import Ports, TrustDecision, verify_credential

NOW = datetime(2026, 11, 23, tzinfo=UTC)
KEY = PrivateKey.from_ed25519_secret(bytes(range(3, 35)))
DID = did_key_for(KEY.public_key)
METHOD = did_key_verification_method_id(KEY.public_key)
PORTS = Ports(resolver=DidKeyResolver())


def _b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def _signed_token(header: dict[str, Any], payload: dict[str, Any]) -> str:
    signing_input = _b64(header) + "." + _b64(payload)
    return (
        signing_input + "." + base64.urlsafe_b64encode(KEY.sign(signing_input.encode())).rstrip(b"=").decode()
    )


class AccreditEveryone:
    def decide(self, issuer_id: str, credential: Mapping[str, Any], now: datetime) -> TrustDecision:
        return TrustDecision(Trust.ACCREDITED, "accredited")


def test_trust_is_not_lent_to_a_key_the_issuer_does_not_control() -> None:
    # Signed by our did:key, but claiming an unresolvable URN issuer: authentic-looking, never accredited.
    forged = data_integrity.sign(demo_credential("urn:uuid:famous-university"), KEY, METHOD, NOW)
    report = verify_credential(forged, Ports(resolver=DidKeyResolver(), registry=AccreditEveryone()), NOW)
    assert report.check(CheckId.ISSUER_KEY_BINDING).outcome is Outcome.WARNING  # type: ignore[union-attr]
    assert report.trust is Trust.OUTSIDE_SCHEME
    # And an https issuer signed with someone else's key is not trustworthy at all.
    forged = data_integrity.sign(demo_credential("https://university.example"), KEY, METHOD, NOW)
    report = verify_credential(forged, Ports(resolver=DidKeyResolver(), registry=AccreditEveryone()), NOW)
    assert report.trust is Trust.NOT_TRUSTWORTHY
    assert not report.verified


def test_look_alike_blank_nodes_cannot_make_canonicalisation_explode() -> None:
    document = demo_credential(DID)
    subject = dict(document["credentialSubject"])
    subject["result"] = [{"type": ["Result"], "value": "A"} for _ in range(9)]
    document["credentialSubject"] = [subject, subject]
    started = time.thread_time()  # this thread's CPU time: the same on a loaded machine
    with pytest.raises(JsonLdError, match="too much work"):
        canonicalize(document)
    assert time.thread_time() - started < 5


def test_a_large_proof_set_is_refused_before_canonicalisation() -> None:
    signed = data_integrity.sign(demo_credential(DID), KEY, METHOD, NOW)
    flood = {
        **signed,
        "proof": [dict(signed["proof"], created=f"2026-01-0{i}T00:00:00Z") for i in range(1, 9)],
    }
    report = verify_credential(flood, PORTS, NOW)
    assert report.check(CheckId.PROOF).message == "More than 4 proofs."  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("header", "payload"),
    [
        ({"alg": ["EdDSA"], "kid": METHOD}, {}),
        ({"alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "alg": ["x"]}}, {}),
        (
            {"alg": "EdDSA", "kid": METHOD},
            {"vc": {"@context": ["https://www.w3.org/2018/credentials/v1"]}, "nbf": 10**20},
        ),
        (
            {"alg": "EdDSA", "kid": METHOD},
            {"vc": {"@context": ["https://www.w3.org/2018/credentials/v1"]}, "exp": -(10**15)},
        ),
    ],
)
def test_hostile_jwt_headers_and_dates_give_a_report_not_a_crash(
    header: dict[str, Any], payload: dict[str, Any]
) -> None:
    report = verify_credential(_signed_token(header, payload), PORTS, NOW)
    assert not report.verified
    assert report.checks[0].outcome is Outcome.FAILED


def test_signed_jwt_with_non_date_valid_from_is_not_well_formed() -> None:
    credential = {**demo_credential(DID), "validFrom": 5}
    report = verify_credential(_signed_token({"alg": "EdDSA", "kid": METHOD}, credential), PORTS, NOW)
    assert report.check(CheckId.WELL_FORMED).outcome is Outcome.FAILED  # type: ignore[union-attr]


def test_a_vc_1_1_credential_must_travel_in_a_vc_claim() -> None:
    # (A VC 2.0 credential in a vc claim is verified with a warning: tests/vc/test_interop.py.)
    credential = {**demo_credential(DID), "@context": ["https://www.w3.org/2018/credentials/v1"]}
    with pytest.raises(ParsingError, match=r"VC 1\.1"):
        decode_jwt(_signed_token({"alg": "EdDSA", "kid": METHOD}, {**credential, "iss": DID}))


def test_credential_type_cannot_borrow_the_status_list_schema_exemption() -> None:
    credential = demo_credential(DID)
    del credential["credentialSubject"]["identifier"]
    credential["type"] = [*credential["type"], "BitstringStatusListCredential"]
    report = verify_credential(data_integrity.sign(credential, KEY, METHOD, NOW), PORTS, NOW)
    assert report.check(CheckId.SCHEMA).outcome is Outcome.FAILED  # type: ignore[union-attr]


def test_json_with_two_dots_is_not_mistaken_for_a_jwt() -> None:
    assert not looks_like_jwt('{"@context": ["https://www.w3.org/ns"]}')
    assert looks_like_jwt(sign_jwt(demo_credential(DID), KEY, kid=METHOD))


@pytest.mark.parametrize("text", ['{"a": ' + "1" * 5000 + "}", '{"a": 1e400}', '{"a": NaN}'])
def test_numbers_python_cannot_hold_are_parsing_errors(text: str) -> None:
    with pytest.raises(ParsingError):
        parse_json(text)


def _status_ports(list_document: Any) -> Ports:
    return Ports(resolver=PORTS.resolver, status=BitstringStatusSource(lambda url: list_document, PORTS))


def _with_status(entry_changes: dict[str, Any]) -> dict[str, Any]:
    entry = {
        "id": "https://status.example/1#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": "https://status.example/1",
        **entry_changes,
    }
    return data_integrity.sign({**demo_credential(DID), "credentialStatus": entry}, KEY, METHOD, NOW)


def _status_list() -> dict[str, Any]:
    unsigned = status_list_credential(
        "https://status.example/1", DID, StatusList(), "revocation", "2026-01-01T00:00:00Z"
    )
    return data_integrity.sign(unsigned, KEY, METHOD, NOW)


@pytest.mark.parametrize("index", ["\u00b2", "\u0665", "-1", "99999999999999"])  # ², Arabic-Indic 5
def test_status_index_must_be_an_ascii_decimal_in_range(index: str) -> None:
    report = verify_credential(_with_status({"statusListIndex": index}), _status_ports(_status_list()), NOW)
    assert report.check(CheckId.STATUS).outcome is Outcome.FAILED  # type: ignore[union-attr]


def test_multi_bit_status_sizes_are_refused_not_misread() -> None:
    report = verify_credential(_with_status({"statusSize": 2}), _status_ports(_status_list()), NOW)
    assert "statusSize" in report.check(CheckId.STATUS).message  # type: ignore[union-attr]


def test_a_fetcher_that_raises_fails_the_status_check() -> None:
    def broken(url: str) -> Any:
        raise TimeoutError("slow")

    ports = Ports(resolver=PORTS.resolver, status=BitstringStatusSource(broken, PORTS))
    report = verify_credential(_with_status({}), ports, NOW)
    assert report.check(CheckId.STATUS).outcome is Outcome.FAILED  # type: ignore[union-attr]
    assert "TimeoutError" in report.check(CheckId.STATUS).message  # type: ignore[union-attr]


def test_truncated_gzip_status_list_is_refused() -> None:
    encoded = StatusList().encode()
    with pytest.raises(ParsingError, match="truncated"):
        StatusList.decode(encoded[:-12])


def test_embedded_jwk_of_the_did_key_issuer_is_bound() -> None:
    report = verify_credential(sign_jwt(demo_credential(DID), KEY), PORTS, NOW)
    assert report.check(CheckId.ISSUER_KEY_BINDING).outcome is Outcome.PASSED  # type: ignore[union-attr]
    assert report.verified


def test_vc_1_1_dates_come_from_the_vc_1_1_fields() -> None:
    credential = copy.deepcopy(demo_credential(DID))
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    credential["validUntil"] = "2020-01-01T00:00:00Z"
    report = verify_credential(data_integrity.sign(credential, KEY, METHOD, NOW), PORTS, NOW)
    assert report.check(CheckId.VALIDITY_PERIOD).outcome is Outcome.FAILED  # type: ignore[union-attr]


def test_unexpected_errors_in_a_port_are_failures_not_crashes() -> None:
    class Exploding:
        def decide(self, issuer_id: str, credential: Mapping[str, Any], now: datetime) -> TrustDecision:
            raise RuntimeError("registry down")

    credential = data_integrity.sign(demo_credential(DID), KEY, METHOD, NOW)
    report = verify_credential(credential, Ports(resolver=DidKeyResolver(), registry=Exploding()), NOW)
    assert not report.verified
    assert report.checks[-1].outcome is Outcome.FAILED
    assert [check.id for check in report.checks] == list(CheckId)


def test_p256_jwt_is_bound_to_its_did_key_issuer() -> None:
    key = PrivateKey.generate(KeyType.P256)
    issuer = did_key_for(key.public_key)
    token = sign_jwt(demo_credential(issuer), key, kid=did_key_verification_method_id(key.public_key))
    assert verify_credential(token, PORTS, NOW).verified
