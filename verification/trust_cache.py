"""The trust registry as the verify service uses it: accreditations by issuer, kept a short time.

`verification.trust.DatabaseTrustRegistry` reads the register on every verification. The verify service
keeps each issuer's accreditations `ttl` seconds (``PASSPORT_VERIFY_CACHE_SECONDS``), so a verification of
an issuer already seen needs no database (see the in-memory attempts in `verification.service`). The
decision itself is `verification.trust_policy.decide`, the same function both registries use; a
suspension or withdrawal therefore shows within `ttl` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cachetools import TTLCache
from sqlalchemy.orm import Session

from vc.verify import TrustDecision

from . import trust
from .trust_policy import RegistryEntry, decide

__all__ = ["CachedAccreditations"]


class CachedAccreditations:
    """Registry entries by issuer id, read through `verification.trust` and kept `ttl` seconds."""

    def __init__(self, config: trust.TrustConfig, ttl: float = 10.0, maxsize: int = 4096) -> None:
        self.operator_name = config.operator_name
        self._cache: TTLCache[str, tuple[RegistryEntry, ...]] = TTLCache(
            maxsize=maxsize, ttl=ttl, timer=time.monotonic
        )
        self._lock = threading.Lock()

    def entries(self, session: Session, issuer_id: str) -> tuple[RegistryEntry, ...]:
        with self._lock:
            found = self._cache.get(issuer_id)
        if found is None:
            rows = trust.list_accreditations(session, issuer_id=issuer_id)
            found = tuple(trust.entry_of(row) for row in rows)
            with self._lock:
                self._cache[issuer_id] = found
        return found

    def registry_for(self, session: Session) -> CachedTrustRegistry:
        """The ``registry_for(session)`` factory the verify service takes."""
        return CachedTrustRegistry(session, self)


class CachedTrustRegistry:
    """`vc.verify.IssuerRegistry` over `CachedAccreditations` and the request's session."""

    def __init__(self, session: Session, accreditations: CachedAccreditations) -> None:
        self._session = session
        self._accreditations = accreditations

    def decide(self, issuer_id: str, credential: Mapping[str, Any], now: datetime) -> TrustDecision:
        entries = self._accreditations.entries(self._session, issuer_id)
        return decide(entries, issuer_id, credential, now, self._accreditations.operator_name)
