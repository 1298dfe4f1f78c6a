"""The attendee's pages: the short link ``/c/<code>`` (the event, and a form for an address; signed in to
a passport, a button that claims at once), the emailed confirmation link, and the code's QR images.

Once confirmed, the link shows how the claim is going: "on its way" (followed without reloading by
`core/static/live-page.js`; without scripts, a "Check again" link) until the claim worker has issued the
credential (`passport.claim_codes.issuing`), then where it is: in this visitor's passport (a link to it),
in the passport that holds the address (sign in), or, with no passport yet, a button to keep it in one
now (a claim link, `passport.accounts.claims`, as opening the emailed link proved the address is theirs;
the same is emailed to them)."""

# No ``from __future__ import annotations``: FastAPI reads the routes' annotations at definition.
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from core.deps import NowDep, SessionDep
from core.i18n import gettext
from core.qr import ImageFormat, url_qr
from core.services import provide
from core.web import Templates
from issuers.deps import ConfigDep
from passport import web
from passport.accounts import addresses, links
from passport.accounts.links import Purpose
from passport.api_models import normalise_email
from passport.deps import ClientDep
from passport.web import FormVisitor, PageRoute, Visitor, VisitorDep, redirect

from . import codes
from .models import CodeClaim

ClaimConfigDep = Annotated[codes.ClaimConfig, Depends(provide(codes.ClaimConfig))]
templates = Templates(Path(__file__).parent / "templates", also=[Path(web.__file__).parent / "templates"])

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _page(
    request: Request, who: Visitor, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    response = templates.render(request, template, status_code, visitor=who, **context)
    if who.new_csrf_cookie:
        _, csrf_cookie = web.cookie_names(who.config)
        response.set_cookie(
            csrf_cookie,
            who.csrf_token,
            path="/",
            secure=who.config.secure_cookies,
            httponly=True,
            samesite="lax",
        )
    return response


def _learner_email(session: SessionDep, who: Visitor) -> str | None:
    return addresses.primary_email(session, who.learner) if who.learner is not None else None


@router.get("/c/{code}")
def event(
    request: Request,
    code: str,
    who: VisitorDep,
    session: SessionDep,
    config: ClaimConfigDep,
    client: ClientDep,
    now: NowDep,
) -> Response:
    found = codes.lookup(session, config, code, client, now)
    if found.code.code != code:  # typed in lower case, or with dashes: the canonical link
        return redirect(f"/c/{found.code.code}")
    codes.raise_unless_open(found.code, now)
    return _page(
        request,
        who,
        "claim_event.html",
        event=found,
        email="",
        errors={},
        learner_email=_learner_email(session, who),
    )


@router.post("/c/{code}")
def claim(
    request: Request,
    code: str,
    who: FormVisitor,
    session: SessionDep,
    config: ClaimConfigDep,
    client: ClientDep,
    now: NowDep,
    email: Annotated[str, Form(max_length=320)] = "",
    as_learner: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    found = codes.lookup(session, config, code, client, now, asking=True)
    learner_email = _learner_email(session, who)
    if as_learner and learner_email is not None:
        _, secret = codes.claim_as_learner(session, found, learner_email, now)
        return redirect(codes.confirmation_path(found.code.code, secret))
    try:
        address = normalise_email(email)
    except ValueError:
        codes.raise_unless_open(found.code, now)
        errors = {"email": gettext("Enter an email address like name@example.com.")}
        return _page(
            request,
            who,
            "claim_event.html",
            422,
            event=found,
            email=email,
            errors=errors,
            learner_email=learner_email,
        )
    pending = codes.request_claim(session, config, who.config, found, address, now)
    return _page(request, who, "claim_sent.html", event=found, email=pending.email)


@router.get("/c/{code}/confirm/{secret}")
def confirm_form(
    request: Request,
    code: str,
    secret: str,
    who: VisitorDep,
    session: SessionDep,
    config: ClaimConfigDep,
    client: ClientDep,
    now: NowDep,
) -> Response:
    """Pending: the button that confirms. Confirmed: how it is going."""
    found = codes.lookup(session, config, code, client, now)
    claim = codes.find_claim(session, found.code, secret, now)
    if claim.state == "claimed":
        return _progress(request, who, session, config, found, claim, secret, now)
    codes.raise_unless_open(found.code, now)
    return _page(request, who, "claim_confirm.html", event=found, email=claim.email)


def _progress(
    request: Request,
    who: Visitor,
    session: Session,
    config: codes.ClaimConfig,
    found: codes.Event,
    claim: CodeClaim,
    secret: str,
    now: datetime,
) -> HTMLResponse:
    owner = addresses.verified_owner(session, claim.email)
    if owner is None:
        holder = "none"
    elif who.learner is not None and owner.learner_id == who.learner.id:
        holder = "visitor"
    else:
        holder = "another"
    return _page(
        request,
        who,
        "claim_progress.html",
        event=found,
        claim=claim,
        email=claim.email,
        secret=secret,
        holder=holder,
        waiting=claim.credential_id is None,
        may_keep=codes.may_keep(config, claim, now),
    )


@router.post("/c/{code}/confirm/{secret}")
def confirm(
    code: str,
    secret: str,
    who: FormVisitor,
    session: SessionDep,
    config: ClaimConfigDep,
    client: ClientDep,
    now: NowDep,
) -> Response:
    found = codes.lookup(session, config, code, client, now, confirming=True)
    codes.confirm(session, found, secret, now)
    return redirect(codes.confirmation_path(found.code.code, secret))


@router.post("/c/{code}/confirm/{secret}/keep")
def keep(
    code: str,
    secret: str,
    who: FormVisitor,
    session: SessionDep,
    config: ClaimConfigDep,
    client: ClientDep,
    now: NowDep,
) -> Response:
    """The issued credential, for an address no passport holds yet: on to keep it in one (the emailed
    link proved the address), once and within a day of confirming (`codes.may_keep`). Otherwise back to
    how the claim is going."""
    found = codes.lookup(session, config, code, client, now)
    claim = codes.find_claim(session, found.code, secret, now)
    back = redirect(codes.confirmation_path(found.code.code, secret))
    in_a_passport = addresses.verified_owner(session, claim.email) is not None
    if in_a_passport or not codes.keep(session, config, claim, now):
        return back
    _, url = links.create(
        session,
        who.config,
        Purpose.CLAIM,
        claim.email,
        who.config.claim_ttl,
        now,
        credential_id=claim.credential_id,
    )
    return redirect(url.removeprefix(who.config.base_url))


def _qr(
    code: str,
    session: Session,
    config: codes.ClaimConfig,
    base_url: str,
    client: str,
    now: datetime,
    image_format: ImageFormat,
) -> Response:
    found = codes.lookup(session, config, code, client, now)
    image = url_qr(codes.short_url(base_url, found.code.code), image_format)
    media_type = "image/png" if image_format == "png" else "image/svg+xml"
    headers = {"Cache-Control": "public, max-age=3600"}
    return Response(image, media_type=media_type, headers=headers)


@router.get("/c/{code}/qr.svg")
def qr_svg(
    code: str, session: SessionDep, config: ClaimConfigDep, issuers: ConfigDep, client: ClientDep, now: NowDep
) -> Response:
    return _qr(code, session, config, issuers.base_url, client, now, "svg")


@router.get("/c/{code}/qr.png")
def qr_png(
    code: str, session: SessionDep, config: ClaimConfigDep, issuers: ConfigDep, client: ClientDep, now: NowDep
) -> Response:
    return _qr(code, session, config, issuers.base_url, client, now, "png")
