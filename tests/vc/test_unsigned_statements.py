"""Data outside the signature (issue 10): every statement of a document is signed, or it is refused.

JSON-LD 1.1 Deserialize JSON-LD to RDF drops a statement whose subject or object is not a well-formed
IRI. A stack that follows it silently (plain pyld here, as any signer could) signs a document whose
dropped parts can then be changed at will. Both attacks reported in the issue are reproduced: an
achievement ``id`` with a space (its name can be changed), and an ``image.id`` with a space (the image
can be swapped). Neither may be signed by us, and neither may verify here.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from pyld import jsonld as pyld_jsonld

from schemas.loader import default_loader
from server.demo import demo_credential
from vc import data_integrity, jsonld
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.errors import JsonLdError
from vc.keys import PrivateKey, multibase_encode_base58btc
from vc.ports import DidKeyResolver
from vc.report import CheckId, Outcome
from vc.verify import Ports, verify_credential

NOW = datetime(2026, 11, 23, tzinfo=UTC)
KEY = PrivateKey.from_ed25519_secret(bytes(range(3, 35)))
DID = did_key_for(KEY.public_key)
METHOD = did_key_verification_method_id(KEY.public_key)


def signed_by_a_stack_that_drops_statements(document: dict[str, Any]) -> dict[str, Any]:
    """An eddsa-rdfc-2022 proof over plain pyld's canonical form, which leaves ill-formed IRIs out."""
    proof = {
        "type": "DataIntegrityProof",
        "created": "2026-11-01T00:00:00Z",
        "verificationMethod": METHOD,
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
    }
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": default_loader()}
    canonical_document = pyld_jsonld.normalize(copy.deepcopy(document), options)
    canonical_proof = pyld_jsonld.normalize({**proof, "@context": document["@context"]}, options)
    hash_data = (
        hashlib.sha256(canonical_proof.encode()).digest()
        + hashlib.sha256(canonical_document.encode()).digest()
    )
    return {**document, "proof": {**proof, "proofValue": multibase_encode_base58btc(KEY.sign(hash_data))}}


def _proof_check(document: dict[str, Any]) -> Any:
    report = verify_credential(document, Ports(resolver=DidKeyResolver()), NOW)
    return report, report.check(CheckId.PROOF)


def test_an_achievement_id_with_a_space_cannot_hide_the_achievement_from_the_signature() -> None:
    document = demo_credential(DID)
    document["credentialSubject"]["achievement"]["id"] = "https://example.org/achievements/a b"
    with pytest.raises(JsonLdError, match="not a well-formed IRI") as refused:
        data_integrity.sign(document, KEY, METHOD, NOW)
    assert refused.value.reason == "ill_formed_iri"

    forged = signed_by_a_stack_that_drops_statements(document)
    forged["credentialSubject"]["achievement"]["name"] = "Changed after signing"
    report, proof = _proof_check(forged)
    assert not report.verified
    assert proof.outcome is Outcome.FAILED
    assert "not a well-formed IRI" in proof.message


def test_an_image_id_with_a_space_cannot_let_the_image_be_swapped() -> None:
    document = demo_credential(DID)
    document["credentialSubject"]["achievement"]["image"]["id"] = "https://example.org/badges/My Badge.png"
    with pytest.raises(JsonLdError, match="not a well-formed IRI") as refused:
        data_integrity.sign(document, KEY, METHOD, NOW)
    assert refused.value.reason == "ill_formed_iri"

    forged = signed_by_a_stack_that_drops_statements(document)
    forged["credentialSubject"]["achievement"]["image"]["id"] = "https://evil.example/other badge.png"
    report, proof = _proof_check(forged)
    assert not report.verified
    assert proof.outcome is Outcome.FAILED
    assert "not a well-formed IRI" in proof.message


def test_the_same_credential_with_well_formed_iris_signs_and_verifies() -> None:
    """The control: the attacks fail because of the IRIs, not because signing or verifying is broken."""
    document = demo_credential(DID)
    document["credentialSubject"]["achievement"]["image"]["id"] = "https://example.org/badges/My%20Badge.png"
    signed = data_integrity.sign(document, KEY, METHOD, NOW)
    assert verify_credential(signed, Ports(resolver=DidKeyResolver()), NOW).verified
    assert "<https://example.org/badges/My%20Badge.png>" in jsonld.canonicalize(document)
