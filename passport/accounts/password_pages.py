"""Pages for the account basics: a forgotten password (reset by emailed link), changing the password,
and the expiry-reminder setting. Every form is CSRF-checked and answered with a page or a redirect."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from core.deps import NowDep, SessionDep
from core.i18n import gettext
from core.problems import Unauthorized
from passport.accounts import accounts, passwords
from passport.accounts.accounts import TooManyAttempts
from passport.accounts.passwords import TooManyResetRequests
from passport.deps import ClientDep
from passport.web import (
    EmailField,
    FormVisitor,
    PageRoute,
    PasswordField,
    VisitorDep,
    new_password_errors,
    page,
    redirect,
    show,
    signed_in,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)


# --- a forgotten password -----------------------------------------------------------------------------------


@router.get("/passport/forgot-password")
def forgot_form(request: Request, who: VisitorDep) -> HTMLResponse:
    return page(request, who, "passport_forgot.html", email="", error=None)


@router.post("/passport/forgot-password")
def forgot(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    client: ClientDep,
    now: NowDep,
    email: EmailField = "",
) -> HTMLResponse:
    """The same page whether or not the address has a passport: nobody learns who has one."""
    if "@" not in email.strip():
        error = gettext("Enter an email address like name@example.com.")
        raise show(request, who, "passport_forgot.html", 422, email=email, error=error)
    try:
        passwords.request_reset(session, who.config, email, client, now)
    except TooManyResetRequests as problem:
        shown = show(request, who, "passport_forgot.html", 429, email=email, error=problem.detail)
        shown.response.headers["Retry-After"] = str(problem.retry_after)
        raise shown from None
    minutes = int(passwords.RESET_TTL.total_seconds() // 60)
    return page(request, who, "passport_forgot_sent.html", email=email.strip().lower(), minutes=minutes)


@router.get("/passport/reset-password/{secret}")
def reset_form(request: Request, secret: str, who: VisitorDep, session: SessionDep, now: NowDep) -> Response:
    link = passwords.open_reset(session, secret, now)
    return page(request, who, "passport_reset.html", email=link.email, errors={})


@router.post("/passport/reset-password/{secret}")
def reset(
    request: Request,
    secret: str,
    who: FormVisitor,
    session: SessionDep,
    now: NowDep,
    password: PasswordField = "",
    password_confirmation: PasswordField = "",
) -> Response:
    link = passwords.open_reset(session, secret, now)
    errors = new_password_errors(password, password_confirmation)
    if errors:
        raise show(request, who, "passport_reset.html", 422, email=link.email, errors=errors)
    learner = passwords.complete_reset(session, who.config, secret, password, now)
    _, cookie = accounts.start_session(session, who.config, learner, now)
    return signed_in(redirect("/passport?done=password-reset"), who.config, cookie, learner.language)


# --- changing the password ----------------------------------------------------------------------------------


@router.get("/passport/account/password")
def change_form(request: Request, who: VisitorDep) -> HTMLResponse:
    who.require_learner(request)
    return page(request, who, "passport_password.html", errors={})


@router.post("/passport/account/password")
def change(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    client: ClientDep,
    now: NowDep,
    current_password: PasswordField = "",
    password: PasswordField = "",
    password_confirmation: PasswordField = "",
) -> Response:
    learner = who.require_learner(request)
    errors = new_password_errors(password, password_confirmation)
    if errors:
        raise show(request, who, "passport_password.html", 422, errors=errors)
    try:
        passwords.change_password(session, who.config, learner, current_password, password, client, now)
    except (Unauthorized, TooManyAttempts) as problem:
        shown = show(
            request,
            who,
            "passport_password.html",
            problem.status,
            errors={"current_password": problem.detail},
        )
        if isinstance(problem, TooManyAttempts):
            shown.response.headers["Retry-After"] = str(problem.retry_after)
        raise shown from None
    # Every session was revoked, this browser's too: it gets a new one.
    _, cookie = accounts.start_session(session, who.config, learner, now)
    return signed_in(redirect("/passport/account?done=password-changed"), who.config, cookie)


# --- reminders ----------------------------------------------------------------------------------------------


@router.post("/passport/account/reminders")
def reminders(
    request: Request,
    who: FormVisitor,
    expiry_reminders: Annotated[bool, Form()] = False,
) -> Response:
    learner = who.require_learner(request)
    learner.expiry_reminders = expiry_reminders
    return redirect(f"/passport/account?done=reminders-{'on' if expiry_reminders else 'off'}")
