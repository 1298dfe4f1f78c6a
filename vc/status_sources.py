"""Composing status sources: each ``credentialStatus`` entry goes to the source for its ``type``.

VC DM 2.0 §4.10 leaves the status mechanism to the entry's ``type``. OB 3.0 verifiers meet two:
``BitstringStatusListEntry`` (`vc.status_list`) and ``1EdTechRevocationList`` (`vc.revocation_list`).
An entry of any other type, or with no type, raises, so the status check fails closed, as it does
when no status source is wired at all (offline).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from . import revocation_list, status_list
from .status_list import BitstringStatusSource, ListFetcher, StatusError
from .verify import Ports, StatusResult, StatusSource

__all__ = ["CompositeStatusSource", "standard_status_source"]


class CompositeStatusSource:
    """A `StatusSource` that hands each entry to the source registered for the entry's ``type``."""

    def __init__(self, sources: Mapping[str, StatusSource]) -> None:
        self._sources = dict(sources)

    def check(self, entry: Mapping[str, Any], credential: Mapping[str, Any], now: datetime) -> StatusResult:
        entry_type = entry.get("type")
        source = self._sources.get(entry_type) if isinstance(entry_type, str) else None
        if source is None:
            supported = ", ".join(sorted(self._sources))
            raise StatusError(
                f"status type {str(entry_type)[:64]!r} is not supported (supported: {supported})"
            )
        return source.check(entry, credential, now)


def standard_status_source(fetch: ListFetcher, ports: Ports) -> CompositeStatusSource:
    """Both status methods OB 3.0 verifiers meet, fetching through one (bounded) fetcher.

    `ports` gives the key resolver and loader that status list credentials are verified with.
    """
    return CompositeStatusSource(
        {
            status_list.ENTRY_TYPE: BitstringStatusSource(fetch, ports),
            revocation_list.ENTRY_TYPE: revocation_list.RevocationListSource(fetch),
        }
    )
