"""The API documentation page, ``/docs``: Swagger UI from an installed package, under the site's CSP.

FastAPI's own page loads Swagger UI from a CDN (a blank page offline, no Subresource Integrity, outside
the Content-Security-Policy) and starts it with an inline script. Here the files come from the
`fastapi_offline` package (swagger-ui-dist 5, which renders OpenAPI 3.1; the version is
`swagger_ui_version()`), served from this site at ``/docs/assets``, and `core/static/api-docs.js`, a
same-origin script, starts it: the page runs under the same CSP as every other page (``script-src
'self'``, no inline script or style), and Swagger UI's validator badge, which would call another site,
is off.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from .web import PAGE_HEADERS

__all__ = ["ASSETS", "install_api_docs", "swagger_ui_version"]

ASSETS = Path(str(files("fastapi_offline") / "static"))
ASSETS_URL = "/docs/assets"


@cache
def swagger_ui_version() -> str:
    """Swagger UI's version, as its bundle states it (``PACKAGE_VERSION:"5.x.y"``)."""
    bundle = (ASSETS / "swagger-ui-bundle.js").read_text(encoding="utf-8", errors="replace")
    found = re.search(r'PACKAGE_VERSION:"([0-9.]+)"', bundle)
    return found.group(1) if found else "unknown"


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - API documentation</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<main id="swagger-ui" data-openapi-url="{openapi_url}"></main>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


def install_api_docs(app: FastAPI, title: str) -> None:
    """``/docs`` and its assets; create the app with ``docs_url=None`` (FastAPI's CDN page)."""
    openapi_url = app.openapi_url or "/openapi.json"
    html = _PAGE.format(title=escape(title), assets=ASSETS_URL, openapi_url=escape(openapi_url))
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="api-docs-assets")

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(html, headers=PAGE_HEADERS)
