"""Accreditations: granting one (to a provider of this service, or to an issuer elsewhere by its DID or
https URL), its page with the history, changing its scope, period or details, and suspending,
reinstating or withdrawing it (each after a confirmation page, with a reason). Assessors read;
operator administrators change."""

from typing import Annotated, Any

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from core.deps import NowDep, SessionDep
from core.i18n import N_, gettext
from core.problems import Conflict, NotFound, ValidationFailed
from core.web import ShowPage
from issuers import identity
from issuers import service as issuers_service
from issuers.staff.roles import Role
from issuers.staff.web import OperatorFormVisitor as FormVisitor
from issuers.staff.web import OperatorVisitor as Visitor
from issuers.staff.web import StaffVisitor, page, redirect
from network import trust
from network.api_models import AccreditationCreate, AccreditationUpdate
from network.trust_policy import State
from schemas.vocabulary import AchievementKind

from .common import P, TrustConfigDep, day_start, done, field_errors, pages_router, split_list, templates

router = pages_router()
Text = Annotated[str, Form(max_length=2000)]
#: The changes of an accreditation's state a page can ask for: (service, heading, button, done code).
ACTIONS: dict[str, tuple[Any, str, str, str]] = {
    "suspend": (trust.suspend, N_("Suspend accreditation"), N_("Suspend"), "suspended"),
    "reinstate": (trust.reinstate, N_("Reinstate accreditation"), N_("Reinstate"), "reinstated"),
    "withdraw": (trust.withdraw, N_("Withdraw accreditation"), N_("Withdraw for good"), "withdrawn"),
}
KINDS = [kind.value for kind in AchievementKind]
EVENT_NAMES = {
    "accredited": N_("Accredited"),
    "scope_changed": N_("Scope changed"),
    "period_changed": N_("Period changed"),
    "details_changed": N_("Details changed"),
    "suspended": N_("Suspended"),
    "reinstated": N_("Reinstated"),
    "withdrawn": N_("Withdrawn"),
}


def _accredit_form(
    request: Request,
    who: StaffVisitor,
    provider: Any,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    """Accredit a provider of this service, or (``provider`` None) an issuer elsewhere by its DID or URL."""
    action = f"{P}/providers/{provider.id}/accredit" if provider else f"{P}/accreditations"
    return page(
        request,
        who,
        "operator_accredit.html",
        status_code,
        using=templates,
        provider=provider,
        action=action,
        kinds=KINDS,
        values=values or {"kinds": []},
        errors=errors or {},
    )


@router.get(f"{P}/providers/{{provider_id}}/accredit")
def accredit_form(request: Request, provider_id: str, who: Visitor, session: SessionDep) -> HTMLResponse:
    who.require(request, Role.OPERATOR_ADMIN)
    return _accredit_form(request, who, issuers_service.get_issuer(session, provider_id))


@router.post(f"{P}/providers/{{provider_id}}/accredit")
def accredit(
    request: Request,
    provider_id: str,
    who: FormVisitor,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
    sectors: Text = "",
    levels: Text = "",
    kinds: Annotated[list[str] | None, Form(max_length=10)] = None,
    valid_from: Annotated[str, Form(max_length=40)] = "",
    valid_until: Annotated[str, Form(max_length=40)] = "",
    reason: Text = "",
) -> Response:
    member = who.require(request, Role.OPERATOR_ADMIN)
    provider = issuers_service.get_issuer(session, provider_id)
    values = {
        "sectors": sectors,
        "levels": levels,
        "kinds": kinds or [],
        "valid_from": valid_from,
        "valid_until": valid_until,
        "reason": reason,
    }
    return _accredit(
        request, who, session, config, now, provider, {"provider_id": provider.id}, values, member.name
    )


@router.get(f"{P}/accreditations/new")
def accredit_elsewhere_form(request: Request, who: Visitor) -> HTMLResponse:
    who.require(request, Role.OPERATOR_ADMIN)
    return _accredit_form(request, who, None)


@router.post(f"{P}/accreditations")
def accredit_elsewhere(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
    issuer: Text = "",
    name: Text = "",
    url: Text = "",
    sectors: Text = "",
    levels: Text = "",
    kinds: Annotated[list[str] | None, Form(max_length=10)] = None,
    valid_from: Annotated[str, Form(max_length=40)] = "",
    valid_until: Annotated[str, Form(max_length=40)] = "",
    reason: Text = "",
) -> Response:
    """An issuer that issues elsewhere (its own did:web, say): accredited by its DID or https URL, as its
    credentials name it."""
    member = who.require(request, Role.OPERATOR_ADMIN)
    values = {
        "issuer": issuer,
        "name": name,
        "url": url,
        "sectors": sectors,
        "levels": levels,
        "kinds": kinds or [],
        "valid_from": valid_from,
        "valid_until": valid_until,
        "reason": reason,
    }
    who_is = {"issuer": issuer.strip(), "name": name.strip() or None, "url": url.strip() or None}
    return _accredit(request, who, session, config, now, None, who_is, values, member.name)


def _accredit(
    request: Request,
    who: StaffVisitor,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
    provider: Any,
    issuer: dict[str, Any],
    values: dict[str, Any],
    by: str,
) -> Response:
    try:
        data = AccreditationCreate.model_validate(
            {
                **issuer,
                "scope": {
                    "sectors": split_list(values["sectors"]),
                    "levels": split_list(values["levels"]),
                    "kinds": values["kinds"],
                },
                "valid_from": day_start(values["valid_from"]),
                "valid_until": day_start(values["valid_until"]),
                "reason": values["reason"].strip() or None,
                "by": by,
            }
        )
        row = trust.accredit(session, config.base_url, data, now)
    except ValidationError as error:
        errors = _scope_errors(error)
        raise ShowPage(_accredit_form(request, who, provider, 422, values, errors)) from None
    except (Conflict, ValidationFailed, NotFound) as problem:
        field = "valid_from" if provider else ("name" if isinstance(problem, ValidationFailed) else "issuer")
        errors = {field: problem.detail or ""}
        raise ShowPage(_accredit_form(request, who, provider, problem.status, values, errors)) from None
    return redirect(f"{P}/accreditations/{row.id}?done=accredited")


def _provider_of(session: SessionDep, config: TrustConfigDep, issuer_id: str) -> Any:
    prefix = identity.issuer_did(config.base_url, "")
    if not issuer_id.startswith(prefix):
        return None
    try:
        return issuers_service.get_issuer(session, issuer_id.removeprefix(prefix))
    except NotFound:
        return None


@router.get(f"{P}/accreditations/{{accreditation_id}}")
def accreditation_page(
    request: Request, accreditation_id: str, who: Visitor, session: SessionDep, config: TrustConfigDep
) -> HTMLResponse:
    who.require(request, Role.ASSESSOR)
    row = trust.get_accreditation(session, accreditation_id)
    return page(
        request,
        who,
        "operator_accreditation.html",
        using=templates,
        accreditation=row,
        provider=_provider_of(session, config, row.issuer_id),
        history=list(reversed(trust.history(session, row.id))),
        actions=_allowed_actions(row.state),
        event_names={name: gettext(text) for name, text in EVENT_NAMES.items()},
        done=done(request),
    )


def _edit_form(
    request: Request,
    who: StaffVisitor,
    row: Any,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    if values is None:
        values = {
            "name": row.name,
            "url": row.url or "",
            "sectors": ", ".join(row.sectors),
            "levels": ", ".join(row.levels),
            "kinds": list(row.kinds),
            "valid_from": row.valid_from.date().isoformat(),
            "valid_until": row.valid_until.date().isoformat(),
            "reason": "",
        }
    return page(
        request,
        who,
        "operator_accreditation_edit.html",
        status_code,
        using=templates,
        accreditation=row,
        kinds=KINDS,
        values=values,
        errors=errors or {},
    )


@router.get(f"{P}/accreditations/{{accreditation_id}}/edit")
def edit_accreditation(
    request: Request, accreditation_id: str, who: Visitor, session: SessionDep
) -> HTMLResponse:
    who.require(request, Role.OPERATOR_ADMIN)
    return _edit_form(request, who, trust.get_accreditation(session, accreditation_id))


@router.post(f"{P}/accreditations/{{accreditation_id}}/edit")
def save_accreditation(
    request: Request,
    accreditation_id: str,
    who: FormVisitor,
    session: SessionDep,
    now: NowDep,
    name: Text = "",
    url: Text = "",
    sectors: Text = "",
    levels: Text = "",
    kinds: Annotated[list[str] | None, Form(max_length=10)] = None,
    valid_from: Annotated[str, Form(max_length=40)] = "",
    valid_until: Annotated[str, Form(max_length=40)] = "",
    reason: Text = "",
) -> Response:
    """Change the entry, scope or period: the history records each kind of change, with the reason."""
    member = who.require(request, Role.OPERATOR_ADMIN)
    row = trust.get_accreditation(session, accreditation_id)
    values = {
        "name": name,
        "url": url,
        "sectors": sectors,
        "levels": levels,
        "kinds": kinds or [],
        "valid_from": valid_from,
        "valid_until": valid_until,
        "reason": reason,
    }
    try:
        data = AccreditationUpdate.model_validate(
            {
                "name": name.strip(),
                "url": url.strip() or None,
                "scope": {"sectors": split_list(sectors), "levels": split_list(levels), "kinds": kinds or []},
                "valid_from": day_start(valid_from),
                "valid_until": day_start(valid_until),
                "reason": reason.strip() or None,
                "by": member.name,
            }
        )
        trust.update(session, row.id, data, now)
    except ValidationError as error:
        errors = _scope_errors(error)
        raise ShowPage(_edit_form(request, who, row, 422, values, errors)) from None
    except (Conflict, ValidationFailed) as problem:
        errors = {"valid_until" if isinstance(problem, ValidationFailed) else "name": problem.detail or ""}
        raise ShowPage(_edit_form(request, who, row, problem.status, values, errors)) from None
    return redirect(f"{P}/accreditations/{row.id}?done=accreditation-saved")


def _scope_errors(error: ValidationError) -> dict[str, str]:
    """A form's errors from an accreditation model's: a scope's errors name the scope's own field, and
    the model's own checks (the period's order, which issuer) the field they are about."""
    errors = field_errors(error)
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ())]
        if len(location) > 1 and location[0] == "scope":
            errors.pop("scope", None)
            errors.setdefault(location[1], str(item.get("msg", "")))
    if "form" in errors:
        message = errors.pop("form")
        errors.setdefault("valid_until" if "valid_until" in message else "issuer", message)
    return errors


def _allowed_actions(state: str) -> list[str]:
    return {
        State.ACTIVE.value: ["suspend", "withdraw"],
        State.SUSPENDED.value: ["reinstate", "withdraw"],
    }.get(state, [])


def _action(name: str) -> tuple[Any, str, str, str]:
    found = ACTIONS.get(name)
    if found is None:
        raise NotFound(gettext("no such page"))
    return found


def _confirm_page(
    request: Request,
    who: StaffVisitor,
    row: Any,
    action: str,
    status_code: int = 200,
    reason: str = "",
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    _, heading, button, _ = _action(action)
    return page(
        request,
        who,
        "operator_accreditation_confirm.html",
        status_code,
        using=templates,
        accreditation=row,
        action=action,
        heading=gettext(heading),
        button=gettext(button),
        reason_required=action != "reinstate",
        reason=reason,
        errors=errors or {},
    )


@router.get(f"{P}/accreditations/{{accreditation_id}}/{{action}}")
def confirm_change(
    request: Request, accreditation_id: str, action: str, who: Visitor, session: SessionDep
) -> HTMLResponse:
    who.require(request, Role.OPERATOR_ADMIN)
    _action(action)
    return _confirm_page(request, who, trust.get_accreditation(session, accreditation_id), action)


@router.post(f"{P}/accreditations/{{accreditation_id}}/{{action}}")
def change_state(
    request: Request,
    accreditation_id: str,
    action: str,
    who: FormVisitor,
    session: SessionDep,
    now: NowDep,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    member = who.require(request, Role.OPERATOR_ADMIN)
    change, _, _, code = _action(action)
    row = trust.get_accreditation(session, accreditation_id)
    reason = reason.strip()
    if action != "reinstate" and not reason:
        errors = {"reason": gettext("Give a reason: the provider and the history show it.")}
        raise ShowPage(_confirm_page(request, who, row, action, 422, reason, errors))
    try:
        change(session, row.id, reason or None, member.name, now)
    except (Conflict, ValidationFailed) as problem:
        errors = {"reason": problem.detail or ""}
        raise ShowPage(_confirm_page(request, who, row, action, problem.status, reason, errors)) from None
    return redirect(f"{P}/accreditations/{row.id}?done={code}")
