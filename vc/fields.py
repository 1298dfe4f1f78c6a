"""Reading the few credential fields every module needs, defensively (input is untrusted)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any


def issuer_id(credential: Mapping[str, Any]) -> str | None:
    """``issuer`` is a URI or a Profile object with an ``id``."""
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    return value if isinstance(value, str) else None


def types_of(document: Mapping[str, Any]) -> list[str]:
    """``type`` is a string or a list of strings; anything else counts as no type."""
    value = document.get("type")
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


# XML Schema 1.1 Part 2 §3.4.28 dateTimeStamp (a dateTime with its timezone), lexical space as in §3.3.7.
_DATE_TIME_STAMP = re.compile(
    r"(?P<year>-?(?:[1-9][0-9]{3,}|0[0-9]{3}))-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"T(?:(?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9]):(?P<second>[0-5][0-9])(?:\.(?P<fraction>[0-9]+))?"
    r"|(?P<midnight>24:00:00(?:\.0+)?))"
    r"(?P<zone>Z|(?P<sign>[+-])(?P<zone_hour>0[0-9]|1[0-3]|14):(?P<zone_minute>[0-5][0-9]))",
    re.ASCII,
)


def parse_datetime(value: Any) -> datetime | None:
    """An xsd:dateTimeStamp as an aware datetime, or None (`datetime_problem` says why).

    Exactly the XML Schema 1.1 lexical space, not ISO 8601's wider one (no week dates, no space for
    ``T``). ``24:00:00`` is the first instant of the next day (XSD 1.1 §3.3.7). Fractions beyond
    microseconds are cut, as datetime holds no more. A year outside 0001-9999 is a valid xsd:dateTime
    (``10000-01-01T00:00:00Z``) that no Python datetime can hold: None, and the message says so.
    """
    moment, _ = _parse_date_time_stamp(value)
    return moment


def datetime_problem(value: Any) -> str | None:
    """Why ``value`` is not a usable xsd:dateTimeStamp (a sentence for a report), or None."""
    return _parse_date_time_stamp(value)[1]


def _parse_date_time_stamp(value: Any) -> tuple[datetime | None, str | None]:
    if not isinstance(value, str) or len(value) > 64:
        return None, "is not an xsd:dateTime with a timezone"
    match = _DATE_TIME_STAMP.fullmatch(value)
    if match is None:
        return None, "is not an xsd:dateTime with a timezone"
    year = int(match["year"])
    if not 1 <= year <= 9999:
        return (
            None,
            f"is a valid xsd:dateTime, but year {year} is outside 0001-9999, the years this service handles",
        )
    zone = UTC
    if match["sign"]:
        offset = timedelta(hours=int(match["zone_hour"]), minutes=int(match["zone_minute"]))
        if offset > timedelta(hours=14):
            return None, "is not an xsd:dateTime with a timezone"
        zone = timezone(-offset if match["sign"] == "-" else offset)
    try:
        if match["midnight"]:
            return datetime(year, int(match["month"]), int(match["day"]), tzinfo=zone) + timedelta(
                days=1
            ), None
        fraction = (match["fraction"] or "").ljust(6, "0")[:6]
        moment = datetime(
            year,
            int(match["month"]),
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"]),
            int(fraction),
            tzinfo=zone,
        )
    except ValueError:  # a day the month does not have, or 9999-12-31T24:00:00
        return None, "is not a date that exists"
    except OverflowError:
        return None, "is a valid xsd:dateTime, but after 9999, the last year this service handles"
    return moment, None
