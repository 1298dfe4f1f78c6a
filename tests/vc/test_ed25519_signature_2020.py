"""Ed25519Signature2020 (legacy, verify only): the W3C vector byte for byte; every way a proof is wrong.

Vector (provenance in tests/vectors/SOURCES.md): w3c/vc-di-eddsa @abb673eb TestVectors/Ed25519Signature2020,
a did:key issuer; the 1EdTech validator's VC 1.1 fixtures are classified in test_legacy_verify.py.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conftest import load_vector
from tests.vc.legacy_signing import sign_2020
from vc import ed25519_signature_2020 as ed2020
from vc.did_key import VerificationMethod, did_key_verification_method_id
from vc.errors import JsonLdError, SignatureError, UnsupportedError
from vc.keys import KeyType, PrivateKey, multibase_decode_base58btc
from vc.ports import DidKeyResolver, StaticResolver

VECTOR = load_vector("w3c-vc-di-eddsa/ed25519-signature-2020.json")
KEY = PrivateKey.from_ed25519_secret(bytes(range(7, 39)))
DID_WEB = "did:web:college.example.ac.uk"


def _options() -> dict[str, Any]:
    return {key: value for key, value in VECTOR["proofConfig"].items() if key != "@context"}


def test_intermediate_values_reproduce_byte_for_byte() -> None:
    inputs = ed2020.hash_inputs(VECTOR["unsigned"], _options())
    assert inputs.canonical_document == VECTOR["canonicalDocument"]
    assert inputs.canonical_proof_config == VECTOR["canonicalProofConfig"]
    assert inputs.document_hash.hex() == VECTOR["documentHashHex"]
    assert inputs.proof_config_hash.hex() == VECTOR["proofConfigHashHex"]
    assert inputs.hash_data.hex() == VECTOR["combinedHashHex"]


def test_signature_and_proof_value_reproduce() -> None:
    key = PrivateKey.from_multibase(VECTOR["keyPair"]["privateKeyMultibase"])
    assert key.public_key.to_multibase() == VECTOR["keyPair"]["publicKeyMultibase"]
    signature = key.sign(ed2020.hash_inputs(VECTOR["unsigned"], _options()).hash_data)
    assert signature.hex() == VECTOR["signatureHex"]
    assert multibase_decode_base58btc(VECTOR["proofValue"]) == signature
    assert VECTOR["signed"]["proof"]["proofValue"] == VECTOR["proofValue"]


def test_signed_vector_verifies_through_did_key() -> None:
    method = ed2020.verify_proof(VECTOR["signed"], VECTOR["signed"]["proof"], DidKeyResolver())
    assert method.controller == VECTOR["signed"]["proof"]["verificationMethod"].split("#")[0]


def _unsigned_v1() -> dict[str, Any]:
    fixture = load_vector("1edtech-validator/simple_v1.json")
    return {key: value for key, value in fixture.items() if key != "proof"}


def _did_web_method(
    fragment: str = "key-1", method_type: str = "Ed25519VerificationKey2020", key: PrivateKey = KEY
) -> VerificationMethod:
    """A did:web document's verification method, parsed as the service's resolver parses one."""
    return VerificationMethod.from_json(
        {
            "id": f"{DID_WEB}#{fragment}",
            "type": method_type,
            "controller": DID_WEB,
            "publicKeyMultibase": key.public_key.to_multibase(),
        }
    )


def _did_web_resolver(method_type: str = "Ed25519VerificationKey2020", key: PrivateKey = KEY) -> Any:
    return StaticResolver([_did_web_method(method_type=method_type, key=key)])


def test_ed25519_verification_key_2020_from_a_did_document_verifies() -> None:
    signed = sign_2020(_unsigned_v1(), KEY, f"{DID_WEB}#key-1")
    method = ed2020.verify_proof(signed, signed["proof"], _did_web_resolver())
    assert (method.type, method.controller) == ("Ed25519VerificationKey2020", DID_WEB)


def test_did_key_method_verifies() -> None:
    method_id = did_key_verification_method_id(KEY.public_key)
    signed = sign_2020(_unsigned_v1(), KEY, method_id)
    assert ed2020.verify_proof(signed, signed["proof"], DidKeyResolver()).id == method_id


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("name",), "Teamwork Badge (forged)"),
        (("issuanceDate",), "2009-01-01T00:00:00Z"),
        (("credentialSubject", "achievement", "name"), "Leadership"),
        (("issuer", "id"), "https://example.com/issuers/other"),
    ],
)
def test_tampered_document_fails(path: tuple[str, ...], value: str) -> None:
    signed = sign_2020(_unsigned_v1(), KEY, f"{DID_WEB}#key-1")
    tampered = copy.deepcopy(signed)
    node = tampered
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    with pytest.raises(SignatureError, match="does not match"):
        ed2020.verify_proof(tampered, tampered["proof"], _did_web_resolver())


@pytest.mark.parametrize(
    ("member", "value"),
    [("created", "2030-01-01T00:00:00Z"), ("verificationMethod", f"{DID_WEB}#key-2")],
)
def test_tampered_proof_options_fail(member: str, value: str) -> None:
    signed = sign_2020(_unsigned_v1(), KEY, f"{DID_WEB}#key-1")
    proof = {**signed["proof"], member: value}
    # key-2 is the same key: only the signed options changed.
    resolver = StaticResolver([_did_web_method("key-1"), _did_web_method("key-2")])
    with pytest.raises(SignatureError, match="does not match"):
        ed2020.verify_proof({**signed, "proof": proof}, proof, resolver)


class CountingResolver:
    def __init__(self) -> None:
        self.calls = 0

    def resolve(self, verification_method_id: str) -> VerificationMethod:
        self.calls += 1
        raise AssertionError("a proof refused by its options must not reach key resolution")


def test_wrong_proof_purpose_is_refused_before_key_resolution() -> None:
    signed = sign_2020(_unsigned_v1(), KEY, f"{DID_WEB}#key-1", proof_purpose="authentication")
    resolver = CountingResolver()
    with pytest.raises(SignatureError, match="proofPurpose is 'authentication'"):
        ed2020.verify_proof(signed, signed["proof"], resolver)
    assert resolver.calls == 0


def test_key_that_is_not_ed25519_is_refused() -> None:
    p256 = PrivateKey.generate(KeyType.P256)
    signed = sign_2020(_unsigned_v1(), KEY, f"{DID_WEB}#key-1")
    resolver = _did_web_resolver(method_type="Multikey", key=p256)
    with pytest.raises(SignatureError, match="not an Ed25519 key"):
        ed2020.verify_proof(signed, signed["proof"], resolver)


def test_ed25519_key_of_another_method_type_is_refused() -> None:
    signed = sign_2020(_unsigned_v1(), KEY, f"{DID_WEB}#key-1")
    jwk = VerificationMethod(
        id=f"{DID_WEB}#key-1", type="JsonWebKey", controller=DID_WEB, public_key=KEY.public_key
    )
    with pytest.raises(SignatureError, match="is a JsonWebKey"):
        ed2020.verify_proof(signed, signed["proof"], StaticResolver([jwk]))


def test_document_without_the_suite_context_is_refused() -> None:
    signed = sign_2020(_unsigned_v1(), KEY, f"{DID_WEB}#key-1")
    signed["@context"] = [url for url in signed["@context"] if url != ed2020.SUITE_CONTEXT]
    with pytest.raises(SignatureError, match="ed25519-2020/v1"):
        ed2020.verify_proof(signed, signed["proof"], _did_web_resolver())


@pytest.mark.parametrize(
    "proof_value",
    ["uABCD", "z0OIl", "z" + "1" * 20, 42],  # not base58btc, bad alphabet, too short, not a string
)
def test_malformed_proof_value_is_refused(proof_value: Any) -> None:
    signed = sign_2020(_unsigned_v1(), KEY, f"{DID_WEB}#key-1")
    proof = {**signed["proof"], "proofValue": proof_value}
    with pytest.raises(SignatureError):
        ed2020.verify_proof({**signed, "proof": proof}, proof, _did_web_resolver())


def test_data_integrity_proof_is_not_this_suite() -> None:
    fixture = load_vector("1edtech-validator/simple.json")
    with pytest.raises(UnsupportedError):
        ed2020.verify_proof(fixture, fixture["proof"][0], _did_web_resolver())


def test_look_alike_blank_nodes_are_refused_under_this_suite_too() -> None:
    # The bounds of vc.jsonld hold for every suite: RDFC-1.0 work stays small.
    # Two identical subjects without ids, each with two identical alignments: more RDFC-1.0 work than
    # rdf-canonize's bound allows (it refuses the same document).
    unsigned = _unsigned_v1()
    subject = dict(unsigned["credentialSubject"])
    subject.pop("id", None)
    subject["achievement"] = dict(subject["achievement"])
    subject["achievement"].pop("id", None)
    subject["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "x", "targetUrl": "https://example.com/x"} for _ in range(2)
    ]
    unsigned["credentialSubject"] = [subject, subject]
    proof = sign_2020(_unsigned_v1(), KEY, f"{DID_WEB}#key-1")["proof"]
    with pytest.raises(JsonLdError, match="too much work"):
        ed2020.verify_proof({**unsigned, "proof": proof}, proof, _did_web_resolver())
