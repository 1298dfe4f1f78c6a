"""Bad input never crashes the verifier and never passes: every mutation gives a report."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.demo import demo_credential
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.jwt import sign_jwt
from vc.keys import PrivateKey
from vc.ports import DidKeyResolver
from vc.verify import Ports, verify_credential

KEY = PrivateKey.from_ed25519_secret(bytes(range(7, 39)))
METHOD = did_key_verification_method_id(KEY.public_key)
NOW = datetime(2026, 11, 23, tzinfo=UTC)
PORTS = Ports(resolver=DidKeyResolver())
SIGNED = data_integrity.sign(demo_credential(did_key_for(KEY.public_key)), KEY, METHOD, NOW)
TOKEN = sign_jwt(demo_credential(did_key_for(KEY.public_key)), KEY, kid=METHOD)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
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


PATHS = _paths(SIGNED)


def _set(document: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = value


def test_the_unmodified_credential_verifies() -> None:
    assert verify_credential(SIGNED, PORTS, NOW).verified
    assert verify_credential(TOKEN, PORTS, NOW).verified


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=json_values)
def test_any_value_anywhere_gives_a_report_not_a_crash(path: tuple[Any, ...], value: Any) -> None:
    document = copy.deepcopy(SIGNED)
    _set(document, path, value)
    report = verify_credential(document, PORTS, NOW)
    assert isinstance(report.to_json()["verified"], bool)


@settings(max_examples=100, deadline=None)
@given(
    path=st.sampled_from([p for p in PATHS if isinstance(p[-1], str) or len(p) > 1]),
    text=st.text(max_size=20),
)
def test_any_changed_string_fails(path: tuple[Any, ...], text: str) -> None:
    document = copy.deepcopy(SIGNED)
    original: Any = document
    for step in path:
        original = original[step]
    if not isinstance(original, str) or original == text:
        return
    _set(document, path, text)
    assert not verify_credential(document, PORTS, NOW).verified


@settings(max_examples=100, deadline=None)
@given(position=st.integers(min_value=0, max_value=len(TOKEN) - 1), char=st.sampled_from("AaZz09-_."))
def test_any_changed_jwt_character_fails_or_is_unreadable(position: int, char: str) -> None:
    if TOKEN[position] == char:
        return
    token = TOKEN[:position] + char + TOKEN[position + 1 :]
    # Changing the last base64url character may only flip unused padding bits: the bytes are equal.
    report = verify_credential(token, PORTS, NOW)
    if report.verified:

        def raw(t: str) -> list[bytes]:
            return [base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)) for p in t.split(".")]

        assert raw(token) == raw(TOKEN)
