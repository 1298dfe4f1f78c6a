"""Every error is an RFC 9457 problem: the exception handlers that turn `core.problems.Problem` (and
FastAPI's and Starlette's own errors) into ``application/problem+json``, or into a page on a page route."""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from .i18n import N_, gettext
from .problems import PROBLEM_JSON, Problem, TooManyRequests, ValidationFailed
from .redaction import redact
from .web import ShowPage

__all__ = ["install_problem_handlers"]

log = logging.getLogger("passport")


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


def install_problem_handlers(app: FastAPI, base_url: str) -> None:
    # These run after the request's transaction has been rolled back (the exception left its scope).
    @app.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> Response:
        return _page_problem(request, error) or _problem_response(error, base_url, request)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        errors = [{"loc": list(e.get("loc", [])), "msg": e.get("msg", "")} for e in error.errors()]
        problem = ValidationFailed(gettext("The request is not valid: see errors."), errors)
        return _page_problem(request, problem) or _problem_response(problem, base_url, request)

    @app.exception_handler(ShowPage)
    async def _show(request: Request, shown: ShowPage) -> Response:
        return shown.response

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        redirect = _slash_redirect(request, base_url) if error.status_code == 404 else None
        if redirect is not None:
            return redirect
        problem = _http_problem(error.status_code, str(error.detail))
        return _problem_response(problem, base_url, request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, redact(request.url.path))
        return _problem_response(Problem(gettext("An unexpected error occurred.")), base_url, request)


def _slash_redirect(request: Request, base_url: str) -> Response | None:
    """Starlette's ``redirect_slashes`` (``/passport/`` leads to ``/passport``), with the ``Location``
    built from the configured base URL: Starlette builds it from the ``Host`` header, which any client
    chooses, so a link to this site could send its visitor elsewhere. The app is created with
    ``redirect_slashes=False``; this runs for a path no route matches."""
    path: str = request.scope["path"]
    if path == "/" or not path.startswith("/"):
        return None
    other = path[:-1] if path.endswith("/") else path + "/"
    routes = request.app.router.routes
    if any(route.matches(request.scope)[0] is not Match.NONE for route in routes):
        return None  # a route took the path and said 404 itself (a missing static file)
    if not any(route.matches({**request.scope, "path": other})[0] is not Match.NONE for route in routes):
        return None
    query = request.scope.get("query_string", b"").decode("latin-1")
    return RedirectResponse(base_url + quote(other) + (f"?{query}" if query else ""), status_code=307)


def _page_problem(request: Request, problem: Problem) -> Response | None:
    """On a page route (one whose route class renders problems as pages), the problem as a page."""
    render_problem = getattr(request.scope.get("route"), "render_problem", None)
    return render_problem(request, problem) if render_problem is not None else None


#: Starlette's own errors (its detail is the English status phrase), in words that can be translated.
_HTTP_WORDS = {
    404: (N_("Not found"), N_("There is nothing at this address.")),
    405: (N_("Method not allowed"), N_("This address does not accept that method.")),
}


def _http_problem(status_code: int, detail: str) -> Problem:
    known = _HTTP_WORDS.get(status_code) if detail == HTTPStatus(status_code).phrase else None
    problem_title = known[0] if known else detail

    class _Http(Problem):
        status = status_code
        slug = {404: "not-found", 405: "method-not-allowed"}.get(status_code, "http-error")
        title = problem_title

    return _Http(gettext(known[1]) if known else detail)
