"""Verifiable Presentations: the holder's eddsa-rdfc-2022 authentication proof, challenge and domain, and
every credential inside verified with the credential pipeline."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.errors import JsonLdError, Refusal, SignatureError, VcError
from vc.jwt import sign_jwt
from vc.keys import KeyType, PrivateKey
from vc.ports import DidKeyResolver
from vc.presentation import (
    MAX_CREDENTIALS,
    PresentationCheckId,
    sign_presentation,
    verify_presentation,
    verify_presentation_proof,
)
from vc.presentation_jwt import sign_presentation_jwt
from vc.report import Outcome
from vc.verify import Ports

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PORTS = Ports(resolver=DidKeyResolver())
ISSUER = PrivateKey.generate(KeyType.ED25519)
HOLDER = PrivateKey.generate(KeyType.ED25519)
HOLDER_DID = did_key_for(HOLDER.public_key)
HOLDER_METHOD = did_key_verification_method_id(HOLDER.public_key)
SAMPLE = Path(__file__).resolve().parents[2] / "bench" / "sample-credential.json"


def credential() -> dict[str, Any]:
    unsigned = json.loads(SAMPLE.read_text(encoding="utf-8"))
    unsigned["issuer"]["id"] = did_key_for(ISSUER.public_key)
    del unsigned["credentialStatus"]  # no status source in these pure tests
    return unsigned


def signed_credential() -> dict[str, Any]:
    return data_integrity.sign(credential(), ISSUER, did_key_verification_method_id(ISSUER.public_key), NOW)


def presentation(*credentials: Any, holder: str | None = HOLDER_DID) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": list(credentials),
    }
    if holder is not None:
        document["holder"] = holder
    return document


def signed(
    *credentials: Any, challenge: str | None = "c-123", domain: str | None = "employer.example"
) -> Any:
    return sign_presentation(
        presentation(*credentials), HOLDER, HOLDER_METHOD, NOW, challenge=challenge, domain=domain
    )


def test_round_trip_with_challenge_domain_and_credentials() -> None:
    jwt = sign_jwt(credential(), ISSUER, kid=did_key_verification_method_id(ISSUER.public_key))
    enveloped = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"data:application/vc+jwt,{jwt}",
        "type": "EnvelopedVerifiableCredential",
    }
    vp = signed(signed_credential(), enveloped)
    assert vp["proof"]["proofPurpose"] == "authentication"
    report = verify_presentation(vp, PORTS, NOW, challenge="c-123", domain="employer.example")
    assert report.verified, report.to_json()
    assert report.holder == HOLDER_DID
    assert [r.format for r in report.credentials] == ["ldp", "jwt"]
    assert [c.outcome for c in report.checks] == [Outcome.PASSED] * 3


def test_without_a_requested_challenge_it_verifies_with_a_replay_warning() -> None:
    report = verify_presentation(signed(signed_credential(), challenge=None), PORTS, NOW)
    assert report.verified
    assert [w["id"] for w in report.to_json()["warnings"]] == ["presentation_proof"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"challenge": "other"}, "challenge"),
        ({"domain": "attacker.example"}, "domain"),
    ],
)
def test_wrong_challenge_or_domain_is_refused(options: dict[str, str], message: str) -> None:
    report = verify_presentation(signed(signed_credential()), PORTS, NOW, **options)
    assert not report.verified
    proof = next(c for c in report.checks if c.id is PresentationCheckId.PROOF)
    assert proof.outcome is Outcome.FAILED
    assert message in proof.message
    assert report.credentials == []  # an unproven holder vouches for nothing


def test_requested_challenge_missing_from_the_proof_is_refused() -> None:
    with pytest.raises(SignatureError, match="challenge"):
        verify_presentation_proof(signed(challenge=None), PORTS.resolver, challenge="c-123")


def test_tampered_presentation_fails() -> None:
    vp = signed(signed_credential())
    vp["verifiableCredential"][0]["name"] = "Forged"
    with pytest.raises(SignatureError):
        verify_presentation_proof(vp, PORTS.resolver, challenge="c-123")


def test_a_credential_proof_is_not_a_presentation_proof() -> None:
    # assertionMethod instead of authentication: a credential's signature reused on a presentation.
    unsecured = presentation(signed_credential())
    vp = data_integrity.sign(unsecured, HOLDER, HOLDER_METHOD, NOW)
    with pytest.raises(SignatureError, match="proofPurpose"):
        verify_presentation_proof(vp, PORTS.resolver)


def test_signer_must_be_the_holder() -> None:
    other = PrivateKey.generate(KeyType.ED25519)
    vp = sign_presentation(presentation(), other, did_key_verification_method_id(other.public_key), NOW)
    with pytest.raises(SignatureError, match="not by its holder"):
        verify_presentation_proof(vp, PORTS.resolver)


def test_a_bad_credential_inside_fails_the_presentation() -> None:
    tampered = signed_credential()
    tampered["name"] = "Forged"
    report = verify_presentation(signed(tampered), PORTS, NOW, challenge="c-123")
    assert not report.verified
    assert report.checks[-1].id is PresentationCheckId.CREDENTIALS
    assert report.checks[-1].outcome is Outcome.FAILED
    assert not report.credentials[0].verified


@pytest.mark.parametrize(
    "document",
    [
        "a string",
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]},
        {"type": ["VerifiablePresentation"]},
        {**presentation(), "holder": 5},
        {**presentation(), "verifiableCredential": [5]},
        {
            **presentation(),
            "verifiableCredential": [{"type": "EnvelopedVerifiableCredential", "id": "https://x"}],
        },
        {**presentation(), "verifiableCredential": [{}] * (MAX_CREDENTIALS + 1)},
    ],
)
def test_malformed_presentations_are_reported_not_raised(document: Any) -> None:
    report = verify_presentation(document, PORTS, NOW)
    assert not report.verified
    assert report.checks[0].id is PresentationCheckId.WELL_FORMED
    assert report.checks[0].outcome is Outcome.FAILED


def test_no_proof_and_unsupported_key() -> None:
    with pytest.raises(VcError, match="no proof"):
        verify_presentation_proof(presentation(), PORTS.resolver)
    with pytest.raises(VcError, match="Ed25519"):
        sign_presentation(presentation(), PrivateKey.generate(KeyType.P256), "did:key:x#x", NOW)


def test_signing_does_not_change_the_input() -> None:
    original = presentation(signed_credential())
    before = copy.deepcopy(original)
    signed_vp = sign_presentation(original, HOLDER, HOLDER_METHOD, NOW)
    assert original == before
    assert signed_vp["proof"]["verificationMethod"] == HOLDER_METHOD


# --- presentation JWTs (VC DM 1.1 §6.3.1, the vp claim) --------------------------------------------------


def jwt_presentation(**options: Any) -> str:
    credential_jwt = sign_jwt(credential(), ISSUER, kid=did_key_verification_method_id(ISSUER.public_key))
    vp = {k: v for k, v in presentation(credential_jwt, holder=None).items()}
    return sign_presentation_jwt(vp, HOLDER, HOLDER_METHOD, HOLDER_DID, **options)


def test_presentation_jwt_round_trip() -> None:
    token = jwt_presentation(challenge="c-1", domain="employer.example", issued_at=NOW - timedelta(minutes=1))
    report = verify_presentation(token, PORTS, NOW, challenge="c-1", domain="employer.example")
    assert report.verified, report.to_json()
    assert report.holder == HOLDER_DID
    assert [r.format for r in report.credentials] == ["jwt"]


@pytest.mark.parametrize(
    ("options", "expected", "message"),
    [
        ({"challenge": "c-1"}, {"challenge": "c-2"}, "challenge"),
        ({"domain": "a.example"}, {"domain": "b.example"}, "domain"),
        ({"issued_at": NOW + timedelta(hours=1)}, {}, "not valid yet"),
    ],
)
def test_presentation_jwt_refusals(options: dict[str, Any], expected: dict[str, str], message: str) -> None:
    report = verify_presentation(jwt_presentation(**options), PORTS, NOW, **expected)
    assert not report.verified
    assert message in report.checks[-1].message


def test_presentation_jwt_signed_by_someone_else_or_tampered_fails() -> None:
    other = PrivateKey.generate(KeyType.ED25519)
    vp = presentation(holder=None)
    forged = sign_presentation_jwt(vp, other, did_key_verification_method_id(other.public_key), HOLDER_DID)
    assert "not by its holder" in verify_presentation(forged, PORTS, NOW).checks[-1].message
    header, payload, signature = jwt_presentation().split(".")
    changed = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB")
    report = verify_presentation(f"{header}.{changed}.{signature}", PORTS, NOW)
    assert not report.verified


@pytest.mark.parametrize("token", ["not a jwt", "a.b.c", jwt_presentation.__name__])
def test_malformed_presentation_jwts_are_reported(token: str) -> None:
    report = verify_presentation(token, PORTS, NOW)
    assert not report.verified
    assert report.checks[0].outcome is Outcome.FAILED


def test_signing_a_presentation_applies_the_signing_rules() -> None:
    """The holder's proof is a signature like the issuer's: what implementations canonicalise differently
    (here a noncharacter) is refused when signing, not only when verifying someone else's."""
    document = presentation(signed_credential())
    document["name"] = "Portfolio \ufffe"
    with pytest.raises(JsonLdError) as refused:
        sign_presentation(document, HOLDER, HOLDER_METHOD, NOW)
    assert refused.value.reason is Refusal.NONCHARACTER
