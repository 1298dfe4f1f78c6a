"""Staff pages, the same for a provider's console (``/console/...``) and the operator's pages
(``/operator/...``): sign in (password, then the TOTP code if set up), accept an invitation, the staff
list (invite, change role, remove: administrators), the audit trail, and one's own account (password,
two-step sign-in). The operator's administrators also invite a provider's staff.

A provider's staff reach only their own provider's rows: every lookup names the provider of the
signed-in member (another provider's staff member is a 404)."""

# No ``from __future__ import annotations``: the routes' dependency types are local to `build`, and
# FastAPI reads annotations when a route is added, so they must be objects, not strings.
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse

from core.clients import client_address
from core.deps import NowDep, SessionDep
from core.i18n import N_, gettext
from core.passwords import MAX_PASSWORD_LENGTH, password_problem
from core.problems import Conflict, NotFound, TooManyRequests, Unauthorized, ValidationFailed
from core.totp import provisioning_uri, qr_svg
from core.web import ShowPage
from issuers import service
from issuers.console import pages as console_pages

from . import accounts, audit, two_step
from .accounts import StaffConfig
from .models import StaffMember
from .roles import OPERATOR_ROLES, PROVIDER_ROLES, Role
from .web import (
    CONSOLE,
    OPERATOR,
    ConsoleRoute,
    OperatorRoute,
    Realm,
    StaffVisitor,
    check_csrf,
    page,
    redirect,
    safe_next,
    show,
    signed_in,
    signed_out,
    visit,
)

ClientDep = Annotated[str, Depends(client_address)]
EmailField = Annotated[str, Form(max_length=320)]
PasswordField = Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)]
AUDIT_PAGE = 50

#: Messages after a redirect, chosen by a fixed code: nothing from the URL is echoed into the page.
DONE = {
    "signed-out": N_("You have signed out."),
    "invited": N_("Invitation sent. It works once and expires in three days."),
    "role": N_("Role changed."),
    "removed": N_("Staff member removed. Their sessions have ended."),
    "password": N_("Password changed."),
    "two-step-off": N_("Two-step sign-in is off."),
    "two-step-reset": N_("Two-step sign-in is reset for that person. Their sessions have ended."),
    "welcome": N_("Your password is set. Welcome."),
}


def _done(request: Request) -> str | None:
    message = DONE.get(request.query_params.get("done", ""))
    return gettext(message) if message else None


def _organisation(session: SessionDep, config: StaffConfig, provider_id: str | None) -> str:
    return service.get_issuer(session, provider_id).name if provider_id else config.operator_name


def build(realm: Realm) -> APIRouter:
    """The pages of one realm."""
    router = APIRouter(route_class=OperatorRoute if realm.operator else ConsoleRoute, include_in_schema=False)
    p = realm.prefix
    admin_role = Role.OPERATOR_ADMIN if realm.operator else Role.ADMIN

    def visitor(request: Request, session: SessionDep, now: NowDep) -> StaffVisitor:
        return visit(request, session, now, realm)

    async def form_visitor(request: Request, who: Annotated[StaffVisitor, Depends(visitor)]) -> StaffVisitor:
        return await check_csrf(request, who)

    Visitor = Annotated[StaffVisitor, Depends(visitor)]
    FormVisitor = Annotated[StaffVisitor, Depends(form_visitor)]

    # --- signing in and out ---------------------------------------------------------------------------

    @router.get(f"{p}/sign-in")
    def sign_in_form(request: Request, who: Visitor) -> Response:
        next_path = safe_next(realm, request.query_params.get("next"))
        if who.signed_in:
            return redirect(next_path)
        return page(
            request, who, "staff_sign_in.html", email="", error=None, next=next_path, done=_done(request)
        )

    @router.post(f"{p}/sign-in")
    def sign_in(
        request: Request,
        who: FormVisitor,
        session: SessionDep,
        client: ClientDep,
        now: NowDep,
        email: EmailField = "",
        password: PasswordField = "",
        next: Annotated[str, Form(max_length=2000)] = p,
    ) -> Response:
        try:
            member = accounts.authenticate(
                session, who.config, email, password, client, now, operator=realm.operator
            )
        except (Unauthorized, TooManyRequests) as problem:
            shown = show(
                request,
                who,
                "staff_sign_in.html",
                problem.status,
                email=email,
                error=problem.detail,
                next=safe_next(realm, next),
            )
            if isinstance(problem, TooManyRequests):
                shown.response.headers["Retry-After"] = str(problem.retry_after)
            raise shown from None
        if who.session_row is not None:
            accounts.end_session(session, who.session_row)
        row, secret = accounts.start_session(session, who.config, member, now)
        target = f"{p}/sign-in/code" if row.second_factor_due else safe_next(realm, next)
        return signed_in(redirect(target), who.config, realm, secret)

    @router.get(f"{p}/sign-in/code")
    def code_form(request: Request, who: Visitor) -> Response:
        if who.session_row is None or not who.session_row.second_factor_due:
            return redirect(f"{p}/sign-in")
        return page(request, who, "staff_code.html", error=None)

    @router.post(f"{p}/sign-in/code")
    def code(
        request: Request,
        who: FormVisitor,
        session: SessionDep,
        client: ClientDep,
        now: NowDep,
        code: Annotated[str, Form(max_length=20)] = "",
    ) -> Response:
        if who.session_row is None or not who.session_row.second_factor_due:
            return redirect(f"{p}/sign-in")
        try:
            two_step.second_factor(session, who.config, who.session_row, code, client, now)
        except (Unauthorized, TooManyRequests) as problem:
            shown = show(request, who, "staff_code.html", problem.status, error=problem.detail)
            if isinstance(problem, TooManyRequests):
                shown.response.headers["Retry-After"] = str(problem.retry_after)
            raise shown from None
        return redirect(p)

    @router.post(f"{p}/sign-out")
    def sign_out(who: FormVisitor, session: SessionDep) -> Response:
        if who.session_row is not None:
            accounts.end_session(session, who.session_row)
        return signed_out(redirect(f"{p}/sign-in?done=signed-out"), who.config, realm)

    # --- invitations ----------------------------------------------------------------------------------

    @router.get(f"{p}/invitations/{{secret}}")
    def invitation_form(
        request: Request, secret: str, who: Visitor, session: SessionDep, now: NowDep
    ) -> Response:
        _, member = accounts.open_invitation(session, secret, now)
        return page(request, who, "staff_invitation.html", member=member, errors={}, secret=secret)

    @router.post(f"{p}/invitations/{{secret}}")
    def accept_invitation(
        request: Request,
        secret: str,
        who: FormVisitor,
        session: SessionDep,
        now: NowDep,
        password: PasswordField = "",
        password_confirmation: PasswordField = "",
    ) -> Response:
        _, member = accounts.open_invitation(session, secret, now)
        problem = password_problem(password)
        errors = {"password": problem} if problem else {}
        if not errors and password != password_confirmation:
            errors = {"password_confirmation": gettext("The two passwords are not the same.")}
        if errors:
            raise show(
                request, who, "staff_invitation.html", 422, member=member, errors=errors, secret=secret
            )
        member = accounts.accept(session, who.config, secret, password, now)
        if who.session_row is not None:
            accounts.end_session(session, who.session_row)
        _, cookie = accounts.start_session(session, who.config, member, now)
        return signed_in(redirect(f"{p}?done=welcome"), who.config, realm, cookie)

    # --- home -----------------------------------------------------------------------------------------

    @router.get(p)
    def home(request: Request, who: Visitor, session: SessionDep, now: NowDep) -> HTMLResponse:
        member = who.require(request)
        if not realm.operator:  # the provider's figures (issuers.console)
            return console_pages.home_page(request, who, session, member, now, _done(request))
        organisation = _organisation(session, who.config, member.provider_id)
        return page(request, who, "staff_home.html", organisation=organisation, done=_done(request))

    # --- staff ----------------------------------------------------------------------------------------

    def _staff_page(
        request: Request,
        who: StaffVisitor,
        session: SessionDep,
        provider_id: str | None,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
    ) -> HTMLResponse:
        action = f"{p}/providers/{provider_id}/staff" if realm.operator and provider_id else f"{p}/staff"
        return page(
            request,
            who,
            "staff_list.html",
            status_code,
            staff=accounts.list_staff(session, provider_id),
            organisation=_organisation(session, who.config, provider_id),
            roles=PROVIDER_ROLES if provider_id else OPERATOR_ROLES,
            action=action,
            manage=not (realm.operator and provider_id),
            errors=errors or {},
            values=values or {},
            done=_done(request),
        )

    def _invite(
        request: Request,
        who: StaffVisitor,
        session: SessionDep,
        provider_id: str | None,
        now: NowDep,
        name: str,
        email: str,
        role: str,
        back: str,
    ) -> Response:
        try:
            accounts.invite(
                session,
                who.config,
                provider_id,
                _organisation(session, who.config, provider_id),
                email,
                name,
                role,
                now,
            )
        except (ValidationFailed, Conflict) as problem:
            field = "email"
            if isinstance(problem, ValidationFailed):
                field = str(problem.extensions.get("errors", [{}])[0].get("field", "email"))
            values = {"name": name, "email": email, "role": role}
            raise ShowPage(
                _staff_page(
                    request, who, session, provider_id, problem.status, {field: problem.detail or ""}, values
                )
            ) from None
        return redirect(f"{back}?done=invited")

    @router.get(f"{p}/staff")
    def staff_list(request: Request, who: Visitor, session: SessionDep) -> HTMLResponse:
        member = who.require(request, admin_role)
        return _staff_page(request, who, session, member.provider_id)

    @router.post(f"{p}/staff")
    def invite(
        request: Request,
        who: FormVisitor,
        session: SessionDep,
        now: NowDep,
        name: Annotated[str, Form(max_length=200)] = "",
        email: EmailField = "",
        role: Annotated[str, Form(max_length=20)] = "",
    ) -> Response:
        member = who.require(request, admin_role)
        return _invite(request, who, session, member.provider_id, now, name, email, role, f"{p}/staff")

    @router.post(f"{p}/staff/{{member_id}}/role")
    def change_role(
        request: Request,
        member_id: str,
        who: FormVisitor,
        session: SessionDep,
        now: NowDep,
        role: Annotated[str, Form(max_length=20)] = "",
    ) -> Response:
        member = who.require(request, admin_role)
        accounts.change_role(session, member.provider_id, member_id, role, now)
        return redirect(f"{p}/staff?done=role")

    @router.post(f"{p}/staff/{{member_id}}/reinvite")
    def reinvite(
        request: Request, member_id: str, who: FormVisitor, session: SessionDep, now: NowDep
    ) -> Response:
        member = who.require(request, admin_role)
        organisation = _organisation(session, who.config, member.provider_id)
        accounts.reinvite(session, who.config, member.provider_id, organisation, member_id, now)
        return redirect(f"{p}/staff?done=invited")

    @router.post(f"{p}/staff/{{member_id}}/remove")
    def remove(
        request: Request, member_id: str, who: FormVisitor, session: SessionDep, now: NowDep
    ) -> Response:
        member = who.require(request, admin_role)
        accounts.remove(session, member.provider_id, member_id, now)
        return redirect(f"{p}/staff?done=removed")

    @router.post(f"{p}/staff/{{member_id}}/two-step/reset")
    def reset_two_step(
        request: Request, member_id: str, who: FormVisitor, session: SessionDep, now: NowDep
    ) -> Response:
        member = who.require(request, admin_role)
        two_step.reset(session, accounts.get_member(session, member.provider_id, member_id), now)
        return redirect(f"{p}/staff?done=two-step-reset")

    if realm.operator:

        @router.post(f"{p}/providers/{{provider_id}}/staff/{{member_id}}/two-step/reset")
        def reset_provider_two_step(
            request: Request,
            provider_id: str,
            member_id: str,
            who: FormVisitor,
            session: SessionDep,
            now: NowDep,
        ) -> Response:
            who.require(request, Role.OPERATOR_ADMIN)
            two_step.reset(session, accounts.get_member(session, provider_id, member_id), now)
            return redirect(f"{p}/providers/{provider_id}/staff?done=two-step-reset")

        @router.get(f"{p}/providers/{{provider_id}}/staff")
        def provider_staff(
            request: Request, provider_id: str, who: Visitor, session: SessionDep
        ) -> HTMLResponse:
            who.require(request, Role.OPERATOR_ADMIN)
            service.get_issuer(session, provider_id)  # 404 for no such provider
            return _staff_page(request, who, session, provider_id)

        @router.post(f"{p}/providers/{{provider_id}}/staff")
        def invite_provider_staff(
            request: Request,
            provider_id: str,
            who: FormVisitor,
            session: SessionDep,
            now: NowDep,
            name: Annotated[str, Form(max_length=200)] = "",
            email: EmailField = "",
            role: Annotated[str, Form(max_length=20)] = "",
        ) -> Response:
            who.require(request, Role.OPERATOR_ADMIN)
            service.get_issuer(session, provider_id)
            back = f"{p}/providers/{provider_id}/staff"
            return _invite(request, who, session, provider_id, now, name, email, role, back)

    # --- the audit trail ------------------------------------------------------------------------------

    @router.get(f"{p}/audit")
    def audit_trail(request: Request, who: Visitor, session: SessionDep) -> HTMLResponse:
        member = who.require(request, Role.ASSESSOR if realm.operator else Role.ADMIN)
        try:
            number = max(1, min(int(request.query_params.get("page", "1")), 10_000))
        except ValueError:
            raise NotFound(gettext("no such page")) from None
        events = audit.events(
            session,
            provider_id=member.provider_id,
            everyone=realm.operator,
            limit=AUDIT_PAGE + 1,
            offset=(number - 1) * AUDIT_PAGE,
        )
        return page(
            request,
            who,
            "staff_audit.html",
            events=events[:AUDIT_PAGE],
            action_name=audit.action_name,
            page_number=number,
            more=len(events) > AUDIT_PAGE,
        )

    # --- one's own account ----------------------------------------------------------------------------

    def _account_page(
        request: Request,
        who: StaffVisitor,
        session: SessionDep,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        totp_qr: str | None = None,
        totp_secret: str | None = None,
        recovery_codes: list[str] | None = None,
    ) -> HTMLResponse:
        member = who.require(request)
        return page(
            request,
            who,
            "staff_account.html",
            status_code,
            errors=errors or {},
            totp_qr=totp_qr,
            totp_secret=totp_secret,
            recovery_codes=recovery_codes,
            recovery_codes_left=two_step.recovery_codes_left(session, member) if member.totp_enabled else 0,
            done=_done(request),
        )

    def _set_up_again(
        request: Request, who: StaffVisitor, session: SessionDep, member: StaffMember, error: str
    ) -> ShowPage:
        secret = two_step.totp_secret(who.config, member)
        uri = provisioning_uri(secret, member.email, who.config.totp_issuer)
        return ShowPage(_account_page(request, who, session, 422, {"code": error}, qr_svg(uri), secret))

    @router.get(f"{p}/account")
    def account(request: Request, who: Visitor, session: SessionDep) -> HTMLResponse:
        return _account_page(request, who, session)

    @router.post(f"{p}/account/password")
    def change_password(
        request: Request,
        who: FormVisitor,
        session: SessionDep,
        now: NowDep,
        current_password: PasswordField = "",
        password: PasswordField = "",
        password_confirmation: PasswordField = "",
    ) -> Response:
        member = who.require(request)
        if password != password_confirmation:
            errors = {"password_confirmation": gettext("The two passwords are not the same.")}
            raise ShowPage(_account_page(request, who, session, 422, errors))
        try:
            accounts.change_password(
                session, who.config, member, current_password, password, now, keep=who.session_row
            )
        except Unauthorized as problem:
            errors = {"current_password": problem.detail or ""}
            raise ShowPage(_account_page(request, who, session, 422, errors)) from None
        except ValidationFailed as problem:
            errors = {"password": problem.detail or ""}
            raise ShowPage(_account_page(request, who, session, 422, errors)) from None
        return redirect(f"{p}/account?done=password")

    @router.post(f"{p}/account/two-step")
    def begin_two_step(request: Request, who: FormVisitor, session: SessionDep) -> Response:
        member = who.require(request)
        secret = two_step.begin(session, who.config, member)
        uri = provisioning_uri(secret, member.email, who.config.totp_issuer)
        return _account_page(request, who, session, totp_qr=qr_svg(uri), totp_secret=secret)

    @router.post(f"{p}/account/two-step/confirm")
    def confirm_two_step(
        request: Request,
        who: FormVisitor,
        session: SessionDep,
        now: NowDep,
        code: Annotated[str, Form(max_length=20)] = "",
    ) -> Response:
        member = who.require(request)
        try:
            codes = two_step.confirm(session, who.config, member, code, now)
        except ValidationFailed as problem:
            raise _set_up_again(request, who, session, member, problem.detail or "") from None
        # Shown once, in the answer to this form: only their digests are kept.
        return _account_page(request, who, session, recovery_codes=codes)

    @router.post(f"{p}/account/two-step/recovery-codes")
    def renew_recovery_codes(
        request: Request, who: FormVisitor, session: SessionDep, now: NowDep, password: PasswordField = ""
    ) -> Response:
        member = who.require(request)
        try:
            codes = two_step.new_recovery_codes(session, who.config, member, password, now)
        except ValidationFailed as problem:
            errors = {"renew_password": problem.detail or ""}
            raise ShowPage(_account_page(request, who, session, 422, errors)) from None
        return _account_page(request, who, session, recovery_codes=codes)

    @router.post(f"{p}/account/two-step/off")
    def turn_off_two_step(
        request: Request, who: FormVisitor, session: SessionDep, now: NowDep, password: PasswordField = ""
    ) -> Response:
        member = who.require(request)
        try:
            two_step.turn_off(session, who.config, member, password, now)
        except ValidationFailed as problem:
            errors = {"off_password": problem.detail or ""}
            raise ShowPage(_account_page(request, who, session, 422, errors)) from None
        return redirect(f"{p}/account?done=two-step-off")

    return router


console = build(CONSOLE)
operator = build(OPERATOR)
