"""xsd:dateTimeStamp as the credential core reads it (`vc.fields.parse_datetime`): exactly XML Schema 1.1's
lexical space, with a timezone. Decisions where the specifications leave room (README "Conformance"):
``T24:00:00`` is the first instant of the next day, as XSD 1.1 §3.3.7 says; a year outside 0001-9999
(``10000-01-01T00:00:00Z`` is a valid xsd:dateTime) cannot be represented, and the message says exactly
that rather than "not a date-time"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from server.demo import demo_credential
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.errors import SignatureError
from vc.fields import datetime_problem, parse_datetime
from vc.keys import PrivateKey
from vc.ports import DidKeyResolver
from vc.report import CheckId, Outcome
from vc.verify import Ports, verify_credential


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2026-06-30T09:00:00Z", datetime(2026, 6, 30, 9, tzinfo=UTC)),
        ("2026-01-01T24:00:00Z", datetime(2026, 1, 2, tzinfo=UTC)),
        ("2026-12-31T24:00:00.000-05:00", datetime(2027, 1, 1, tzinfo=timezone(-timedelta(hours=5)))),
        ("2026-06-30T23:59:59.123456789Z", datetime(2026, 6, 30, 23, 59, 59, 123456, tzinfo=UTC)),
        ("2024-02-29T00:00:00+14:00", datetime(2024, 2, 29, tzinfo=timezone(timedelta(hours=14)))),
        ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
    ],
)
def test_xsd_date_time_stamps_are_read(value: str, moment: datetime) -> None:
    assert parse_datetime(value) == moment
    assert datetime_problem(value) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("10000-01-01T00:00:00Z", "valid xsd:dateTime, but year 10000 is outside 0001-9999"),
        ("0000-01-01T00:00:00Z", "year 0 is outside"),
        ("-0044-03-15T12:00:00Z", "year -44 is outside"),
        ("9999-12-31T24:00:00Z", "after 9999"),
        ("2026-02-29T00:00:00Z", "not a date that exists"),
        ("2026-01-01T00:00:00", "not an xsd:dateTime with a timezone"),
        ("2026-01-01 00:00:00Z", "not an xsd:dateTime"),  # ISO 8601 allows it, XSD does not
        ("20260101T000000Z", "not an xsd:dateTime"),
        ("2026-W01-1T00:00:00Z", "not an xsd:dateTime"),
        ("2026-01-01T00:00Z", "not an xsd:dateTime"),
        ("2026-01-01T00:00:60Z", "not an xsd:dateTime"),
        ("2026-01-01T24:00:01Z", "not an xsd:dateTime"),
        ("2026-01-01T00:00:00+14:30", "not an xsd:dateTime"),
        (20260101, "not an xsd:dateTime"),
    ],
)
def test_what_is_not_a_usable_date_time_stamp_says_why(value: object, problem: str) -> None:
    assert parse_datetime(value) is None
    assert problem in str(datetime_problem(value))


KEY = PrivateKey.from_ed25519_secret(bytes(range(3, 35)))
DID = did_key_for(KEY.public_key)
METHOD = did_key_verification_method_id(KEY.public_key)


def test_credential_dates_must_be_what_the_open_badges_schema_calls_a_date_time() -> None:
    """The 1EdTech JSON Schema gives validFrom ``format: date-time`` (RFC 3339), which has no hour 24: such
    a credential is genuine (the proof passes) but not a conformant OB 3.0 credential. The canonical form
    signs the literal as written."""
    valid_from = "2026-11-23T24:00:00Z"
    credential = {**demo_credential(DID), "validFrom": valid_from}
    credential.pop("validUntil", None)
    signed = data_integrity.sign(credential, KEY, METHOD, datetime(2026, 11, 1, tzinfo=UTC))
    report = verify_credential(signed, Ports(resolver=DidKeyResolver()), datetime(2026, 11, 25, tzinfo=UTC))
    assert report.check(CheckId.PROOF).outcome is Outcome.PASSED  # type: ignore[union-attr]
    schema = report.check(CheckId.SCHEMA)
    assert schema.outcome is Outcome.FAILED  # type: ignore[union-attr]
    assert f"{valid_from!r} is not a 'date-time'" in schema.message  # type: ignore[union-attr]
    assert not report.verified


def test_a_credential_dated_year_10000_is_not_well_formed_here() -> None:
    credential = {**demo_credential(DID), "validFrom": "10000-01-01T00:00:00Z"}
    credential.pop("validUntil", None)
    signed = data_integrity.sign(credential, KEY, METHOD, datetime(2026, 11, 1, tzinfo=UTC))
    report = verify_credential(signed, Ports(resolver=DidKeyResolver()), datetime(2026, 11, 25, tzinfo=UTC))
    assert report.check(CheckId.WELL_FORMED).outcome is Outcome.FAILED  # type: ignore[union-attr]
    assert not report.verified


def test_a_proof_created_at_t24_is_the_next_day() -> None:
    """A proof's ``created`` is an xsd:dateTime (VC Data Integrity §2.1) with no RFC 3339 schema over it."""
    signed = data_integrity.sign(demo_credential(DID), KEY, METHOD, datetime(2026, 11, 1, tzinfo=UTC))
    proof = {**signed["proof"], "created": "2026-10-31T24:00:00Z"}
    with pytest.raises(SignatureError, match="does not match"):  # parsed, then the signature is checked
        data_integrity.verify_proof({**signed, "proof": proof}, proof, DidKeyResolver())
    proof["created"] = "2026-10-31T25:00:00Z"
    with pytest.raises(SignatureError, match="not an XML Schema dateTimeStamp"):
        data_integrity.verify_proof({**signed, "proof": proof}, proof, DidKeyResolver())
