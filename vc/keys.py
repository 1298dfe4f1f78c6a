"""Signing keys and their public encodings: Ed25519, P-256 (ES256) and RSA (RS256).

Public keys travel as Multikey (``publicKeyMultibase``, Controlled Identifiers 1.0 §2.2.2) and as JWK
(RFC 7517 / RFC 7518 §6 / RFC 8037 for OKP). Private keys are serialised as JWK with ``d`` or, for
Ed25519 only, as a private Multikey (``z3u2…``).

``verify()`` returns nothing or raises :class:`~vc.errors.SignatureError`; every parser raises
:class:`~vc.errors.InvalidKeyError` (key material) or :class:`~vc.errors.ParsingError` (encoding).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from vc.errors import InvalidKeyError, ParsingError, SignatureError, UnsupportedError

__all__ = [
    "KeyType",
    "PrivateKey",
    "PublicKey",
    "multibase_decode_base58btc",
    "multibase_encode_base58btc",
]

# Multicodec table entries, already varint-encoded (https://github.com/multiformats/multicodec).
ED25519_PUB = b"\xed\x01"  # 0xed   ed25519-pub
P256_PUB = b"\x80\x24"  # 0x1200 p256-pub (compressed SEC1 point)
ED25519_PRIV = b"\x80\x26"  # 0x1300 ed25519-priv (32-byte seed)
# Public key codecs a Multikey (and so a did:key) may hold that we do not verify with: named, so that a
# verifier can say "not supported" rather than "malformed".
UNSUPPORTED_PUBLIC_KEY_CODECS = {
    b"\x85\x24": "RSA",  # 0x1205 rsa-pub (DER RSAPublicKey, as did:key encodes RSA keys)
    b"\xe7\x01": "secp256k1",  # 0xe7 secp256k1-pub
    b"\x81\x24": "P-384",  # 0x1201 p384-pub
    b"\x82\x24": "P-521",  # 0x1202 p521-pub
    b"\x83\x24": "Ed448",  # 0x1203 ed448-pub
    b"\xec\x01": "X25519",  # 0xec x25519-pub (a key-agreement key, never a signing key)
    b"\xea\x01": "BLS12-381 G1",  # 0xea bls12_381-g1-pub
    b"\xeb\x01": "BLS12-381 G2",  # 0xeb bls12_381-g2-pub
}

MAX_MULTIBASE_LENGTH = 4096  # base58 decoding is quadratic; nothing we read is anywhere near this long
MIN_RSA_BITS = 2048
_P256_SIZE = 32
_ED25519_SIZE = 32

_BASE58_RE = re.compile(r"[1-9A-HJ-NP-Za-km-z]*")
_BASE64URL_RE = re.compile(r"[A-Za-z0-9_-]*")


class KeyType(StrEnum):
    ED25519 = "Ed25519"
    P256 = "P-256"
    RSA = "RSA"


_JWS_ALGORITHM = {KeyType.ED25519: "EdDSA", KeyType.P256: "ES256", KeyType.RSA: "RS256"}
# Besides the registered name, accept RFC 9864's fully specified "Ed25519" in a JWK's "alg".
_JWK_ALGS = {KeyType.ED25519: {"EdDSA", "Ed25519"}, KeyType.P256: {"ES256"}, KeyType.RSA: {"RS256"}}


# -- multibase (draft-multiformats-multibase §2, base58btc) -----------------------------------------


def multibase_encode_base58btc(data: bytes) -> str:
    """Encode ``data`` as multibase base58btc: ``'z'`` + base58 (Bitcoin alphabet)."""
    return "z" + base58.b58encode(data).decode("ascii")


def multibase_decode_base58btc(value: str) -> bytes:
    """Decode a multibase base58btc string; anything else raises :class:`ParsingError`."""
    if not isinstance(value, str) or not value.startswith("z"):
        raise ParsingError("multibase value must be a string starting with 'z' (base58btc)")
    if len(value) > MAX_MULTIBASE_LENGTH:
        raise ParsingError("multibase value is too long")
    if _BASE58_RE.fullmatch(value, 1) is None:
        raise ParsingError("multibase value contains characters outside the base58btc alphabet")
    return bytes(base58.b58decode(value[1:]))


def _decode_multikey(
    value: str, expected: dict[bytes, int], known: Mapping[bytes, str] | None = None
) -> tuple[bytes, bytes]:
    """Split a Multikey into (multicodec prefix, key bytes), checking the prefix and length.

    A prefix in `known` (a key type we recognise but do not use) raises `UnsupportedError`.
    """
    try:
        raw = multibase_decode_base58btc(value)
    except ParsingError as exc:
        raise InvalidKeyError(f"not a base58btc Multikey: {exc.message}") from exc
    for prefix, size in expected.items():
        if raw.startswith(prefix):
            if len(raw) != len(prefix) + size:
                raise InvalidKeyError(f"Multikey has {len(raw) - len(prefix)} key bytes, expected {size}")
            return prefix, raw[len(prefix) :]
    for prefix, name in (known or {}).items():
        if raw.startswith(prefix):
            raise UnsupportedError(f"{name} keys are not supported (supported: Ed25519 and P-256 Multikeys)")
    raise InvalidKeyError("Multikey has an unsupported multicodec prefix")


# -- JWK helpers (RFC 7515 §2 base64url without padding, RFC 7518 §6) -------------------------------


def _b64u_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64u_decode(jwk: Mapping[str, Any], member: str) -> bytes:
    value = jwk.get(member)
    if not isinstance(value, str) or _BASE64URL_RE.fullmatch(value) is None or len(value) % 4 == 1:
        raise InvalidKeyError(f"JWK member {member!r} must be a base64url string without padding")
    data = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    if _b64u_encode(data) != value:  # non-canonical trailing bits
        raise InvalidKeyError(f"JWK member {member!r} is not canonical base64url")
    return data


def _b64u_uint(jwk: Mapping[str, Any], member: str) -> int:
    return int.from_bytes(_b64u_decode(jwk, member), "big")


def _uint_b64u(value: int, size: int = 0) -> str:
    return _b64u_encode(value.to_bytes(size or max(1, (value.bit_length() + 7) // 8), "big"))


def _fixed(jwk: Mapping[str, Any], member: str, size: int) -> bytes:
    data = _b64u_decode(jwk, member)
    if len(data) != size:
        raise InvalidKeyError(f"JWK member {member!r} has {len(data)} bytes, expected {size}")
    return data


def _jwk_key_type(jwk: Mapping[str, Any]) -> KeyType:
    """Read ``kty``/``crv`` (and ``alg`` when present) into a :class:`KeyType`."""
    if not isinstance(jwk, Mapping):
        raise InvalidKeyError("JWK must be a JSON object")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP" and crv == "Ed25519":
        key_type = KeyType.ED25519
    elif kty == "EC" and crv == "P-256":
        key_type = KeyType.P256
    elif kty == "RSA" and "crv" not in jwk:
        key_type = KeyType.RSA
    else:
        raise InvalidKeyError(f"unsupported JWK kty/crv: {kty!r}/{crv!r}")
    if "alg" in jwk and (not isinstance(jwk["alg"], str) or jwk["alg"] not in _JWK_ALGS[key_type]):
        raise InvalidKeyError(f"JWK alg {jwk['alg']!r} does not match a {key_type} key")
    return key_type


def _rsa_public_numbers(jwk: Mapping[str, Any]) -> rsa.RSAPublicNumbers:
    n, e = _b64u_uint(jwk, "n"), _b64u_uint(jwk, "e")
    if n.bit_length() < MIN_RSA_BITS:
        raise InvalidKeyError(f"RSA modulus has {n.bit_length()} bits, at least {MIN_RSA_BITS} required")
    if e < 3 or e % 2 == 0:
        raise InvalidKeyError("RSA public exponent must be an odd integer >= 3")
    return rsa.RSAPublicNumbers(e, n)


def _key_type_of(key: object) -> KeyType:
    """Classify a cryptography key object, rejecting curves and sizes we do not accept."""
    if isinstance(key, Ed25519PublicKey | Ed25519PrivateKey):
        return KeyType.ED25519
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise InvalidKeyError(f"unsupported elliptic curve {key.curve.name}")
        return KeyType.P256
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        if key.key_size < MIN_RSA_BITS:
            raise InvalidKeyError(f"RSA key has {key.key_size} bits, at least {MIN_RSA_BITS} required")
        return KeyType.RSA
    raise InvalidKeyError(f"unsupported key object {type(key).__name__}")


# -- public keys ------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PublicKey:
    """A verification key. Equal when the keys are equal (compared by SubjectPublicKeyInfo)."""

    key: Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey

    def __post_init__(self) -> None:
        _key_type_of(self.key)

    @property
    def key_type(self) -> KeyType:
        return _key_type_of(self.key)

    @property
    def jws_algorithm(self) -> str:
        return _JWS_ALGORITHM[self.key_type]

    def _spki(self) -> bytes:
        return self.key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PublicKey) and self._spki() == other._spki()

    def __hash__(self) -> int:
        return hash(self._spki())

    def verify(self, signature: bytes, data: bytes) -> None:
        """Check ``signature`` over ``data`` (RFC 7518 §3.3/§3.4, RFC 8037 §3.1); raise on failure."""
        key = self.key
        try:
            if isinstance(key, Ed25519PublicKey):
                key.verify(signature, data)
            elif isinstance(key, ec.EllipticCurvePublicKey):
                if len(signature) != 2 * _P256_SIZE:  # RFC 7518 §3.4: R || S, 32 octets each
                    raise SignatureError(f"ES256 signature must be 64 bytes, got {len(signature)}")
                r = int.from_bytes(signature[:_P256_SIZE], "big")
                s = int.from_bytes(signature[_P256_SIZE:], "big")
                key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
            else:
                key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise SignatureError(f"{self.jws_algorithm} signature does not verify") from None

    def to_jwk(self) -> dict[str, str]:
        """Public JWK: OKP (RFC 8037 §2), EC (RFC 7518 §6.2.1) or RSA (RFC 7518 §6.3.1). Never ``d``."""
        key = self.key
        if isinstance(key, Ed25519PublicKey):
            raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            return {"kty": "OKP", "crv": "Ed25519", "x": _b64u_encode(raw)}
        if isinstance(key, ec.EllipticCurvePublicKey):
            nums = key.public_numbers()
            return {
                "kty": "EC",
                "crv": "P-256",
                "x": _uint_b64u(nums.x, _P256_SIZE),
                "y": _uint_b64u(nums.y, _P256_SIZE),
            }
        rsa_nums = key.public_numbers()
        return {"kty": "RSA", "n": _uint_b64u(rsa_nums.n), "e": _uint_b64u(rsa_nums.e)}

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> PublicKey:
        """Parse a public JWK. A JWK carrying ``d`` is refused: a private key where a public one belongs."""
        key_type = _jwk_key_type(jwk)
        if "d" in jwk:
            raise InvalidKeyError("JWK contains a private key ('d') where a public key was expected")
        try:
            if key_type is KeyType.ED25519:
                return cls(Ed25519PublicKey.from_public_bytes(_fixed(jwk, "x", _ED25519_SIZE)))
            if key_type is KeyType.P256:
                x = int.from_bytes(_fixed(jwk, "x", _P256_SIZE), "big")
                y = int.from_bytes(_fixed(jwk, "y", _P256_SIZE), "big")
                return cls(ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key())
            return cls(_rsa_public_numbers(jwk).public_key())
        except ValueError as exc:  # point not on the curve and the like
            raise InvalidKeyError(f"invalid {key_type} JWK: {exc}") from exc

    def to_multibase(self) -> str:
        """Multikey ``publicKeyMultibase`` (Controlled Identifiers §2.2.2): ``z6Mk…`` or ``zDn…``."""
        key = self.key
        if isinstance(key, Ed25519PublicKey):
            raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            return multibase_encode_base58btc(ED25519_PUB + raw)
        if isinstance(key, ec.EllipticCurvePublicKey):
            point = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
            return multibase_encode_base58btc(P256_PUB + point)
        raise UnsupportedError("RSA keys have no Multikey encoding here; use a JWK")

    @classmethod
    def from_multibase(cls, value: str) -> PublicKey:
        """Parse an Ed25519 (``z6Mk…``) or P-256 (``zDn…``) Multikey; another known key type (RSA,
        secp256k1, …) raises `UnsupportedError`, anything else `InvalidKeyError`."""
        prefix, raw = _decode_multikey(
            value, {ED25519_PUB: _ED25519_SIZE, P256_PUB: _P256_SIZE + 1}, UNSUPPORTED_PUBLIC_KEY_CODECS
        )
        try:
            if prefix == ED25519_PUB:
                return cls(Ed25519PublicKey.from_public_bytes(raw))
            return cls(ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw))
        except ValueError as exc:
            raise InvalidKeyError(f"invalid Multikey: {exc}") from exc

    def fingerprint(self) -> str:
        """RFC 7638 JWK thumbprint: base64url SHA-256 of the required members, sorted, no whitespace."""
        jwk = self.to_jwk()  # holds exactly the RFC 7638 §3.2 required members
        canonical = json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode("ascii")
        return _b64u_encode(hashlib.sha256(canonical).digest())


# -- private keys -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PrivateKey:
    """A signing key. Compared by identity; never printed with its secret."""

    key: Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

    def __post_init__(self) -> None:
        _key_type_of(self.key)

    def __repr__(self) -> str:
        return f"PrivateKey({self.key_type}, public={self.public_key.fingerprint()})"

    @classmethod
    def generate(cls, key_type: KeyType) -> PrivateKey:
        """A fresh key: Ed25519, P-256, or RSA 2048 bits with e = 65537."""
        if key_type is KeyType.ED25519:
            return cls(Ed25519PrivateKey.generate())
        if key_type is KeyType.P256:
            return cls(ec.generate_private_key(ec.SECP256R1()))
        if key_type is KeyType.RSA:
            return cls(rsa.generate_private_key(public_exponent=65537, key_size=MIN_RSA_BITS))
        raise UnsupportedError(f"unsupported key type {key_type!r}")

    @property
    def key_type(self) -> KeyType:
        return _key_type_of(self.key)

    @property
    def jws_algorithm(self) -> str:
        return _JWS_ALGORITHM[self.key_type]

    @cached_property
    def public_key(self) -> PublicKey:
        return PublicKey(self.key.public_key())

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``; encodings as in :meth:`PublicKey.verify` (ES256 gives raw R || S)."""
        key = self.key
        if isinstance(key, Ed25519PrivateKey):
            return key.sign(data)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
            return r.to_bytes(_P256_SIZE, "big") + s.to_bytes(_P256_SIZE, "big")
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def to_jwk(self) -> dict[str, str]:
        """Private JWK: the public members plus ``d`` (RSA also p, q, dp, dq, qi; RFC 7518 §6.3.2)."""
        jwk = self.public_key.to_jwk()
        key = self.key
        if isinstance(key, Ed25519PrivateKey):
            raw = key.private_bytes(
                serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
            )
            jwk["d"] = _b64u_encode(raw)
        elif isinstance(key, ec.EllipticCurvePrivateKey):
            jwk["d"] = _uint_b64u(key.private_numbers().private_value, _P256_SIZE)
        else:
            nums = key.private_numbers()
            for member, value in (
                ("d", nums.d),
                ("p", nums.p),
                ("q", nums.q),
                ("dp", nums.dmp1),
                ("dq", nums.dmq1),
                ("qi", nums.iqmp),
            ):
                jwk[member] = _uint_b64u(value)
        return jwk

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> PrivateKey:
        """Parse a private JWK and check that its public members belong to ``d``."""
        key_type = _jwk_key_type(jwk)
        if "d" not in jwk:
            raise InvalidKeyError("JWK has no private member 'd'")
        try:
            key: Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
            if key_type is KeyType.ED25519:
                key = Ed25519PrivateKey.from_private_bytes(_fixed(jwk, "d", _ED25519_SIZE))
            elif key_type is KeyType.P256:
                d = int.from_bytes(_fixed(jwk, "d", _P256_SIZE), "big")
                key = ec.derive_private_key(d, ec.SECP256R1())
            else:
                public = _rsa_public_numbers(jwk)
                d = _b64u_uint(jwk, "d")
                if all(m in jwk for m in ("p", "q", "dp", "dq", "qi")):
                    p, q = _b64u_uint(jwk, "p"), _b64u_uint(jwk, "q")
                    dp, dq, qi = _b64u_uint(jwk, "dp"), _b64u_uint(jwk, "dq"), _b64u_uint(jwk, "qi")
                else:  # RFC 7518 §6.3.2: the CRT members are optional as a group
                    p, q = rsa.rsa_recover_prime_factors(public.n, public.e, d)
                    dp, dq, qi = rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q)
                key = rsa.RSAPrivateNumbers(p, q, d, dp, dq, qi, public).private_key()
        except ValueError as exc:
            raise InvalidKeyError(f"invalid {key_type} private JWK: {exc}") from exc
        private = cls(key)
        if private.public_key != PublicKey.from_jwk({k: v for k, v in jwk.items() if k != "d"}):
            raise InvalidKeyError("JWK public members do not match its private key")
        return private

    @classmethod
    def from_ed25519_secret(cls, secret: bytes) -> PrivateKey:
        """An Ed25519 key from a 32-byte seed (RFC 8032 §5.1.5) or the 64-byte seed || public form."""
        if len(secret) not in (_ED25519_SIZE, 2 * _ED25519_SIZE):
            raise InvalidKeyError(f"Ed25519 secret must be 32 or 64 bytes, got {len(secret)}")
        key = Ed25519PrivateKey.from_private_bytes(secret[:_ED25519_SIZE])
        public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        if len(secret) == 2 * _ED25519_SIZE and public != secret[_ED25519_SIZE:]:
            raise InvalidKeyError("public half of the 64-byte Ed25519 secret does not match its seed")
        return cls(key)

    @classmethod
    def from_multibase(cls, value: str) -> PrivateKey:
        """An Ed25519 private Multikey: ``z`` + base58btc(0x1300 varint || 32-byte seed), i.e. ``z3u2…``."""
        _, seed = _decode_multikey(value, {ED25519_PRIV: _ED25519_SIZE})
        return cls.from_ed25519_secret(seed)

    def to_multibase(self) -> str:
        """The Ed25519 private Multikey (``z3u2…``); other key types raise :class:`UnsupportedError`."""
        if not isinstance(self.key, Ed25519PrivateKey):
            raise UnsupportedError(f"no private Multikey encoding for {self.key_type} keys")
        seed = self.key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return multibase_encode_base58btc(ED25519_PRIV + seed)
