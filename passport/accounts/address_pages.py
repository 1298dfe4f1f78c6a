"""Pages for email addresses, their verify links, claim links, and the development outbox."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from core.deps import NowDep, SessionDep
from core.i18n import gettext
from core.problems import Conflict, Problem, Unauthorized
from core.web import ShowPage
from passport.accounts import accounts, addresses, claims, links, mail
from passport.accounts.accounts import TooManyAttempts
from passport.accounts.links import LinkNotFound, Purpose
from passport.api_models import normalise_email
from passport.deps import ClientDep
from passport.pathways.progress import MilestonesDep
from passport.web import (
    EmailField,
    FormVisitor,
    PageRoute,
    PasswordField,
    Visitor,
    VisitorDep,
    done_message,
    new_password_errors,
    page,
    redirect,
    signed_in,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)
dev = APIRouter(route_class=PageRoute, include_in_schema=False)


# --- email addresses ----------------------------------------------------------------------------------------


def _emails_page(
    request: Request, who: Visitor, session: SessionDep, status_code: int = 200, **context: Any
) -> HTMLResponse:
    learner = who.require_learner(request)
    context.setdefault("error", None)
    context.setdefault("email", "")
    return page(
        request,
        who,
        "passport_emails.html",
        status_code,
        rows=addresses.list_addresses(session, learner),
        done=done_message(request),
        **context,
    )


@router.get("/passport/emails")
def emails(request: Request, who: VisitorDep, session: SessionDep) -> HTMLResponse:
    return _emails_page(request, who, session)


@router.post("/passport/emails")
def add_email(
    request: Request, who: FormVisitor, session: SessionDep, now: NowDep, email: EmailField = ""
) -> Response:
    learner = who.require_learner(request)
    try:
        address = normalise_email(email)
    except ValueError:
        error = gettext("Enter an email address like name@example.com.")
        raise _shown_again(request, who, session, 422, error, email) from None
    try:
        addresses.add_address(session, who.config, learner, address, now)
    except Problem as problem:
        raise _shown_again(request, who, session, problem.status, problem.detail, email) from None
    return redirect("/passport/emails?done=added")


def _shown_again(
    request: Request, who: Visitor, session: SessionDep, status_code: int, error: str, email: str = ""
) -> Exception:
    session.rollback()  # the page shown again must not show what the failed action did
    response = _emails_page(request, who, session, status_code, error=error, email=email)
    return ShowPage(response)


@router.post("/passport/emails/{address_id}/resend")
def resend(request: Request, address_id: str, who: FormVisitor, session: SessionDep, now: NowDep) -> Response:
    learner = who.require_learner(request)
    try:
        addresses.resend_verification(session, who.config, learner, address_id, now)
    except Conflict as problem:
        raise _shown_again(request, who, session, problem.status, problem.detail) from None
    return redirect("/passport/emails?done=resent")


@router.post("/passport/emails/{address_id}/primary")
def primary(request: Request, address_id: str, who: FormVisitor, session: SessionDep) -> Response:
    learner = who.require_learner(request)
    try:
        addresses.make_primary(session, learner, address_id)
    except Conflict as problem:
        raise _shown_again(request, who, session, problem.status, problem.detail) from None
    return redirect("/passport/emails?done=primary")


@router.post("/passport/emails/{address_id}/remove")
def remove(request: Request, address_id: str, who: FormVisitor, session: SessionDep) -> Response:
    learner = who.require_learner(request)
    try:
        addresses.remove_address(session, learner, address_id)
    except Conflict as problem:
        raise _shown_again(request, who, session, problem.status, problem.detail) from None
    return redirect("/passport/emails?done=removed")


# --- verify links -------------------------------------------------------------------------------------------


@router.get("/passport/verify/{secret}")
def verify_form(request: Request, secret: str, who: VisitorDep, session: SessionDep, now: NowDep) -> Response:
    learner = who.require_learner(request)
    link = links.open_link(session, secret, Purpose.VERIFY, now)
    if link.learner_id != learner.id:
        raise LinkNotFound(
            gettext("This link confirms an address for a different passport. Sign in to that one.")
        )
    return page(request, who, "passport_verify.html", email=link.email)


@router.post("/passport/verify/{secret}")
def verify(request: Request, secret: str, who: FormVisitor, session: SessionDep, now: NowDep) -> Response:
    learner = who.require_learner(request)
    addresses.verify_address(session, learner, secret, now)
    return redirect("/passport/emails?done=verified")


# --- claim links --------------------------------------------------------------------------------------------


def _claim_page(
    request: Request,
    who: Visitor,
    session: SessionDep,
    secret: str,
    now: NowDep,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    link, credential = claims.open_claim(session, secret, now)
    owner = addresses.verified_owner(session, link.email)
    context.setdefault("errors", {})
    context.setdefault("sign_in_email", "")
    return page(
        request,
        who,
        "passport_claim.html",
        status_code,
        email=link.email,
        credential=credential,
        secret=secret,
        already_mine=owner is not None and who.learner is not None and owner.learner_id == who.learner.id,
        **context,
    )


@router.get("/passport/claim/{secret}")
def claim_form(request: Request, secret: str, who: VisitorDep, session: SessionDep, now: NowDep) -> Response:
    return _claim_page(request, who, session, secret, now)


@router.post("/passport/claim/{secret}/create")
def claim_create(
    request: Request,
    secret: str,
    who: FormVisitor,
    session: SessionDep,
    now: NowDep,
    password: PasswordField = "",
    password_confirmation: PasswordField = "",
) -> Response:
    link, _ = claims.open_claim(session, secret, now)
    errors = new_password_errors(password, password_confirmation)
    if errors:
        raise _claim_shown_again(request, who, session, secret, now, 422, errors=errors)
    learner = claims.claim_new_passport(session, who.config, link, password, now)
    if who.session_row is not None:
        accounts.end_session(session, who.session_row)
    _, cookie = accounts.start_session(session, who.config, learner, now)
    return signed_in(redirect("/passport?done=claimed"), who.config, cookie, learner.language)


@router.post("/passport/claim/{secret}/sign-in")
def claim_sign_in(
    request: Request,
    secret: str,
    who: FormVisitor,
    session: SessionDep,
    client: ClientDep,
    now: NowDep,
    milestones: MilestonesDep,
    email: EmailField = "",
    password: PasswordField = "",
) -> Response:
    link, _ = claims.open_claim(session, secret, now)
    try:
        learner = accounts.authenticate(session, who.config, email, password, client, now)
    except (Unauthorized, TooManyAttempts) as problem:
        raise _claim_shown_again(
            request,
            who,
            session,
            secret,
            now,
            problem.status,
            errors={"sign_in": problem.detail},
            sign_in_email=email,
        ) from None
    claims.claim_into(session, learner, link, now)
    milestones.learner_changed(session, learner.id, now)  # a claimed credential may complete a pathway
    if who.session_row is not None:
        accounts.end_session(session, who.session_row)
    _, cookie = accounts.start_session(session, who.config, learner, now)
    return signed_in(redirect("/passport?done=claimed"), who.config, cookie, learner.language)


@router.post("/passport/claim/{secret}/add")
def claim_add(
    request: Request,
    secret: str,
    who: FormVisitor,
    session: SessionDep,
    now: NowDep,
    milestones: MilestonesDep,
) -> Response:
    learner = who.require_learner(request)
    link, _ = claims.open_claim(session, secret, now)
    claims.claim_into(session, learner, link, now)
    milestones.learner_changed(session, learner.id, now)  # a claimed credential may complete a pathway
    return redirect("/passport?done=claimed")


def _claim_shown_again(
    request: Request,
    who: Visitor,
    session: SessionDep,
    secret: str,
    now: NowDep,
    status_code: int,
    **context: Any,
) -> Exception:
    session.rollback()
    return ShowPage(_claim_page(request, who, session, secret, now, status_code, **context))


# --- the development outbox ---------------------------------------------------------------------------------


@dev.get("/dev/outbox")
def outbox(request: Request, who: VisitorDep, session: SessionDep) -> HTMLResponse:
    """Every email the service would have sent (development only: the route does not exist in
    production)."""
    return page(request, who, "passport_outbox.html", messages=mail.recent(session))


@dev.get("/dev/outbox.json")
def outbox_json(session: SessionDep) -> list[dict[str, Any]]:
    return [
        {
            "id": message.id,
            "to": message.to_email,
            "subject": message.subject,
            "body": message.body,
            "state": message.state,
            "language": message.language,
            "created_at": message.created_at.isoformat(),
        }
        for message in mail.recent(session)
    ]
