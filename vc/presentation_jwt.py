"""Verifiable Presentations as JWTs (VC Data Model 1.1 §6.3.1 "JSON Web Token", the ``vp`` claim form).

The holder signs a compact JWS whose payload carries the presentation in ``vp``, the holder in ``iss``,
the verifier's ``domain`` in ``aud`` and its ``challenge`` in ``nonce``. As with VC-JWT (`vc.jwt`), the
header holds only ``alg``, ``kid`` and ``typ``; the key named by ``kid`` must be listed under
``authentication`` and controlled by ``iss``; the algorithm is the one the key fixes; and time is checked
with the injected clock.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from .did_key import VerificationMethod
from .errors import InvalidKeyError, ParsingError, SignatureError, UnsupportedError
from .jwt import ALGORITHMS, looks_like_jwt
from .keys import PrivateKey
from .parsing import MAX_DOCUMENT_BYTES, check_json_value, parse_json
from .ports import AUTHENTICATION, KeyResolver, resolve_for

__all__ = [
    "DecodedPresentationJwt",
    "decode_presentation_jwt",
    "sign_presentation_jwt",
    "verify_presentation_jwt",
]

_HEADER_PARAMETERS = frozenset({"alg", "kid", "typ"})


@dataclass(frozen=True)
class DecodedPresentationJwt:
    header: dict[str, Any]
    payload: dict[str, Any]
    presentation: dict[str, Any]  # the ``vp`` claim, with ``holder`` filled in from ``iss``


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64_json(segment: str, what: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except ValueError:
        raise ParsingError(f"presentation JWT {what} is not base64url") from None
    return parse_json(raw)


def sign_presentation_jwt(
    presentation: Mapping[str, Any],
    key: PrivateKey,
    kid: str,
    holder: str,
    *,
    challenge: str | None = None,
    domain: str | None = None,
    issued_at: datetime | None = None,
) -> str:
    """The holder's compact JWS over a presentation (``vp`` claim), for `challenge` and `domain`.

    Raises `ParsingError` when the presentation is not a JSON object that JSON carries faithfully
    (`vc.parsing.check_json_value`), or the holder, key id, challenge or domain is not a string.
    """
    if not isinstance(presentation, Mapping):
        raise ParsingError("a presentation is a JSON object")
    required = {"kid": kid, "holder": holder}
    for name, value in {**required, "challenge": challenge, "domain": domain}.items():
        if not isinstance(value, str) and (name in required or value is not None):
            raise ParsingError(f"the presentation JWT's {name} must be a string")
        check_json_value(value, f"the {name}")
    check_json_value(presentation, "the presentation")
    payload: dict[str, Any] = {"iss": holder, "vp": dict(presentation)}
    if challenge is not None:
        payload["nonce"] = challenge
    if domain is not None:
        payload["aud"] = domain
    if issued_at is not None:
        payload["iat"] = payload["nbf"] = int(issued_at.timestamp())
    header = {"alg": key.jws_algorithm, "kid": kid, "typ": "JWT"}
    signing_input = f"{_b64url(orjson.dumps(header))}.{_b64url(orjson.dumps(payload))}"
    return f"{signing_input}.{_b64url(key.sign(signing_input.encode('ascii')))}"


def decode_presentation_jwt(token: str) -> DecodedPresentationJwt:
    """Split and parse the token (bounded) without checking its signature."""
    token = token.strip()
    if len(token) > MAX_DOCUMENT_BYTES * 2 or not looks_like_jwt(token):
        raise ParsingError("a presentation JWT is a compact JWS: three base64url parts")
    header_part, payload_part, _ = token.split(".")
    header = _b64_json(header_part, "header")
    payload = _b64_json(payload_part, "payload")
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ParsingError("presentation JWT header and payload must be JSON objects")
    extra = set(header) - _HEADER_PARAMETERS
    if extra:
        raise ParsingError(f"presentation JWT header parameters not allowed: {', '.join(sorted(extra))}")
    if not isinstance(header.get("kid"), str):
        raise ParsingError("a presentation JWT names its key with a kid")
    if header.get("typ", "JWT") != "JWT":
        raise ParsingError("presentation JWT typ must be 'JWT'")
    vp, holder = payload.get("vp"), payload.get("iss")
    if not isinstance(vp, dict) or not isinstance(holder, str):
        raise ParsingError("a presentation JWT carries the presentation in vp and the holder in iss")
    if (
        "holder" in vp
        and vp["holder"] != holder
        and not (isinstance(vp["holder"], Mapping) and vp["holder"].get("id") == holder)
    ):
        raise ParsingError("the presentation's holder is not the JWT's iss")
    return DecodedPresentationJwt(header, payload, {**vp, "holder": vp.get("holder", holder)})


def verify_presentation_jwt(
    token: str,
    resolver: KeyResolver,
    now: datetime,
    *,
    challenge: str | None = None,
    domain: str | None = None,
) -> tuple[DecodedPresentationJwt, VerificationMethod]:
    """The holder's signature, audience, nonce and time; raises `VcError` when any does not hold."""
    decoded = decode_presentation_jwt(token)
    payload = decoded.payload
    # As for a VC-JWT (`vc.jwt.verify_jwt`): the algorithm is the signature's business, so a token with
    # ``alg: none`` is a readable presentation whose holder is not proven.
    alg = decoded.header.get("alg")
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        raise UnsupportedError(f"JWS algorithm {str(alg)[:20]!r} is not allowed")
    if challenge is not None and payload.get("nonce") != challenge:
        raise SignatureError("the presentation was not made for this challenge")
    if domain is not None:
        audience = payload.get("aud")
        if domain not in (audience if isinstance(audience, list) else [audience]):
            raise SignatureError("the presentation was not made for this domain")
    moment = int(now.timestamp())
    not_before, expires = payload.get("nbf"), payload.get("exp")
    if isinstance(not_before, int) and not isinstance(not_before, bool) and moment < not_before:
        raise SignatureError("the presentation is not valid yet")
    if isinstance(expires, int) and not isinstance(expires, bool) and moment >= expires:
        raise SignatureError("the presentation has expired")
    method = resolve_for(resolver, decoded.header["kid"], AUTHENTICATION)
    if method.controller != payload["iss"]:
        raise SignatureError(f"the presentation is signed by {method.controller}, not by its holder")
    if method.public_key.jws_algorithm != decoded.header["alg"]:
        raise InvalidKeyError(f"JWT alg {decoded.header['alg']} does not match the key")
    signing_input, _, encoded = token.strip().rpartition(".")
    try:
        signature = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        method.public_key.verify(signature, signing_input.encode("ascii"))
    except (ValueError, SignatureError):
        raise SignatureError("the presentation JWT's signature does not verify") from None
    return decoded, method
