"""The operator's bursary pages (``/operator/bursaries``, realm OPERATOR): funds, their awards, and each
award's page where the visit, the dissemination and the host's endorsement are recorded and the
credential issued (or re-issued, when the host's endorsement arrives after issue). Assessors read;
operator administrators change. A form in error is shown again with what was typed and the reason (422
for a field, the problem's status otherwise); every change is the service's, in the request's one
transaction."""

# No ``from __future__ import annotations``: FastAPI reads the routes' annotations when they are added.
import json
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from core.deps import NowDep, SessionDep
from core.i18n import N_, gettext
from core.problems import Problem
from core.services import provide
from core.web import ShowPage
from issuers import service as issuers_service
from issuers.staff.roles import Role
from issuers.staff.web import (
    OPERATOR,
    OperatorRoute,
    StaffVisitor,
    done_message,
    page,
    redirect,
    section_templates,
)
from issuers.staff.web import OperatorFormVisitor as FormVisitor
from issuers.staff.web import OperatorVisitor as Visitor
from network.trust import TrustConfig

from . import credential, service
from .api_models import AwardCreate, DisseminationIn, FundCreate, VisitIn

_Model = TypeVar("_Model", bound=BaseModel)
templates = section_templates(Path(__file__).parent / "templates")
P = f"{OPERATOR.prefix}/bursaries"

#: Messages after a redirect, by fixed code: nothing from the URL is echoed into the page.
DONE = {
    "fund": N_("Fund created."),
    "fund-state": N_("Fund updated."),
    "award": N_("Bursary offered."),
    "accept": N_("Marked as accepted."),
    "visit": N_("Visit recorded."),
    "dissemination": N_("Dissemination recorded."),
    "host-endorsement": N_(
        "The host's signed endorsement was checked and will be embedded in the credential."
    ),
    "host-endorsement-reissue": N_(
        "The host's signed endorsement was checked and the credential re-issued with it inside. The copy "
        "issued before still verifies."
    ),
    "issue": N_("Credential issued."),
    "withdraw": N_("Award withdrawn."),
    "revoke": N_("Credential revoked: verifiers now report it revoked."),
}
STATES = {
    "offered": N_("Offered"),
    "accepted": N_("Accepted"),
    "visit_recorded": N_("Visit recorded"),
    "dissemination_recorded": N_("Dissemination recorded"),
    "credential_issued": N_("Credential issued"),
    "withdrawn": N_("Withdrawn"),
}

MISSING = {"report": N_("a report on the visit"), "session": N_("a session delivered to peers")}

router = APIRouter(route_class=OperatorRoute, include_in_schema=False)
TrustConfigDep = Annotated[TrustConfig, Depends(provide(TrustConfig))]
HostsDep = Annotated[credential.HostEndorsements, Depends(provide(credential.HostEndorsements))]
Text = Annotated[str, Form(max_length=5000)]


def _money(amount_minor: int, currency: str) -> str:
    return f"{currency} {amount_minor / 100:,.2f}"


def _render(
    request: Request, who: StaffVisitor, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return page(
        request,
        who,
        template,
        status_code,
        using=templates,
        money=_money,
        state_name=lambda state: gettext(STATES.get(state) or state),
        can_change=who.member is not None and who.member.role == Role.OPERATOR_ADMIN.value,
        done=done_message(request, DONE),
        **context,
    )


def _errors(error: ValidationError) -> dict[str, str]:
    """Field -> message (the first for each field); a rule of the whole form under ``form``."""
    found: dict[str, str] = {}
    for item in error.errors():
        loc = [str(part) for part in item["loc"] if not isinstance(part, int)]
        name = loc[0] if loc else "form"
        found.setdefault(name, str(item["msg"]).removeprefix("Value error, "))
    return found


def _parse(model: type[_Model], values: dict[str, Any]) -> _Model | dict[str, str]:
    try:
        return model.model_validate(values)
    except ValidationError as error:
        return _errors(error)


# --- funds --------------------------------------------------------------------------------------------------


def _funds_page(
    request: Request,
    who: StaffVisitor,
    session: Session,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    funds = service.funds(session)
    counts = {fund.id: len(service.awards(session, fund_id=fund.id)) for fund in funds}
    return _render(
        request,
        who,
        "bursaries.html",
        status_code,
        funds=funds,
        counts=counts,
        errors=errors or {},
        values=values or {},
    )


@router.get(P)
def funds_page(request: Request, who: Visitor, session: SessionDep) -> HTMLResponse:
    who.require(request, Role.ASSESSOR)
    return _funds_page(request, who, session)


@router.post(P)
def create_fund(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    now: NowDep,
    name: Annotated[str, Form(max_length=200)] = "",
    funder: Annotated[str, Form(max_length=200)] = "",
    amount: Annotated[str, Form(max_length=20)] = "",
    currency: Annotated[str, Form(max_length=3)] = "GBP",
    criteria: Text = "",
    requires_report: Annotated[str, Form(max_length=2)] = "",
    requires_session: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    who.require(request, Role.OPERATOR_ADMIN)
    values = {
        "name": name,
        "funder": funder,
        "amount": amount,
        "currency": currency,
        "criteria": criteria,
        "requires_report": requires_report,
        "requires_session": requires_session,
    }
    pounds = _minor(amount)
    body = _parse(
        FundCreate,
        {
            "name": name,
            "funder": funder,
            "amount": {"amount": pounds if pounds is not None else -1, "currency": currency.upper()},
            "criteria": criteria,
            "requires_report": bool(requires_report),
            "requires_session": bool(requires_session),
        },
    )
    if pounds is None:
        errors = body if isinstance(body, dict) else {}
        errors["amount"] = gettext("Give the amount as a number, such as 2500 or 2500.00.")
        body = errors
    if isinstance(body, dict):
        raise ShowPage(_funds_page(request, who, session, 422, body, values))
    fund = service.create_fund(session, body, now)
    return redirect(f"{P}/{fund.id}?done=fund")


def _minor(amount: str) -> int | None:
    """ "2500" or "2,500.50" (major units) in minor units; None when it is not such a number."""
    try:
        value = round(float(amount.replace(",", "").strip()) * 100)
    except ValueError:
        return None
    return value if 0 <= value <= 10_000_000_00 else None


def _fund_page(
    request: Request,
    who: StaffVisitor,
    session: Session,
    fund_id: str,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    fund = service.get_fund(session, fund_id)
    return _render(
        request,
        who,
        "bursary_fund.html",
        status_code,
        fund=fund,
        awards=service.awards(session, fund_id=fund.id),
        providers=issuers_service.list_issuers(session),
        errors=errors or {},
        values=values or {},
    )


@router.get(P + "/{fund_id}")
def fund_page(request: Request, fund_id: str, who: Visitor, session: SessionDep) -> HTMLResponse:
    who.require(request, Role.ASSESSOR)
    return _fund_page(request, who, session, fund_id)


@router.post(P + "/{fund_id}/state")
def fund_state(
    request: Request,
    fund_id: str,
    who: FormVisitor,
    session: SessionDep,
    now: NowDep,
    state: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    who.require(request, Role.OPERATOR_ADMIN)
    service.set_fund_state(session, fund_id, "closed" if state == "closed" else "open", now)
    return redirect(f"{P}/{fund_id}?done=fund-state")


@router.post(P + "/{fund_id}/awards")
def create_award(
    request: Request,
    fund_id: str,
    who: FormVisitor,
    session: SessionDep,
    now: NowDep,
    educator_name: Annotated[str, Form(max_length=200)] = "",
    educator_email: Annotated[str, Form(max_length=320)] = "",
    provider_id: Annotated[str, Form(max_length=32)] = "",
    amount: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    who.require(request, Role.OPERATOR_ADMIN)
    values = {
        "educator_name": educator_name,
        "educator_email": educator_email,
        "provider_id": provider_id,
        "amount": amount,
    }
    minor = _minor(amount)
    body = _parse(
        AwardCreate,
        {
            "educator_name": educator_name,
            "educator_email": educator_email,
            "provider_id": provider_id,
            "amount": minor if minor is not None else -1,
        },
    )
    if minor is None:
        errors = body if isinstance(body, dict) else {}
        errors["amount"] = gettext("Give the amount as a number, such as 1500 or 1500.00.")
        body = errors
    if isinstance(body, dict):
        raise ShowPage(_fund_page(request, who, session, fund_id, 422, body, values))
    try:
        award = service.create_award(session, fund_id, body, now)
    except Problem as problem:
        raise ShowPage(
            _fund_page(request, who, session, fund_id, problem.status, {"form": problem.detail}, values)
        ) from None
    return redirect(f"{P}/awards/{award.id}?done=award")


# --- an award -----------------------------------------------------------------------------------------------


def _award_page(
    request: Request,
    who: StaffVisitor,
    session: Session,
    config: TrustConfig,
    award_id: str,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    confirm_revoke: str | None = None,
) -> HTMLResponse:
    award = service.get_award(session, award_id)
    fund = service.get_fund(session, award.fund_id)
    return _render(
        request,
        who,
        "bursary_award.html",
        status_code,
        award=award,
        fund=fund,
        provider=issuers_service.get_issuer(session, award.provider_id),
        credential_id=credential.credential_url(config.base_url, award.id),
        host_state=service.host_endorsement_state(award),
        missing=[gettext(MISSING[item]) for item in service.missing_dissemination(fund, award)],
        errors=errors or {},
        values=values or {},
        confirm_revoke=confirm_revoke,
    )


@router.get(P + "/awards/{award_id}")
def award_page(
    request: Request, award_id: str, who: Visitor, session: SessionDep, config: TrustConfigDep
) -> HTMLResponse:
    who.require(request, Role.ASSESSOR)
    return _award_page(request, who, session, config, award_id)


def _act(
    request: Request,
    who: StaffVisitor,
    session: Session,
    config: TrustConfig,
    award_id: str,
    action: str,
    change: Any,
    values: dict[str, str] | None = None,
    done: str | None = None,
) -> Response:
    """Do `change` (a thunk calling the service) and go back to the award, saying `done` (else `action`);
    a problem shows the page again."""
    who.require(request, Role.OPERATOR_ADMIN)
    try:
        change()
    except Problem as problem:
        if problem.status == 404:
            raise
        raise ShowPage(
            _award_page(
                request, who, session, config, award_id, problem.status, {action: problem.detail}, values
            )
        ) from None
    return redirect(f"{P}/awards/{award_id}?done={done or action}")


@router.post(P + "/awards/{award_id}/accept")
def accept(
    request: Request,
    award_id: str,
    who: FormVisitor,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
) -> Response:
    return _act(
        request, who, session, config, award_id, "accept", lambda: service.accept(session, award_id, now)
    )


@router.post(P + "/awards/{award_id}/visit")
def record_visit(
    request: Request,
    award_id: str,
    who: FormVisitor,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
    host_name: Annotated[str, Form(max_length=200)] = "",
    host_did: Annotated[str, Form(max_length=500)] = "",
    country: Annotated[str, Form(max_length=100)] = "",
    start: Annotated[str, Form(max_length=10)] = "",
    end: Annotated[str, Form(max_length=10)] = "",
    focus: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    who.require(request, Role.OPERATOR_ADMIN)
    values = {
        "host_name": host_name,
        "host_did": host_did,
        "country": country,
        "start": start,
        "end": end,
        "focus": focus,
    }
    body = _parse(
        VisitIn, {**values, "host_did": host_did.strip() or None, "start": start or None, "end": end or None}
    )
    if isinstance(body, dict):
        raise ShowPage(_award_page(request, who, session, config, award_id, 422, body, values))
    return _act(
        request,
        who,
        session,
        config,
        award_id,
        "visit",
        lambda: service.record_visit(session, award_id, body, now),
        values,
    )


@router.post(P + "/awards/{award_id}/dissemination")
def record_dissemination(
    request: Request,
    award_id: str,
    who: FormVisitor,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
    report_url: Annotated[str, Form(max_length=2000)] = "",
    report_summary: Text = "",
    session_date: Annotated[str, Form(max_length=10)] = "",
    session_audience: Annotated[str, Form(max_length=7)] = "",
    session_title: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    who.require(request, Role.OPERATOR_ADMIN)
    values = {
        "report_url": report_url,
        "report_summary": report_summary,
        "session_date": session_date,
        "session_audience": session_audience,
        "session_title": session_title,
    }
    body = _parse(DisseminationIn, {name: value.strip() or None for name, value in values.items()})
    if isinstance(body, dict):
        raise ShowPage(_award_page(request, who, session, config, award_id, 422, body, values))
    return _act(
        request,
        who,
        session,
        config,
        award_id,
        "dissemination",
        lambda: service.record_dissemination(session, award_id, body, now),
        values,
    )


@router.post(P + "/awards/{award_id}/host-endorsement")
def host_endorsement(
    request: Request,
    award_id: str,
    who: FormVisitor,
    session: SessionDep,
    config: TrustConfigDep,
    hosts: HostsDep,
    now: NowDep,
    endorsement: Annotated[str, Form(max_length=64_000)] = "",
) -> Response:
    """The host's endorsement: kept for issuing, or (the credential issued) the credential re-issued."""
    who.require(request, Role.OPERATOR_ADMIN)
    values = {"endorsement": endorsement}
    try:
        document = json.loads(endorsement)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        errors = {"endorsement": gettext("Paste the host's EndorsementCredential: a JSON object.")}
        raise ShowPage(_award_page(request, who, session, config, award_id, 422, errors, values))
    issued = service.get_award(session, award_id).state == service.ISSUED
    return _act(
        request,
        who,
        session,
        config,
        award_id,
        "host-endorsement",
        lambda: service.record_host_endorsement(session, config, hosts, award_id, document, now),
        values,
        done="host-endorsement-reissue" if issued else None,
    )


@router.post(P + "/awards/{award_id}/issue")
def issue(
    request: Request,
    award_id: str,
    who: FormVisitor,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
) -> Response:
    return _act(
        request,
        who,
        session,
        config,
        award_id,
        "issue",
        lambda: service.issue(session, config, award_id, now),
    )


@router.post(P + "/awards/{award_id}/withdraw")
def withdraw(
    request: Request,
    award_id: str,
    who: FormVisitor,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if not reason.strip():
        who.require(request, Role.OPERATOR_ADMIN)
        errors = {"withdraw": gettext("Say why the award is withdrawn.")}
        raise ShowPage(_award_page(request, who, session, config, award_id, 422, errors))
    return _act(
        request,
        who,
        session,
        config,
        award_id,
        "withdraw",
        lambda: service.withdraw(session, award_id, reason.strip(), now),
    )


@router.post(P + "/awards/{award_id}/revoke")
def revoke(
    request: Request,
    award_id: str,
    who: FormVisitor,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
    confirmed: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Revoke the credential: first the reason, then a confirmation (revoking is final)."""
    if not reason.strip():
        who.require(request, Role.OPERATOR_ADMIN)
        errors = {"revoke": gettext("Say why the credential is revoked.")}
        raise ShowPage(_award_page(request, who, session, config, award_id, 422, errors))
    if confirmed != "yes":
        who.require(request, Role.OPERATOR_ADMIN)
        return _award_page(request, who, session, config, award_id, confirm_revoke=reason.strip())
    return _act(
        request,
        who,
        session,
        config,
        award_id,
        "revoke",
        lambda: service.revoke(session, award_id, reason.strip(), now),
    )
