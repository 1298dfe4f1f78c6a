"""Composition root of the web service: `create_app(settings)` wires settings, database and routers."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from issuers import endpoints as issuer_endpoints
from issuers.bulk import JobWorker
from issuers.keystore import Keystore
from issuers.service import IssuerConfig
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
from verification import trust_endpoints
from verification.cache import Background
from verification.fetcher import BoundedFetcher, FetchPolicy, HostResolver, system_resolver
from verification.service import RegistryFactory, Verifier
from verification.trust import TrustConfig
from verification.trust_cache import CachedAccreditations

from .db import make_engine, session_factory
from .deps import SessionDep
from .problems import PROBLEM_JSON, PayloadTooLarge, Problem, TooManyRequests, ValidationFailed
from .settings import Settings
from .web import ShowPage, render, static_files

log = logging.getLogger("passport")


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
    """Issuing tells the passport about each new credential (claim links), through issuers.notify."""
    keystore = keystore or Keystore(settings.resolved_master_key())
    return IssuerConfig(settings.base_url, keystore, listener=ClaimNotifier(passport))


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
    (`verification.trust_cache`); `verification.service.no_registry` skips the trust check."""

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

    _install_problem_handlers(app, settings.base_url)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, base_url=settings.base_url)
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
    app.include_router(trust_endpoints.api)
    app.include_router(trust_endpoints.public)
    app.include_router(verification_pages.images)
    app.include_router(verification_pages.pages)

    app.mount("/static", static_files(), name="static")

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


def _problem_response(problem: Problem, base_url: str, request: Request) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if problem.status == 401 else {}
    if isinstance(problem, TooManyRequests):
        headers["Retry-After"] = str(problem.retry_after)
    return JSONResponse(
        problem.body(base_url, request.url.path),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _install_problem_handlers(app: FastAPI, base_url: str) -> None:
    # These run after the request's transaction has been rolled back (the exception left its scope).
    @app.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> Response:
        return _page_problem(request, error) or _problem_response(error, base_url, request)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        errors = [{"loc": list(e.get("loc", [])), "msg": e.get("msg", "")} for e in error.errors()]
        problem = ValidationFailed("The request is not valid: see errors.", errors)
        return _page_problem(request, problem) or _problem_response(problem, base_url, request)

    @app.exception_handler(ShowPage)
    async def _show(request: Request, shown: ShowPage) -> Response:
        return shown.response

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        problem = _http_problem(error.status_code, str(error.detail))
        return _problem_response(problem, base_url, request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _problem_response(Problem("An unexpected error occurred."), base_url, request)


def _page_problem(request: Request, problem: Problem) -> Response | None:
    """On a page route (one whose route class renders problems as pages), the problem as a page."""
    render_problem = getattr(request.scope.get("route"), "render_problem", None)
    return render_problem(request, problem) if render_problem is not None else None


def _http_problem(status_code: int, detail: str) -> Problem:
    class _Http(Problem):
        status = status_code
        slug = {404: "not-found", 405: "method-not-allowed"}.get(status_code, "http-error")
        title = detail

    return _Http(detail)


#: Public forms whose oversized posts are answered with the form again, not a JSON problem.
PAGE_FORMS = frozenset({"/verify"})


class BodyLimit:
    """Refuse request bodies over the limit (413), whether declared by Content-Length or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int, base_url: str) -> None:
        self.app, self.max_bytes, self.base_url = app, max_bytes, base_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        problem = PayloadTooLarge(f"the request body is larger than {self.max_bytes} bytes")
        response: Response
        if scope.get("path") in PAGE_FORMS:  # a browser's form: say so on a page
            response = render(
                Request(scope),
                "verification_form.html",
                status_code=413,
                error=f"That is too large to be a credential: at most {self.max_bytes // 1024} KB.",
            )
        else:
            body: Any = problem.body(self.base_url, scope.get("path"))
            response = JSONResponse(body, status_code=413, media_type=PROBLEM_JSON)
        await response(scope, _no_receive, send)


class _TooLarge(Exception):
    pass


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
