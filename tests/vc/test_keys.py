"""Keys: round trips, published vectors (provenance beside each) and targeted negative cases."""

from __future__ import annotations

import base64
import json
from functools import cache
from pathlib import Path

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import given
from hypothesis import strategies as st

from vc.errors import InvalidKeyError, ParsingError, SignatureError, UnsupportedError
from vc.keys import (
    KeyType,
    PrivateKey,
    PublicKey,
    multibase_decode_base58btc,
    multibase_encode_base58btc,
)

VECTORS = Path(__file__).parents[1] / "vectors"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@cache
def key(key_type: KeyType) -> PrivateKey:
    """One key per type for the whole module (RSA generation is slow)."""
    return PrivateKey.generate(key_type)


@cache
def other_key(key_type: KeyType) -> PrivateKey:
    return PrivateKey.generate(key_type)


ALL_TYPES = list(KeyType)
MULTIKEY_TYPES = [KeyType.ED25519, KeyType.P256]

# -- round trips ------------------------------------------------------------------------------------


@pytest.mark.parametrize("key_type", ALL_TYPES)
def test_sign_then_verify(key_type: KeyType) -> None:
    private = key(key_type)
    signature = private.sign(b"payload")
    private.public_key.verify(signature, b"payload")  # returns nothing; raises on failure


@pytest.mark.parametrize(
    ("key_type", "algorithm", "length"),
    [(KeyType.ED25519, "EdDSA", 64), (KeyType.P256, "ES256", 64), (KeyType.RSA, "RS256", 256)],
)
def test_algorithm_and_signature_length(key_type: KeyType, algorithm: str, length: int) -> None:
    private = key(key_type)
    assert private.key_type is key_type
    assert private.public_key.key_type is key_type
    assert private.jws_algorithm == private.public_key.jws_algorithm == algorithm
    assert len(private.sign(b"x")) == length


def test_public_key_is_cached() -> None:
    private = key(KeyType.P256)
    assert private.public_key is private.public_key


@pytest.mark.parametrize("key_type", ALL_TYPES)
def test_flipped_signature_byte_fails(key_type: KeyType) -> None:
    signature = bytearray(key(key_type).sign(b"payload"))
    signature[len(signature) // 2] ^= 0x01
    with pytest.raises(SignatureError):
        key(key_type).public_key.verify(bytes(signature), b"payload")


@pytest.mark.parametrize("key_type", ALL_TYPES)
def test_wrong_key_fails(key_type: KeyType) -> None:
    signature = key(key_type).sign(b"payload")
    with pytest.raises(SignatureError):
        other_key(key_type).public_key.verify(signature, b"payload")


@pytest.mark.parametrize("key_type", ALL_TYPES)
def test_truncated_signature_fails(key_type: KeyType) -> None:
    signature = key(key_type).sign(b"payload")
    with pytest.raises(SignatureError):
        key(key_type).public_key.verify(signature[:-1], b"payload")


@pytest.mark.parametrize("key_type", ALL_TYPES)
def test_changed_data_fails(key_type: KeyType) -> None:
    signature = key(key_type).sign(b"payload")
    with pytest.raises(SignatureError):
        key(key_type).public_key.verify(signature, b"payloaD")


def test_es256_signature_is_raw_r_s_not_der() -> None:
    """RFC 7518 §3.4: ES256 is R || S; the DER form a library might hand over must not verify."""
    private = key(KeyType.P256)
    signature = private.sign(b"payload")
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    with pytest.raises(SignatureError):
        private.public_key.verify(encode_dss_signature(r, s), b"payload")


def test_signature_of_another_algorithm_fails() -> None:
    signature = key(KeyType.ED25519).sign(b"payload")  # 64 bytes, same length as ES256
    with pytest.raises(SignatureError):
        key(KeyType.P256).public_key.verify(signature, b"payload")


@given(data=st.binary(max_size=512), position=st.integers(min_value=0, max_value=63))
def test_property_sign_verify_and_any_bit_flip(data: bytes, position: int) -> None:
    for key_type in MULTIKEY_TYPES:
        private = key(key_type)
        signature = private.sign(data)
        private.public_key.verify(signature, data)
        tampered = bytearray(signature)
        tampered[position] ^= 0x80
        with pytest.raises(SignatureError):
            private.public_key.verify(bytes(tampered), data)


@pytest.mark.parametrize("key_type", ALL_TYPES)
def test_public_jwk_round_trip_has_no_d(key_type: KeyType) -> None:
    public = key(key_type).public_key
    jwk = public.to_jwk()
    assert "d" not in jwk
    assert PublicKey.from_jwk(jwk) == public
    assert PublicKey.from_jwk(json.loads(json.dumps(jwk))).to_jwk() == jwk


@pytest.mark.parametrize("key_type", ALL_TYPES)
def test_private_jwk_round_trip(key_type: KeyType) -> None:
    jwk = key(key_type).to_jwk()
    restored = PrivateKey.from_jwk(jwk)
    assert restored.to_jwk() == jwk
    key(key_type).public_key.verify(restored.sign(b"x"), b"x")


def test_rsa_private_jwk_without_crt_members() -> None:
    """RFC 7518 §6.3.2: p, q, dp, dq, qi are optional; the primes are recovered from n, e, d."""
    jwk = key(KeyType.RSA).to_jwk()
    minimal = {m: jwk[m] for m in ("kty", "n", "e", "d")}
    assert PrivateKey.from_jwk(minimal).to_jwk() == jwk


@pytest.mark.parametrize("key_type", MULTIKEY_TYPES)
def test_public_multibase_round_trip(key_type: KeyType) -> None:
    public = key(key_type).public_key
    encoded = public.to_multibase()
    assert encoded.startswith({KeyType.ED25519: "z6Mk", KeyType.P256: "zDn"}[key_type])
    assert PublicKey.from_multibase(encoded) == public


def test_private_multibase_round_trip() -> None:
    private = key(KeyType.ED25519)
    encoded = private.to_multibase()
    assert encoded.startswith("z3u2")
    assert PrivateKey.from_multibase(encoded).public_key == private.public_key


def test_public_keys_compare_and_hash_by_value() -> None:
    public = key(KeyType.ED25519).public_key
    again = PublicKey.from_multibase(public.to_multibase())
    assert again == public
    assert hash(again) == hash(public)
    assert again != key(KeyType.P256).public_key


def test_private_key_repr_does_not_leak_the_secret() -> None:
    private = key(KeyType.ED25519)
    assert private.to_jwk()["d"] not in repr(private)


@pytest.mark.parametrize("key_type", ALL_TYPES)
def test_fingerprint_is_stable(key_type: KeyType) -> None:
    public = key(key_type).public_key
    assert public.fingerprint() == PublicKey.from_jwk(public.to_jwk()).fingerprint()
    assert public.fingerprint() != other_key(key_type).public_key.fingerprint()


# -- published vectors ------------------------------------------------------------------------------

# W3C vc-di-eddsa, TestVectors/eddsa-rdfc-2022 "keyPair" (copied to tests/vectors, see SOURCES.md).
W3C_KEY_PAIR = json.loads((VECTORS / "w3c-vc-di-eddsa" / "eddsa-rdfc-2022.json").read_text())["keyPair"]


def test_w3c_vc_di_eddsa_key_pair() -> None:
    private = PrivateKey.from_multibase(W3C_KEY_PAIR["privateKeyMultibase"])
    assert private.public_key.to_multibase() == W3C_KEY_PAIR["publicKeyMultibase"]
    assert private.to_multibase() == W3C_KEY_PAIR["privateKeyMultibase"]
    assert PublicKey.from_multibase(W3C_KEY_PAIR["publicKeyMultibase"]) == private.public_key


# RFC 8037 Appendix A.1 (private key), A.2 (public key), A.3 (thumbprint), A.4 (Ed25519 JWS signature).
RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
RFC8037_SIGNING_INPUT = b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
RFC8037_SIGNATURE = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"


def test_rfc8037_a1_a2_private_jwk_derives_public() -> None:
    private = PrivateKey.from_jwk({"kty": "OKP", "crv": "Ed25519", "d": RFC8037_D, "x": RFC8037_X})
    assert private.public_key.to_jwk() == {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X}
    assert private.to_jwk()["d"] == RFC8037_D


def test_rfc8037_a3_thumbprint() -> None:
    public = PublicKey.from_jwk({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X})
    assert public.fingerprint() == RFC8037_THUMBPRINT


def test_rfc8037_a4_signature() -> None:
    private = PrivateKey.from_ed25519_secret(b64u_decode(RFC8037_D))
    assert b64u(private.sign(RFC8037_SIGNING_INPUT)) == RFC8037_SIGNATURE
    private.public_key.verify(b64u_decode(RFC8037_SIGNATURE), RFC8037_SIGNING_INPUT)


def test_ed25519_secret_in_64_byte_form() -> None:
    seed, public = b64u_decode(RFC8037_D), b64u_decode(RFC8037_X)
    private = PrivateKey.from_ed25519_secret(seed + public)
    assert private.public_key.to_jwk()["x"] == RFC8037_X


# RFC 7638 §3.1: the example RSA key (from RFC 7517 Appendix A.1) and its SHA-256 thumbprint.
RFC7638_JWK = {
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRX"
    "jBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs"
    "8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G"
    "_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}


def test_rfc7638_thumbprint() -> None:
    public = PublicKey.from_jwk(RFC7638_JWK)
    assert public.key_type is KeyType.RSA
    assert public.fingerprint() == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    assert public.to_jwk() == {m: RFC7638_JWK[m] for m in ("kty", "n", "e")}


# -- negative: JWK ----------------------------------------------------------------------------------


def ed25519_jwk(**members: str) -> dict[str, str]:
    return {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, **members}


def test_public_jwk_with_d_is_rejected() -> None:
    """A private key where a public one belongs (e.g. a leaked issuer key in a DID document)."""
    with pytest.raises(InvalidKeyError, match="private"):
        PublicKey.from_jwk(ed25519_jwk(d=RFC8037_D))


@pytest.mark.parametrize(
    "jwk",
    [
        ed25519_jwk(crv="X25519"),
        ed25519_jwk(crv="Ed448"),
        ed25519_jwk(kty="EC"),
        {"kty": "EC", "crv": "P-384", "x": RFC8037_X, "y": RFC8037_X},
        {"kty": "EC", "crv": "secp256k1", "x": RFC8037_X, "y": RFC8037_X},
        {"kty": "oct", "k": "AAAA"},
        {"crv": "Ed25519", "x": RFC8037_X},
        ed25519_jwk(alg="ES256"),
        {**RFC7638_JWK, "alg": "PS256"},
    ],
    ids=["x25519", "ed448", "okp-as-ec", "p384", "secp256k1", "oct", "no-kty", "alg-mismatch", "rsa-pss"],
)
def test_wrong_kty_crv_or_alg_is_rejected(jwk: dict[str, str]) -> None:
    with pytest.raises(InvalidKeyError):
        PublicKey.from_jwk(jwk)


@pytest.mark.parametrize(
    "x",
    [
        b64u(b64u_decode(RFC8037_X)[:31]),  # 31 bytes
        b64u(b64u_decode(RFC8037_X) + b"\x00"),  # 33 bytes
        RFC8037_X + "=",  # padded
        RFC8037_X[:-1] + "+",  # base64, not base64url
        RFC8037_X[:-1] + "p",  # non-zero trailing bits: not the canonical encoding
        "",
    ],
    ids=["31-bytes", "33-bytes", "padding", "plus", "non-canonical", "empty"],
)
def test_bad_ed25519_x_is_rejected(x: str) -> None:
    with pytest.raises(InvalidKeyError):
        PublicKey.from_jwk(ed25519_jwk(x=x))


def test_non_string_member_is_rejected() -> None:
    with pytest.raises(InvalidKeyError):
        PublicKey.from_jwk({"kty": "OKP", "crv": "Ed25519", "x": 5})


def test_p256_point_not_on_curve_is_rejected() -> None:
    jwk = key(KeyType.P256).public_key.to_jwk()
    y = bytearray(b64u_decode(jwk["y"]))
    y[-1] ^= 0x01
    with pytest.raises(InvalidKeyError):
        PublicKey.from_jwk({**jwk, "y": b64u(bytes(y))})


def test_p256_short_coordinate_is_rejected() -> None:
    jwk = key(KeyType.P256).public_key.to_jwk()
    with pytest.raises(InvalidKeyError):
        PublicKey.from_jwk({**jwk, "x": b64u(b64u_decode(jwk["x"])[1:])})


def test_rsa_1024_bit_is_rejected() -> None:
    numbers = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key().public_numbers()
    jwk = {"kty": "RSA", "n": b64u(numbers.n.to_bytes(128, "big")), "e": "AQAB"}
    with pytest.raises(InvalidKeyError, match="2048"):
        PublicKey.from_jwk(jwk)


def test_rsa_1024_bit_key_object_is_rejected() -> None:
    with pytest.raises(InvalidKeyError):
        PublicKey(rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key())


def test_secp256k1_key_object_is_rejected() -> None:
    with pytest.raises(InvalidKeyError):
        PrivateKey(ec.generate_private_key(ec.SECP256K1()))


def test_private_jwk_without_d_is_rejected() -> None:
    with pytest.raises(InvalidKeyError):
        PrivateKey.from_jwk(ed25519_jwk())


@pytest.mark.parametrize("key_type", ALL_TYPES)
def test_private_jwk_with_foreign_public_members_is_rejected(key_type: KeyType) -> None:
    jwk = {**other_key(key_type).public_key.to_jwk(), **{"d": key(key_type).to_jwk()["d"]}}
    if key_type is KeyType.RSA:
        jwk = {m: jwk[m] for m in ("kty", "n", "e", "d")}
    with pytest.raises(InvalidKeyError):
        PrivateKey.from_jwk(jwk)


# -- negative: Ed25519 secrets and Multikey ---------------------------------------------------------


def test_64_byte_secret_with_foreign_public_half_is_rejected() -> None:
    seed = b64u_decode(RFC8037_D)
    foreign = base58.b58decode(W3C_KEY_PAIR["publicKeyMultibase"][1:])[2:]
    with pytest.raises(InvalidKeyError, match="does not match"):
        PrivateKey.from_ed25519_secret(seed + foreign)


@pytest.mark.parametrize("size", [0, 31, 33, 63, 65])
def test_ed25519_secret_of_wrong_size_is_rejected(size: int) -> None:
    with pytest.raises(InvalidKeyError):
        PrivateKey.from_ed25519_secret(bytes(size))


@pytest.mark.parametrize(
    "value",
    [
        "u7QF" + b64u(bytes(32)),  # multibase base64url, not base58btc
        "f" + "ed01" + "00" * 32,  # multibase base16
        "z",  # no bytes at all
        multibase_encode_base58btc(b"\xed\x01" + bytes(31)),  # Ed25519, 31 bytes
        multibase_encode_base58btc(b"\xed\x01" + bytes(33)),  # Ed25519, 33 bytes
        multibase_encode_base58btc(b"\x80\x24" + bytes(33)),  # P-256, not a valid point
        multibase_encode_base58btc(b"\x80\x24\x04" + bytes(64)),  # P-256, uncompressed form
        W3C_KEY_PAIR["privateKeyMultibase"],  # a private key where a public one belongs
    ],
    ids=[
        "u-prefix",
        "f-prefix",
        "empty",
        "ed25519-short",
        "ed25519-long",
        "p256-invalid",
        "p256-uncompressed",
        "private",
    ],
)
def test_bad_public_multikey_is_rejected(value: str) -> None:
    with pytest.raises(InvalidKeyError):
        PublicKey.from_multibase(value)


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (multibase_encode_base58btc(b"\xe7\x01" + bytes(33)), "secp256k1"),  # secp256k1-pub
        (multibase_encode_base58btc(b"\x85\x24" + bytes(270)), "RSA"),  # rsa-pub
        (multibase_encode_base58btc(b"\xec\x01" + bytes(32)), "X25519"),  # x25519-pub
    ],
)
def test_known_key_types_we_do_not_use_are_not_supported_rather_than_invalid(value: str, name: str) -> None:
    with pytest.raises(UnsupportedError, match=f"{name} keys are not supported"):
        PublicKey.from_multibase(value)


def test_public_multikey_is_not_a_private_multikey() -> None:
    with pytest.raises(InvalidKeyError):
        PrivateKey.from_multibase(W3C_KEY_PAIR["publicKeyMultibase"])


def test_no_multikey_for_rsa() -> None:
    with pytest.raises(UnsupportedError):
        key(KeyType.RSA).public_key.to_multibase()


@pytest.mark.parametrize("key_type", [KeyType.P256, KeyType.RSA])
def test_private_multikey_is_ed25519_only(key_type: KeyType) -> None:
    with pytest.raises(UnsupportedError):
        key(key_type).to_multibase()


# -- multibase helpers ------------------------------------------------------------------------------


@given(st.binary(max_size=256))
def test_property_multibase_round_trip(data: bytes) -> None:
    encoded = multibase_encode_base58btc(data)
    assert encoded.startswith("z")
    assert multibase_decode_base58btc(encoded) == data


def test_multibase_keeps_leading_zero_bytes() -> None:
    assert multibase_encode_base58btc(b"\x00\x00\x01") == "z112"
    assert multibase_decode_base58btc("z112") == b"\x00\x00\x01"


@pytest.mark.parametrize(
    "value",
    ["", "u" + b64u(b"abc"), "Z2", "z0", "zO", "zI", "zl", "z2 ", " z2", "z2\n", "z" + "2" * 5000],
    ids=["empty", "u", "capital-z", "0", "O", "I", "l", "trailing-space", "leading-space", "newline", "huge"],
)
def test_multibase_decode_rejects(value: str) -> None:
    with pytest.raises(ParsingError):
        multibase_decode_base58btc(value)


def test_multibase_decode_rejects_non_string() -> None:
    with pytest.raises(ParsingError):
        multibase_decode_base58btc(b"z2")  # type: ignore[arg-type]
