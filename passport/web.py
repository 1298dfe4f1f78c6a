"""What every passport page shares: who is visiting, CSRF, cookies, and errors shown as pages.

Signed-in browsers carry a session cookie (HttpOnly, SameSite=Lax, Secure when the base URL is https,
``__Host-`` prefixed then). Every state-changing form carries a CSRF token that must match the
visitor's: the session's own token once signed in, or before that a random token also set as a cookie
(so sign-in and sign-up forms cannot be posted from another site either).

Page routes use ``PageRoute``: a problem becomes an HTML page with its status (its RFC 9457 ``type``
in a ``<meta name="problem-type">``), and a page that needs a signed-in learner redirects to sign-in.
Either way the exception leaves the request first, so its transaction is rolled back.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute

from core.deps import NowDep, SessionDep
from core.i18n import N_, get_choice, gettext, remember_language
from core.problems import Forbidden, Problem, TooManyRequests
from core.web import ShowPage, Templates
from passport.accounts import accounts
from passport.accounts.security import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    new_secret,
    password_problem,
)
from passport.config import PassportConfig
from passport.deps import get_passport_config
from passport.models import Learner, LearnerSession

render = Templates(Path(__file__).parent / "templates").render


class CsrfFailed(Forbidden):
    slug, title = "csrf-token-invalid", N_("This form has expired")


def cookie_names(config: PassportConfig) -> tuple[str, str]:
    prefix = "__Host-" if config.secure_cookies else ""
    return f"{prefix}passport_session", f"{prefix}passport_csrf"


@dataclass
class Visitor:
    config: PassportConfig
    learner: Learner | None
    session_row: LearnerSession | None
    csrf_token: str
    #: A new anonymous CSRF token to set as a cookie with the page.
    new_csrf_cookie: bool = False

    def require_learner(self, request: Request) -> Learner:
        """The signed-in learner; a signed-out visitor is sent to sign in, and back here after."""
        if self.learner is None:
            raise ShowPage(redirect(f"/passport/sign-in?next={quote(request.url.path)}"))
        return self.learner


def visitor(request: Request, session: SessionDep, now: NowDep) -> Visitor:
    config = get_passport_config(request)
    session_cookie, csrf_cookie = cookie_names(config)
    secret = request.cookies.get(session_cookie)
    row = accounts.find_session(session, secret, now) if secret else None
    if row is not None:
        learner = session.get(Learner, row.learner_id)
        if learner is not None:
            _remember_language(learner)
            return Visitor(config, learner, row, row.csrf_token)
    anonymous = request.cookies.get(csrf_cookie)
    if anonymous and len(anonymous) >= 32:
        return Visitor(config, None, None, anonymous)
    return Visitor(config, None, None, new_secret(), new_csrf_cookie=True)


def _remember_language(learner: Learner) -> None:
    """A signed-in learner who picks a language with the switch (``?lang=``) gets their email in it too."""
    choice = get_choice()
    if choice.source == "query" and learner.language != choice.locale:
        learner.language = choice.locale


async def checked_form(request: Request, who: Annotated[Visitor, Depends(visitor)]) -> Visitor:
    """The visitor of a state-changing form whose CSRF token matched; otherwise 403."""
    form = await request.form()
    token = form.get("csrf_token")
    if not isinstance(token, str) or not hmac.compare_digest(token.encode(), who.csrf_token.encode()):
        raise CsrfFailed(
            gettext("This form has expired or did not come from this site. Reload the page and try again.")
        )
    return who


VisitorDep = Annotated[Visitor, Depends(visitor)]
FormVisitor = Annotated[Visitor, Depends(checked_form)]


def page(
    request: Request, who: Visitor, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    response = render(
        request, template, status_code, visitor=who, min_password_length=MIN_PASSWORD_LENGTH, **context
    )
    if who.new_csrf_cookie:
        _, csrf_cookie = cookie_names(who.config)
        _set_cookie(response, who.config, csrf_cookie, who.csrf_token, max_age=None)
    return response


def show(request: Request, who: Visitor, template: str, status_code: int, **context: Any) -> ShowPage:
    """A page to answer with after rolling back (``raise show(...)``): a form shown again with a message."""
    response = page(request, who, template, status_code, **context)
    return ShowPage(response)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(value: str | None) -> str:
    """Only a path of this site's passport: never an open redirect."""
    if value and value.startswith(("/passport", "/c/")) and "//" not in value and "\\" not in value:
        return value
    return "/passport"


def _set_cookie(
    response: Response, config: PassportConfig, name: str, value: str, max_age: int | None
) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=config.secure_cookies, httponly=True, samesite="lax"
    )


def signed_in(
    response: Response, config: PassportConfig, secret: str, language: str | None = None
) -> Response:
    """Start the browser's session; pages then speak the learner's ``language`` here too, unless this
    browser has a language of its own."""
    session_cookie, csrf_cookie = cookie_names(config)
    if language is not None:
        remember_language(response, language, config.secure_cookies)
    _set_cookie(response, config, session_cookie, secret, int(config.session_ttl.total_seconds()))
    response.delete_cookie(csrf_cookie, path="/", secure=config.secure_cookies, httponly=True, samesite="lax")
    return response


def signed_out(response: Response, config: PassportConfig) -> Response:
    session_cookie, _ = cookie_names(config)
    response.delete_cookie(
        session_cookie, path="/", secure=config.secure_cookies, httponly=True, samesite="lax"
    )
    return response


def problem_page(request: Request, problem: Problem, *, public: bool = False) -> HTMLResponse:
    """A problem as a page; `public`: a page for anyone (a share link's visitor, an employer), which
    points to the credential check rather than to a passport they do not have."""
    config = get_passport_config(request)
    response = render(
        request,
        "passport_error.html",
        problem.status,
        problem=problem,
        problem_type=f"{config.base_url}/problems/{problem.slug}",
        visitor=None,
        public=public,
    )
    if isinstance(problem, TooManyRequests):
        response.headers["Retry-After"] = str(problem.retry_after)
    return response


class PageRoute(APIRoute):
    """Errors on pages are pages: the app's problem handler asks the route to render them."""

    def render_problem(self, request: Request, problem: Problem) -> Response:
        return problem_page(request, problem)


# --- what the forms share ----------------------------------------------------------------------------------

EmailField = Annotated[str, Form(max_length=320)]
PasswordField = Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)]

#: Messages after a redirect, chosen by a fixed code: nothing from the URL is echoed into the page.
DONE = {
    "welcome": N_("Your passport is ready. Credentials issued to your address are below."),
    "claimed": N_("The address is now in your passport, with every credential issued to it."),
    "signed-out": N_("You have signed out."),
    "added": N_("We have emailed a link to the new address. Open it while signed in here to confirm it."),
    "resent": N_("We have emailed a new link."),
    "verified": N_("Address confirmed. Credentials issued to it are now in your passport."),
    "removed": N_("Address removed. Credentials issued to it are no longer in your passport."),
    "primary": N_("Primary address changed."),
    "imported": N_("The credential was verified and added to your passport."),
    "imported-not-yours": N_(
        "The credential was verified and added, but it was issued to someone else: to none of your"
        " confirmed addresses. Anyone you share it with will be told so. If it was issued to another"
        " address of yours, add and confirm that address."
    ),
    "imported-recipient-unknown": N_(
        "The credential was verified and added. Who it was issued to cannot be confirmed (it does not"
        " name one of your confirmed addresses), and share links will say so."
    ),
    "already": N_("That credential was already in your passport."),
    "password-reset": N_(
        "Your new password is set, and you are signed in. Every other browser and app was signed out."
    ),
    "password-changed": N_("Password changed. Every other browser and app was signed out."),
    "reminders-on": N_("We will email you a month before a credential expires."),
    "reminders-off": N_("Expiry reminders are off. We will still tell you if a credential is revoked."),
}


#: Messages that are a caution, not a success (the rest are shown as done).
CAUTIONS = frozenset({"imported-not-yours", "imported-recipient-unknown"})


def done_message(request: Request) -> str | None:
    message = DONE.get(request.query_params.get("done", ""))
    return gettext(message) if message else None


def done_tone(request: Request) -> str:
    """The CSS tone of the message after a redirect: "warn" for a caution, else "ok"."""
    return "warn" if request.query_params.get("done", "") in CAUTIONS else "ok"


def new_password_errors(password: str, confirmation: str) -> dict[str, str]:
    problem = password_problem(password)
    if problem:
        return {"password": problem}
    if password != confirmation:
        return {"password_confirmation": gettext("The two passwords are not the same.")}
    return {}
