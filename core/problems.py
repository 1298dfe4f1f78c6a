"""RFC 9457 problem details: every error the API returns is ``application/problem+json``.

Problem (500)
├── BadRequest (400)           malformed input that is not a validation failure (e.g. bad CSV encoding)
├── Unauthorized (401)         missing, unknown or revoked API key / token
├── Forbidden (403)            e.g. a form without its CSRF token
├── NotFound (404)             also what another provider's resources look like: no existence leak
├── Conflict (409)             e.g. revoking a revoked credential
├── Gone (410)                 e.g. an emailed link already used, or expired
├── PayloadTooLarge (413)
├── ValidationFailed (422)     carries ``errors``: a list of {loc|row, msg}
└── TooManyRequests (429)      carries ``retry_after`` (seconds), also sent as a Retry-After header

A problem speaks the request's language (`core.i18n`): its ``title`` is marked with ``N_`` and translated
when the problem is shown; its ``detail`` is translated where it is raised (``gettext``). The ``type``
URI and the slug stay the same in every language (RFC 9457 §3.1.3 lets only the title vary, for
localisation).
"""

from __future__ import annotations

from typing import Any, ClassVar

from .i18n import N_, gettext

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = N_("Internal server error")

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions

    @property
    def shown_title(self) -> str:
        """The title in the current language (the class's ``title`` is the English message id)."""
        return gettext(self.title)

    def body(self, base_url: str, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"{base_url}/problems/{self.slug}",
            "title": self.shown_title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body


class BadRequest(Problem):
    status, slug, title = 400, "bad-request", N_("Bad request")


class Unauthorized(Problem):
    status, slug, title = 401, "unauthorized", N_("Authentication required")


class Forbidden(Problem):
    status, slug, title = 403, "forbidden", N_("Forbidden")


class NotFound(Problem):
    status, slug, title = 404, "not-found", N_("Not found")


class Conflict(Problem):
    status, slug, title = 409, "conflict", N_("Conflict")


class Gone(Problem):
    status, slug, title = 410, "gone", N_("Gone")


class PayloadTooLarge(Problem):
    status, slug, title = 413, "payload-too-large", N_("Request body too large")


class ValidationFailed(Problem):
    status, slug, title = 422, "validation-error", N_("The request is not valid")

    def __init__(self, detail: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(detail, errors=errors)


class TooManyRequests(Problem):
    status, slug, title = 429, "too-many-requests", N_("Too many requests")

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after


def problem_responses(*problems: type[Problem]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries so each route declares the problems it can return."""
    return {
        problem.status: {
            "description": problem.title,
            "content": {PROBLEM_JSON: {"schema": {"type": "object"}}},
        }
        for problem in problems
    }
