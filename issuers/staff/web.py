"""What the staff pages share: the two realms (a provider's console, the operator's pages), who is
visiting, CSRF, cookies, and problems shown as pages.

Like the passport's pages (`passport.web`): the session cookie is HttpOnly, SameSite=Lax, Secure and
``__Host-`` prefixed when the base URL is https; every state-changing form carries a CSRF token that
must match the session's (or, signed out, a random token also set as a cookie). Each realm has its own
cookies, so a provider's session is never an operator's. A session whose TOTP code is still due allows
only the code page."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from core.actors import Actor, acting_as
from core.deps import NowDep, SessionDep
from core.i18n import N_, gettext
from core.passwords import MIN_PASSWORD_LENGTH, new_secret
from core.problems import Forbidden, Problem, TooManyRequests
from core.services import services_of
from core.web import ShowPage, Templates

from . import accounts
from .accounts import StaffConfig
from .models import StaffMember, StaffSession
from .roles import Role, allows, role_name

TEMPLATES_FOLDER = Path(__file__).parent / "templates"
templates = Templates(TEMPLATES_FOLDER)


def section_templates(folder: Path) -> Templates:
    """Templates of a console section in another package, extending ``staff_layout.html``."""
    return Templates(folder, also=[TEMPLATES_FOLDER])


@dataclass(frozen=True)
class Realm:
    name: str  # "console" or "operator"
    prefix: str  # "/console" or "/operator"
    operator: bool


CONSOLE = Realm("console", "/console", operator=False)
OPERATOR = Realm("operator", "/operator", operator=True)


@dataclass(frozen=True)
class Section:
    """A part of a console, listed in its section navigation for the roles that may open it."""

    path: str  # under the realm's prefix
    label: str  # N_() text, translated when shown
    role: Role


#: Each realm's sections, in the order the navigation lists them.
SECTIONS: dict[str, tuple[Section, ...]] = {
    "console": (
        Section("/credentials", N_("Credentials"), Role.VIEWER),
        Section("/achievements", N_("Achievements"), Role.VIEWER),
        Section("/issue", N_("Issue"), Role.ISSUER),
        Section("/cohorts", N_("Cohorts"), Role.ISSUER),
        Section("/claim-codes", N_("Claim codes"), Role.ISSUER),
        Section("/pathways", N_("Pathways"), Role.VIEWER),
        Section("/communities", N_("Communities"), Role.VIEWER),
        Section("/keys", N_("Keys"), Role.ADMIN),
    ),
    "operator": (
        Section("/providers", N_("Providers"), Role.ASSESSOR),
        Section("/approvals", N_("Approvals"), Role.ASSESSOR),
        Section("/pathways", N_("Pathways"), Role.ASSESSOR),
        Section("/communities", N_("Communities"), Role.ASSESSOR),
        Section("/bursaries", N_("Bursaries"), Role.ASSESSOR),
        Section("/trust-list", N_("Trust list"), Role.ASSESSOR),
        Section("/figures", N_("Figures"), Role.ASSESSOR),
    ),
}


class CsrfFailed(Forbidden):
    slug, title = "csrf-token-invalid", N_("This form has expired")


class NotAllowed(Forbidden):
    slug, title = "role-not-allowed", N_("Your role does not allow this")


def cookie_names(config: StaffConfig, realm: Realm) -> tuple[str, str]:
    prefix = "__Host-" if config.secure_cookies else ""
    return f"{prefix}{realm.name}_session", f"{prefix}{realm.name}_csrf"


@dataclass
class StaffVisitor:
    config: StaffConfig
    realm: Realm
    member: StaffMember | None
    session_row: StaffSession | None
    csrf_token: str
    new_csrf_cookie: bool = False

    @property
    def signed_in(self) -> bool:
        return (
            self.member is not None
            and self.session_row is not None
            and not self.session_row.second_factor_due
        )

    def require(self, request: Request, role: Role | None = None) -> StaffMember:
        """The signed-in member (sent to sign in otherwise, and to the code page if it is due); with
        `role`, 403 unless theirs allows it."""
        if self.member is None or self.session_row is None:
            raise ShowPage(redirect(f"{self.realm.prefix}/sign-in?next={quote(request.url.path)}"))
        if self.session_row.second_factor_due:
            raise ShowPage(redirect(f"{self.realm.prefix}/sign-in/code"))
        if role is not None and not allows(self.member.role, role):
            raise NotAllowed(gettext("Ask an administrator if you need to do this."))
        return self.member


def staff_config(request: Request) -> StaffConfig:
    return services_of(request.app).get(StaffConfig)


def find_member(
    session: Session, realm: Realm, secret: str | None, now: datetime
) -> tuple[StaffMember, StaffSession] | None:
    """The member of a session cookie of this realm (a provider's staff in the console, the operator's
    in the operator's pages)."""
    row = accounts.find_session(session, secret, now) if secret else None
    if row is None:
        return None
    member = session.get(StaffMember, row.staff_member_id)
    if member is None or (member.provider_id is None) != realm.operator:
        return None
    return member, row


def visit(request: Request, session: Session, now: datetime, realm: Realm) -> StaffVisitor:
    config = staff_config(request)
    session_cookie, csrf_cookie = cookie_names(config, realm)
    found = find_member(session, realm, request.cookies.get(session_cookie), now)
    if found is not None:
        member, row = found
        if not row.second_factor_due:
            acting_as(session, staff_actor(member))
        return StaffVisitor(config, realm, member, row, row.csrf_token)
    anonymous = request.cookies.get(csrf_cookie)
    if anonymous and len(anonymous) >= 32:
        return StaffVisitor(config, realm, None, None, anonymous)
    return StaffVisitor(config, realm, None, None, new_secret(), new_csrf_cookie=True)


def _console_visitor(request: Request, session: SessionDep, now: NowDep) -> StaffVisitor:
    return visit(request, session, now, CONSOLE)


def _operator_visitor(request: Request, session: SessionDep, now: NowDep) -> StaffVisitor:
    return visit(request, session, now, OPERATOR)


async def _console_form(request: Request, who: ConsoleVisitor) -> StaffVisitor:
    return await check_csrf(request, who)


async def _operator_form(request: Request, who: OperatorVisitor) -> StaffVisitor:
    return await check_csrf(request, who)


#: What a console section's routes take: who is visiting (``...Visitor``), and for a form the same with
#: its CSRF token checked (``...FormVisitor``).
ConsoleVisitor = Annotated[StaffVisitor, Depends(_console_visitor)]
OperatorVisitor = Annotated[StaffVisitor, Depends(_operator_visitor)]
ConsoleFormVisitor = Annotated[StaffVisitor, Depends(_console_form)]
OperatorFormVisitor = Annotated[StaffVisitor, Depends(_operator_form)]


def done_message(request: Request, messages: dict[str, str]) -> str | None:
    """The message after a redirect, chosen by the fixed code in ``?done=``: nothing from the URL is
    echoed into the page."""
    message = messages.get(request.query_params.get("done", ""))
    return gettext(message) if message else None


def staff_actor(member: StaffMember) -> Actor:
    return Actor("staff", member.id, member.email)


async def check_csrf(request: Request, who: StaffVisitor) -> StaffVisitor:
    form = await request.form()
    token = form.get("csrf_token")
    if not isinstance(token, str) or not hmac.compare_digest(token.encode(), who.csrf_token.encode()):
        raise CsrfFailed(
            gettext("This form has expired or did not come from this site. Reload the page and try again.")
        )
    return who


def page(
    request: Request,
    who: StaffVisitor,
    template: str,
    status_code: int = 200,
    *,
    using: Templates | None = None,
    **context: Any,
) -> HTMLResponse:
    """A staff page; ``using``: a console section's own templates (made with `section_templates`)."""
    response = (using or templates).render(
        request,
        template,
        status_code,
        visitor=who,
        realm=who.realm,
        role_name=role_name,
        sections=[s for s in SECTIONS[who.realm.name] if who.member and allows(who.member.role, s.role)],
        min_password_length=MIN_PASSWORD_LENGTH,
        **context,
    )
    if who.new_csrf_cookie:
        _, csrf_cookie = cookie_names(who.config, who.realm)
        _set_cookie(response, who.config, csrf_cookie, who.csrf_token, max_age=None)
    return response


def show(
    request: Request,
    who: StaffVisitor,
    template: str,
    status_code: int,
    *,
    using: Templates | None = None,
    **context: Any,
) -> ShowPage:
    return ShowPage(page(request, who, template, status_code, using=using, **context))


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(realm: Realm, value: str | None) -> str:
    """Only a path of this realm's pages: never an open redirect."""
    if value and value.startswith(realm.prefix) and "//" not in value and "\\" not in value:
        return value
    return realm.prefix


def _set_cookie(response: Response, config: StaffConfig, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=config.secure_cookies, httponly=True, samesite="lax"
    )


def signed_in(response: Response, config: StaffConfig, realm: Realm, secret: str) -> Response:
    session_cookie, csrf_cookie = cookie_names(config, realm)
    _set_cookie(response, config, session_cookie, secret, int(config.session_ttl.total_seconds()))
    response.delete_cookie(csrf_cookie, path="/", secure=config.secure_cookies, httponly=True, samesite="lax")
    return response


def signed_out(response: Response, config: StaffConfig, realm: Realm) -> Response:
    session_cookie, _ = cookie_names(config, realm)
    response.delete_cookie(
        session_cookie, path="/", secure=config.secure_cookies, httponly=True, samesite="lax"
    )
    return response


def problem_page(request: Request, problem: Problem, realm: Realm) -> HTMLResponse:
    config = staff_config(request)
    response = templates.render(
        request,
        "staff_error.html",
        problem.status,
        problem=problem,
        problem_type=f"{config.base_url}/problems/{problem.slug}",
        visitor=None,
        realm=realm,
    )
    if isinstance(problem, TooManyRequests):
        response.headers["Retry-After"] = str(problem.retry_after)
    return response


class ConsoleRoute(APIRoute):
    """Errors on the console's pages are pages."""

    def render_problem(self, request: Request, problem: Problem) -> Response:
        return problem_page(request, problem, CONSOLE)


class OperatorRoute(APIRoute):
    def render_problem(self, request: Request, problem: Problem) -> Response:
        return problem_page(request, problem, OPERATOR)
