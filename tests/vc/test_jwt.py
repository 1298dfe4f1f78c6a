"""VC-JWT (OB 3.0 §8.2): the spec's recipe as a round trip, and one test per class of JOSE attack."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from tests.conftest import load_vector
from vc.did_key import VerificationMethod
from vc.errors import InvalidKeyError, ParsingError, SignatureError, UnsupportedError
from vc.jwt import claim_mismatches, decode_jwt, sign_jwt, verify_jwt
from vc.keys import KeyType, PrivateKey
from vc.ports import StaticResolver

ISSUER = "https://example.edu/issuers/565049"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: Any) -> str:
    return _b64(json.dumps(value).encode())


@pytest.fixture(scope="module")
def keys() -> dict[KeyType, PrivateKey]:
    return {key_type: PrivateKey.generate(key_type) for key_type in KeyType}


def _credential() -> dict[str, Any]:
    # The spec has no static JWT vector; CHECKLIST §4b's recipe signs the OB example credential.
    credential: dict[str, Any] = load_vector("1edtech/ob-v3p0-eddsa-rdfc-2022.json")["unsigned"]
    return {**credential, "validUntil": "2030-01-01T00:00:00Z"}


def _resolver(key: PrivateKey) -> StaticResolver:
    return StaticResolver(
        [
            VerificationMethod(
                id=f"{ISSUER}#key-1", type="JsonWebKey", controller=ISSUER, public_key=key.public_key
            )
        ]
    )


@pytest.mark.parametrize("key_type", list(KeyType))
def test_round_trip_with_kid(keys: dict[KeyType, PrivateKey], key_type: KeyType) -> None:
    key = keys[key_type]
    token = sign_jwt(_credential(), key, kid=f"{ISSUER}#key-1")
    decoded, method = verify_jwt(token, _resolver(key))
    assert decoded.header == {"alg": key.jws_algorithm, "kid": f"{ISSUER}#key-1", "typ": "JWT"}
    assert decoded.credential == _credential()
    assert method.controller == ISSUER
    assert claim_mismatches(decoded) == []


def test_payload_is_the_credential_plus_registered_claims(keys: dict[KeyType, PrivateKey]) -> None:
    token = sign_jwt(_credential(), keys[KeyType.RSA], kid=f"{ISSUER}#key-1")
    payload = decode_jwt(token).payload
    assert payload["iss"] == ISSUER
    assert payload["jti"] == _credential()["id"]
    assert payload["sub"] == _credential()["credentialSubject"]["id"]
    assert payload["nbf"] == 1262304000  # validFrom 2010-01-01T00:00:00Z
    assert payload["exp"] == 1893456000  # validUntil 2030-01-01T00:00:00Z
    assert "vc" not in payload


def test_embedded_jwk_round_trip_without_private_part(keys: dict[KeyType, PrivateKey]) -> None:
    token = sign_jwt(_credential(), keys[KeyType.RSA])
    decoded, method = verify_jwt(token, StaticResolver([]))
    assert "d" not in decoded.header["jwk"]
    assert method.controller == ""  # an embedded key proves nothing about who controls it


def test_alg_none_is_refused(keys: dict[KeyType, PrivateKey]) -> None:
    token = _segment({"alg": "none", "kid": f"{ISSUER}#key-1"}) + "." + _segment(_credential()) + "."
    with pytest.raises(UnsupportedError):
        verify_jwt(token, _resolver(keys[KeyType.RSA]))


def test_hmac_keyed_with_the_public_key_is_refused(keys: dict[KeyType, PrivateKey]) -> None:
    # CVE-2015-9235 class: an attacker signs with HS256 using the issuer's public key as the secret.
    public_pem = keys[KeyType.RSA].public_key.key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = _segment({"alg": "HS256", "kid": f"{ISSUER}#key-1"}) + "." + _segment(_credential())
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(UnsupportedError):
        verify_jwt(signing_input + "." + _b64(signature), _resolver(keys[KeyType.RSA]))


def test_header_cannot_choose_another_algorithm_for_the_key(keys: dict[KeyType, PrivateKey]) -> None:
    token = sign_jwt(_credential(), keys[KeyType.ED25519], kid=f"{ISSUER}#key-1")
    with pytest.raises(InvalidKeyError):
        verify_jwt(token, _resolver(keys[KeyType.RSA]))


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "RS256", "kid": "k", "crit": ["exp"]},
        {"alg": "RS256", "kid": "k", "x5u": "https://attacker.example/cert"},
        {"alg": "RS256", "kid": "k", "typ": "JOSE"},
    ],
)
def test_headers_outside_the_profile_are_refused(header: dict[str, Any]) -> None:
    token = _segment(header) + "." + _segment(_credential()) + "." + _b64(b"x" * 256)
    with pytest.raises(ParsingError):
        decode_jwt(token)


@pytest.mark.parametrize("header", [{"alg": "RS256"}, {"alg": "RS256", "kid": "k", "jwk": {}}])
def test_a_token_without_exactly_one_key_reference_is_refused(
    keys: dict[KeyType, PrivateKey], header: dict[str, Any]
) -> None:
    # The key is the signature's business: the token is readable, and it does not verify.
    token = _segment(header) + "." + _segment(_credential()) + "." + _b64(b"x" * 256)
    assert decode_jwt(token).credential == _credential()
    with pytest.raises(ParsingError, match="exactly one of kid and jwk"):
        verify_jwt(token, _resolver(keys[KeyType.RSA]))


def test_truncated_signature_fails(keys: dict[KeyType, PrivateKey]) -> None:
    token = sign_jwt(_credential(), keys[KeyType.RSA], kid=f"{ISSUER}#key-1")
    with pytest.raises(SignatureError):
        verify_jwt(token[:-10], _resolver(keys[KeyType.RSA]))


def test_tampered_payload_fails(keys: dict[KeyType, PrivateKey]) -> None:
    token = sign_jwt(_credential(), keys[KeyType.P256], kid=f"{ISSUER}#key-1")
    header, _, signature = token.split(".")
    forged = _segment({**decode_jwt(token).payload, "name": "Forged"})
    with pytest.raises(SignatureError):
        verify_jwt(f"{header}.{forged}.{signature}", _resolver(keys[KeyType.P256]))


def test_private_key_in_jwk_header_is_refused(keys: dict[KeyType, PrivateKey]) -> None:
    key = keys[KeyType.ED25519]
    token = (
        _segment({"alg": "EdDSA", "jwk": key.to_jwk()})
        + "."
        + _segment(_credential())
        + "."
        + _b64(b"x" * 64)
    )
    with pytest.raises(InvalidKeyError):
        verify_jwt(token, StaticResolver([]))


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("iss", "https://evil.example"),
        ("jti", "urn:uuid:other"),
        ("sub", "did:example:other"),
        ("nbf", 0),
        ("exp", 1),
    ],
)
def test_claims_that_disagree_with_the_credential_are_reported(
    keys: dict[KeyType, PrivateKey], claim: str, value: Any
) -> None:
    key = keys[KeyType.ED25519]
    token = sign_jwt(_credential(), key, kid=f"{ISSUER}#key-1")
    payload = {**decode_jwt(token).payload, claim: value}
    signing_input = _segment(decode_jwt(token).header) + "." + _segment(payload)
    forged = signing_input + "." + _b64(key.sign(signing_input.encode()))
    decoded, _ = verify_jwt(forged, _resolver(key))
    assert any(claim in problem for problem in claim_mismatches(decoded))


def test_legacy_vc_claim_is_decoded(keys: dict[KeyType, PrivateKey]) -> None:
    key = keys[KeyType.RSA]
    vc = load_vector("1edtech-validator/simple_v1.json")
    vc = {k: v for k, v in vc.items() if k not in ("proof", "issuanceDate")}
    payload = {"vc": vc, "iss": vc["issuer"]["id"], "nbf": 1262304000, "jti": vc["id"]}
    signing_input = (
        _segment({"alg": "RS256", "kid": f"{ISSUER}#key-1", "typ": "JWT"}) + "." + _segment(payload)
    )
    token = signing_input + "." + _b64(key.sign(signing_input.encode()))
    decoded, _ = verify_jwt(token, _resolver(key))
    assert decoded.legacy
    assert decoded.credential["issuanceDate"] == "2010-01-01T00:00:00Z"
    assert claim_mismatches(decoded) == []


@pytest.mark.parametrize(
    "token", ["", "a.b", "a.b.c.d", "!!!.###.$$$", "e30.e30", _segment([1]) + "." + _segment({}) + ".x"]
)
def test_garbage_is_a_parsing_error(token: str) -> None:
    with pytest.raises((ParsingError, UnsupportedError)):
        decode_jwt(token)


@pytest.mark.parametrize("key_type", list(KeyType))
@pytest.mark.parametrize("tamper", [False, True])
def test_pyjwt_agrees_on_every_signature(
    keys: dict[KeyType, PrivateKey], key_type: KeyType, tamper: bool
) -> None:
    """PyJWT's JWS layer as an oracle: the same tokens verify, and the same tampered tokens fail."""
    from jwt import PyJWS
    from jwt.exceptions import InvalidSignatureError

    key = keys[key_type]
    token = sign_jwt(_credential(), key, kid=f"{ISSUER}#key-1")
    if tamper:
        header, payload, signature = token.split(".")
        token = f"{header}.{payload[:-4]}{'AAAA' if payload[-4:] != 'AAAA' else 'BBBB'}.{signature}"
    ours = True
    try:
        verify_jwt(token, _resolver(key))
    except (SignatureError, ParsingError):
        ours = False
    theirs = True
    try:
        PyJWS(algorithms=[key.jws_algorithm]).decode_complete(
            token, key.public_key.key, algorithms=[key.jws_algorithm]
        )
    except (InvalidSignatureError, ValueError):
        theirs = False
    assert ours == theirs == (not tamper)


@pytest.mark.parametrize("signature", ["", "a", "abc=", "ab+/", "ab!c"])
def test_signature_part_must_be_base64url(keys: dict[KeyType, PrivateKey], signature: str) -> None:
    header, payload, _ = sign_jwt(_credential(), keys[KeyType.ED25519], kid=f"{ISSUER}#key-1").split(".")
    with pytest.raises(SignatureError):
        verify_jwt(f"{header}.{payload}.{signature}", _resolver(keys[KeyType.ED25519]))
