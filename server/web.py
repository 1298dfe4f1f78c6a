"""Server-rendered pages: one Jinja2 environment, the site's own static files, and safe headers.

Each domain keeps its templates in its own ``templates/`` folder; they extend ``base.html`` from here.
No page loads anything from another origin (no CDN): the Content-Security-Policy says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

_ROOT = Path(__file__).resolve().parent.parent
_TEMPLATE_DIRS = [
    _ROOT / package / "templates" for package in ("server", "verification", "passport", "issuers")
]

#: Pages load only this site's CSS, scripts and images; nothing may frame them (clickjacking).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Share links carry secrets in their path: never leak them to another site through Referer.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

environment = Environment(
    loader=FileSystemLoader([str(path) for path in _TEMPLATE_DIRS if path.is_dir()]),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


class ShowPage(Exception):
    """Raise to answer with ``response`` once the request's transaction has been rolled back (a form
    shown again with a message, a redirect to sign in). ``create_app`` installs the handler."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def static_files() -> StaticFiles:
    return StaticFiles(directory=_ROOT / "server" / "static")


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the safe headers; ``request`` is available to every template."""
    html = environment.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)
