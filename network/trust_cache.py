"""The trust registry as the verify service uses it: accreditations by issuer, kept a short time.

`network.trust.DatabaseTrustRegistry` reads the register on every verification. The verify service
keeps each issuer's accreditations `ttl` seconds (``PASSPORT_VERIFY_CACHE_SECONDS``), reloaded in the
background while in use (`core.cache`), so a verification of an issuer already seen reads no
accreditation. Every change of the register records a change (`core.changes`), after which each process
reads the accreditations again: a suspension or withdrawal shows in the next verification anywhere. The
decision itself is `network.trust_policy.decide`, the same function both registries use.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.cache import Background, refresh_ahead
from vc.verify import TrustDecision

from . import trust
from .trust_policy import RegistryEntry, decide

__all__ = ["CachedAccreditations"]


class CachedAccreditations:
    """Registry entries by issuer id, read through `network.trust` and kept `ttl` seconds."""

    def __init__(
        self,
        config: trust.TrustConfig,
        ttl: float = 10.0,
        maxsize: int = 4096,
        background: Background | None = None,
    ) -> None:
        self.operator_name = config.operator_name
        self._entries = refresh_ahead(ttl, maxsize, self._read, background)

    def entries(self, session: Session, issuer_id: str) -> tuple[RegistryEntry, ...]:
        found = self._entries.get(issuer_id)
        if found is None:
            version = self._entries.version_of(session)  # before the read: it dates what is read
            found = self._read(session, issuer_id)
            self._entries.put(issuer_id, found, version)
        return found

    @staticmethod
    def _read(session: Session, issuer_id: str) -> tuple[RegistryEntry, ...]:
        return tuple(trust.entry_of(row) for row in trust.list_accreditations(session, issuer_id=issuer_id))

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
