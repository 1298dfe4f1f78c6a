"""Pages for sharing and importing, and the public page of a share link.

``/shared/{secret}`` is public: whoever holds the link sees the chosen credentials, each verified now,
with the name the learner chose to show and, for each, whether it was issued to them. ``Accept:
application/json`` gives the same as data (`passport.api_models.SharedOut`; problems as RFC 9457 JSON).
An expired or withdrawn link is a 410 page that says which. Its QR codes (``/shared/{secret}/qr.png``,
``.svg``, ISO/IEC 18004 through `core.qr.url_qr`) need the link too, and do not count as views.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from core.deps import NowDep, SessionDep
from core.i18n import N_, gettext
from core.problems import Gone, NotFound, Problem, ValidationFailed, problem_responses
from core.qr import url_qr
from core.services import services_of
from core.web import PAGE_HEADERS, ShowPage
from passport import credentials, imports
from passport.api_models import SharedOut
from passport.config import PassportConfig
from passport.holder_binding import Recipient
from passport.imports import NotAuthentic, UnreadableImport
from passport.pathways.progress import MilestonesDep
from passport.sharing import sharing
from passport.verifying import VerifierDep, live_words
from passport.web import FormVisitor, PageRoute, Visitor, VisitorDep, page, problem_page, redirect, show

router = APIRouter(route_class=PageRoute, include_in_schema=False)

DONE = {"share-revoked": N_("The link has been withdrawn: it no longer shows anything.")}

#: A link's state in words (`sharing.state`).
STATE_WORDS = {"active": N_("Active"), "expired": N_("Expired"), "revoked": N_("Withdrawn")}
#: A check's outcome in words (the check messages themselves are the verifier's, in English).
OUTCOME_WORDS = {
    "passed": N_("passed"),
    "failed": N_("failed"),
    "warning": N_("warning"),
    "skipped": N_("skipped"),
}


def _words(table: dict[str, str]) -> dict[str, str]:
    return {key: gettext(value) for key, value in table.items()}


def recipient_words() -> dict[Recipient, str]:
    return {recipient: gettext(words) for recipient, words in RECIPIENT_WORDS.items()}


def _shares_page(
    request: Request, who: Visitor, session: Session, now: datetime, errors: dict[str, str] | None = None
) -> HTMLResponse:
    learner = who.require_learner(request)
    shares = sharing.list_shares(session, learner)
    return page(
        request,
        who,
        "passport_shares.html",
        items=credentials.items(session, learner, now),
        recipient_words=recipient_words(),
        state_words=_words(STATE_WORDS),
        shared_by=next((share.shared_by for share in shares if share.shared_by), ""),
        shares=shares,
        chosen=sharing.share_items(session, [share.id for share in shares]),
        states={share.id: sharing.state(share, now) for share in shares},
        default_days=sharing.DEFAULT_DAYS,
        max_days=sharing.MAX_DAYS,
        done=gettext(DONE[done]) if (done := request.query_params.get("done", "")) in DONE else None,
        errors=errors or {},
    )


@router.get("/passport/shares")
def shares(request: Request, who: VisitorDep, session: SessionDep, now: NowDep) -> HTMLResponse:
    return _shares_page(request, who, session, now)


@router.post("/passport/shares")
def create_share(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    now: NowDep,
    credential_id: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies form defaults
    label: Annotated[str, Form(max_length=200)] = "",
    expires_in_days: Annotated[int, Form()] = sharing.DEFAULT_DAYS,
    shared_by: Annotated[str, Form(max_length=400)] = "",
) -> HTMLResponse:
    learner = who.require_learner(request)
    try:
        share, secret = sharing.create_share(
            session, learner, credential_id, label, expires_in_days, now, shared_by
        )
    except ValidationFailed as problem:
        field = "shared_by" if problem.extensions["errors"][0]["loc"] == ["shared_by"] else "credential-list"
        shown = _shares_page(request, who, session, now, errors={field: problem.detail})
        shown.status_code = 422
        raise ShowPage(shown) from None
    url = sharing.share_url(who.config.base_url, secret)
    return page(request, who, "passport_share_created.html", share=share, url=url, count=len(credential_id))


@router.get("/passport/shares/{share_id}")
def share_page(
    share_id: str, request: Request, who: VisitorDep, session: SessionDep, now: NowDep
) -> HTMLResponse:
    """One of the learner's links: what it shows, its state and views, and "make a new link" (the link's
    secret is never stored, so it cannot be shown again)."""
    learner = who.require_learner(request)
    share = sharing.get_share(session, learner, share_id)
    return page(
        request,
        who,
        "passport_share.html",
        share=share,
        entries=sharing.share_entries(session, learner, share, now),
        state=sharing.state(share, now),
        state_words=_words(STATE_WORDS),
        status_words=credentials.status_words(),
        default_days=sharing.DEFAULT_DAYS,
        max_days=sharing.MAX_DAYS,
        error=None,
        shared_by=share.shared_by or "",
    )


@router.post("/passport/shares/{share_id}/renew")
def renew_share(
    share_id: str,
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    now: NowDep,
    expires_in_days: Annotated[int, Form()] = sharing.DEFAULT_DAYS,
    withdraw_old: Annotated[bool, Form()] = False,
    shared_by: Annotated[str, Form(max_length=400)] = "",
) -> HTMLResponse:
    """A new link (new secret) to the same credentials, shown once; the old one is withdrawn if asked."""
    learner = who.require_learner(request)
    try:
        share, secret = sharing.renew_share(
            session, learner, share_id, expires_in_days, now, shared_by, withdraw_old
        )
    except ValidationFailed as problem:
        old = sharing.get_share(session, learner, share_id)
        raise show(
            request,
            who,
            "passport_share.html",
            422,
            share=old,
            entries=sharing.share_entries(session, learner, old, now),
            state=sharing.state(old, now),
            state_words=_words(STATE_WORDS),
            status_words=credentials.status_words(),
            default_days=sharing.DEFAULT_DAYS,
            max_days=sharing.MAX_DAYS,
            error=problem.detail,
            shared_by=shared_by,
        ) from None
    url = sharing.share_url(who.config.base_url, secret)
    count = len(sharing.share_items(session, [share.id])[share.id])
    return page(request, who, "passport_share_created.html", share=share, url=url, count=count)


@router.post("/passport/shares/{share_id}/revoke")
def revoke_share(
    share_id: str, request: Request, who: FormVisitor, session: SessionDep, now: NowDep
) -> Response:
    sharing.revoke_share(session, who.require_learner(request), share_id, now)
    return redirect("/passport/shares?done=share-revoked")


# --- the public page of a share link ------------------------------------------------------------------------

#: What the page says of each credential's recipient (`passport.holder_binding`).
RECIPIENT_WORDS = {
    Recipient.HOLDER: N_("Issued to this person"),
    Recipient.NOT_HOLDER: N_("Issued to someone else"),
    Recipient.UNKNOWN: N_("Recipient cannot be confirmed"),
}


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "application/json" in accept and "text/html" not in accept


class SharedRoute(PageRoute):
    """The share page's problems: a page for browsers, RFC 9457 JSON for a client asking for JSON."""

    def render_problem(self, request: Request, problem: Problem) -> Response | None:  # type: ignore[override]
        # A share link's visitor (an employer) has no passport to go to: the page points to the check.
        return None if _wants_json(request) else problem_page(request, problem, public=True)


public = APIRouter(route_class=SharedRoute, tags=["passport"])


@public.get(
    "/shared/{secret}",
    response_model=SharedOut,
    responses={
        200: {"content": {"text/html": {}}, "description": "The page; application/json: SharedOut"},
        **problem_responses(NotFound, Gone),
    },
)
def shared(
    secret: str, request: Request, who: VisitorDep, session: SessionDep, verifier: VerifierDep, now: NowDep
) -> Response:
    """A share link's public page: the chosen credentials, each verified now, the name the person sharing
    chose to show, and whether each credential was issued to them. ``Accept: application/json`` gives the
    same as data. 404 for no such link; 410 once it has expired or been withdrawn."""
    share, shown = sharing.view_share(session, verifier, secret, now)
    if _wants_json(request):
        body = SharedOut.model_validate(
            {
                "shared_by": share.shared_by,
                "expires_at": share.expires_at,
                "credentials": [entry.to_json() for entry in shown],
            }
        )
        return Response(body.model_dump_json(), media_type="application/json", headers=PAGE_HEADERS)
    return page(
        request,
        who,
        "passport_shared.html",
        share=share,
        shown=shown,
        words=live_words(),
        recipient_words=recipient_words(),
        outcome_words=_words(OUTCOME_WORDS),
    )


def _qr(
    secret: str, request: Request, session: SessionDep, now: NowDep, kind: Literal["png", "svg"]
) -> Response:
    sharing.find_share(session, secret, now)
    config = services_of(request.app).get(PassportConfig)
    image = url_qr(sharing.share_url(config.base_url, secret), kind)
    headers = dict(PAGE_HEADERS)
    if kind == "svg":  # served from our origin: nothing in it may run or load
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    media = "image/png" if kind == "png" else "image/svg+xml"
    return Response(image, media_type=media, headers=headers)


@router.get("/shared/{secret}/qr.png")
def shared_qr_png(secret: str, request: Request, session: SessionDep, now: NowDep) -> Response:
    return _qr(secret, request, session, now, "png")


@router.get("/shared/{secret}/qr.svg")
def shared_qr_svg(secret: str, request: Request, session: SessionDep, now: NowDep) -> Response:
    return _qr(secret, request, session, now, "svg")


# --- importing ----------------------------------------------------------------------------------------------


@router.get("/passport/import")
def import_form(request: Request, who: VisitorDep) -> HTMLResponse:
    who.require_learner(request)
    return page(request, who, "passport_import.html", error=None, report=None)


@router.post("/passport/import")
def import_credential(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    verifier: VerifierDep,
    now: NowDep,
    milestones: MilestonesDep,
    file: Annotated[UploadFile | None, File()] = None,
    pasted: Annotated[str, Form(max_length=imports.MAX_IMPORT_BYTES)] = "",
) -> Response:
    """Verify and add; a forgery or an unreadable file is the form again with why (nothing is stored)."""
    learner = who.require_learner(request)
    data: bytes | str = pasted
    if file is not None and file.filename:
        data = file.file.read(imports.MAX_IMPORT_BYTES + 1)
    try:
        credential = imports.read_credential(data)
        row, _, created = imports.import_credential(session, verifier, learner, credential, now)
    except NotAuthentic as problem:
        raise show(
            request, who, "passport_import.html", 422, error=problem.detail, report=problem.report
        ) from None
    except UnreadableImport as problem:
        raise show(request, who, "passport_import.html", 422, error=problem.detail, report=None) from None
    if not created:
        return redirect("/passport?done=already")
    milestones.learner_changed(session, learner.id, now)  # it may complete a pathway
    entry = credentials.item(session, learner, row.id, now)  # as verified just now
    return redirect(f"/passport?done={IMPORTED[entry.recipient]}")


#: What the passport says after an import, by whom the credential was issued to (`passport.web.DONE`).
IMPORTED = {
    Recipient.HOLDER: "imported",
    Recipient.NOT_HOLDER: "imported-not-yours",
    Recipient.UNKNOWN: "imported-recipient-unknown",
}
