"""The provider console's home and its credentials pages (``/console``, ``/console/credentials...``).

Every lookup is scoped by the signed-in member's provider: another provider's credential is a 404, as
if it did not exist. Viewers read; changing a credential (revoke, suspend, reinstate, re-send its claim
email) needs the issuer role. A status change is a two-step form: the reason, then a confirmation page
that repeats what will happen; only the confirmed form changes anything, through `issuers.lifecycle`
(as the API does, so it is audited and the learner told the same way). A change that lost a race (the
credential was revoked meanwhile) shows the credential again with what its status is now."""

# No ``from __future__ import annotations``: FastAPI reads the routes' annotations when they are added.
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from core.deps import NowDep, SessionDep
from core.i18n import N_, gettext
from core.problems import BadRequest, Conflict, TooManyRequests, ValidationFailed
from core.services import services_of
from issuers import issuing, lifecycle, service
from issuers.models import Issuer
from issuers.reports import listing
from issuers.service import IssuerConfig
from issuers.staff.models import StaffMember
from issuers.staff.roles import Role
from issuers.staff.web import (
    CONSOLE,
    ConsoleRoute,
    StaffVisitor,
    done_message,
    page,
    redirect,
    section_templates,
    show,
)
from issuers.staff.web import ConsoleFormVisitor as FormVisitor
from issuers.staff.web import ConsoleVisitor as Visitor

from . import credentials
from .dashboard import CHART_WIDTH, FIGURES, chart_height, dashboard

templates = section_templates(Path(__file__).parent / "templates")
router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
P = CONSOLE.prefix
PAGE_SIZE = 50
REASON_MAX = 1000

#: Messages after a redirect, by a fixed code (nothing from the URL is echoed into the page).
DONE = {
    "revoked": N_("The credential is revoked. Its status list says so from now on."),
    "suspended": N_("The credential is suspended until you reinstate it."),
    "reinstated": N_("The credential is valid again."),
    "resent": N_("The claim email was sent again, with a new link."),
}
FIGURE_LABELS = {
    "issued": N_("Issued"),
    "claimed": N_("Claimed"),
    "shared": N_("Shared"),
    "viewed": N_("Viewed"),
    "verified": N_("Verified by employers"),
    "revoked": N_("Revoked"),
}
STATUS_LABELS = {"valid": N_("Valid"), "suspended": N_("Suspended"), "revoked": N_("Revoked")}
ACTION_LABELS = {
    "credential.issue": N_("Issued"),
    "credential.revoke": N_("Revoked"),
    "credential.suspend": N_("Suspended"),
    "credential.reinstate": N_("Reinstated"),
    credentials.RESEND: N_("Claim email sent again"),
}
CHANGES = {"revoke": lifecycle.REVOKE, "suspend": lifecycle.SUSPEND, "reinstate": lifecycle.REINSTATE}


ReasonField = Annotated[str, Form(max_length=REASON_MAX)]


def _render(
    request: Request, who: StaffVisitor, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return page(
        request,
        who,
        template,
        status_code,
        using=templates,
        figure_labels=FIGURE_LABELS,
        status_labels=STATUS_LABELS,
        action_labels=ACTION_LABELS,
        **context,
    )


def _problem_type(who: StaffVisitor, slug: str) -> str:
    """The RFC 9457 type of a refusal shown in a page (its ``<meta name="problem-type">``)."""
    return f"{who.config.base_url}/problems/{slug}"


def _provider(session: Session, member: StaffMember) -> Issuer:
    assert member.provider_id is not None  # the console realm holds only a provider's staff
    return service.get_issuer(session, member.provider_id)


def _config(request: Request) -> IssuerConfig:
    return services_of(request.app).get(IssuerConfig)


# --- home -----------------------------------------------------------------------------------------------


def home_page(
    request: Request,
    who: StaffVisitor,
    session: Session,
    member: StaffMember,
    now: datetime,
    done: str | None,
) -> HTMLResponse:
    """The console's home (`issuers.staff.pages` routes ``/console`` here): the provider's figures."""
    issuer = _provider(session, member)
    board = dashboard(session, issuer, now)
    return _render(
        request,
        who,
        "console_home.html",
        organisation=issuer.name,
        board=board,
        chart={"width": CHART_WIDTH, "height": chart_height(board.bars)},
        figures=FIGURES,
        done=done,
    )


# --- the list -------------------------------------------------------------------------------------------

_TEXT_LIMITS = {"email": 254, "name": 200, "learner_id": 200, "achievement_id": 64, "cursor": 500}


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _search(request: Request, achievement_ids: set[str]) -> tuple[dict[str, str], dict[str, str], Any]:
    """The form's values as given, the errors by field, and the filter (None when there are errors)."""
    query = request.query_params
    names = (*_TEXT_LIMITS, "issued_from", "issued_until", "status")
    values = {name: query.get(name, "").strip() for name in names}
    errors: dict[str, str] = {}
    for name, limit in _TEXT_LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = gettext("Use at most %(number)d characters.", number=limit)
    days: dict[str, date | None] = {}
    for name in ("issued_from", "issued_until"):
        try:
            days[name] = _day(values[name]) if values[name] else None
        except ValueError:
            errors[name] = gettext("Enter a date like 2026-12-31.")
    if values["status"] and values["status"] not in STATUS_LABELS:
        errors["status"] = gettext("Choose a status from the list.")
    if values["achievement_id"] and values["achievement_id"] not in achievement_ids:
        errors["achievement_id"] = gettext("Choose an achievement from the list.")
    start, end = days.get("issued_from"), days.get("issued_until")
    if start and end and end < start:
        errors["issued_until"] = gettext("The end date must be on or after the start date.")
    if errors:
        return values, errors, None
    where = listing.CredentialFilter(
        email=values["email"] or None,
        name=values["name"] or None,
        learner_id=values["learner_id"] or None,
        achievement_id=values["achievement_id"] or None,
        issued_from=datetime.combine(start, time(), UTC) if start else None,
        # the end date is inclusive: issued before the next day's midnight
        issued_until=datetime.combine(end + timedelta(days=1), time(), UTC) if end else None,
        status=values["status"] or None,  # type: ignore[arg-type]  # checked against STATUS_LABELS
    )
    return values, errors, where


@router.get(f"{P}/credentials")
def credential_list(request: Request, who: Visitor, session: SessionDep) -> HTMLResponse:
    member = who.require(request, Role.VIEWER)
    issuer = _provider(session, member)
    achievements = credentials.achievements(session, issuer)
    values, errors, where = _search(request, {achievement_id for achievement_id, _ in achievements})
    found = None
    if where is not None:
        found = listing.list_credentials(
            session, issuer, where, limit=PAGE_SIZE, cursor=values["cursor"] or None
        )
    kept = {name: value for name, value in values.items() if value and name != "cursor"}
    next_href = None
    if found is not None and found.next_cursor:
        next_href = f"{P}/credentials?{urlencode({**kept, 'cursor': found.next_cursor})}"
    first_href = f"{P}/credentials?{urlencode(kept)}" if values["cursor"] else None
    return _render(
        request,
        who,
        "console_credentials.html",
        400 if errors else 200,
        problem_type=_problem_type(who, BadRequest.slug) if errors else None,
        values=values,
        errors=errors,
        achievements=achievements,
        found=found,
        searched=bool(kept),
        next_href=next_href,
        first_href=first_href,
    )


# --- one credential -------------------------------------------------------------------------------------


@router.get(f"{P}/credentials/{{credential_id}}")
def credential_page(
    request: Request, credential_id: str, who: Visitor, session: SessionDep, now: NowDep
) -> HTMLResponse:
    member = who.require(request, Role.VIEWER)
    issuer = _provider(session, member)
    context = _context(request, who, session, issuer, credential_id, now, done=done_message(request, DONE))
    return page(request, who, "console_credential.html", using=templates, **context)


@router.get(f"{P}/credentials/{{credential_id}}/download")
def download(request: Request, credential_id: str, who: Visitor, session: SessionDep) -> Response:
    """The credential exactly as signed: JSON-LD with its proof, or the compact VC-JWT."""
    member = who.require(request, Role.VIEWER)
    row = issuing.get_credential(session, _provider(session, member), credential_id)
    jwt = row.format == "jwt"
    return Response(
        row.document,
        media_type="application/vc+jwt" if jwt else "application/vc+ld+json",
        headers={
            "Content-Disposition": f'attachment; filename="credential-{row.id}.{"jwt" if jwt else "json"}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


def _change(name: str) -> Any:
    """The route of one status change (revoke, suspend, reinstate): reason, confirmation, change."""
    transition = CHANGES[name]
    needs_reason = transition is not lifecycle.REINSTATE

    def change(
        request: Request,
        credential_id: str,
        who: FormVisitor,
        session: SessionDep,
        now: NowDep,
        reason: ReasonField = "",
        confirmed: Annotated[str, Form(max_length=10)] = "",
    ) -> Response:
        member = who.require(request, Role.ISSUER)
        issuer = _provider(session, member)
        reason = reason.strip()
        if needs_reason and not reason:
            why = gettext("Say why: the learner is told, and the audit trail keeps it.")
            errors = {f"{name}-reason": why}
            raise show(
                request,
                who,
                "console_credential.html",
                422,
                using=templates,
                **_context(
                    request,
                    who,
                    session,
                    issuer,
                    credential_id,
                    now,
                    errors=errors,
                    problem_type=_problem_type(who, ValidationFailed.slug),
                ),
            )
        if confirmed != "yes":
            shown = credentials.view(session, issuer, credential_id, now)
            return _render(request, who, "console_confirm.html", credential=shown, change=name, reason=reason)
        config = _config(request)
        try:
            if transition is lifecycle.REVOKE:
                lifecycle.revoke(session, issuer, credential_id, reason, now, config.listener)
            elif transition is lifecycle.SUSPEND:
                lifecycle.suspend(session, issuer, credential_id, reason, now, config.listener)
            else:
                lifecycle.reinstate(session, issuer, credential_id, now, config.listener)
        except Conflict as problem:  # lost a race, or not allowed from the state it is in now
            raise show(
                request,
                who,
                "console_credential.html",
                409,
                using=templates,
                **_context(
                    request,
                    who,
                    session,
                    issuer,
                    credential_id,
                    now,
                    refusal=problem.detail,
                    problem_type=_problem_type(who, problem.slug),
                ),
            ) from None
        past = {"revoke": "revoked", "suspend": "suspended", "reinstate": "reinstated"}[name]
        return redirect(f"{P}/credentials/{credential_id}?done={past}")

    change.__name__ = f"{name}_credential"
    return change


def _context(
    request: Request,
    who: StaffVisitor,
    session: Session,
    issuer: Issuer,
    credential_id: str,
    now: datetime,
    **extra: Any,
) -> dict[str, Any]:
    shown = credentials.view(session, issuer, credential_id, now)
    return {
        "credential": shown,
        "verify_url": issuing.credential_url(_config(request).base_url, shown.row.id),
        "may_change": who.member is not None and who.member.role in (Role.ADMIN, Role.ISSUER),
        "figure_labels": FIGURE_LABELS,
        "status_labels": STATUS_LABELS,
        "action_labels": ACTION_LABELS,
        "errors": {},
        "values": {},
        **extra,
    }


for _name in CHANGES:
    router.post(f"{P}/credentials/{{credential_id}}/{_name}")(_change(_name))


@router.post(f"{P}/credentials/{{credential_id}}/resend")
def resend_claim(
    request: Request, credential_id: str, who: FormVisitor, session: SessionDep, now: NowDep
) -> Response:
    member = who.require(request, Role.ISSUER)
    issuer = _provider(session, member)
    try:
        credentials.resend_claim(session, issuer, credential_id, _config(request).listener, now)
    except (Conflict, TooManyRequests) as problem:
        shown = show(
            request,
            who,
            "console_credential.html",
            problem.status,
            using=templates,
            **_context(
                request,
                who,
                session,
                issuer,
                credential_id,
                now,
                refusal=problem.detail,
                problem_type=_problem_type(who, problem.slug),
            ),
        )
        if isinstance(problem, TooManyRequests):
            shown.response.headers["Retry-After"] = str(problem.retry_after)
        raise shown from None
    return redirect(f"{P}/credentials/{credential_id}?done=resent")
