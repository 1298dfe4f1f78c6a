"""The provider console's section ``/console/claim-codes`` (issuers and administrators): the codes, a
form to open one, and each code's QR code, short link, claims so far and a button to close it early."""

# No ``from __future__ import annotations``: FastAPI reads the routes' annotations at definition.
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from core.deps import NowDep, SessionDep
from core.i18n import N_, gettext
from core.problems import Conflict, NotFound, ValidationFailed
from core.web import ShowPage
from issuers import service
from issuers.deps import ConfigDep
from issuers.staff.roles import Role
from issuers.staff.web import (
    CONSOLE,
    ConsoleRoute,
    StaffVisitor,
    done_message,
    page,
    redirect,
    section_templates,
)
from issuers.staff.web import ConsoleFormVisitor as FormVisitor
from issuers.staff.web import ConsoleVisitor as Visitor

from . import codes

templates = section_templates(Path(__file__).parent / "templates")
P = f"{CONSOLE.prefix}/claim-codes"

DONE = {
    "opened": N_("Claim code opened. Share its QR code or short link at the event."),
    "closed": N_("Claim code closed. Nobody more can claim through it."),
}

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


def _list_page(
    request: Request,
    who: StaffVisitor,
    session: SessionDep,
    now: datetime,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    member = who.require(request, Role.ISSUER)
    assert member.provider_id is not None
    issuer = service.get_issuer(session, member.provider_id)
    return page(
        request,
        who,
        "console_claim_codes.html",
        status_code,
        using=templates,
        codes=codes.list_codes(session, issuer),
        achievements=[a for a in service.list_achievements(session, issuer) if a.archived_at is None],
        state_of=lambda code: codes.state_of(code, now),
        state_names=_state_names(),
        errors=errors or {},
        values=values or {},
        done=done_message(request, DONE),
    )


def _state_names() -> dict[str, str]:
    return {
        "open": gettext("Open"),
        "not_open": gettext("Not open yet"),
        "expired": gettext("Ended"),
        "full": gettext("Full"),
        "closed": gettext("Closed"),
    }


@router.get(P)
def claim_codes(request: Request, who: Visitor, session: SessionDep, now: NowDep) -> HTMLResponse:
    return _list_page(request, who, session, now)


def _moment(value: str) -> datetime | None:
    """A ``datetime-local`` field's value, read as UTC."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        return None


@router.post(P)
def open_code(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    now: NowDep,
    achievement_id: Annotated[str, Form(max_length=64)] = "",
    event_name: Annotated[str, Form(max_length=200)] = "",
    opens_at: Annotated[str, Form(max_length=40)] = "",
    closes_at: Annotated[str, Form(max_length=40)] = "",
    capacity: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    member = who.require(request, Role.ISSUER)
    assert member.provider_id is not None
    issuer = service.get_issuer(session, member.provider_id)
    values = {
        "achievement_id": achievement_id,
        "event_name": event_name,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "capacity": capacity,
    }
    errors: dict[str, str] = {}
    opening, closing = _moment(opens_at), _moment(closes_at)
    if opening is None:
        errors["opens_at"] = gettext("Enter when claims open.")
    if closing is None:
        errors["closes_at"] = gettext("Enter when claims close.")
    places = int(capacity) if capacity.strip().isdigit() else None
    if capacity.strip() and places is None:
        errors["capacity"] = gettext("Enter a whole number, or leave it empty for no limit.")
    if not errors:
        assert opening is not None
        assert closing is not None
        try:
            code = codes.open_code(session, issuer, achievement_id, event_name, opening, closing, places, now)
        except ValidationFailed as problem:
            errors = {str(e["loc"][-1]): str(e["msg"]) for e in problem.extensions.get("errors", [])}
        except (NotFound, Conflict):
            errors = {"achievement_id": gettext("Choose one of your achievements.")}
    if errors:
        raise ShowPage(_list_page(request, who, session, now, 422, errors, values))
    return redirect(f"{P}/{code.id}?done=opened")


@router.get(f"{P}/{{code_id}}")
def claim_code(
    request: Request, code_id: str, who: Visitor, session: SessionDep, config: ConfigDep, now: NowDep
) -> HTMLResponse:
    member = who.require(request, Role.ISSUER)
    assert member.provider_id is not None
    issuer = service.get_issuer(session, member.provider_id)
    code = codes.get_code(session, issuer, code_id)
    return page(
        request,
        who,
        "console_claim_code.html",
        using=templates,
        code=code,
        achievement=service.get_achievement(session, issuer, code.achievement_id),
        short_url=codes.short_url(config.base_url, code.code),
        state=codes.state_of(code, now),
        state_names=_state_names(),
        claims=codes.claims_of(session, code),
        pending=codes.pending_count(session, code, now),
        done=done_message(request, DONE),
    )


@router.post(f"{P}/{{code_id}}/close")
def close_code(
    request: Request, code_id: str, who: FormVisitor, session: SessionDep, now: NowDep
) -> Response:
    member = who.require(request, Role.ISSUER)
    assert member.provider_id is not None
    codes.close_code(session, service.get_issuer(session, member.provider_id), code_id, now)
    return redirect(f"{P}/{code_id}?done=closed")
