"""Bitstring Status List: multi-bit entries (§3.3 layout) and ``message`` entries with ``statusSize`` 2.

The verifier reports revoked / suspended from the credential's own ``statusMessage``, and fails closed on
any entry, list or message it does not understand.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import load_vector
from vc import data_integrity as di
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.errors import ParsingError
from vc.keys import PrivateKey
from vc.ports import DidKeyResolver
from vc.report import CheckId, Outcome
from vc.status_list import (
    MIN_LENGTH,
    REVOKED,
    SUSPENDED,
    SUSPENSION_STATUS_MESSAGES,
    SUSPENSION_STATUS_SIZE,
    VALID,
    BitstringStatusSource,
    StatusList,
    status_entry,
    status_list_credential,
)
from vc.verify import Ports, verify_credential

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
KEY = PrivateKey.from_ed25519_secret(bytes(range(5, 37)))
DID = did_key_for(KEY.public_key)
METHOD = did_key_verification_method_id(KEY.public_key)
LIST_URL = "https://status.example/lists/7"
INDEX = 1234


# --- the bitstring ------------------------------------------------------------------------------------------


def test_two_bit_entries_are_laid_out_most_significant_bit_first() -> None:
    bits = StatusList(8, status_size=2)  # 16 bits
    bits.set_value(0, 0b10)
    bits.set_value(1, 0b01)
    bits.set_value(7, 0b11)
    assert bits.to_bytes() == bytes([0b1001_0000, 0b0000_0011])
    assert [bits.value(index) for index in range(8)] == [2, 1, 0, 0, 0, 0, 0, 3]
    assert [bits[0], bits[1], bits[2]] == [True, True, False]


def test_two_bit_list_round_trips_through_encoded_list() -> None:
    bits = StatusList(MIN_LENGTH, status_size=2)
    bits.set_value(INDEX, REVOKED)
    decoded = StatusList.decode(bits.encode(), status_size=2)
    assert (decoded.length, decoded.status_size, decoded.value(INDEX)) == (MIN_LENGTH, 2, REVOKED)
    assert len(decoded.to_bytes()) * 8 == 2 * MIN_LENGTH


def test_values_must_fit_the_status_size() -> None:
    bits = StatusList(8, status_size=2)
    with pytest.raises(ValueError, match="does not fit"):
        bits.set_value(0, 4)
    with pytest.raises(ValueError, match="status size"):
        StatusList(8, status_size=9)


def test_decoding_refuses_partial_entries() -> None:
    encoded = StatusList(8, status_size=1).encode()  # 8 bits: not whole 3-bit entries
    with pytest.raises(ParsingError, match="whole entries"):
        StatusList.decode(encoded, status_size=3)


def test_message_entry_carries_size_and_messages() -> None:
    entry = status_entry(
        LIST_URL,
        INDEX,
        "message",
        status_size=SUSPENSION_STATUS_SIZE,
        status_messages=SUSPENSION_STATUS_MESSAGES,
    )
    assert entry["statusSize"] == 2
    assert [m["message"] for m in entry["statusMessage"]] == ["valid", "suspended", "revoked", "undefined"]
    assert "statusSize" not in status_entry(LIST_URL, INDEX)


# --- verifying a credential with a message entry ------------------------------------------------------------


def _credential(entry: Mapping[str, Any]) -> dict[str, Any]:
    credential: dict[str, Any] = copy.deepcopy(
        load_vector("1edtech/ob-v3p0-eddsa-rdfc-2022.json")["unsigned"]
    )
    credential["issuer"] = {**credential["issuer"], "id": DID}
    credential["credentialStatus"] = dict(entry)
    return di.sign(credential, KEY, METHOD, NOW - timedelta(days=1))


def _message_entry(**changes: Any) -> dict[str, Any]:
    entry = status_entry(
        LIST_URL,
        INDEX,
        "message",
        status_size=SUSPENSION_STATUS_SIZE,
        status_messages=SUSPENSION_STATUS_MESSAGES,
    )
    return {**entry, **changes}


def _list(value: int, *, purpose: str = "message", length: int = MIN_LENGTH, size: int = 2) -> dict[str, Any]:
    bits = StatusList(length, status_size=size)
    bits.set_value(INDEX, value)
    unsigned = status_list_credential(LIST_URL, DID, bits, purpose, "2026-01-01T00:00:00Z")
    return di.sign(unsigned, KEY, METHOD, NOW - timedelta(days=1))


def _status(entry: Mapping[str, Any], list_document: Mapping[str, Any]) -> tuple[Outcome, str]:
    ports = Ports(resolver=DidKeyResolver())
    source = BitstringStatusSource(lambda url: list_document if url == LIST_URL else {}, ports)
    report = verify_credential(_credential(entry), Ports(resolver=ports.resolver, status=source), NOW)
    check = report.check(CheckId.STATUS)
    assert check is not None
    assert report.check(CheckId.PROOF).outcome is Outcome.PASSED  # type: ignore[union-attr]
    return check.outcome, check.message


@pytest.mark.parametrize(
    ("value", "outcome", "message"),
    [
        (VALID, Outcome.PASSED, "The credential has not been revoked or suspended."),
        (SUSPENDED, Outcome.FAILED, "The credential has been suspended."),
        (REVOKED, Outcome.FAILED, "The credential has been revoked."),
    ],
)
def test_message_list_reports_valid_suspended_revoked(value: int, outcome: Outcome, message: str) -> None:
    assert _status(_message_entry(), _list(value)) == (outcome, message)


def test_suspended_details_name_the_purpose() -> None:
    ports = Ports(resolver=DidKeyResolver())
    source = BitstringStatusSource(lambda url: _list(SUSPENDED), ports)
    report = verify_credential(
        _credential(_message_entry()), Ports(resolver=ports.resolver, status=source), NOW
    )
    assert report.check(CheckId.STATUS).details == {"purpose": "suspension"}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("entry", "list_document", "reason"),
    [
        # 0x3 is "undefined": a status the issuer never meant to use is not a pass.
        (_message_entry(), _list(3), "not understood"),
        # A message this verifier does not know (the issuer's vocabulary, not ours).
        (
            _message_entry(statusMessage=[{"status": f"0x{v}", "message": f"m{v}"} for v in range(4)]),
            _list(1),
            "not understood",
        ),
        (_message_entry(statusMessage=SUSPENSION_STATUS_MESSAGES[:3]), _list(0), "must list 4 messages"),
        (
            {key: value for key, value in _message_entry().items() if key != "statusMessage"},
            _list(0),
            "must list 4 messages",
        ),
        (
            _message_entry(
                statusMessage=[*SUSPENSION_STATUS_MESSAGES[:3], {"status": "0x2", "message": "x"}]
            ),
            _list(0),
            "listed twice",
        ),
        (
            _message_entry(statusMessage=[*SUSPENSION_STATUS_MESSAGES[:3], {"status": "3", "message": "x"}]),
            _list(0),
            "hexadecimal",
        ),
        (_message_entry(statusSize="2"), _list(0), "statusSize must be an integer"),
        (_message_entry(statusSize=0), _list(0), "statusSize must be an integer"),
        (_message_entry(), _list(0, purpose="revocation"), "not for 'message'"),
        # A one-bit list read two bits at a time would have only 65,536 entries.
        (_message_entry(), _list(0, size=1), "minimum is 131072"),
        (
            {**_message_entry(), "statusPurpose": "revocation"},
            _list(0, purpose="revocation"),
            "only for 'message' entries",
        ),
    ],
)
def test_anything_not_understood_fails_closed(
    entry: dict[str, Any], list_document: dict[str, Any], reason: str
) -> None:
    outcome, message = _status(entry, list_document)
    assert outcome is Outcome.FAILED
    assert reason in message
