"""Composition root of the web service: `create_app(settings)` builds the services from the settings, wires
the domains' ports, and includes one or two routers per domain."""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from core.admission import Admission
from core.api_docs import install_api_docs
from core.body_limit import BodyLimit
from core.cache import Background
from core.clients import ClientAddress, TrustedProxies, loopback_only
from core.db import make_engine, session_factory
from core.deps import SessionDep
from core.handlers import install_problem_handlers
from core.i18n import LocaleMiddleware
from core.keystore import Keystore
from core.redaction import install_access_log_redaction
from core.response_headers import NoSniff
from core.services import Database, OperatorSessions, OperatorToken, Services, Site
from core.throttle import RequestLimiter
from core.web import Templates, static_files
from issuers import api as issuers_api
from issuers import pages as issuers_pages
from issuers.bulk import JobWorker
from issuers.console import pages as console_pages
from issuers.console.achievements import pages as console_achievements
from issuers.console.issuing.router import router as console_issuing_router
from issuers.reports import api as issuers_reports
from issuers.service import IssuerConfig
from issuers.staff import api as staff_api
from issuers.staff import pages as staff_pages
from issuers.staff.access import operator_session
from issuers.staff.accounts import StaffConfig
from network import api as network_api
from network import console as network_console
from network.approvals import SchemeEndorsements
from network.bursaries import api as bursaries_api
from network.bursaries import pages as bursaries_pages
from network.bursaries.credential import HostEndorsements
from network.communities import NetworkCommunities
from network.communities import api as communities_api
from network.communities import pages as communities_pages
from network.pathways import api as pathways_api
from network.pathways import console as pathways_console
from network.trust import ProviderScope, TrustConfig, scheme_operator
from network.trust_cache import CachedAccreditations
from network.trust_policy import with_operator
from passport import api as passport_api
from passport import pages as passport_pages
from passport.accounts.claims import ClaimNotifier
from passport.accounts.mail import MailWorker, OutboxMailer, SmtpSender
from passport.accounts.ratelimit import DatabaseFailures, SignInLimiter
from passport.claim_codes import api as claim_codes_api
from passport.claim_codes import console as claim_codes_console
from passport.claim_codes import pages as claim_codes_pages
from passport.claim_codes.codes import ClaimConfig
from passport.claim_codes.issuing import ClaimWorker
from passport.config import PassportConfig
from passport.pathways.progress import PathwayMilestones
from passport.verifying import PassportPorts
from verification import api as verification_api
from verification import exchange_visits as verification_exchange_visits
from verification import pages as verification_pages
from verification.fetcher import BoundedFetcher, FetchPolicy, HostResolver, system_resolver
from verification.service import LANES, RegistryFactory, Verifier

from .settings import Settings

log = logging.getLogger("passport")
render = Templates(Path(__file__).parent / "templates").render


def passport_config(
    settings: Settings, keystore: Keystore | None = None, sessions: sessionmaker[Session] | None = None
) -> PassportConfig:
    """With `sessions`, failed sign-ins are counted in the database, across every worker process."""
    return PassportConfig(
        base_url=settings.base_url,
        keystore=keystore or Keystore(settings.resolved_master_key()),
        limiter=SignInLimiter(
            free_per_client=settings.sign_in_free_failures_per_client,
            per_account=settings.sign_in_max_failures_per_account,
            per_address=settings.sign_in_max_failures_per_address,
            window=timedelta(seconds=settings.sign_in_window_seconds),
            store=DatabaseFailures(sessions) if sessions is not None else None,
        ),
        deliver_mail=settings.mail_sender == "smtp",
        session_ttl=timedelta(hours=settings.session_hours),
        link_ttl=timedelta(hours=settings.email_link_hours),
        claim_ttl=timedelta(days=settings.claim_link_days),
        token_ttl=timedelta(days=settings.learner_token_days),
    )


def issuer_config(
    settings: Settings,
    passport: PassportConfig,
    keystore: Keystore | None = None,
    milestones: PathwayMilestones | None = None,
) -> IssuerConfig:
    """Issuing tells the passport about each new credential (claim links, and the milestones of the
    pathways it completes) and asks the network for its communities of practice, its endorsements of
    approved achievements and whether a credential is inside the provider's accreditation, through
    issuers.ports."""
    keystore = keystore or Keystore(settings.resolved_master_key())
    if milestones is None:
        milestones = PathwayMilestones(TrustConfig(settings.base_url, keystore, settings.operator_name))
    return IssuerConfig(
        settings.base_url,
        keystore,
        listener=ClaimNotifier(passport, milestones),
        communities=NetworkCommunities(),
        endorsements=SchemeEndorsements(),
        scheme=ProviderScope(settings.operator_name),
    )


def staff_config(settings: Settings, passport: PassportConfig, keystore: Keystore) -> StaffConfig:
    """Staff sign-in shares the learners' throttle (its failures, counted in the database) and password
    hashing; invitations go out through the passport's outbox."""
    return StaffConfig(
        base_url=settings.base_url,
        passwords=passport.passwords,
        limiter=passport.limiter,
        mailer=OutboxMailer(passport),
        keystore=keystore,
        session_ttl=timedelta(hours=settings.session_hours),
        invitation_ttl=timedelta(hours=settings.staff_invitation_hours),
        operator_name=settings.operator_name,
    )


def claim_config(settings: Settings) -> ClaimConfig:
    return ClaimConfig(
        per_client=RequestLimiter(settings.claim_requests_per_client, timedelta(minutes=10)),
        per_code=RequestLimiter(settings.claim_requests_per_code, timedelta(minutes=1)),
    )


def mail_worker(settings: Settings, sessions: sessionmaker[Session]) -> MailWorker | None:
    if settings.mail_sender != "smtp":
        if settings.is_production:
            log.warning("PASSPORT_MAIL_SENDER is 'outbox': learners will receive no email")
        return None
    sender = SmtpSender(
        host=settings.smtp_host,
        port=settings.smtp_port,
        from_address=settings.mail_from,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        security=settings.smtp_security,
        timeout=settings.smtp_timeout_seconds,
    )
    return MailWorker(sessions, sender, settings.mail_from)


def create_app(
    settings: Settings,
    *,
    fetch_transport: httpx.BaseTransport | None = None,
    resolve_host: HostResolver = system_resolver,
    registry_for: RegistryFactory | None = None,
) -> FastAPI:
    """The app. `fetch_transport` and `resolve_host` replace the network for the bounded fetcher (tests);
    `registry_for` gives the trust registry for a request's session: by default the operator's register
    (`network.trust_cache`); `verification.service.no_registry` skips the trust check."""

    settings.refuse_unsafe_production()
    engine = make_engine(settings.database_url)
    database = Database(engine, session_factory(engine))
    keystore = Keystore(settings.resolved_master_key())
    passport = passport_config(settings, keystore, database.sessions)
    trust = TrustConfig(settings.base_url, keystore, settings.operator_name, settings.scheme_name)
    milestones = PathwayMilestones(trust)
    issuers = issuer_config(settings, passport, keystore, milestones)
    jobs = JobWorker(database.sessions, issuers, signing_processes=settings.bulk_signing_processes)
    claims = ClaimWorker(database.sessions, issuers)
    mail = mail_worker(settings, database.sessions)
    background = Background(database.sessions)  # reloads the verify caches while they are in use
    register = (
        registry_for
        or CachedAccreditations(trust, settings.verify_cache_seconds, background=background).registry_for
    )
    verifier = Verifier.create(
        issuers,
        BoundedFetcher(_fetch_policy(settings), transport=fetch_transport, resolve_host=resolve_host),
        cache_seconds=settings.verify_cache_seconds,
        registry_for=with_operator(register, scheme_operator(trust)),  # the operator's documents too
        background=background,
        trust=trust,
    )
    admission = Admission(LANES)  # the verify API's thread pools and limits (verification.service)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        jobs.start()  # also resumes jobs a previous process left unfinished
        claims.start()  # also issues claims confirmed before a restart
        if mail is not None:
            mail.start()
        yield
        if mail is not None:
            mail.stop()
        claims.stop()
        jobs.stop()
        admission.close()
        verifier.close()
        engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="Skills Passport",
        version="0.1.0",
        description="Issue, hold and verify quality-assured Open Badges 3.0 credentials.",
        docs_url=None,  # core.api_docs serves /docs without a CDN
        redirect_slashes=False,  # core.handlers redirects to the base URL, never to the Host header's
    )
    services = Services()
    for service in (
        database,
        Site(settings.base_url, settings.max_body_bytes),
        OperatorToken(settings.resolved_admin_token()),
        OperatorSessions(operator_session),  # operator staff on the operator API (issuers.staff.access)
        issuers,
        jobs,
        claims,
        trust,
        verifier,
        admission,
        passport,
        PassportPorts(verifier=verifier),
        milestones,
        staff_config(settings, passport, keystore),
        claim_config(settings),
    ):
        services.add(service)
    services.add(HostEndorsements(verifier.verify_credential))  # bursaries: hosts' endorsements
    app.state.services = services  # read through core.services.services_of and provide(Class)

    install_problem_handlers(app, settings.base_url)
    install_access_log_redaction()
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        base_url=settings.base_url,
        page_forms={
            "/verify": verification_pages.too_large_form,
            console_achievements.UPLOAD_PATH: console_achievements.too_large_form,
        },
    )
    app.add_middleware(NoSniff)
    # Every answer, a 413 too, speaks the request's language (core.i18n).
    app.add_middleware(LocaleMiddleware, secure_cookie=settings.base_url.startswith("https://"))
    # Outermost: everything inside, the access log included, sees the client address it establishes.
    app.add_middleware(ClientAddress, proxies=TrustedProxies.parse(settings.trusted_proxies))
    # One or two routers per domain, matched in this order at some microseconds a route: the verify API,
    # the busiest, comes first.
    app.include_router(verification_api.router)
    app.include_router(issuers_api.router)
    app.include_router(staff_api.router)
    app.include_router(staff_pages.console)
    app.include_router(console_achievements.router)
    app.include_router(staff_pages.operator)
    app.include_router(console_pages.router)
    app.include_router(console_issuing_router)  # /console/issue, /cohorts, /keys
    app.include_router(issuers_reports.router)
    app.include_router(issuers_pages.router)
    app.include_router(passport_api.router)
    app.include_router(passport_pages.router)
    if not settings.is_production:
        app.include_router(passport_pages.dev_router, dependencies=[Depends(loopback_only)])
    app.include_router(network_api.router)
    app.include_router(pathways_api.router)
    app.include_router(bursaries_api.router)
    app.include_router(bursaries_pages.router)
    app.include_router(communities_api.router)
    app.include_router(communities_pages.console)
    app.include_router(communities_pages.operator)
    app.include_router(network_console.router)  # the operator console's sections (/operator/...)
    app.include_router(pathways_console.console)
    app.include_router(pathways_console.operator)
    app.include_router(verification_pages.router)
    app.include_router(verification_exchange_visits.router)
    app.include_router(claim_codes_api.router)  # event claim codes: API, attendees' pages, console section
    app.include_router(claim_codes_pages.router)
    app.include_router(claim_codes_console.router)

    app.mount("/static", static_files("verification", "passport"), name="static")
    install_api_docs(app, app.title)

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        return render(request, "home.html")

    @app.get("/health", tags=["public"])
    def health(session: SessionDep) -> dict[str, str]:
        session.execute(text("SELECT 1"))
        return {"status": "ok", "database": "ok"}

    return app


#: How long a thread may hold the interpreter lock while another waits for it (Python's default: 5 ms).
#: A verification in a worker thread is pure-Python CPU work; the event loop needs the lock for every step
#: of every other request, and each wait for it lasts up to this long. At 1 ms, ``GET /health`` p99 under
#: 16 large verifications went from 299 ms to 142 ms (`bench/stall.py`), for a few percent of throughput.
SWITCH_INTERVAL_SECONDS = 0.001


def app_from_environment() -> FastAPI:
    """The app from ``PASSPORT_*`` settings: the factory each `passport serve --workers N` process calls."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    return freeze_heap(create_app(Settings()))


def freeze_heap(app: FastAPI) -> FastAPI:
    """Move everything alive once the app is built (modules, bundled contexts and schemas, the app itself)
    out of the garbage collector's sight, for a process that serves until it exits.

    A full collection walks every container object; over the ~200,000 of a started service it paused the
    event loop 80-150 ms every few seconds under load, which was most of the verify API's p99. Frozen
    objects are still freed when no longer referenced; only cycles among them would stay, and these live
    as long as the process anyway. Not for tests, which build many apps in one process.
    """
    gc.collect()
    gc.freeze()
    return app


def _fetch_policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy(
        timeout_seconds=settings.fetch_timeout_seconds,
        max_bytes=settings.fetch_max_bytes,
        max_redirects=settings.fetch_max_redirects,
        allow_private=settings.fetch_allow_private,
    )
