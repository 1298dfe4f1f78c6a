"""Verifying what others issue, end to end: VC 1.1 credentials (issuanceDate / expirationDate),
Ed25519Signature2020 proofs and legacy ``vc``-claim JWTs, and one regression test per mixed-version trick.
"""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from schemas.loader import OfflineDocumentLoader
from server.demo import demo_credential
from tests.conftest import load_vector
from tests.vc.legacy_signing import sign_2020
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.errors import CRYPTOGRAPHIC_SECURITY_ERROR
from vc.keys import PrivateKey
from vc.ports import DidKeyResolver
from vc.report import Check, CheckId, Outcome, VerificationReport
from vc.verify import Ports, verify_credential

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
KEY = PrivateKey.from_ed25519_secret(bytes(range(21, 53)))
DID = did_key_for(KEY.public_key)
METHOD = did_key_verification_method_id(KEY.public_key)
PORTS = Ports(resolver=DidKeyResolver())


def _check(report: VerificationReport, check_id: CheckId) -> Check:
    check = report.check(check_id)
    assert check is not None
    return check


def vc_1_1(**changes: Any) -> dict[str, Any]:
    """The validator's VC 1.1 OpenBadgeCredential, unsigned, issued by our did:key."""
    credential = copy.deepcopy(load_vector("1edtech-validator/simple_v1.json"))
    del credential["proof"]
    credential["issuer"]["id"] = DID
    credential.update(changes)
    return {key: value for key, value in credential.items() if value is not None}


def test_vc_1_1_with_ed25519_signature_2020_verifies_end_to_end() -> None:
    report = verify_credential(sign_2020(vc_1_1(), KEY, METHOD), PORTS, NOW)
    assert report.verified, report.to_json()
    assert _check(report, CheckId.PROOF).message == "The signature is valid (Ed25519Signature2020)."
    assert _check(report, CheckId.ISSUER_KEY_BINDING).outcome is Outcome.PASSED


def test_tampered_2020_proof_fails_and_skips_the_rest() -> None:
    signed = sign_2020(vc_1_1(), KEY, METHOD)
    signed["credentialSubject"]["achievement"]["name"] = "Leadership"
    report = verify_credential(signed, PORTS, NOW)
    proof = _check(report, CheckId.PROOF)
    assert (proof.outcome, proof.problem_type) == (Outcome.FAILED, CRYPTOGRAPHIC_SECURITY_ERROR)
    assert _check(report, CheckId.VALIDITY_PERIOD).outcome is Outcome.SKIPPED


def test_2020_proof_for_authentication_does_not_verify_a_credential() -> None:
    report = verify_credential(sign_2020(vc_1_1(), KEY, METHOD, proof_purpose="authentication"), PORTS, NOW)
    assert "proofPurpose is 'authentication'" in _check(report, CheckId.PROOF).message
    assert not report.verified


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"expirationDate": "2020-01-01T00:00:00Z"}, "expired on 2020-01-01T00:00:00+00:00 (expirationDate)"),
        # The VC 1.1 context defines validUntil/validFrom too (same IRIs as VC 2.0); the strictest bound wins.
        ({"validUntil": "2020-01-01T00:00:00Z"}, "expired on 2020-01-01T00:00:00+00:00 (validUntil)"),
        (
            {"expirationDate": "2040-01-01T00:00:00Z", "validUntil": "2021-01-01T00:00:00Z"},
            "expired on 2021-01-01T00:00:00+00:00 (validUntil)",
        ),
        ({"validFrom": "2040-01-01T00:00:00Z"}, "not valid until 2040-01-01T00:00:00+00:00 (validFrom)"),
        (
            {"issuanceDate": "2040-01-01T00:00:00Z"},
            "not valid until 2040-01-01T00:00:00+00:00 (issuanceDate)",
        ),
    ],
    ids=["expirationDate", "validUntil-only", "strictest-end", "validFrom-later", "issuanceDate-future"],
)
def test_vc_1_1_validity_comes_from_every_bound_its_context_defines(
    changes: dict[str, Any], message: str
) -> None:
    report = verify_credential(sign_2020(vc_1_1(**changes), KEY, METHOD), PORTS, NOW)
    validity = _check(report, CheckId.VALIDITY_PERIOD)
    assert _check(report, CheckId.PROOF).outcome is Outcome.PASSED
    assert validity.outcome is Outcome.FAILED
    assert message in validity.message


# A context a VC 2.0 issuer might add to carry VC 1.1 dates. Only our tests' loader serves it.
LEGACY_DATES = "https://example.org/legacy-dates/v1"
LOADER = OfflineDocumentLoader(
    {
        LEGACY_DATES: {
            "@context": {
                "issuanceDate": {
                    "@id": "https://www.w3.org/2018/credentials#issuanceDate",
                    "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
                },
                "expirationDate": {
                    "@id": "https://www.w3.org/2018/credentials#expirationDate",
                    "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
                },
            }
        }
    }
)


def _vc_2_0_with(**changes: Any) -> dict[str, Any]:
    credential = demo_credential(DID)
    credential["@context"] = [*credential["@context"], LEGACY_DATES]
    credential.update(changes)
    credential = {key: value for key, value in credential.items() if value is not None}
    return data_integrity.sign(credential, KEY, METHOD, NOW, loader=LOADER)


def test_vc_2_0_issuance_date_is_not_treated_as_valid_from() -> None:
    signed = _vc_2_0_with(validFrom=None, issuanceDate="2040-01-01T00:00:00Z")
    report = verify_credential(signed, Ports(resolver=DidKeyResolver(), loader=LOADER), NOW)
    validity = _check(report, CheckId.VALIDITY_PERIOD)
    assert _check(report, CheckId.PROOF).outcome is Outcome.PASSED
    assert validity.outcome is Outcome.PASSED
    assert "2040" not in validity.message
    assert "issuanceDate (VC 1.1 terms) mean nothing in a VC 2.0 credential" in validity.message
    # And the OB 3.0 schema still wants validFrom, so it is not verified either way.
    assert "validFrom" in _check(report, CheckId.SCHEMA).message
    assert not report.verified


def test_vc_2_0_expiration_date_is_not_read_as_valid_until() -> None:
    signed = _vc_2_0_with(expirationDate="2020-01-01T00:00:00Z")
    report = verify_credential(signed, Ports(resolver=DidKeyResolver(), loader=LOADER), NOW)
    validity = _check(report, CheckId.VALIDITY_PERIOD)
    assert validity.outcome is Outcome.PASSED
    assert "until 2031-07-01" in validity.message  # validUntil, the VC 2.0 bound, is what counts
    assert "expirationDate (VC 1.1 terms)" in validity.message


def test_vc_2_0_dates_without_a_context_for_them_break_the_proof() -> None:
    credential = demo_credential(DID)
    signed = data_integrity.sign(credential, KEY, METHOD, NOW)
    report = verify_credential({**signed, "issuanceDate": "2040-01-01T00:00:00Z"}, PORTS, NOW)
    assert "issuanceDate" in _check(report, CheckId.PROOF).message  # an undefined term, never ignored


def test_both_base_contexts_are_not_well_formed() -> None:
    unsigned = vc_1_1()
    unsigned["@context"] = [*unsigned["@context"], "https://www.w3.org/ns/credentials/v2"]
    report = verify_credential({**unsigned, "proof": sign_2020(vc_1_1(), KEY, METHOD)["proof"]}, PORTS, NOW)
    assert "mixes the VC 1.1 and VC 2.0" in _check(report, CheckId.WELL_FORMED).message


def test_vc_1_1_without_issuance_date_is_not_well_formed() -> None:
    report = verify_credential(sign_2020(vc_1_1(issuanceDate=None), KEY, METHOD), PORTS, NOW)
    assert _check(report, CheckId.WELL_FORMED).message == "a VC 1.1 credential needs issuanceDate"


def test_unsupported_proof_beside_a_forged_one_reports_the_forgery() -> None:
    signed = sign_2020(vc_1_1(), KEY, METHOD)
    forged = {**signed["proof"], "created": "2030-01-01T00:00:00Z"}
    exotic = {**data_integrity.proofs_of(load_vector("1edtech-validator/sd/derivedcredential.json"))[0]}
    report = verify_credential({**signed, "proof": [exotic, forged]}, PORTS, NOW)
    proof = _check(report, CheckId.PROOF)
    assert "does not match" in proof.message
    assert proof.details == {}


def test_unsupported_proof_beside_a_genuine_one_verifies() -> None:
    signed = sign_2020(vc_1_1(), KEY, METHOD)
    exotic = {**data_integrity.proofs_of(load_vector("1edtech-validator/sd/derivedcredential.json"))[0]}
    report = verify_credential({**signed, "proof": [exotic, signed["proof"]]}, PORTS, NOW)
    assert report.verified, report.to_json()


# --- legacy VC-JWT: the credential in a vc claim (OB 3.0 §8.2.6, VC-JWT 1.1) -------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def legacy_jwt(credential: dict[str, Any], **claims: Any) -> str:
    header = {"alg": "EdDSA", "typ": "JWT", "kid": METHOD}
    payload = {"vc": credential, "iss": DID, "jti": credential["id"], **claims}
    signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(payload).encode())
    return signing_input + "." + _b64(KEY.sign(signing_input.encode()))


def test_legacy_vc_claim_jwt_verifies_end_to_end() -> None:
    credential = vc_1_1(issuanceDate=None)  # nbf carries it (VC-JWT 1.1 decoding)
    report = verify_credential(legacy_jwt(credential, nbf=1262304000), PORTS, NOW)
    assert report.verified, report.to_json()
    assert report.format == "jwt"
    assert report.credential is not None
    assert report.credential["issuanceDate"] == "2010-01-01T00:00:00Z"
    assert _check(report, CheckId.SCHEMA).message.startswith("A VC 1.1 credential")


def test_legacy_vc_claim_jwt_expired_by_exp() -> None:
    credential = vc_1_1(issuanceDate=None)
    token = legacy_jwt(credential, nbf=1262304000, exp=1577836800)  # 2020-01-01
    validity = _check(verify_credential(token, PORTS, NOW), CheckId.VALIDITY_PERIOD)
    assert validity.outcome is Outcome.FAILED
    assert "(expirationDate)" in validity.message


def test_legacy_jwt_whose_exp_disagrees_with_expiration_date_fails() -> None:
    credential = vc_1_1(expirationDate="2020-01-01T00:00:00Z")
    token = legacy_jwt(credential, exp=4102444800)  # 2100: the claim cannot extend the signed credential
    proof = _check(verify_credential(token, PORTS, NOW), CheckId.PROOF)
    assert proof.outcome is Outcome.FAILED
    assert "exp" in proof.message
