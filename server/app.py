"""Composition root of the web service: `create_app(settings)` wires settings, database and routers."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from core.body_limit import BodyLimit
from core.cache import Background
from core.db import make_engine, session_factory
from core.deps import SessionDep
from core.handlers import install_problem_handlers
from core.keystore import Keystore
from core.web import Templates, static_files
from issuers import endpoints as issuer_endpoints
from issuers.bulk import JobWorker
from issuers.service import IssuerConfig
from network import api as network_api
from network.communities import NetworkCommunities
from network.trust import TrustConfig
from network.trust_cache import CachedAccreditations
from passport import address_pages as passport_address_pages
from passport import clr_export as passport_clr
from passport import downloads as passport_downloads
from passport import endpoints as passport_endpoints
from passport import pages as passport_pages
from passport import share_endpoints as passport_share_endpoints
from passport import share_pages as passport_share_pages
from passport.claims import ClaimNotifier
from passport.config import PassportConfig
from passport.mail import MailWorker, SmtpSender
from passport.ratelimit import DatabaseFailures, SignInLimiter
from verification import endpoints as verification_endpoints
from verification import pages as verification_pages
from verification.fetcher import BoundedFetcher, FetchPolicy, HostResolver, system_resolver
from verification.service import RegistryFactory, Verifier

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
    settings: Settings, passport: PassportConfig, keystore: Keystore | None = None
) -> IssuerConfig:
    """Issuing tells the passport about each new credential (claim links) and asks the network for its
    communities of practice, through issuers.ports."""
    keystore = keystore or Keystore(settings.resolved_master_key())
    return IssuerConfig(
        settings.base_url, keystore, listener=ClaimNotifier(passport), communities=NetworkCommunities()
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

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.jobs.start()  # also resumes jobs a previous process left unfinished
        if app.state.mail is not None:
            app.state.mail.start()
        yield
        if app.state.mail is not None:
            app.state.mail.stop()
        app.state.jobs.stop()
        app.state.verifier.close()
        app.state.engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="Skills Passport",
        version="0.1.0",
        description="Issue, hold and verify quality-assured Open Badges 3.0 credentials.",
        docs_url="/docs",
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    keystore = Keystore(settings.resolved_master_key())
    app.state.passport = passport_config(settings, keystore, app.state.sessions)
    app.state.issuer_config = issuer_config(settings, app.state.passport, keystore)
    app.state.trust_config = TrustConfig(settings.base_url, keystore, settings.operator_name)
    app.state.admin_token = settings.resolved_admin_token()
    app.state.jobs = JobWorker(
        app.state.sessions, app.state.issuer_config, signing_processes=settings.bulk_signing_processes
    )
    app.state.mail = mail_worker(settings, app.state.sessions)
    if settings.is_production and settings.fetch_allow_private:
        log.warning("PASSPORT_FETCH_ALLOW_PRIVATE is on: the verifier may fetch from private addresses")
    background = Background(app.state.sessions)  # reloads the verify caches while they are in use
    app.state.verifier = Verifier.create(
        app.state.issuer_config,
        BoundedFetcher(_fetch_policy(settings), transport=fetch_transport, resolve_host=resolve_host),
        cache_seconds=settings.verify_cache_seconds,
        registry_for=registry_for
        or CachedAccreditations(
            app.state.trust_config, ttl=settings.verify_cache_seconds, background=background
        ).registry_for,
        background=background,
    )

    install_problem_handlers(app, settings.base_url)
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        base_url=settings.base_url,
        page_forms={"/verify": verification_pages.too_large_form},
    )
    # Routes are matched in this order, at some microseconds each: the busiest API comes first.
    app.include_router(verification_endpoints.router)
    app.include_router(issuer_endpoints.api)
    app.include_router(issuer_endpoints.public)
    app.include_router(passport_endpoints.api)
    app.include_router(passport_share_endpoints.api)
    app.include_router(passport_downloads.api)
    app.include_router(passport_clr.api)
    app.include_router(passport_pages.router)
    app.include_router(passport_share_pages.router)
    app.include_router(passport_downloads.pages)
    app.include_router(passport_address_pages.router)
    if not settings.is_production:
        app.include_router(passport_address_pages.dev)
    app.include_router(network_api.api)
    app.include_router(network_api.public)
    app.include_router(network_api.community_api)
    app.include_router(verification_pages.images)
    app.include_router(verification_pages.pages)

    app.mount("/static", static_files("verification"), name="static")

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        return render(request, "home.html")

    @app.get("/health", tags=["public"])
    def health(session: SessionDep) -> dict[str, str]:
        session.execute(text("SELECT 1"))
        return {"status": "ok", "database": "ok"}

    return app


def app_from_environment() -> FastAPI:
    """The app from ``PASSPORT_*`` settings: the factory each `passport serve --workers N` process calls."""
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
