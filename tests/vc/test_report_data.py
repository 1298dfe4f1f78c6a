"""The report carries the outcome as data (issue 10, deliverable 2): ``status`` (valid, revoked, suspended,
... with the date when the source gives one), ``validity`` (current, expired, not yet valid, with the
dates) and ``proof``, so that pages and the passport never read English messages. Before, a reader had to
look for "has been revoked" or "expired" in a check's message (passport/verifying.py,
verification/report_view.py). The data agrees with what those readers conclude from the messages today.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import VECTORS, load_vector
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.errors import KeyResolutionError
from vc.keys import PrivateKey
from vc.ports import DidKeyResolver, StatusResult
from vc.report import (
    CheckId,
    Outcome,
    ProofState,
    StatusState,
    ValidityState,
    VerificationReport,
)
from vc.status_list import (
    REVOKED,
    SUSPENDED,
    SUSPENSION_STATUS_MESSAGES,
    SUSPENSION_STATUS_SIZE,
    BitstringStatusSource,
    StatusList,
    status_entry,
    status_list_credential,
)
from vc.verify import Ports, verify_credential

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
KEY = PrivateKey.from_ed25519_secret(bytes(range(51, 83)))
DID = did_key_for(KEY.public_key)
METHOD = did_key_verification_method_id(KEY.public_key)
LIST_URL = "https://status.example/lists/9"
FIXTURES = VECTORS / "1edtech-validator"
INDEX = 77
ENTRY = status_entry(LIST_URL, INDEX)


def credential(**changes: Any) -> dict[str, Any]:
    unsigned: dict[str, Any] = copy.deepcopy(load_vector("1edtech/ob-v3p0-eddsa-rdfc-2022.json")["unsigned"])
    unsigned["issuer"]["id"] = DID
    unsigned.update(changes)
    return data_integrity.sign(unsigned, KEY, METHOD, NOW - timedelta(days=1))


def status_ports(value: int, *, message_entry: bool) -> tuple[dict[str, Any], Ports]:
    size = SUSPENSION_STATUS_SIZE if message_entry else 1
    bits = StatusList(status_size=size)
    bits.set_value(INDEX, value)
    purpose = "message" if message_entry else "revocation"
    signed_list = data_integrity.sign(
        status_list_credential(LIST_URL, DID, bits, purpose, "2026-01-01T00:00:00Z"),
        KEY,
        METHOD,
        NOW - timedelta(days=1),
    )
    entry = (
        status_entry(LIST_URL, INDEX, "message", status_size=size, status_messages=SUSPENSION_STATUS_MESSAGES)
        if message_entry
        else status_entry(LIST_URL, INDEX)
    )
    ports = Ports(resolver=DidKeyResolver())
    source = BitstringStatusSource(lambda url: signed_list, ports)
    return credential(credentialStatus=entry), Ports(resolver=ports.resolver, status=source)


@pytest.mark.parametrize(
    ("value", "message_entry", "state", "purpose"),
    [
        (0, False, StatusState.VALID, "revocation"),
        (1, False, StatusState.REVOKED, "revocation"),
        (0, True, StatusState.VALID, "message"),
        (SUSPENDED, True, StatusState.SUSPENDED, "suspension"),
        (REVOKED, True, StatusState.REVOKED, "revocation"),
    ],
)
def test_status_is_data(value: int, message_entry: bool, state: StatusState, purpose: str) -> None:
    document, ports = status_ports(value, message_entry=message_entry)
    report = verify_credential(document, ports, NOW)
    assert report.status.state is state
    assert report.status.purpose == purpose
    assert report.to_json()["status"] == {"state": state.value, "purpose": purpose, "date": None}


class DatedSource:
    """A status source that knows when the credential was revoked (a bitstring does not say)."""

    def check(self, entry: Mapping[str, Any], credential: Mapping[str, Any], now: datetime) -> StatusResult:
        return StatusResult(
            "revocation", True, "The credential has been revoked.", since=datetime(2026, 5, 4, tzinfo=UTC)
        )


class UnreachableSource:
    def check(self, entry: Mapping[str, Any], credential: Mapping[str, Any], now: datetime) -> StatusResult:
        raise KeyResolutionError("cannot fetch the list")


class OtherPurposeSource:
    def check(self, entry: Mapping[str, Any], credential: Mapping[str, Any], now: datetime) -> StatusResult:
        return StatusResult("refresh", True, "The credential has been flagged (refresh).")


@pytest.mark.parametrize(
    ("source", "status", "expected"),
    [
        (
            DatedSource(),
            ENTRY,
            {"state": "revoked", "purpose": "revocation", "date": "2026-05-04T00:00:00Z"},
        ),
        (UnreachableSource(), ENTRY, {"state": "unknown", "purpose": None, "date": None}),
        (OtherPurposeSource(), ENTRY, {"state": "flagged", "purpose": "refresh", "date": None}),
        (None, ENTRY, {"state": "unknown", "purpose": None, "date": None}),
        (None, None, {"state": "none", "purpose": None, "date": None}),
    ],
    ids=["dated", "unreachable", "other purpose", "no source", "no status entry"],
)
def test_status_states_and_dates(source: Any, status: Any, expected: dict[str, Any]) -> None:
    document = credential(**({"credentialStatus": status} if status is not None else {}))
    report = verify_credential(document, Ports(resolver=DidKeyResolver(), status=source), NOW)
    assert report.to_json()["status"] == expected


@pytest.mark.parametrize(
    ("dates", "state", "date"),
    [
        ({"validFrom": "2010-01-01T00:00:00Z"}, ValidityState.CURRENT, None),
        (
            {"validFrom": "2010-01-01T00:00:00Z", "validUntil": "2020-01-01T00:00:00Z"},
            ValidityState.EXPIRED,
            "2020-01-01T00:00:00Z",
        ),
        ({"validFrom": "2040-01-01T00:00:00+01:00"}, ValidityState.NOT_YET_VALID, "2039-12-31T23:00:00Z"),
    ],
)
def test_validity_is_data(dates: dict[str, str], state: ValidityState, date: str | None) -> None:
    report = verify_credential(credential(**dates), Ports(resolver=DidKeyResolver()), NOW)
    assert report.validity.state is state
    assert report.validity.date == date
    data = report.to_json()["validity"]
    assert data["state"] == state.value
    assert data["validFrom"] == report.validity.valid_from
    assert data["validUntil"] == (dates.get("validUntil"))


def test_nothing_after_a_failed_proof_is_reported_as_data_either() -> None:
    forged = {**credential(validUntil="2020-01-01T00:00:00Z"), "name": "Forged"}
    report = verify_credential(forged, Ports(resolver=DidKeyResolver()), NOW)
    assert report.proof.state is ProofState.INVALID
    assert report.validity.state is ValidityState.NOT_CHECKED  # not "expired": nothing it says counts
    assert report.status.state is StatusState.NOT_CHECKED


# --- the data agrees with what the message readers conclude today ------------------------------------


def _from_messages(report: VerificationReport) -> tuple[str | None, str | None]:
    """What passport/verifying.py and verification/report_view.py read from the English today."""
    status, validity = report.check(CheckId.STATUS), report.check(CheckId.VALIDITY_PERIOD)
    by_status = None
    if status is not None and status.outcome is Outcome.FAILED:
        words = {"has been suspended": "suspended", "has been revoked": "revoked"}
        by_status = next((state for text, state in words.items() if text in status.message), "unknown")
    by_validity = None
    if validity is not None and validity.outcome is Outcome.FAILED:
        by_validity = "expired" if "expired" in validity.message else "not_yet_valid"
    return by_status, by_validity


def _fixture_reports() -> list[VerificationReport]:
    from tests.vc.test_verify import FIXTURE_PORTS  # the 1EdTech validator fixtures' keys

    documents = [load_vector(f"1edtech-validator/{path.name}") for path in sorted(FIXTURES.glob("*.json"))]
    return [
        verify_credential(document, FIXTURE_PORTS, NOW)
        for document in documents
        if isinstance(document, dict)
    ]


def test_the_data_agrees_with_the_messages() -> None:
    cases = [(0, False), (1, False), (SUSPENDED, True), (REVOKED, True)]
    reports = [verify_credential(*status_ports(value, message_entry=entry), NOW) for value, entry in cases]
    reports += _fixture_reports()
    seen = set()
    for report in reports:
        by_status, by_validity = _from_messages(report)
        if by_status is not None:
            assert report.status.state.value == by_status
        if by_validity is not None:
            assert report.validity.state.value == by_validity
        seen.add((by_status, by_validity))
    assert {("revoked", None), ("suspended", None), (None, "expired"), (None, "not_yet_valid")} <= seen
