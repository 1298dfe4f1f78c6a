"""eddsa-rdfc-2022: published vectors byte for byte, round trips, and every way a proof can be wrong.

Vectors (provenance in tests/vectors/SOURCES.md):
- W3C vc-di-eddsa @abb673eb TestVectors/eddsa-rdfc-2022 (did:key issuer, examples context)
- 1EdTech openbadges-specification OB 3.0 "Proof before signing" example (https issuer, OB 3.0.3 context)
- 1EdTech openbadges-specification CLR 2.0 example
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import load_vector
from vc import data_integrity as di
from vc.did_key import VerificationMethod, did_key_for, did_key_verification_method_id
from vc.errors import JsonLdError, KeyResolutionError, SignatureError, UnsupportedError, VcError
from vc.keys import KeyType, PrivateKey, PublicKey, multibase_decode_base58btc
from vc.ports import DidKeyResolver, StaticResolver

VECTORS = [
    "w3c-vc-di-eddsa/eddsa-rdfc-2022.json",
    "1edtech/ob-v3p0-eddsa-rdfc-2022.json",
    "1edtech/clr-v2p0-eddsa-rdfc-2022.json",
]


def _key(vector: dict[str, Any]) -> PrivateKey:
    pair = vector["keyPair"]
    if "privateKeyMultibase" in pair:
        return PrivateKey.from_multibase(pair["privateKeyMultibase"])
    return PrivateKey.from_ed25519_secret(bytes.fromhex(pair["secretKeyHex"]))


def _resolver(vector: dict[str, Any]) -> Any:
    pair = vector["keyPair"]
    if "verificationMethod" not in pair:
        return DidKeyResolver()
    method = VerificationMethod(
        id=pair["verificationMethod"],
        type="Multikey",
        controller=pair["controller"],
        public_key=PublicKey.from_multibase(pair["publicKeyMultibase"]),
    )
    return StaticResolver([method])


def _options(vector: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in vector["proofConfig"].items() if key != "@context"}


def _created(vector: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(vector["proofConfig"]["created"].replace("Z", "+00:00"))


@pytest.mark.parametrize("name", VECTORS)
def test_intermediate_values_reproduce_byte_for_byte(name: str) -> None:
    vector = load_vector(name)
    inputs = di.hash_inputs(vector["unsigned"], _options(vector))
    assert inputs.canonical_document == vector["canonicalDocument"]
    assert inputs.canonical_proof_config == vector["canonicalProofConfig"]
    assert inputs.document_hash.hex() == vector["documentHashHex"]
    assert inputs.proof_config_hash.hex() == vector["proofConfigHashHex"]
    assert inputs.hash_data.hex() == vector["combinedHashHex"]


@pytest.mark.parametrize("name", VECTORS)
def test_signature_and_proof_value_reproduce(name: str) -> None:
    vector = load_vector(name)
    options = _options(vector)
    proof = di.create_proof(vector["unsigned"], _key(vector), options["verificationMethod"], _created(vector))
    assert proof["proofValue"] == vector["proofValue"]
    signed = di.sign(vector["unsigned"], _key(vector), options["verificationMethod"], _created(vector))
    assert signed["proof"]["proofValue"] == di.proofs_of(vector["signed"])[0]["proofValue"]


@pytest.mark.parametrize("name", VECTORS)
def test_published_signed_document_verifies(name: str) -> None:
    vector = load_vector(name)
    method = di.verify_proof(vector["signed"], di.proofs_of(vector["signed"])[0], _resolver(vector))
    assert method.public_key.to_multibase() == vector["keyPair"]["publicKeyMultibase"]


@pytest.fixture(scope="module")
def signer() -> tuple[PrivateKey, str]:
    key = PrivateKey.from_ed25519_secret(bytes(range(32)))
    return key, did_key_verification_method_id(key.public_key)


@pytest.fixture(scope="module")
def signed(signer: tuple[PrivateKey, str]) -> dict[str, Any]:
    key, method = signer
    unsigned = load_vector("1edtech/ob-v3p0-eddsa-rdfc-2022.json")["unsigned"]
    unsigned = {**unsigned, "issuer": {**unsigned["issuer"], "id": did_key_for(key.public_key)}}
    return di.sign(unsigned, key, method, datetime(2026, 1, 1, tzinfo=UTC))


def test_round_trip_with_did_key(signed: dict[str, Any]) -> None:
    method = di.verify_proof(signed, signed["proof"], DidKeyResolver())
    assert method.controller == signed["issuer"]["id"]


# A tampered field, anywhere, must break the signature.
@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda d: d.__setitem__("name", d["name"] + "!"), id="name"),
        pytest.param(
            lambda d: d["credentialSubject"]["achievement"].__setitem__("name", "Forged"), id="achievement"
        ),
        pytest.param(lambda d: d.__setitem__("validFrom", "2000-01-01T00:00:00Z"), id="validFrom"),
        pytest.param(lambda d: d["proof"].__setitem__("created", "2027-01-01T00:00:00Z"), id="proof-created"),
        pytest.param(lambda d: d["type"].reverse(), id="type-order-is-not-a-change"),
    ],
)
def test_tampering(signed: dict[str, Any], mutate: Any, request: pytest.FixtureRequest) -> None:
    document = copy.deepcopy(signed)
    mutate(document)
    if request.node.callspec.id == "type-order-is-not-a-change":
        # JSON-LD sets are unordered: reordering type is the same credential, so it still verifies.
        di.verify_proof(document, document["proof"], DidKeyResolver())
        return
    with pytest.raises(SignatureError):
        di.verify_proof(document, document["proof"], DidKeyResolver())


@settings(max_examples=25, deadline=None)
@given(text=st.text(min_size=1, max_size=40))
def test_any_change_to_the_description_breaks_the_proof(signed: dict[str, Any], text: str) -> None:
    document = copy.deepcopy(signed)
    document["description"] = document.get("description", "") + text
    with pytest.raises(SignatureError):
        di.verify_proof(document, document["proof"], DidKeyResolver())


@settings(max_examples=15, deadline=None)
@given(name=st.text(min_size=1, max_size=60))
def test_sign_verify_round_trip_for_any_name(signer: tuple[PrivateKey, str], name: str) -> None:
    key, method = signer
    unsigned = load_vector("1edtech/ob-v3p0-eddsa-rdfc-2022.json")["unsigned"]
    document = di.sign({**unsigned, "name": name}, key, method, datetime(2026, 1, 1, tzinfo=UTC))
    di.verify_proof(document, document["proof"], DidKeyResolver())


def test_proof_moved_onto_another_document_fails(signed: dict[str, Any]) -> None:
    other = load_vector("w3c-vc-di-eddsa/eddsa-rdfc-2022.json")["unsigned"]
    with pytest.raises(SignatureError):
        di.verify_proof({**other, "proof": signed["proof"]}, signed["proof"], DidKeyResolver())


def test_signature_by_another_key_fails(signed: dict[str, Any]) -> None:
    stranger = PrivateKey.generate(KeyType.ED25519)
    proof = {**signed["proof"], "verificationMethod": did_key_verification_method_id(stranger.public_key)}
    with pytest.raises(SignatureError):
        di.verify_proof({**signed, "proof": proof}, proof, DidKeyResolver())


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"cryptosuite": "ecdsa-rdfc-2019"}, UnsupportedError),
        ({"cryptosuite": "bbs-2023"}, UnsupportedError),
        ({"type": "Ed25519Signature2018"}, UnsupportedError),
        ({"proofPurpose": "authentication"}, SignatureError),
        ({"proofValue": "not-multibase"}, SignatureError),
        (
            {"proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk"},
            SignatureError,
        ),  # 32 bytes: truncated
        ({"proofValue": None}, SignatureError),
        ({"created": "yesterday"}, SignatureError),
        ({"verificationMethod": "did:example:123#key"}, KeyResolutionError),
        ({"@context": ["https://www.w3.org/2018/credentials/v1"]}, SignatureError),
    ],
)
def test_bad_proofs_are_refused(signed: dict[str, Any], change: dict[str, Any], error: type[VcError]) -> None:
    proof = {**signed["proof"], **change}
    with pytest.raises(error):
        di.verify_proof({**signed, "proof": proof}, proof, DidKeyResolver())


def test_re_encoded_signature_fails(signed: dict[str, Any]) -> None:
    # Same 64 bytes, different multibase encoding (base64url 'u' instead of base58btc 'z').
    from vc.keys import multibase_decode_base58btc

    raw = multibase_decode_base58btc(signed["proof"]["proofValue"])
    import base64

    proof = {**signed["proof"], "proofValue": "u" + base64.urlsafe_b64encode(raw).decode().rstrip("=")}
    with pytest.raises(SignatureError):
        di.verify_proof({**signed, "proof": proof}, proof, DidKeyResolver())


def test_undefined_term_is_an_error_before_signing(signer: tuple[PrivateKey, str]) -> None:
    key, method = signer
    unsigned = load_vector("1edtech/ob-v3p0-eddsa-rdfc-2022.json")["unsigned"]
    with pytest.raises(JsonLdError, match="notATerm"):
        di.sign({**unsigned, "notATerm": "silently dropped elsewhere"}, key, method, datetime.now(UTC))


def test_undefined_term_added_after_signing_is_an_error_not_a_pass(signed: dict[str, Any]) -> None:
    # Without strict mode the extra term would be dropped from the canonical form and still verify.
    with pytest.raises(JsonLdError):
        di.verify_proof({**signed, "notATerm": "x"}, signed["proof"], DidKeyResolver())


def test_only_ed25519_keys_sign(signed: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedError):
        di.create_proof(
            {k: v for k, v in signed.items() if k != "proof"},
            PrivateKey.generate(KeyType.P256),
            "did:key:zDn#zDn",
            datetime.now(UTC),
        )


def test_proof_sets() -> None:
    fixture = load_vector("1edtech-validator/simple-multiple-proofs.json")
    proofs = di.proofs_of(fixture)
    assert [proof["type"] for proof in proofs] == ["SomeProofType", "DataIntegrityProof"]


def test_remembered_signatures_and_canonical_forms_never_let_a_change_through(signed: dict[str, Any]) -> None:
    """Verified signatures and canonical N-Quads are remembered for byte-identical input only: after a
    verification, a tampered copy, the same proof on another key, and a re-keyed resolver all still fail."""
    resolver = DidKeyResolver()
    di.verify_proof(signed, signed["proof"], resolver)
    di.verify_proof(signed, signed["proof"], resolver)  # remembered: the same answer
    tampered = {**signed, "name": signed["name"] + " (forged)"}
    with pytest.raises(SignatureError):
        di.verify_proof(tampered, tampered["proof"], resolver)
    stranger = PrivateKey.generate(KeyType.ED25519)
    impostor = StaticResolver(
        [
            VerificationMethod(
                id=signed["proof"]["verificationMethod"],
                type="Multikey",
                controller=signed["issuer"]["id"],
                public_key=stranger.public_key,
            )
        ]
    )
    with pytest.raises(SignatureError):
        di.verify_proof(signed, signed["proof"], impostor)


# --- the remembered proof configuration is exactly the one computed afresh ----------------------------------

_METHODS = st.sampled_from(
    [
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "did:web:passport.test:issuers:abc#key-1",
        "https://example.edu/issuers/565049#key-1",
    ]
)
_CONTEXTS = st.sampled_from(
    [
        ["https://www.w3.org/ns/credentials/v2"],
        [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        ],
    ]
)


@settings(max_examples=60)
@given(
    created=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    method=_METHODS,
    context=_CONTEXTS,
    purpose=st.sampled_from(["assertionMethod", "authentication"]),
)
def test_remembered_proof_configuration_is_byte_identical(
    created: datetime, method: str, context: list[str], purpose: str
) -> None:
    from vc.jsonld import canonicalize

    options = {
        "type": di.PROOF_TYPE,
        "created": di.format_created(created),
        "verificationMethod": method,
        "cryptosuite": di.CRYPTOSUITE,
        "proofPurpose": purpose,
    }
    afresh = canonicalize({**options, "@context": context})
    assert di.proof_configuration(options, context) == afresh  # first call: computed
    assert di.proof_configuration(dict(options), list(context)) == afresh  # second call: remembered


def test_signing_a_cohort_with_one_created_time_matches_signing_each_afresh(
    signer: tuple[PrivateKey, str],
) -> None:
    from vc.jsonld import canonicalize

    key, method = signer
    created = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    vector = load_vector("1edtech/ob-v3p0-eddsa-rdfc-2022.json")
    for number in range(3):
        document = copy.deepcopy(vector["unsigned"])
        document["name"] = f"Learner {number}"
        proof = di.create_proof(document, key, method, created)
        options = {name: value for name, value in proof.items() if name != "proofValue"}
        straightforward = di.HashInputs(
            canonical_document=canonicalize(document),
            canonical_proof_config=canonicalize({**options, "@context": document["@context"]}),
        )
        assert key.sign(straightforward.hash_data) == multibase_decode_base58btc(proof["proofValue"])
