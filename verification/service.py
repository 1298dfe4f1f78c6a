"""The verify request path, in one module: from the bytes of a request to its report.

Every verification the public routes run (``POST /credentials/verify``, ``/presentations/verify``,
``/credentials/verify/upload``, the employer page, the check form) goes the same way:

1. The route hands `verify_body` the work (the JSON routes: admitted on ``Content-Length`` before the body
   is read), or reads the body itself (multipart uploads, forms) and hands `verify_request` its size.
2. **Limits** (`limits_for`): an anonymous request gets `ANONYMOUS_LIMITS`, smaller than the
   `AUTHENTICATED_LIMITS` a provider's API key or the operator's token gets; a body too large for an
   anonymous caller is a 413 before anything else. Our own stored credentials (the employer page) are
   verified under the authenticated limits: issuing refused anything larger.
3. **Admission** (`core.admission`): a body over `LARGE_BYTES` goes to the ``large`` lane, anything else to
   ``small``; each lane is a small thread pool with a per-client and a global bound, and a request beyond
   them is a 429 with ``Retry-After`` at once. CPU-heavy work never runs on the event loop.
4. **In the lane's thread**, in one transaction: the caller is authenticated (if it sent a key), then the
   work parses and checks the request and calls `Verifier`, which wires the ports over the session and
   calls the pure pipeline (`vc.verify.verify_credential`).

`Verifier` lives as long as the app: the bounded fetcher with its cache, the caches of our own issuers'
DID documents, signed status lists and accreditations, and the trust registry factory. For each
verification it first reads the change counter (`core.changes`): any revocation, suspension,
reinstatement, accreditation change or key rotation committed before the verification started, by any
process on the database, is seen, because a cached value older than the counter is read again.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy.orm import Session

from core.admission import Admission, Lane, Ticket
from core.cache import Background
from core.changes import Changes
from core.clients import client_address
from core.db import transaction
from core.deps import get_now
from core.i18n import gettext
from core.problems import PayloadTooLarge
from core.services import Database, OperatorToken, services_of
from issuers import service as issuers
from issuers.service import IssuerConfig
from network.trust import TrustConfig
from schemas.loader import OfflineDocumentLoader
from vc import presentation as vp
from vc import verify as vc_verify
from vc.parsing import ORDINARY_LIMITS, Limits
from vc.report import VerificationReport

from .fetcher import BoundedFetcher
from .resolvers import OwnIssuerDocuments, service_resolver
from .status import OwnOperatorLists, OwnStatusLists, service_status_source

__all__ = [
    "ANONYMOUS_LIMITS",
    "AUTHENTICATED_LIMITS",
    "LANES",
    "LARGE_BYTES",
    "RegistryFactory",
    "Verifier",
    "Work",
    "limits_for",
    "no_registry",
    "verify_body",
    "verify_request",
]

#: What an anonymous caller may ask of us: a rich OB 3.0 credential is ~10 KB and ~100 statements, a
#: CLR of a dozen credentials ~100 KB and ~2,000. A larger document costs seconds of CPU to canonicalise.
ANONYMOUS_LIMITS = Limits(max_document_bytes=256 * 1024, max_statements=5_000)
#: A provider's API key or the operator's token: the library's own bounds (1 MiB, 20,000 statements).
AUTHENTICATED_LIMITS = ORDINARY_LIMITS
#: Bodies over this go to the large lane (a rich credential is ~10 KB; a baked PNG badge ~50 KB).
LARGE_BYTES = 96 * 1024
#: Per process. A small verification takes ~10-50 ms of CPU, a 600 KB one ~1 s.
LANES = {
    "small": Lane("small", threads=2, queue=30, per_client=8, retry_after=1),
    "large": Lane("large", threads=1, queue=16, per_client=2, retry_after=5, nice=10),
}

#: The trust registry for a request's session; None means "no registry: the trust check is skipped".
RegistryFactory = Callable[[Session], vc_verify.IssuerRegistry | None]
Result = TypeVar("Result")
#: The work of one verification, run in a lane's thread: the transaction's session, the time, the limits.
Work = Callable[[Session, datetime, Limits], Result]


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
    changes: Changes = field(default_factory=Changes)

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
        """`background` reloads the caches of our own issuers' documents and lists while they are in use,
        and carries the process's `Changes` that invalidates them (`core.cache`); the verifier closes it.
        Without one the caches are plain TTL caches (tests of the pipeline only). With `trust`, the network
        operator's status lists (its endorsements') are read locally too."""
        return cls(
            fetcher=fetcher,
            own_documents=OwnIssuerDocuments(config, ttl=cache_seconds, background=background),
            own_lists=OwnStatusLists(config, ttl=cache_seconds, background=background),
            registry_for=registry_for or no_registry,
            background=background,
            operator_lists=OwnOperatorLists(trust, ttl=cache_seconds, background=background)
            if trust is not None
            else None,
            changes=background.changes if background is not None else Changes(),
        )

    def ports(self, session: Session, now: datetime) -> vc_verify.Ports:
        """The ports over `session`, after reading the change counter on it (`core.changes`)."""
        self.changes.observe(session)
        resolver = service_resolver(session, self.own_documents, self.fetcher.fetch_json)
        key_ports = vc_verify.Ports(resolver=resolver, loader=self.loader)
        return vc_verify.Ports(
            resolver=resolver,
            status=service_status_source(
                session, self.own_lists, self.fetcher.fetch_json, key_ports, now, self.operator_lists
            ),
            registry=self.registry_for(session),
            loader=self.loader,
        )

    def verify_credential(
        self,
        session: Session,
        credential: Mapping[str, Any] | str,
        now: datetime,
        *,
        limits: Limits = AUTHENTICATED_LIMITS,
    ) -> VerificationReport:
        return vc_verify.verify_credential(credential, self.ports(session, now), now, limits=limits)

    def verify_presentation(
        self,
        session: Session,
        presentation: Mapping[str, Any] | str,
        now: datetime,
        *,
        challenge: str | None = None,
        domain: str | None = None,
        limits: Limits = AUTHENTICATED_LIMITS,
    ) -> vp.PresentationReport:
        ports = self.ports(session, now)
        return vp.verify_presentation(
            presentation, ports, now, challenge=challenge, domain=domain, limits=limits
        )

    def close(self) -> None:
        if self.background is not None:
            self.background.close()
        self.fetcher.close()


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def limits_for(request: Request, session: Session, now: datetime) -> Limits:
    """`AUTHENTICATED_LIMITS` for the operator's token or a provider's API key (an unknown or revoked key
    is a 401, as on the issuer API: a caller who meant to authenticate is told), else anonymous."""
    token = _bearer(request)
    if token is None:
        return ANONYMOUS_LIMITS
    operator = services_of(request.app).get(OperatorToken).value
    if not hmac.compare_digest(token.encode(), operator.encode()):
        issuers.authenticate(session, token, now)
    return AUTHENTICATED_LIMITS


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        gettext(
            "anonymous verification takes at most %(num)d bytes; send a provider's API key for larger "
            "documents",
            num=limit,
        )
    )


def _declared_size(request: Request) -> int | None:
    declared = request.headers.get("content-length", "")
    return int(declared) if declared.isdigit() else None


def _admit(request: Request, size: int, own_document: bool) -> Ticket:
    """The anonymous size limit (413), then a place in the lane for `size` (429: `core.admission`)."""
    if not own_document and size > ANONYMOUS_LIMITS.max_document_bytes and _bearer(request) is None:
        raise _too_large(ANONYMOUS_LIMITS.max_document_bytes)
    lane = "large" if size > LARGE_BYTES else "small"
    return services_of(request.app).get(Admission).admit(lane, client_address(request))


async def _run(request: Request, ticket: Ticket, size: int, work: Work[Result], own_document: bool) -> Result:
    services = services_of(request.app)
    sessions = services.get(Database).sessions
    now = get_now()

    def in_a_thread() -> Result:
        limits = AUTHENTICATED_LIMITS
        if not own_document:
            # A transaction of its own: checking a key writes its last use, and a write held through a
            # second of verification would hold SQLite's one write lock as long.
            with transaction(sessions) as session:
                limits = limits_for(request, session, now)
        if size > limits.max_document_bytes:  # a key that turned out unknown is a 401 before this
            raise _too_large(limits.max_document_bytes)
        with transaction(sessions) as session:
            return work(session, now, limits)

    return await services.get(Admission).run_admitted(ticket, in_a_thread)


async def verify_body(request: Request, work: Callable[[bytes], Work[Result]]) -> Result:
    """The JSON routes: admitted on the declared ``Content-Length`` *before* the body is read, so a
    refused request costs no more than its headers; then `work(body)` as in `verify_request`."""
    declared = _declared_size(request)
    ticket = _admit(request, declared, own_document=False) if declared is not None else None
    try:
        raw = await request.body()
        if ticket is None:  # chunked: admitted on what arrived (BodyLimit bounds it)
            ticket = _admit(request, len(raw), own_document=False)
    except BaseException:
        if ticket is not None:
            ticket.release()
        raise
    return await _run(request, ticket, len(raw), work(raw), own_document=False)


async def verify_request(
    request: Request, size: int, work: Work[Result], *, own_document: bool = False
) -> Result:
    """Run `work` for a request whose document (already read) is `size` bytes: limits, admission, then a
    lane's thread with one transaction (see the module docstring). `own_document`: a credential this
    service stored, verified under the authenticated limits whoever asks."""
    return await _run(request, _admit(request, size, own_document), size, work, own_document)
