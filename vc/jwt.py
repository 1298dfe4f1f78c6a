"""VC-JWT as Open Badges 3.0 §8.2 "JSON Web Token Proof Format" specifies.

The payload is the credential itself plus the registered claims ``iss`` (issuer id), ``jti`` (credential
id), ``sub`` (subject id, when there is one), ``nbf`` (validFrom) and ``exp`` (validUntil). The JOSE header
holds only ``alg``, ``kid`` or ``jwk``, and ``typ: "JWT"``. Verification (§8.2.6) also accepts the legacy
VC 1.1 form with the credential inside a ``vc`` claim, and, with a warning, a VC 2.0 credential inside
one (some OB 3.0 issuers still send it).

Signature checking (RFC 7515 §5.2) verifies the JWS Signing Input with the resolved key through
`vc.keys.PublicKey.verify` (RFC 7518 §3.3/§3.4, RFC 8037 §3.1): the algorithm is the one the key fixes,
and the header's ``alg`` must name it, so the header can never choose the algorithm (no ``none``, no HMAC
keyed with a public key). PyJWT's JWS layer did the same, but re-parsed the token and checked it
character by character in Python: 70% of a verification (tests/vc/test_jwt.py keeps it as an oracle).
Time is not checked here: that is the verifier's single validity-period check, with its injected clock.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from schemas.loader import VC_V1_CONTEXT, VC_V2_CONTEXT

from .did_key import VerificationMethod
from .errors import InvalidKeyError, ParsingError, SchemaError, SignatureError, UnsupportedError
from .fields import issuer_id, parse_datetime
from .keys import PrivateKey, PublicKey
from .parsing import MAX_DOCUMENT_BYTES, check_json_value, parse_json
from .ports import ASSERTION_METHOD, KeyResolver, resolve_for

ALGORITHMS = frozenset({"RS256", "ES256", "EdDSA"})  # OB 3.0 minimum RS256, plus EdDSA and ES256
ALLOWED_HEADER_PARAMETERS = frozenset({"alg", "kid", "jwk", "typ"})
_REGISTERED_CLAIMS = frozenset({"iss", "jti", "sub", "nbf", "exp", "iat", "aud"})
_DATE_CLAIMS = (("nbf", "validFrom"), ("exp", "validUntil"))


@dataclass(frozen=True)
class DecodedJwt:
    """A compact JWS split into its parts, before its signature is checked."""

    header: dict[str, Any]
    payload: dict[str, Any]
    credential: dict[str, Any]
    legacy: bool  # the credential came from a ``vc`` claim (the VC-JWT 1.1 form)
    warnings: tuple[str, ...] = ()  # what a verifier should say about the token's form

    @property
    def vc_claim_holds_vc_2_0(self) -> bool:
        """A VC 2.0 credential inside the legacy ``vc`` claim: verified, with a warning."""
        return self.legacy and not _is_vc_1_1(self.credential)


def _numeric_date(value: Any) -> int:
    moment = parse_datetime(value)
    if moment is None:
        raise ValueError(f"{str(value)[:64]!r} is not a date-time with a timezone")
    return int(moment.timestamp())


def _subject_id(credential: Mapping[str, Any]) -> str | None:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if len(subject) == 1 else None
    subject_id = subject.get("id") if isinstance(subject, Mapping) else None
    return subject_id if isinstance(subject_id, str) else None


def jwt_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The registered claims §8.2.4 derives from a VC 2.0 credential.

    Raises `SchemaError` when the credential lacks what they come from: an issuer id, a ``validFrom``
    (and a ``validUntil``, when present) that is a date-time with a timezone.
    """
    issuer = issuer_id(credential)
    if issuer is None:
        raise SchemaError("the credential has no issuer id, so the JWT can have no iss claim")
    claims: dict[str, Any] = {"iss": issuer, "jti": credential.get("id")}
    subject_id = _subject_id(credential)
    if subject_id is not None:
        claims["sub"] = subject_id
    for claim, name in _DATE_CLAIMS:
        if name == "validUntil" and name not in credential:
            continue  # exp is there only when validUntil is
        try:
            claims[claim] = _numeric_date(credential.get(name))
        except ValueError:
            raise SchemaError(
                f"{name} must be a date-time with a timezone: OB 3.0 §8.2.4 derives the {claim} claim from it"
            ) from None
    return claims


def sign_jwt(credential: Mapping[str, Any], key: PrivateKey, *, kid: str | None = None) -> str:
    """Encode and sign a VC 2.0 credential as a compact JWS.

    With `kid` the header names the verification method; without it the public key travels as ``jwk``.
    Raises `ParsingError` for a value JSON cannot carry faithfully (`vc.parsing.check_json_value`: the
    signed bytes must mean the same to every verifier) and `SchemaError` for a credential that is not a
    VC 2.0 credential the §8.2.4 claims can be derived from.
    """
    if not isinstance(credential, Mapping):
        raise SchemaError("a credential is a JSON object")
    if kid is not None and not isinstance(kid, str):
        raise ParsingError("kid must be a string (a verification method URL)")
    check_json_value(kid, "the kid")
    check_json_value(credential, "the credential")
    context = credential.get("@context")
    if not isinstance(context, list) or not context or context[0] != VC_V2_CONTEXT:
        raise SchemaError(
            f"a VC-JWT (OB 3.0 §8.2) secures a VC 2.0 credential: @context starts with {VC_V2_CONTEXT}"
        )
    if "proof" in credential and not isinstance(credential["proof"], (Mapping, list)):
        raise SchemaError("credential proof must be an object or a list")
    payload = {**credential, **jwt_claims(credential)}
    header: dict[str, Any] = {"typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    else:
        header["jwk"] = key.public_key.to_jwk()
    # RFC 7515 §7.1 compact serialisation; `PrivateKey.sign` already gives JOSE signature encodings.
    signing_input = (
        _b64url(orjson.dumps({"alg": key.jws_algorithm, **header})) + b"." + _b64url(orjson.dumps(payload))
    )
    return (signing_input + b"." + _b64url(key.sign(signing_input))).decode("ascii")


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _b64_json(segment: str, what: str, max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except ValueError:
        raise ParsingError(f"JWT {what} is not base64url") from None
    return parse_json(raw, max_bytes=max_bytes)


_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def looks_like_jwt(text: str) -> bool:
    """Compact JWS shape (three base64url parts), as opposed to JSON that happens to contain dots."""
    return _COMPACT_JWS.fullmatch(text.strip()) is not None


def decode_jwt(token: str, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> DecodedJwt:
    """Split and parse a compact JWS (bounded by ``max_bytes`` of payload), without checking its signature.

    What it checks is the token's shape (OB 3.0 §8.2.3 header parameters, ``typ``, the credential in the
    payload); the algorithm and the key are the signature's business (`verify_jwt`).
    """
    token = token.strip()
    if len(token) > max_bytes * 2:
        raise ParsingError("JWT is larger than the document size limit")
    parts = token.split(".")
    if len(parts) != 3:
        raise ParsingError("a compact JWS has three dot-separated parts")
    header = _b64_json(parts[0], "header")
    payload = _b64_json(parts[1], "payload", max_bytes)
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ParsingError("JWT header and payload must be JSON objects")
    extra = set(header) - ALLOWED_HEADER_PARAMETERS
    if extra:
        raise ParsingError(f"JWT header parameters not allowed by OB 3.0 §8.2.3: {', '.join(sorted(extra))}")
    if "typ" in header and header["typ"] != "JWT":
        raise ParsingError(f"JWT typ must be 'JWT', not {str(header['typ'])[:20]!r}")
    legacy = "vc" in payload
    credential = payload["vc"] if legacy else payload
    if not isinstance(credential, dict):
        raise ParsingError("the vc claim must be a JSON object")
    # OB 3.0 §8.2.6 / VC-JWT 1.1: a VC 1.1 credential travels in a vc claim; without one, the payload is
    # a VC 2.0 credential. A VC 2.0 credential inside a vc claim is read as it is, and the form reported.
    if not legacy and _is_vc_1_1(credential):
        raise ParsingError("a VC 1.1 credential must travel in a vc claim (VC-JWT 1.1)")
    warnings: tuple[str, ...] = ()
    if legacy:
        credential = _restore_from_claims(credential, payload)
        if not _is_vc_1_1(credential):
            warnings = (VC_2_0_IN_VC_CLAIM,)
    else:
        credential = {key: value for key, value in payload.items() if key not in _REGISTERED_CLAIMS}
    return DecodedJwt(header=header, payload=payload, credential=credential, legacy=legacy, warnings=warnings)


VC_2_0_IN_VC_CLAIM = (
    "A VC 2.0 credential inside a legacy vc claim (the VC-JWT 1.1 form): OB 3.0 §8.2 puts a VC 2.0 "
    "credential itself in the JWT payload. It was verified as it is."
)


def _is_vc_1_1(credential: Mapping[str, Any]) -> bool:
    context = credential.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    return bool(first == VC_V1_CONTEXT)


def _date_claims(credential: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """(claim, property) pairs: VC 1.1 dates for a VC 1.1 credential (VC DM 1.1 §6.3.1), else VC 2.0's."""
    return (("nbf", "issuanceDate"), ("exp", "expirationDate")) if _is_vc_1_1(credential) else _DATE_CLAIMS


def _restore_from_claims(vc: dict[str, Any], payload: Mapping[str, Any]) -> dict[str, Any]:
    """VC-JWT 1.1 decoding: claims fill in what the ``vc`` object leaves out."""
    credential = dict(vc)
    if "issuer" not in credential and isinstance(payload.get("iss"), str):
        credential["issuer"] = payload["iss"]
    if "id" not in credential and isinstance(payload.get("jti"), str):
        credential["id"] = payload["jti"]
    for claim, name in _date_claims(credential):
        if name not in credential and isinstance(payload.get(claim), int):
            credential[name] = _iso(payload[claim])
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and "id" not in subject and isinstance(payload.get("sub"), str):
        credential["credentialSubject"] = {**subject, "id": payload["sub"]}
    return credential


def _iso(timestamp: int) -> str:
    if isinstance(timestamp, bool) or not 0 <= timestamp < _YEAR_10000:
        raise ParsingError(f"JWT NumericDate {timestamp} is out of range")
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_YEAR_10000 = 253_402_300_800


def claim_mismatches(decoded: DecodedJwt) -> list[str]:
    """§8.2.6 step 3: the registered claims must agree with the credential they travel with."""
    credential, payload = decoded.credential, decoded.payload
    problems: list[str] = []

    def expect(claim: str, value: Any) -> None:
        if claim in payload and payload[claim] != value:
            problems.append(
                f"JWT claim {claim} ({payload[claim]!r}) does not match the credential ({value!r})"
            )

    expect("iss", issuer_id(credential))
    expect("jti", credential.get("id"))
    if _subject_id(credential) is not None or "sub" in payload:
        expect("sub", _subject_id(credential))
    for claim, field in _date_claims(credential):
        if field in credential:
            try:
                expect(claim, _numeric_date(credential[field]))
            except ValueError:
                problems.append(f"{field} is not a valid date-time")
        elif claim in payload:
            problems.append(f"JWT claim {claim} is present but the credential has no {field}")
    if not decoded.legacy and "iss" not in payload:
        problems.append("JWT has no iss claim")
    return problems


def verify_jwt(
    token: str,
    resolver: KeyResolver,
    *,
    purpose: str = ASSERTION_METHOD,
    max_bytes: int = MAX_DOCUMENT_BYTES,
) -> tuple[DecodedJwt, VerificationMethod]:
    """Check a VC-JWT's signature (RFC 7515 §5.2) with the key its header names, which its controller
    must list under `purpose`. ``max_bytes`` bounds the payload (`vc.parsing.Limits`).

    Returns the decoded token and the verification method; raises `VcError` when it does not verify.
    Claim consistency is reported separately by `claim_mismatches`.
    """
    decoded = decode_jwt(token, max_bytes=max_bytes)
    header = decoded.header
    # The algorithm and the key belong to the signature, not to reading the token: a token with
    # ``alg: none`` is a readable credential that is not verified (RFC 7518 §3.6 "Unsecured JWS").
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        raise UnsupportedError(
            f"JWS algorithm {str(alg)[:20]!r} is not allowed (allowed: {', '.join(sorted(ALGORITHMS))})"
        )
    if ("kid" in header) == ("jwk" in header):
        raise ParsingError("JWT header must carry exactly one of kid and jwk")
    if "kid" in header:
        if not isinstance(header["kid"], str):
            raise ParsingError("JWT kid must be a string")
        method = resolve_for(resolver, header["kid"], purpose)
    else:
        if not isinstance(header["jwk"], dict):
            raise ParsingError("JWT jwk must be a JSON object")
        public = PublicKey.from_jwk(header["jwk"])
        method = VerificationMethod(id="", type="JsonWebKey", controller="", public_key=public)
    if method.public_key.jws_algorithm != header["alg"]:
        raise InvalidKeyError(
            f"JWT alg {header['alg']} does not match the key type {method.public_key.key_type}"
        )
    compact = token.strip()
    if _COMPACT_JWS.fullmatch(compact) is None:
        raise SignatureError("JWT is not a valid JWS: each part must be base64url without padding")
    signing_input, _, encoded_signature = compact.rpartition(".")
    try:
        signature = base64.urlsafe_b64decode(encoded_signature + "=" * (-len(encoded_signature) % 4))
    except ValueError:
        raise SignatureError("JWT is not a valid JWS: the signature is not base64url") from None
    try:
        method.public_key.verify(signature, signing_input.encode("ascii"))
    except SignatureError:
        raise SignatureError("JWT signature does not verify") from None
    return decoded, method
