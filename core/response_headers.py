"""Headers every response carries, whatever produced it (a JSON route, a problem, a static file, a page).

``X-Content-Type-Options: nosniff`` (WHATWG Fetch §3.6 "X-Content-Type-Options"): a browser takes each
response as the type it is labelled with and never guesses, so a JSON answer or an uploaded-looking file
can never be run as a script or rendered as HTML. Pages add their own headers on top (`core.web`).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["NoSniff"]


class NoSniff:
    """ASGI middleware: ``X-Content-Type-Options: nosniff`` on every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
            await send(message)

        await self.app(scope, receive, send_with_header)
