"""Interop edges found by independent verifiers (Digital Bazaar vc 7.3 + jsonld.js, openbadgeslib 4.6,
didkit 0.3): one regression test per finding, named after it (issue 10, deliverable 6)."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from tests.conftest import load_vector
from vc import data_integrity
from vc import ed25519_signature_2020 as ed2020
from vc.did_key import did_key_for, did_key_verification_method_id, resolve_did_key
from vc.errors import JsonLdError, SignatureError, UnsupportedError
from vc.jsonld import canonicalize
from vc.jwt import claim_mismatches, decode_jwt, sign_jwt
from vc.keys import KeyType, PrivateKey, multibase_encode_base58btc
from vc.ports import DidKeyResolver
from vc.presentation import PresentationCheckId, verify_presentation
from vc.report import CheckId, Outcome, ProofState
from vc.verify import Ports, verify_credential

KEY = PrivateKey.from_ed25519_secret(bytes(range(21, 53)))
DID = did_key_for(KEY.public_key)
METHOD = did_key_verification_method_id(KEY.public_key)
NOW = datetime(2026, 11, 23, tzinfo=UTC)
PORTS = Ports(resolver=DidKeyResolver())


def credential() -> dict[str, Any]:
    unsigned: dict[str, Any] = copy.deepcopy(load_vector("1edtech/ob-v3p0-eddsa-rdfc-2022.json")["unsigned"])
    unsigned["issuer"]["id"] = DID
    return unsigned


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def token(header: dict[str, Any], payload: dict[str, Any], key: PrivateKey | None = KEY) -> str:
    """A compact JWS over exactly this header and payload (unsigned when `key` is None)."""
    signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(payload).encode())
    return signing_input + "." + (_b64(key.sign(signing_input.encode())) if key else "")


def outcome(report: Any, check_id: CheckId) -> Outcome:
    check = report.check(check_id)
    assert check is not None
    return check.outcome  # type: ignore[no-any-return]


# --- alg: none made `passport verify` exit 2 ("unusable input") where 1 ("not verified") is the truth


def test_alg_none_jwt_is_readable_but_not_verified() -> None:
    payload = {**credential(), "iss": DID, "nbf": 1262304000, "jti": credential()["id"]}
    for header in ({"alg": "none"}, {"alg": "none", "typ": "JWT"}, {"alg": "HS256", "kid": METHOD}):
        report = verify_credential(token(header, payload, key=None), PORTS, NOW)
        # The CLI exits 2 exactly when well_formed fails (server/cli.py), so this is its exit 1.
        assert outcome(report, CheckId.WELL_FORMED) is Outcome.PASSED
        assert outcome(report, CheckId.PROOF) is Outcome.FAILED
        assert "is not allowed" in report.check(CheckId.PROOF).message  # type: ignore[union-attr]
        assert not report.verified


# --- an RSA did:key was reported as "malformed did:key DID URL" (it is longer than 512 characters) ---


def _rsa_did_key() -> tuple[PrivateKey, str]:
    rsa = PrivateKey.generate(KeyType.RSA)
    der = rsa.public_key.key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return rsa, "did:key:" + multibase_encode_base58btc(b"\x85\x24" + der)  # 0x1205 rsa-pub


def test_rsa_did_key_is_not_supported_rather_than_malformed() -> None:
    rsa, did = _rsa_did_key()
    method_id = f"{did}#{did.removeprefix('did:key:')}"
    with pytest.raises(UnsupportedError, match="RSA keys are not supported"):
        resolve_did_key(method_id)
    unsigned = {**credential(), "issuer": {**credential()["issuer"], "id": did}}
    report = verify_credential(sign_jwt(unsigned, rsa, kid=method_id), PORTS, NOW)
    proof = report.check(CheckId.PROOF)
    assert proof is not None
    assert proof.outcome is Outcome.FAILED
    assert "RSA keys are not supported" in proof.message
    assert proof.details == {"unsupported": True}  # the proof was not checked; nothing says it is forged


# --- Ed25519Signature2020 proofs carrying their own @context (didkit's default) were refused ----------


def _didkit_style_2020(unsigned: dict[str, Any], own_context: Any) -> dict[str, Any]:
    """Signed the way jsonld-signatures computes it: the proof configuration under the proof's own
    @context alone, independently of our `proof_configuration`."""
    options = {
        "type": ed2020.PROOF_TYPE,
        "created": "2026-01-05T10:00:00Z",
        "verificationMethod": METHOD,
        "proofPurpose": "assertionMethod",
    }
    config = canonicalize({**options, "@context": own_context})
    document = canonicalize(unsigned)
    hash_data = hashlib.sha256(config.encode()).digest() + hashlib.sha256(document.encode()).digest()
    proof = {
        "@context": own_context,
        **options,
        "proofValue": multibase_encode_base58btc(KEY.sign(hash_data)),
    }
    return {**unsigned, "proof": proof}


@pytest.mark.parametrize("own_context", [ed2020.SUITE_CONTEXT, [ed2020.SUITE_CONTEXT]])
@pytest.mark.parametrize(
    "base",
    [
        [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        [
            "https://www.w3.org/2018/credentials/v1",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        ],
    ],
)
def test_ed25519_signature_2020_proof_with_its_own_context_verifies(
    base: list[str], own_context: Any
) -> None:
    unsigned = {**credential(), "@context": base}
    if base[0].endswith("/v1"):
        unsigned["issuanceDate"] = unsigned.pop("validFrom")
    signed = _didkit_style_2020(unsigned, own_context)
    assert ed2020.verify_proof(signed, signed["proof"], DidKeyResolver()).controller == DID
    report = verify_credential(signed, PORTS, NOW)
    assert outcome(report, CheckId.PROOF) is Outcome.PASSED, report.check(CheckId.PROOF)
    assert report.verified
    # The signature still covers the document: a changed name fails.
    with pytest.raises(SignatureError):
        ed2020.verify_proof({**signed, "name": "Forged"}, signed["proof"], DidKeyResolver())


def test_ed25519_signature_2020_proof_context_cannot_stand_in_for_another_suite() -> None:
    signed = _didkit_style_2020(credential(), ed2020.SUITE_CONTEXT)
    proof = {**signed["proof"], "@context": "https://w3id.org/security/data-integrity/v2"}
    with pytest.raises(SignatureError, match="ed25519-2020/v1"):
        ed2020.verify_proof({**signed, "proof": proof}, proof, DidKeyResolver())


# --- a VC 2.0 credential inside a legacy vc claim (some OB 3.0 issuers send it) was refused as unusable


def test_vc_2_0_credential_in_a_legacy_vc_claim_verifies_with_a_warning() -> None:
    unsigned = credential()
    claims = {
        "iss": DID,
        "jti": unsigned["id"],
        "sub": unsigned["credentialSubject"]["id"],
        "nbf": 1262304000,
    }
    report = verify_credential(
        token({"alg": "EdDSA", "kid": METHOD, "typ": "JWT"}, {"vc": unsigned, **claims}), PORTS, NOW
    )
    assert report.verified
    assert report.credential == unsigned
    well_formed = report.check(CheckId.WELL_FORMED)
    assert well_formed is not None
    assert well_formed.outcome is Outcome.WARNING
    assert well_formed.details == {"jwtForm": "vc_claim"}
    assert [warning.id for warning in report.warnings] == [CheckId.WELL_FORMED]
    assert "VC 2.0 credential inside a legacy vc claim" in report.to_json()["warnings"][0]["message"]


def test_vc_2_0_credential_in_a_vc_claim_is_restored_from_its_claims() -> None:
    # VC-JWT 1.1 decoding rules, with the VC 2.0 names: nbf fills validFrom, iss the issuer.
    unsigned = {key: value for key, value in credential().items() if key not in ("validFrom", "issuer")}
    payload = {"vc": unsigned, "iss": DID, "jti": unsigned["id"], "nbf": 1262304000, "exp": 1893456000}
    decoded = decode_jwt(token({"alg": "EdDSA", "kid": METHOD}, payload))
    assert decoded.credential["validFrom"] == "2010-01-01T00:00:00Z"
    assert decoded.credential["validUntil"] == "2030-01-01T00:00:00Z"
    assert decoded.credential["issuer"] == DID
    assert claim_mismatches(decoded) == []
    # The claims must still agree with what the credential says.
    disagreeing = {**payload, "vc": {**unsigned, "validFrom": "2011-01-01T00:00:00Z"}}
    assert claim_mismatches(decode_jwt(token({"alg": "EdDSA", "kid": METHOD}, disagreeing)))


# --- a VC-JWT whose credential holds a relative or blank-node id verified; the peer refuses it --------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"evidence": [{"id": "evidence/1", "type": ["Evidence"]}]}, "relative IRI"),
        ({"evidence": [{"id": "_:b0", "type": ["Evidence"]}]}, "blank node"),
        ({"notDefinedByAnyContext": "x"}, "not defined by any context"),
    ],
)
def test_jwt_credential_gets_the_json_ld_strictness_of_data_integrity(
    change: dict[str, Any], reason: str
) -> None:
    unsigned = {**credential(), **change}
    with pytest.raises(JsonLdError, match=reason):  # what the Data Integrity path says of it
        data_integrity.sign(unsigned, KEY, METHOD, NOW)
    report = verify_credential(sign_jwt(unsigned, KEY, kid=METHOD), PORTS, NOW)
    proof = report.check(CheckId.PROOF)
    assert proof is not None
    assert proof.outcome is Outcome.FAILED
    assert reason in proof.message
    assert not report.verified


def test_jwt_credential_with_absolute_ids_still_verifies() -> None:
    unsigned = {**credential(), "evidence": [{"id": "https://example.org/evidence/1", "type": ["Evidence"]}]}
    assert verify_credential(sign_jwt(unsigned, KEY, kid=METHOD), PORTS, NOW).verified


def _clr_jwt(own: dict[str, Any], bundled: dict[str, Any]) -> str:
    clr = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:0b4f1c2e-7d3a-4c55-9d61-1a2b3c4d5e6f",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": DID, "type": ["Profile"], "name": "Publisher"},
        "name": "Record",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"type": ["ClrSubject"], "verifiableCredential": [bundled]},
        **own,
    }
    return sign_jwt(clr, KEY, kid=METHOD)


def test_a_clr_jwt_own_statements_get_the_json_ld_strictness_too() -> None:
    report = verify_credential(_clr_jwt({"evidence": [{"id": "evidence/1"}]}, credential()), PORTS, NOW)
    assert "relative IRI" in report.check(CheckId.PROOF).message  # type: ignore[union-attr]


def test_a_clr_jwt_leaves_its_bundled_credentials_to_their_own_verification() -> None:
    # Bundled under different OB contexts, credentials may not make one JSON-LD document (vc.clr); each
    # is verified on its own, with its own proof, and there the same strictness applies.
    bundled = {**credential(), "notDefinedByAnyContext": "x"}
    report = verify_credential(_clr_jwt({}, bundled), PORTS, NOW)
    assert outcome(report, CheckId.PROOF) is Outcome.PASSED
    on_its_own = verify_credential(sign_jwt(bundled, KEY, kid=METHOD), PORTS, NOW)
    assert "not defined by any context" in on_its_own.check(CheckId.PROOF).message  # type: ignore[union-attr]


@pytest.mark.parametrize("alg", ["none", ["EdDSA"], None])
def test_presentation_jwt_with_alg_none_is_readable_but_its_holder_not_proven(alg: Any) -> None:
    vp = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"]}
    report = verify_presentation(
        token({"alg": alg, "kid": METHOD}, {"iss": DID, "vp": vp}, key=None), PORTS, NOW
    )
    outcomes = {check.id: check.outcome for check in report.checks}
    assert outcomes[PresentationCheckId.WELL_FORMED] is Outcome.PASSED
    assert outcomes[PresentationCheckId.PROOF] is Outcome.FAILED
    assert report.proof.state is ProofState.UNSUPPORTED
