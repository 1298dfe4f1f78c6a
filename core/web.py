"""Server-rendered pages: the base template, the site's own static files, and safe headers.

Each domain keeps its templates in its own ``templates/`` folder and renders them through a `Templates`
of its own, which finds ``base.html`` here and speaks the request's language (`core.i18n`); its static
files, if any, sit in its ``static/`` folder, which the composition root serves with the kernel's
(`static_files`). No page loads anything from another origin (no CDN): the Content-Security-Policy says
so.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import i18n

_HERE = Path(__file__).resolve().parent

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


class Templates:
    """One folder of page templates, which may extend the kernel's ``base.html`` (and layouts in the
    folders named in ``also``).

    ``english_only`` names the templates whose own words are not translated yet (True: all of them):
    their main content is marked ``lang="en-GB"`` (WCAG 2.2 SC 3.1.2, language of parts), and a Welsh
    reader is told, while the header around it follows the page's language."""

    def __init__(
        self, folder: Path, *, also: Collection[Path] = (), english_only: Collection[str] | bool = ()
    ) -> None:
        self.english_only = english_only
        # ``also``: another domain's folder whose layout these pages extend (a console section extends
        # the staff pages' layout); the kernel's folder always comes last.
        folders = [folder, *also, _HERE / "templates"]
        self.environment = Environment(
            loader=FileSystemLoader([str(f) for f in folders]),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        i18n.install(self.environment)  # _(), {% trans %}, the date filters, the language switch

    def render(self, request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        """Render a page with the safe headers; ``request`` is available to every template."""
        english_only = self.english_only is True or (
            not isinstance(self.english_only, bool) and template in self.english_only
        )
        html = self.environment.get_template(template).render(
            request=request, english_only=english_only, **context
        )
        return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)


class ShowPage(Exception):
    """Raise to answer with ``response`` once the request's transaction has been rolled back (a form
    shown again with a message, a redirect to sign in). `core.handlers` installs the handler."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def static_files(*packages: str) -> StaticFiles:
    """The kernel's static files (stylesheet, icon) and those in each named package's ``static/``."""
    return StaticFiles(packages=[("core", "static"), *[(package, "static") for package in packages]])
