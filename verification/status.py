"""Status for verification: where a ``statusListCredential`` comes from (Bitstring Status List v1.0 §3.2).

The status check itself is `vc.status_sources.standard_status_source`: a ``BitstringStatusListEntry`` goes
to `vc.status_list.BitstringStatusSource`, which verifies the list credential with the same pipeline as any
credential (a forged or unverifiable list fails the check) and reads the bits; a ``1EdTechRevocationList``
entry to `vc.revocation_list`.
This module only supplies the list: our own lists are read through the issuers service (never over HTTP),
and so are the network operator's (the endorsements of its scheme approvals: `network.approval_status`);
other issuers' lists through the bounded fetcher (which caches them as their Cache-Control allows).

Our own signed lists are kept `ttl` seconds in memory, and read again as soon as any status change has
been committed (`core.changes`): a revocation shows in the next verification of every process. The public
list endpoint tells every other verifier it may cache for five minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from core.cache import Background, refresh_ahead
from core.problems import NotFound
from issuers import service as issuers
from issuers import status as status_lists
from network import approval_status
from network.trust import TrustConfig
from vc.parsing import parse_json
from vc.status_list import StatusError
from vc.status_sources import standard_status_source
from vc.verify import Ports, StatusSource

__all__ = ["OwnOperatorLists", "OwnStatusLists", "service_status_source"]

FetchJson = Callable[[str], Any]


class OwnStatusLists:
    """Our own signed status list credentials (parsed JSON, read only) by URL, kept `ttl` seconds."""

    def __init__(
        self,
        config: issuers.IssuerConfig,
        ttl: float = 10.0,
        maxsize: int = 1024,
        background: Background | None = None,
    ) -> None:
        self.config = config
        self.prefix = status_lists.list_url(config.base_url, "")
        self._lists = refresh_ahead(ttl, maxsize, self._read, background)

    def owns(self, url: str) -> bool:
        return url.startswith(self.prefix)

    def signed_list(self, session: Session, url: str, now: datetime) -> Any:
        document = self._lists.get(url)
        if document is None:
            version = self._lists.version_of(session)  # before the read: it dates what is read
            document = self._read(session, url, now)
            self._lists.put(url, document, version)
        return document

    def _read(self, session: Session, url: str, now: datetime | None = None) -> Any:
        list_id = url.removeprefix(self.prefix)
        try:
            # `now` dates the list's new signature when it changed since it was last signed.
            text, _version = status_lists.signed_list(session, self.config, list_id, now or datetime.now(UTC))
        except NotFound:
            raise StatusError(f"this service has no status list {url[:200]}") from None
        return parse_json(text)


class OwnOperatorLists(OwnStatusLists):
    """The network operator's signed status lists (its endorsements' status), kept like the providers'."""

    def __init__(
        self, config: TrustConfig, ttl: float = 10.0, maxsize: int = 64, background: Background | None = None
    ) -> None:
        self.trust = config
        self.prefix = approval_status.list_url(config.base_url, "")
        self._lists = refresh_ahead(ttl, maxsize, self._read, background)

    def _read(self, session: Session, url: str, now: datetime | None = None) -> Any:
        list_id = url.removeprefix(self.prefix)
        try:
            text, _version = approval_status.signed_list(
                session, self.trust, list_id, now or datetime.now(UTC)
            )
        except NotFound:
            raise StatusError(f"this service has no status list {url[:200]}") from None
        return parse_json(text)


def service_status_source(
    session: Session,
    own: OwnStatusLists,
    fetch_json: FetchJson,
    ports: Ports,
    now: datetime,
    operator: OwnOperatorLists | None = None,
) -> StatusSource:
    """The status port for one request: own lists (the providers' and the operator's) locally, others
    through the bounded fetcher."""

    def fetch(url: str) -> Any:
        if own.owns(url):
            return own.signed_list(session, url, now)
        if operator is not None and operator.owns(url):
            return operator.signed_list(session, url, now)
        return fetch_json(url)

    return standard_status_source(fetch, ports)
