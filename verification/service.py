"""The verification service: wires the ports for a request and calls the pure pipeline.

`Verifier` lives as long as the app: the bounded fetcher with its cache, the short-lived caches of our own
issuers' DID documents and signed status lists, and the trust registry factory. For each request it
builds `vc.verify.Ports` over the request's session: did:key offline, our issuers from the database,
other issuers through the fetcher, status lists the same way, and the registry when one is wired in.

An `Attempt` says whether the verification may wait on anything. The API first tries *in memory*, on the
event loop: the session refuses any statement and the fetcher answers only from its cache, and the first
thing that would wait marks the attempt deferred (its report is discarded). Most verifications need
nothing more than what is cached (keys and status lists of the same few issuers), and skip the hand-over
to a worker thread; a deferred one is verified again, from the start, in a worker thread with the
database and the network. Verification is deterministic, so both give the same report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState, Session

from core.cache import Background
from issuers.service import IssuerConfig
from network.trust import TrustConfig
from schemas.loader import OfflineDocumentLoader
from vc import presentation as vp
from vc import verify as vc_verify
from vc.errors import KeyResolutionError
from vc.report import VerificationReport

from .fetcher import BoundedFetcher, NotCached
from .resolvers import OwnIssuerDocuments, service_resolver
from .status import OwnOperatorLists, OwnStatusLists, service_status_source

__all__ = ["Attempt", "Deferred", "RegistryFactory", "Verifier", "no_registry"]

#: The trust registry for a request's session; None means "no registry: the trust check is skipped".
#: In an in-memory attempt the session refuses statements: a registry that needs the database then
#: defers the verification to a worker thread, which is correct, only slower.
RegistryFactory = Callable[[Session], vc_verify.IssuerRegistry | None]


class Deferred(KeyResolutionError):
    """An in-memory attempt needed the database or the network; the verification runs again in a thread."""

    code = "deferred"


@dataclass
class Attempt:
    in_memory: bool
    deferred_by: str | None = None

    def defer(self, what: str) -> NoReturn:
        self.deferred_by = self.deferred_by or what
        raise Deferred(f"{what} is not in memory")


class _InMemorySession(Session):
    """A session for in-memory attempts: any statement defers the attempt before it reaches the database."""


@event.listens_for(_InMemorySession, "do_orm_execute")
def _refuse_statements(state: ORMExecuteState) -> None:
    attempt: Attempt = state.session.info["attempt"]
    attempt.defer("the database")


def no_registry(session: Session) -> vc_verify.IssuerRegistry | None:
    return None


@dataclass
class Verifier:
    fetcher: BoundedFetcher
    own_documents: OwnIssuerDocuments
    own_lists: OwnStatusLists
    registry_for: RegistryFactory = no_registry
    loader: OfflineDocumentLoader | None = None
    background: Background | None = None
    operator_lists: OwnOperatorLists | None = None

    @classmethod
    def create(
        cls,
        config: IssuerConfig,
        fetcher: BoundedFetcher,
        *,
        cache_seconds: float = 10.0,
        registry_for: RegistryFactory | None = None,
        background: Background | None = None,
        trust: TrustConfig | None = None,
    ) -> Verifier:
        """`background` reloads the caches of our own issuers' documents and lists while they are in use
        (see `verification.cache`); the verifier closes it. With `trust`, the network operator's status lists
        (its endorsements') are read locally too."""
        return cls(
            fetcher=fetcher,
            own_documents=OwnIssuerDocuments(config, ttl=cache_seconds, background=background),
            own_lists=OwnStatusLists(config, ttl=cache_seconds, background=background),
            registry_for=registry_for or no_registry,
            background=background,
            operator_lists=OwnOperatorLists(trust, ttl=cache_seconds, background=background)
            if trust is not None
            else None,
        )

    def in_memory_session(self, engine: Engine, attempt: Attempt) -> Session:
        """A session that defers `attempt` on its first statement instead of running it."""
        return _InMemorySession(bind=engine, info={"attempt": attempt})

    def ports(self, session: Session, now: datetime, attempt: Attempt | None = None) -> vc_verify.Ports:
        def fetch_json(url: str) -> Any:
            if attempt is None or not attempt.in_memory:
                return self.fetcher.fetch_json(url)
            try:
                return self.fetcher.fetch_json(url, cached_only=True)
            except NotCached:
                attempt.defer(url)

        resolver = service_resolver(session, self.own_documents, fetch_json)
        key_ports = vc_verify.Ports(resolver=resolver, loader=self.loader)
        return vc_verify.Ports(
            resolver=resolver,
            status=service_status_source(
                session, self.own_lists, fetch_json, key_ports, now, self.operator_lists
            ),
            registry=self.registry_for(session),
            loader=self.loader,
        )

    def verify_credential(
        self,
        session: Session,
        credential: Mapping[str, Any] | str,
        now: datetime,
        attempt: Attempt | None = None,
    ) -> VerificationReport:
        return vc_verify.verify_credential(credential, self.ports(session, now, attempt), now)

    def verify_presentation(
        self,
        session: Session,
        presentation: Mapping[str, Any] | str,
        now: datetime,
        attempt: Attempt | None = None,
        *,
        challenge: str | None = None,
        domain: str | None = None,
    ) -> vp.PresentationReport:
        ports = self.ports(session, now, attempt)
        return vp.verify_presentation(presentation, ports, now, challenge=challenge, domain=domain)

    def close(self) -> None:
        if self.background is not None:
            self.background.close()
        self.fetcher.close()
