"""Presentations say whether the holder was shown to be the subject of each credential (issue 10,
deliverable 2): the holder is proven by the presentation's proof, and is the credential's
``credentialSubject.id``. Before, a verified presentation said nothing about whose credentials it held."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import load_vector
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.jwt import sign_jwt
from vc.keys import PrivateKey
from vc.ports import DidKeyResolver
from vc.presentation import SubjectMatch, sign_presentation, verify_presentation
from vc.presentation_jwt import sign_presentation_jwt
from vc.report import ProofState
from vc.verify import Ports

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PORTS = Ports(resolver=DidKeyResolver())
ISSUER = PrivateKey.from_ed25519_secret(bytes(range(61, 93)))
HOLDER = PrivateKey.from_ed25519_secret(bytes(range(71, 103)))
HOLDER_DID = did_key_for(HOLDER.public_key)
HOLDER_METHOD = did_key_verification_method_id(HOLDER.public_key)
ISSUER_METHOD = did_key_verification_method_id(ISSUER.public_key)


def credential(subject_id: str | None) -> dict[str, Any]:
    unsigned: dict[str, Any] = copy.deepcopy(load_vector("1edtech/ob-v3p0-eddsa-rdfc-2022.json")["unsigned"])
    unsigned["issuer"]["id"] = did_key_for(ISSUER.public_key)
    subject = unsigned["credentialSubject"]
    if subject_id is None:  # named by a hashed identifier only, as OB 3.0 allows
        del subject["id"]
        subject["identifier"] = [
            {"type": "IdentityObject", "hashed": True, "identityType": "emailAddress", "identityHash": "x"}
        ]
    else:
        subject["id"] = subject_id
    return data_integrity.sign(unsigned, ISSUER, ISSUER_METHOD, NOW)


def presented(*credentials: Any, holder: str | None = HOLDER_DID) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": list(credentials),
    }
    if holder is not None:
        document["holder"] = holder
    return sign_presentation(document, HOLDER, HOLDER_METHOD, NOW, challenge="n-1")


def test_each_credential_says_whether_it_is_the_holders() -> None:
    tampered = {**credential(HOLDER_DID), "name": "Forged"}
    report = verify_presentation(
        presented(credential(HOLDER_DID), credential("did:example:someone-else"), credential(None), tampered),
        PORTS,
        NOW,
        challenge="n-1",
    )
    assert [binding.subject for binding in report.holder_bindings] == [
        SubjectMatch.HOLDER,
        SubjectMatch.NOT_HOLDER,  # the credential names someone else
        SubjectMatch.UNKNOWN,  # only a hashed identifier: not shown either way
        SubjectMatch.UNKNOWN,  # says it is the holder's, but it is not its issuer's as it stands
    ]
    assert not report.holder_is_subject
    data = report.to_json()
    assert data["holderBindings"][0] == {"subject": "holder", "subjectIds": [HOLDER_DID]}
    assert data["holderBindings"][1]["subject"] == "not_holder"
    assert data["holderIsSubject"] is False


def test_a_presentation_of_the_holders_own_credentials() -> None:
    report = verify_presentation(presented(credential(HOLDER_DID)), PORTS, NOW, challenge="n-1")
    assert report.verified
    assert report.holder_is_subject
    assert report.proof.state is ProofState.VERIFIED
    assert report.proof.proofs[0].verification_method == HOLDER_METHOD


def test_presenting_someone_elses_credential_is_reported_not_refused() -> None:
    # VC DM 2.0 §1.2: a holder is usually, not always, the subject (a parent for a child).
    report = verify_presentation(presented(credential("did:example:child")), PORTS, NOW, challenge="n-1")
    assert report.verified
    assert not report.holder_is_subject
    assert report.holder_bindings[0].subject is SubjectMatch.NOT_HOLDER


def test_without_a_holder_property_the_signer_is_the_holder() -> None:
    report = verify_presentation(presented(credential(HOLDER_DID), holder=None), PORTS, NOW, challenge="n-1")
    assert report.holder == HOLDER_DID
    assert report.holder_is_subject


def test_an_unproven_holder_is_the_subject_of_nothing() -> None:
    report = verify_presentation(presented(credential(HOLDER_DID)), PORTS, NOW, challenge="another")
    assert not report.verified
    assert report.holder_bindings == []
    assert not report.holder_is_subject
    assert report.proof.state is ProofState.INVALID


@pytest.mark.parametrize("subject", [HOLDER_DID, "did:example:other"])
def test_a_presentation_jwt_with_a_vc_jwt_inside(subject: str) -> None:
    unsigned = {key: value for key, value in credential(subject).items() if key != "proof"}
    token = sign_jwt(unsigned, ISSUER, kid=ISSUER_METHOD)
    vp = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"]}
    vp["verifiableCredential"] = [token]
    report = verify_presentation(
        sign_presentation_jwt(vp, HOLDER, HOLDER_METHOD, HOLDER_DID, challenge="n-1"),
        PORTS,
        NOW,
        challenge="n-1",
    )
    assert report.verified, report.to_json()
    assert report.proof.suite == "VP-JWT"
    expected = SubjectMatch.HOLDER if subject == HOLDER_DID else SubjectMatch.NOT_HOLDER
    assert report.holder_bindings[0].subject is expected
