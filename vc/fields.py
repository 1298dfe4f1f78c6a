"""Reading the few credential fields every module needs, defensively (input is untrusted)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
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


def parse_datetime(value: Any) -> datetime | None:
    """An XML Schema dateTime with a timezone (``Z`` or an offset), else None."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
