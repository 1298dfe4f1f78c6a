"""The verification service: wires the ports for a request and calls the pure pipeline.

`Verifier` lives as long as the app: the bounded fetcher with its cache, the short-lived caches of our own
issuers' DID documents and signed status lists, and the trust registry factory. For each request it
builds `vc.verify.Ports` over the request's session: did:key offline, our issuers from the database,
other issuers through the fetcher, status lists the same way, and the registry when one is wired in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from issuers.service import IssuerConfig
from schemas.loader import OfflineDocumentLoader
from vc import presentation as vp
from vc import verify as vc_verify
from vc.report import VerificationReport

from .fetcher import BoundedFetcher
from .resolvers import OwnIssuerDocuments, service_resolver
from .status import OwnStatusLists, service_status_source

__all__ = ["RegistryFactory", "Verifier", "no_registry"]

#: The trust registry for a request's session; None means "no registry: the trust check is skipped".
RegistryFactory = Callable[[Session], vc_verify.IssuerRegistry | None]


def no_registry(session: Session) -> vc_verify.IssuerRegistry | None:
    return None


@dataclass
class Verifier:
    fetcher: BoundedFetcher
    own_documents: OwnIssuerDocuments
    own_lists: OwnStatusLists
    registry_for: RegistryFactory = no_registry
    loader: OfflineDocumentLoader | None = None

    @classmethod
    def create(
        cls,
        config: IssuerConfig,
        fetcher: BoundedFetcher,
        *,
        cache_seconds: float = 10.0,
        registry_for: RegistryFactory | None = None,
    ) -> Verifier:
        return cls(
            fetcher=fetcher,
            own_documents=OwnIssuerDocuments(config, ttl=cache_seconds),
            own_lists=OwnStatusLists(config, ttl=cache_seconds),
            registry_for=registry_for or no_registry,
        )

    def ports(self, session: Session, now: datetime) -> vc_verify.Ports:
        resolver = service_resolver(session, self.own_documents, self.fetcher.fetch_json)
        key_ports = vc_verify.Ports(resolver=resolver, loader=self.loader)
        return vc_verify.Ports(
            resolver=resolver,
            status=service_status_source(session, self.own_lists, self.fetcher.fetch_json, key_ports, now),
            registry=self.registry_for(session),
            loader=self.loader,
        )

    def verify_credential(
        self, session: Session, credential: Mapping[str, Any] | str, now: datetime
    ) -> VerificationReport:
        return vc_verify.verify_credential(credential, self.ports(session, now), now)

    def verify_presentation(
        self,
        session: Session,
        presentation: Mapping[str, Any],
        now: datetime,
        *,
        challenge: str | None = None,
        domain: str | None = None,
    ) -> vp.PresentationReport:
        ports = self.ports(session, now)
        return vp.verify_presentation(presentation, ports, now, challenge=challenge, domain=domain)

    def close(self) -> None:
        self.fetcher.close()
