"""Passport pages: sign-up, sign-in, sign-out, the passport, one credential, the account.

Server-rendered (``passport/templates``), one form per action, every form POST CSRF-checked
(``FormVisitor``), each success answered with a redirect (POST/redirect/GET).
"""

from __future__ import annotations

import json
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from core.deps import NowDep, SessionDep
from core.i18n import gettext
from core.problems import Unauthorized
from core.services import services_of
from core.web import PAGE_HEADERS
from issuers.badges import badge_svg
from issuers.issuing import credential_url
from network.approval_lines import ApprovalLine, approval_lines
from network.trust import TrustConfig
from passport import communities as community_pages
from passport import credentials, exchange_visits, listing
from passport.accounts import accounts, address_pages, data_export, links, password_pages
from passport.accounts.accounts import TooManyAttempts
from passport.accounts.links import Purpose
from passport.api_models import normalise_email
from passport.credentials import status_words
from passport.deps import ClientDep
from passport.exports import certificates, downloads, linkedin
from passport.exports import pages as export_pages
from passport.pathways import pages as pathway_pages
from passport.pathways.progress import MilestonesDep
from passport.sharing import pages as sharing_pages
from passport.verifying import VerifierDep
from passport.web import (
    EmailField,
    FormVisitor,
    PageRoute,
    PasswordField,
    VisitorDep,
    done_message,
    done_tone,
    new_password_errors,
    page,
    redirect,
    safe_next,
    show,
    signed_in,
    signed_out,
)

pages = APIRouter(route_class=PageRoute, include_in_schema=False)

# --- sign-up ------------------------------------------------------------------------------------------------


@pages.get("/passport/sign-up")
def sign_up_form(request: Request, who: VisitorDep) -> Response:
    if who.learner is not None:
        return redirect("/passport")
    return page(request, who, "passport_sign_up.html", errors={}, email="")


@pages.post("/passport/sign-up")
def sign_up(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    now: NowDep,
    email: EmailField = "",
    password: PasswordField = "",
    password_confirmation: PasswordField = "",
) -> HTMLResponse:
    errors = new_password_errors(password, password_confirmation)
    try:
        address = normalise_email(email)
    except ValueError:
        errors["email"] = gettext("Enter an email address like name@example.com.")
    if errors:
        raise show(request, who, "passport_sign_up.html", 422, errors=errors, email=email)
    accounts.request_sign_up(session, who.config, address, password, now)
    link_hours = int(who.config.link_ttl.total_seconds() // 3600)
    return page(request, who, "passport_check_email.html", email=address, link_hours=link_hours)


@pages.get("/passport/confirm/{secret}")
def confirm_form(
    request: Request, secret: str, who: VisitorDep, session: SessionDep, now: NowDep
) -> Response:
    link = links.open_link(session, secret, Purpose.SIGN_UP, now)
    return page(request, who, "passport_confirm.html", email=link.email, error=None)


@pages.post("/passport/confirm/{secret}")
def confirm(
    request: Request,
    secret: str,
    who: FormVisitor,
    session: SessionDep,
    client: ClientDep,
    now: NowDep,
    password: PasswordField = "",
) -> Response:
    try:
        learner = accounts.complete_sign_up(session, who.config, secret, password, client, now)
    except (Unauthorized, TooManyAttempts) as problem:
        link = links.open_link(session, secret, Purpose.SIGN_UP, now)
        raise show(
            request, who, "passport_confirm.html", problem.status, email=link.email, error=problem.detail
        ) from None
    if who.session_row is not None:
        accounts.end_session(session, who.session_row)
    _, cookie = accounts.start_session(session, who.config, learner, now)
    return signed_in(redirect("/passport?done=welcome"), who.config, cookie, learner.language)


# --- sign-in and sign-out -----------------------------------------------------------------------------------


@pages.get("/passport/sign-in")
def sign_in_form(request: Request, who: VisitorDep) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    if who.learner is not None:
        return redirect(next_path)
    return page(
        request,
        who,
        "passport_sign_in.html",
        email="",
        error=None,
        next=next_path,
        done=done_message(request),
    )


@pages.post("/passport/sign-in")
def sign_in(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    client: ClientDep,
    now: NowDep,
    email: EmailField = "",
    password: PasswordField = "",
    next: Annotated[str, Form(max_length=2000)] = "/passport",
) -> Response:
    try:
        learner = accounts.authenticate(session, who.config, email, password, client, now)
    except (Unauthorized, TooManyAttempts) as problem:
        shown = show(
            request,
            who,
            "passport_sign_in.html",
            problem.status,
            email=email,
            error=problem.detail,
            next=safe_next(next),
        )
        if isinstance(problem, TooManyAttempts):
            shown.response.headers["Retry-After"] = str(problem.retry_after)
        raise shown from None
    if who.session_row is not None:
        accounts.end_session(session, who.session_row)
    _, cookie = accounts.start_session(session, who.config, learner, now)
    return signed_in(redirect(safe_next(next)), who.config, cookie, learner.language)


@pages.post("/passport/sign-out")
def sign_out(who: FormVisitor, session: SessionDep) -> Response:
    if who.session_row is not None:
        accounts.end_session(session, who.session_row)
    return signed_out(redirect("/passport/sign-in?done=signed-out"), who.config)


# --- the passport -------------------------------------------------------------------------------------------


@pages.get("/passport")
def passport(
    request: Request,
    who: VisitorDep,
    session: SessionDep,
    verifier: VerifierDep,
    now: NowDep,
    hook: MilestonesDep,
) -> HTMLResponse:
    learner = who.require_learner(request)
    entries = credentials.items(session, learner, now, verifier)
    query = listing.ListQuery.from_params(request.query_params)
    chosen = listing.choose(entries, query)
    return page(
        request,
        who,
        "passport_home.html",
        items=chosen,
        approvals=_approvals(request, session, who.config.base_url, chosen),
        total=len(entries),
        query=query,
        facets=listing.facets(entries),
        image_of=partial(listing.inline_image, base_url=who.config.base_url),
        logo_of=listing.inline_logo,
        pathways=pathway_pages.home_section(session, hook, learner, now),
        exchange_visits=exchange_visits.home_section(session, learner, hook.config.base_url),
        words=status_words(),
        done=done_message(request),
        done_tone=done_tone(request),
    )


@pages.get("/passport/credentials/{credential_id}")
def credential(
    request: Request,
    credential_id: str,
    who: VisitorDep,
    session: SessionDep,
    verifier: VerifierDep,
    now: NowDep,
) -> HTMLResponse:
    learner = who.require_learner(request)
    entry = credentials.item(session, learner, credential_id, now, verifier)
    document = entry.credential.signed_document()
    shown = document if isinstance(document, str) else json.dumps(document, indent=2, ensure_ascii=False)
    # An issued credential's id is its public verification page (what its QR code opens); an imported
    # one's belongs to its own issuer.
    public = credential_url(who.config.base_url, entry.id) if entry.source == "issued" else None
    organisation = entry.issuer.name if entry.issuer.confirmed else None  # network.naming: proven names only
    return page(
        request,
        who,
        "passport_credential.html",
        item=entry,
        words=status_words(),
        document=shown,
        public_url=public,
        linkedin_url=linkedin.add_to_profile_url(
            name=entry.credential.achievement_name,
            organization_name=organisation,
            issued=entry.credential.issued_at
            if entry.source == "issued"
            else entry.credential.valid_from or entry.credential.issued_at,
            expires=entry.credential.valid_until,
            cert_url=public,
            cert_id=entry.id,
        ),
        share_text=linkedin.share_text(entry.credential.achievement_name, organisation, public),
        approval=_approvals(request, session, who.config.base_url, [entry]).get(entry.id),
    )


def _approvals(
    request: Request, session: Session, base_url: str, entries: list[credentials.PassportItem]
) -> dict[str, ApprovalLine]:
    """Each credential's approval under the network's scheme, as the employer page words it."""
    scheme = services_of(request.app).get(TrustConfig).scheme_name
    return approval_lines(session, base_url, [(e.id, e.credential.document) for e in entries], scheme)


@pages.get("/passport/credentials/{credential_id}/badge.svg")
def badge_image(
    request: Request, credential_id: str, who: VisitorDep, session: SessionDep, now: NowDep
) -> Response:
    """The default badge drawn with the achievement's name and kind, for cards and the credential page
    (an image the service draws itself; nothing is fetched)."""
    entry = credentials.item(session, who.require_learner(request), credential_id, now)
    svg = badge_svg(entry.credential.achievement_name, entry.kind)
    headers = {
        **PAGE_HEADERS,
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        "Cache-Control": "private, max-age=3600",
    }
    return Response(svg, media_type="image/svg+xml", headers=headers)


# --- the account: export and deletion -----------------------------------------------------------------------


@pages.get("/passport/account")
def account(request: Request, who: VisitorDep, session: SessionDep) -> HTMLResponse:
    learner = who.require_learner(request)
    return page(
        request,
        who,
        "passport_account.html",
        tokens=accounts.list_tokens(session, learner),
        learner=learner,
        done=done_message(request),
    )


@pages.get("/passport/account/export")
def export_download(request: Request, who: VisitorDep, session: SessionDep, now: NowDep) -> Response:
    learner = who.require_learner(request)
    body = json.dumps(data_export.personal_data(session, learner, now), indent=2, ensure_ascii=False)
    return Response(
        body,
        media_type="application/json",
        headers={
            **PAGE_HEADERS,
            "Content-Disposition": 'attachment; filename="skills-passport-personal-data.json"',
        },
    )


@pages.get("/passport/account/delete")
def delete_form(request: Request, who: VisitorDep) -> HTMLResponse:
    who.require_learner(request)
    return page(request, who, "passport_delete.html", error=None)


@pages.post("/passport/account/delete")
def delete(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    client: ClientDep,
    now: NowDep,
    password: PasswordField = "",
) -> Response:
    learner = who.require_learner(request)
    try:
        accounts.confirm_password(session, who.config, learner, password, client, now)
    except (Unauthorized, TooManyAttempts) as problem:
        raise show(request, who, "passport_delete.html", problem.status, error=problem.detail) from None
    accounts.delete_account(session, learner)
    who.learner, who.session_row = None, None
    return signed_out(page(request, who, "passport_deleted.html"), who.config)


# The passport pages are one router: these pages, then sharing and imports, downloads, addresses and claims.
router = APIRouter()
router.include_router(pages)
router.include_router(sharing_pages.router)
router.include_router(sharing_pages.public)
router.include_router(downloads.pages)
router.include_router(export_pages.pages)
router.include_router(certificates.pages)
router.include_router(certificates.public)
router.include_router(address_pages.router)
router.include_router(password_pages.router)
router.include_router(pathway_pages.pages)
router.include_router(exchange_visits.pages)
router.include_router(community_pages.pages)
#: The email the service would have sent (`/dev/outbox`): never included in production.
dev_router = address_pages.dev
