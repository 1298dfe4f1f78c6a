"""Request bodies over the limit are refused with 413 before a route reads them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .i18n import gettext
from .problems import PROBLEM_JSON, PayloadTooLarge

__all__ = ["BodyLimit", "PageForm"]

#: A public form's page for an oversized post (the request, the limit in bytes).
PageForm = Callable[[Request, int], Response]


class BodyLimit:
    """Refuse request bodies over the limit (413), whether declared by Content-Length or streamed.

    `page_forms`: public forms (by path) whose oversized posts are answered with the form again, not a
    JSON problem."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, base_url: str, page_forms: Mapping[str, PageForm] | None = None
    ) -> None:
        self.app, self.max_bytes, self.base_url = app, max_bytes, base_url
        self.page_forms = dict(page_forms or {})

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
        problem = PayloadTooLarge(
            gettext("the request body is larger than %(num)d bytes", num=self.max_bytes)
        )
        response: Response
        page_form = self.page_forms.get(scope.get("path", ""))
        if page_form is not None:  # a browser's form: say so on a page
            response = page_form(Request(scope), self.max_bytes)
        else:
            body: Any = problem.body(self.base_url, scope.get("path"))
            response = JSONResponse(body, status_code=413, media_type=PROBLEM_JSON)
        await response(scope, _no_receive, send)


class _TooLarge(Exception):
    pass


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
