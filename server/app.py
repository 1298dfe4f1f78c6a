"""Composition root of the web service: `create_app(settings)` wires settings, database and routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from issuers import endpoints as issuer_endpoints
from issuers.bulk import JobWorker
from issuers.keystore import Keystore
from issuers.service import IssuerConfig
from verification import trust_endpoints
from verification.trust import TrustConfig

from .db import make_engine, session_factory
from .deps import SessionDep
from .problems import PROBLEM_JSON, PayloadTooLarge, Problem, ValidationFailed
from .settings import Settings
from .web import render, static_files

log = logging.getLogger("passport")


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.jobs.start()  # also resumes jobs a previous process left unfinished
        yield
        app.state.jobs.stop()
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
    app.state.issuer_config = IssuerConfig(settings.base_url, keystore)
    app.state.trust_config = TrustConfig(settings.base_url, keystore, settings.operator_name)
    app.state.admin_token = settings.resolved_admin_token()
    app.state.jobs = JobWorker(
        app.state.sessions, app.state.issuer_config, signing_processes=settings.bulk_signing_processes
    )

    _install_problem_handlers(app, settings.base_url)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, base_url=settings.base_url)
    app.include_router(issuer_endpoints.api)
    app.include_router(issuer_endpoints.public)
    app.include_router(trust_endpoints.api)
    app.include_router(trust_endpoints.public)

    app.mount("/static", static_files(), name="static")

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        return render(request, "home.html")

    @app.get("/health", tags=["public"])
    def health(session: SessionDep) -> dict[str, str]:
        session.execute(text("SELECT 1"))
        return {"status": "ok", "database": "ok"}

    return app


def _problem_response(problem: Problem, base_url: str, request: Request) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if problem.status == 401 else None
    return JSONResponse(
        problem.body(base_url, request.url.path),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _install_problem_handlers(app: FastAPI, base_url: str) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> JSONResponse:
        return _problem_response(error, base_url, request)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", [])), "msg": e.get("msg", "")} for e in error.errors()]
        return _problem_response(
            ValidationFailed("The request is not valid: see errors.", errors), base_url, request
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        problem = _http_problem(error.status_code, str(error.detail))
        return _problem_response(problem, base_url, request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _problem_response(Problem("An unexpected error occurred."), base_url, request)


def _http_problem(status_code: int, detail: str) -> Problem:
    class _Http(Problem):
        status = status_code
        slug = {404: "not-found", 405: "method-not-allowed"}.get(status_code, "http-error")
        title = detail

    return _Http(detail)


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
        body: Any = problem.body(self.base_url, scope.get("path"))
        response = JSONResponse(body, status_code=413, media_type=PROBLEM_JSON)
        await response(scope, _no_receive, send)


class _TooLarge(Exception):
    pass


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
