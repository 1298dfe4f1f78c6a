"""Only the library's own errors escape its entry points (issue 10, cause f).

`vc.jwt.sign_jwt` raised bare `TypeError`/`KeyError` on some inputs (an integer beyond 64 bits, a lone
surrogate, no ``validFrom``). Each public entry point gets arbitrary JSON-ish input here: a signer raises a
`VcError` or returns a token; a verifier returns a report (`verify_credential`, `verify_presentation`) and
never reaches its last-resort handler for unexpected errors, which logs the error as a bug.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import load_vector
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.errors import ParsingError, SchemaError, VcError
from vc.jwt import sign_jwt
from vc.keys import PrivateKey
from vc.ports import DidKeyResolver
from vc.presentation import sign_presentation, verify_presentation
from vc.presentation_jwt import sign_presentation_jwt
from vc.report import Outcome
from vc.verify import Ports, verify_credential

KEY = PrivateKey.from_ed25519_secret(bytes(range(11, 43)))
DID = did_key_for(KEY.public_key)
METHOD = did_key_verification_method_id(KEY.public_key)
NOW = datetime(2026, 11, 23, tzinfo=UTC)
PORTS = Ports(resolver=DidKeyResolver())


def _credential() -> dict[str, Any]:
    credential: dict[str, Any] = copy.deepcopy(
        load_vector("1edtech/ob-v3p0-eddsa-rdfc-2022.json")["unsigned"]
    )
    credential["issuer"]["id"] = DID
    return credential


CREDENTIAL = _credential()

# Anything a caller or a parser could hand over: JSON values, and the Python values JSON has no form for
# (integers beyond 64 bits, non-finite floats, lone surrogates, tuples, bytes, non-string keys).
_text = st.text(st.characters(exclude_categories=()), max_size=12)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**53 - 2, max_value=2**80)
    | st.floats()
    | _text
    | st.sampled_from(["2026-01-01T00:00:00Z", "did:example:x", "_:b0", "evidence/1", "\ud800"])
    | st.binary(max_size=4)
)
json_ish = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.tuples(children)
        | st.dictionaries(_text, children, max_size=3)
        | st.dictionaries(st.integers(), children, max_size=1)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            paths += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            paths += _paths(value, (*prefix, index))
    return paths


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> Any:
    """`document` with a value replaced, a member added, or a member deleted, anywhere in it."""
    copied = copy.deepcopy(document)
    path = draw(st.sampled_from(_paths(copied)))
    parent = copied
    for step in path[:-1]:
        parent = parent[step]
    action = draw(st.sampled_from(["replace", "add", "delete"]))
    if action == "delete" and isinstance(parent, dict):
        del parent[path[-1]]
    elif action == "add" and isinstance(parent, dict):
        parent[draw(_text)] = draw(json_ish)
    else:
        parent[path[-1]] = draw(json_ish)
    return copied


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _token(header: Any, payload: Any) -> str:
    """A compact JWS with a real signature over whatever header and payload JSON we are given."""

    def encoded(value: Any) -> str:  # the standard library writes big integers and escapes lone surrogates
        return _b64(json.dumps(value, default=repr).encode("ascii"))

    signing_input = encoded(header) + "." + encoded(payload)
    return signing_input + "." + _b64(KEY.sign(signing_input.encode("ascii")))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def no_unexpected_errors() -> Iterator[None]:
    """Fails when a verifier logs an error as unexpected: each one is a bug that bad input reached."""
    collect = _Collect()
    logger = logging.getLogger("vc")
    logger.addHandler(collect)
    try:
        yield
    finally:
        logger.removeHandler(collect)
    if collect.records:
        record = collect.records[0]
        detail = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        pytest.fail(f"{record.getMessage()}\n{detail}")


# --- sign_jwt ---------------------------------------------------------------------------------------


def test_sign_jwt_signs_the_unmodified_credential() -> None:
    assert verify_credential(sign_jwt(CREDENTIAL, KEY, kid=METHOD), PORTS, NOW).verified


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"achievementCount": 2**64}, ParsingError),  # orjson: "Integer exceeds 64-bit range" (TypeError)
        ({"achievementCount": 2**53}, ParsingError),  # beyond I-JSON's exact integers (RFC 7493 §2.2)
        ({"name": "\ud800"}, ParsingError),  # orjson: "surrogates not allowed" (TypeError)
        ({"name": float("nan")}, ParsingError),  # orjson writes null: the signed value would differ
        ({"validFrom": None}, SchemaError),  # was KeyError when absent, ValueError when not a date
        ({"issuer": {"name": "no id"}}, SchemaError),  # was signed with "iss": null
        ({"proof": "x"}, SchemaError),  # was ValueError
    ],
)
def test_sign_jwt_bad_input_raises_the_library_error(change: dict[str, Any], error: type[VcError]) -> None:
    credential = {**CREDENTIAL, **change}
    if change.get("validFrom", "") is None:
        del credential["validFrom"]
    with pytest.raises(error):
        sign_jwt(credential, KEY, kid=METHOD)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(credential=mutated(CREDENTIAL) | json_ish)
def test_sign_jwt_raises_only_library_errors(credential: Any) -> None:
    try:
        token = sign_jwt(credential, KEY, kid=METHOD)
    except VcError:
        return
    assert isinstance(token, str)


def test_sign_jwt_refuses_a_kid_that_is_not_utf8() -> None:
    with pytest.raises(ParsingError):
        sign_jwt(CREDENTIAL, KEY, kid="did:key:\ud800")


@settings(max_examples=100, deadline=None)
@given(kid=json_ish)
def test_sign_jwt_refuses_a_kid_that_is_not_utf8_text(kid: Any) -> None:
    def utf8_text(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True

    try:
        sign_jwt(CREDENTIAL, KEY, kid=kid)
    except VcError:
        assert not utf8_text(kid)
    else:
        assert kid is None or utf8_text(kid)


# --- verify_credential: a JWT string, a JSON document -----------------------------------------------

SIGNED = data_integrity.sign(CREDENTIAL, KEY, METHOD, NOW)
# JOSE headers with any value in each member the verifiers read.
headers = st.fixed_dictionaries(
    {"alg": json_ish | st.just("EdDSA"), "kid": json_ish | st.just(METHOD)},
    optional={"typ": json_ish, "jwk": json_ish},
)
PAYLOAD = orjson.loads(base64.urlsafe_b64decode(sign_jwt(CREDENTIAL, KEY, kid=METHOD).split(".")[1] + "=="))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=mutated(SIGNED) | json_ish)
def test_verifying_any_document_gives_a_report(document: Any) -> None:
    with no_unexpected_errors():
        report = verify_credential(document if isinstance(document, dict) else {"x": document}, PORTS, NOW)
    assert isinstance(orjson.dumps(report.to_json(), default=str), bytes)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.sampled_from([{"alg": "EdDSA", "kid": METHOD, "typ": "JWT"}, {"alg": "none"}])
    | headers
    | json_ish,
    payload=mutated(PAYLOAD) | mutated({"vc": CREDENTIAL, "iss": DID}) | json_ish,
)
def test_verifying_any_signed_token_gives_a_report(header: Any, payload: Any) -> None:
    with no_unexpected_errors():
        report = verify_credential(_token(header, payload), PORTS, NOW)
    assert isinstance(report.to_json()["verified"], bool)


@settings(max_examples=100, deadline=None)
@given(token=_text | st.text("ab.-_=", max_size=40))
def test_verifying_any_string_gives_a_report(token: str) -> None:
    with no_unexpected_errors():
        assert not verify_credential(token, PORTS, NOW).verified


# --- presentations ----------------------------------------------------------------------------------

PRESENTATION = sign_presentation(
    {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": DID,
        "verifiableCredential": [SIGNED],
    },
    KEY,
    METHOD,
    NOW,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(presentation=mutated(PRESENTATION) | json_ish)
def test_verifying_any_presentation_gives_a_report(presentation: Any) -> None:
    with no_unexpected_errors():
        report = verify_presentation(presentation, PORTS, NOW)
    assert isinstance(orjson.dumps(report.to_json(), default=str), bytes)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.just({"alg": "EdDSA", "kid": METHOD, "typ": "JWT"}) | headers | json_ish, vp=json_ish)
def test_verifying_any_presentation_jwt_gives_a_report(header: Any, vp: Any) -> None:
    with no_unexpected_errors():
        report = verify_presentation(_token(header, {"iss": DID, "vp": vp}), PORTS, NOW)
    assert not report.verified


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(presentation=mutated(PRESENTATION) | json_ish, holder=json_ish, challenge=json_ish)
def test_sign_presentation_jwt_raises_only_library_errors(
    presentation: Any, holder: Any, challenge: Any
) -> None:
    try:
        token = sign_presentation_jwt(presentation, KEY, METHOD, holder, challenge=challenge)
    except VcError:
        return
    assert isinstance(token, str)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(presentation=mutated(PRESENTATION) | json_ish, challenge=json_ish)
def test_sign_presentation_raises_only_library_errors(presentation: Any, challenge: Any) -> None:
    try:
        signed = sign_presentation(presentation, KEY, METHOD, NOW, challenge=challenge)
    except VcError:
        return
    assert isinstance(signed["proof"]["proofValue"], str)


class BrokenResolver:
    def resolve(self, verification_method_id: str, purpose: str = "assertionMethod") -> Any:
        raise RuntimeError("the key store is down")


def test_a_presentation_port_that_raises_gives_a_failed_report_not_an_exception(
    caplog: pytest.LogCaptureFixture,
) -> None:
    report = verify_presentation(PRESENTATION, Ports(resolver=BrokenResolver()), NOW)
    assert not report.verified
    assert report.checks[-1].outcome is Outcome.FAILED
    assert "could not be checked (RuntimeError)" in report.checks[-1].message
    assert "failed unexpectedly" in caplog.text  # logged as the bug it is
