"""did:key (W3C CCG did:key spec v0.7) and the key-resolver ports."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vc.did_key import (
    VerificationMethod,
    did_key_document,
    did_key_for,
    did_key_verification_method_id,
    resolve_did_key,
)
from vc.errors import InvalidKeyError, KeyResolutionError, ParsingError, UnsupportedError
from vc.keys import KeyType, PrivateKey, PublicKey, multibase_encode_base58btc
from vc.ports import ChainResolver, DidKeyResolver, KeyResolver, StaticResolver

# did:key spec v0.7 §3.1.1 / §4 example DIDs.
SPEC_ED25519 = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
SPEC_P256 = "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169"

# w3c-ccg/did-method-key @e7839a8e test-vectors/ed25519-x25519.json: 32-byte seed -> DID.
ED25519_SEED_VECTORS = [
    (0, "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"),
    (1, "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG"),
    (2, "did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf"),
    (3, "did:key:z6MkvqoYXQfDDJRv8L4wKzxYeuKyVZBfi9Qo6Ro8MiLH3kDQ"),
    (4, "did:key:z6MkwW6aqMnjgrhJXFUko3NnZPGzVpkNzhYK7yEhnsibmLwL"),
]

# w3c-ccg/did-method-key @e7839a8e test-vectors/nist-curves.json: P-256 DIDs with their JWKs.
P256_VECTORS = [
    (
        "did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv",
        "igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns",
        "efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM",
        "gPh-VvVS8MbvKQ9LSVVmfnxnKjHn4Tqj0bmbpehRlpc",
    ),
    (
        SPEC_P256,
        "fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI",
        "hW2ojTNfH7Jbi8--CJUo3OCbH3y5n91g-IMA9MLMbTU",
        "YjRs6vNvw4sYrzVVY8ipkEpDAD9PFqw1sUnvPRMA-WI",
    ),
]

# -- vectors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("did", [SPEC_ED25519, SPEC_P256])
def test_spec_examples_decode_and_reencode(did: str) -> None:
    method = resolve_did_key(did)
    assert did_key_for(method.public_key) == did
    assert method.public_key.key_type is (KeyType.ED25519 if did.startswith("did:key:z6Mk") else KeyType.P256)


@pytest.mark.parametrize(("seed", "did"), ED25519_SEED_VECTORS)
def test_ed25519_seed_vectors(seed: int, did: str) -> None:
    private = PrivateKey.from_ed25519_secret(seed.to_bytes(32, "big"))
    assert did_key_for(private.public_key) == did
    assert resolve_did_key(did).public_key == private.public_key


@pytest.mark.parametrize(("did", "x", "y", "d"), P256_VECTORS)
def test_p256_vectors(did: str, x: str, y: str, d: str) -> None:
    public_jwk = {"kty": "EC", "crv": "P-256", "x": x, "y": y}
    assert resolve_did_key(did).public_key.to_jwk() == public_jwk
    assert did_key_for(PublicKey.from_jwk(public_jwk)) == did
    private = PrivateKey.from_jwk({**public_jwk, "d": d})
    assert did_key_for(private.public_key) == did


# -- resolution -------------------------------------------------------------------------------------


def test_resolve_verification_method_id() -> None:
    multibase = SPEC_ED25519.removeprefix("did:key:")
    method = resolve_did_key(f"{SPEC_ED25519}#{multibase}")
    assert method.id == f"{SPEC_ED25519}#{multibase}"
    assert method.type == "Multikey"
    assert method.controller == SPEC_ED25519
    assert method.to_json() == {
        "id": method.id,
        "type": "Multikey",
        "controller": SPEC_ED25519,
        "publicKeyMultibase": multibase,
    }


def test_bare_did_resolves_to_the_key_itself() -> None:
    assert resolve_did_key(SPEC_P256) == resolve_did_key(f"{SPEC_P256}#{SPEC_P256.removeprefix('did:key:')}")


@pytest.mark.parametrize("key_type", [KeyType.ED25519, KeyType.P256])
def test_verification_method_id_round_trip(key_type: KeyType) -> None:
    public = PrivateKey.generate(key_type).public_key
    method = resolve_did_key(did_key_verification_method_id(public))
    assert method.public_key == public
    assert method.id == did_key_verification_method_id(public)
    assert method.controller == did_key_for(public)


@given(st.binary(min_size=32, max_size=32))
def test_property_any_ed25519_key_resolves_to_itself(seed: bytes) -> None:
    public = PrivateKey.from_ed25519_secret(seed).public_key
    assert resolve_did_key(did_key_verification_method_id(public)).public_key == public


def test_did_document() -> None:
    multibase = SPEC_ED25519.removeprefix("did:key:")
    method_id = f"{SPEC_ED25519}#{multibase}"
    assert did_key_document(SPEC_ED25519) == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": SPEC_ED25519,
        "verificationMethod": [
            {"id": method_id, "type": "Multikey", "controller": SPEC_ED25519, "publicKeyMultibase": multibase}
        ],
        "authentication": [method_id],
        "assertionMethod": [method_id],
        "capabilityInvocation": [method_id],
        "capabilityDelegation": [method_id],
    }


def test_did_document_needs_a_did_not_a_did_url() -> None:
    with pytest.raises(KeyResolutionError):
        did_key_document(did_key_verification_method_id(resolve_did_key(SPEC_ED25519).public_key))


def test_no_did_key_for_rsa() -> None:
    with pytest.raises(UnsupportedError):
        did_key_for(PrivateKey.generate(KeyType.RSA).public_key)


# -- negative resolution ----------------------------------------------------------------------------

ED_MB = SPEC_ED25519.removeprefix("did:key:")
RSA_MB = multibase_encode_base58btc(b"\x85\x24" + bytes(270))  # multicodec rsa-pub 0x1205


@pytest.mark.parametrize(
    "did_url",
    [
        "did:web:example.com",
        "did:web:example.com#key-1",
        "did:example:123456789abcdefghi#keys-1",
        "https://example.com/keys/1",
        f"did:KEY:{ED_MB}",
        f"{SPEC_ED25519}#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",  # fragment names another key
        f"{SPEC_ED25519}#key-1",
        f"{SPEC_ED25519}#",
        "did:key:",
        "did:key:#",
        f"did:key:1.0:{ED_MB}",
        f"{SPEC_ED25519}/path",
        f"{SPEC_ED25519}?versionId=1",
        f"{SPEC_ED25519};service=x",
        f"did:key:u{ED_MB[1:]}",
        f"did:key:{ED_MB[:-1]}",  # one base58 digit short: wrong length
        f"did:key:{ED_MB}0",  # '0' is not base58
        "did:key:z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",  # a private Multikey
        f"did:key:{'z' * 600}",
    ],
)
def test_unresolvable_did_urls(did_url: str) -> None:
    with pytest.raises(KeyResolutionError):
        resolve_did_key(did_url)


def test_rsa_did_key_is_not_supported() -> None:
    with pytest.raises(UnsupportedError, match="RSA keys are not supported"):
        resolve_did_key("did:key:" + RSA_MB)


def test_did_web_is_not_resolved_by_did_key() -> None:
    with pytest.raises(KeyResolutionError, match="not a did:key"):
        resolve_did_key("did:web:example.com#key-1")


def test_fragment_mismatch_message() -> None:
    with pytest.raises(KeyResolutionError, match="fragment"):
        resolve_did_key(f"{SPEC_ED25519}#key-1")


# -- VerificationMethod -----------------------------------------------------------------------------


@pytest.mark.parametrize("vm_type", ["JsonWebKey", "JsonWebKey2020"])
def test_jwk_verification_method_round_trip(vm_type: str) -> None:
    public = PrivateKey.generate(KeyType.RSA).public_key
    method = VerificationMethod("https://issuer.example/keys/1", vm_type, "https://issuer.example", public)
    data = method.to_json()
    assert data["publicKeyJwk"] == public.to_jwk()
    assert "publicKeyMultibase" not in data
    assert VerificationMethod.from_json(data) == method


def test_ed25519_verification_key_2020_round_trip() -> None:
    method = resolve_did_key(SPEC_ED25519)
    legacy = VerificationMethod(method.id, "Ed25519VerificationKey2020", method.controller, method.public_key)
    assert legacy.to_json()["publicKeyMultibase"] == ED_MB
    assert VerificationMethod.from_json(legacy.to_json()) == legacy


def test_verification_method_rejections() -> None:
    p256 = resolve_did_key(SPEC_P256).public_key
    rsa = PrivateKey.generate(KeyType.RSA).public_key
    with pytest.raises(UnsupportedError):
        VerificationMethod("did:x#1", "EcdsaSecp256k1VerificationKey2019", "did:x", p256)
    with pytest.raises(InvalidKeyError):
        VerificationMethod("did:x#1", "Ed25519VerificationKey2020", "did:x", p256)
    with pytest.raises(UnsupportedError):
        VerificationMethod("did:x#1", "Multikey", "did:x", rsa)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"id": "a", "type": "Multikey"}, ParsingError),
        ({"id": "a", "type": "Multikey", "controller": "b"}, ParsingError),
        ({"id": "a", "type": "JsonWebKey", "controller": "b", "publicKeyJwk": "x"}, ParsingError),
        ({"id": "a", "type": "Unknown", "controller": "b"}, UnsupportedError),
        ({"id": "a", "type": "Multikey", "controller": "b", "publicKeyMultibase": "uAAAA"}, InvalidKeyError),
        (
            {
                "id": "a",
                "type": "JsonWebKey",
                "controller": "b",
                "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": "AA", "d": "AA"},
            },
            InvalidKeyError,
        ),
    ],
    ids=["no-controller", "no-key", "jwk-not-object", "unknown-type", "u-multibase", "private-jwk"],
)
def test_verification_method_from_json_rejections(data: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        VerificationMethod.from_json(data)


# -- ports ------------------------------------------------------------------------------------------


def test_did_key_resolver() -> None:
    resolver: KeyResolver = DidKeyResolver()
    assert resolver.resolve(SPEC_ED25519) == resolve_did_key(SPEC_ED25519)


def test_static_resolver() -> None:
    method = VerificationMethod(
        "https://issuer.example/keys/1",
        "Multikey",
        "https://issuer.example",
        resolve_did_key(SPEC_P256).public_key,
    )
    resolver: KeyResolver = StaticResolver([method])
    assert resolver.resolve("https://issuer.example/keys/1") is method
    with pytest.raises(KeyResolutionError, match="not found"):
        resolver.resolve("https://issuer.example/keys/2")


def test_static_resolver_refuses_duplicate_ids() -> None:
    method = resolve_did_key(SPEC_ED25519)
    with pytest.raises(ValueError, match="duplicate"):
        StaticResolver([method, method])


def test_chain_resolver_dispatches_by_prefix() -> None:
    own = VerificationMethod(
        "https://issuer.example/keys/1",
        "Multikey",
        "https://issuer.example",
        resolve_did_key(SPEC_P256).public_key,
    )
    chain: KeyResolver = ChainResolver({"did:key:": DidKeyResolver(), "https://": StaticResolver([own])})
    assert chain.resolve(SPEC_ED25519).public_key == resolve_did_key(SPEC_ED25519).public_key
    assert chain.resolve("https://issuer.example/keys/1") is own
    with pytest.raises(KeyResolutionError, match="not found"):
        chain.resolve("https://issuer.example/keys/2")


@pytest.mark.parametrize(
    ("identifier", "named"),
    [
        ("did:web:example.com#key-1", "did:web"),
        ("did:example:123#keys-1", "did:example"),
        ("http://example.com/keys/1", "http"),
        ("urn:uuid:1234", "urn"),
    ],
)
def test_chain_resolver_unknown_method(identifier: str, named: str) -> None:
    chain = ChainResolver({"did:key:": DidKeyResolver()})
    with pytest.raises(KeyResolutionError, match="unsupported DID method") as info:
        chain.resolve(identifier)
    assert repr(named) in info.value.message


def test_chain_resolver_first_matching_prefix_wins() -> None:
    first = StaticResolver([resolve_did_key(SPEC_ED25519)])
    chain = ChainResolver({"did:key:": first, "did:": DidKeyResolver()})
    with pytest.raises(KeyResolutionError, match="not found"):
        chain.resolve(SPEC_P256)  # handled (and not found) by the first resolver, not passed on
