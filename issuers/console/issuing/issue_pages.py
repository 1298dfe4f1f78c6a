"""``/console/issue``: issue a credential to one person. The form, then a confirmation that states, before
anything is issued, whether the credential will be inside the provider's accreditation scope (and whether
the achievement is approved under the scheme), then the result with links to the credential."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from core.deps import NowDep, SessionDep
from core.i18n import gettext
from core.passwords import new_secret
from core.problems import BadRequest, Conflict, NotFound, ValidationFailed
from core.web import ShowPage
from issuers import achievements, issuing, service
from issuers.deps import ConfigDep
from issuers.staff.roles import Role
from issuers.staff.web import ConsoleFormVisitor as FormVisitor
from issuers.staff.web import ConsoleRoute, StaffVisitor, page, redirect
from issuers.staff.web import ConsoleVisitor as Visitor

from . import single
from .cohorts import issuable_achievements
from .web import P, provider, templates

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
Text = Annotated[str, Form(max_length=320)]


def _values(**fields: str) -> dict[str, str]:
    return {name: fields.get(name, "").strip() for name in single.FIELDS}


def _form(
    request: Request,
    who: StaffVisitor,
    session: SessionDep,
    status_code: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    issuer = provider(request, who, session, Role.ISSUER)
    return page(
        request,
        who,
        "issue_form.html",
        status_code,
        using=templates,
        achievements=issuable_achievements(session, issuer),
        values=values or {"format": "ldp"},
        errors=errors or {},
    )


@router.get(f"{P}/issue")
def issue_form(request: Request, who: Visitor, session: SessionDep) -> HTMLResponse:
    values = {"format": "ldp", "achievement_id": request.query_params.get("achievement", "")[:64]}
    return _form(request, who, session, values=values)


@router.post(f"{P}/issue/check")
def check(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    config: ConfigDep,
    now: NowDep,
    achievement_id: Text = "",
    email: Text = "",
    name: Text = "",
    learner_id: Text = "",
    result: Text = "",
    format: Text = "ldp",
    valid_from: Text = "",
    valid_until: Text = "",
) -> HTMLResponse:
    """The confirmation: nothing is issued yet."""
    issuer = provider(request, who, session, Role.ISSUER)
    values = _values(
        achievement_id=achievement_id,
        email=email,
        name=name,
        learner_id=learner_id,
        result=result,
        format=format,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    request_model, errors = single.read_form(values)
    if request_model is not None:
        try:
            stated = single.statement(session, config, issuer, request_model, now)
        except (NotFound, Conflict) as problem:
            errors = {"achievement_id": problem.detail or ""}
        except ValidationFailed as problem:
            errors = {"valid_until": problem.detail or ""}
    if request_model is None or errors:
        raise ShowPage(_form(request, who, session, 422, values, errors))
    return page(
        request,
        who,
        "issue_confirm.html",
        using=templates,
        values=values,
        statement=stated,
        form_token=new_secret(),
    )


@router.post(f"{P}/issue/edit")
def edit(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    achievement_id: Text = "",
    email: Text = "",
    name: Text = "",
    learner_id: Text = "",
    result: Text = "",
    format: Text = "ldp",
    valid_from: Text = "",
    valid_until: Text = "",
) -> HTMLResponse:
    """The form again with the confirmation's values, to change them."""
    values = _values(
        achievement_id=achievement_id,
        email=email,
        name=name,
        learner_id=learner_id,
        result=result,
        format=format,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    return _form(request, who, session, values=values)


@router.post(f"{P}/issue")
def issue(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    config: ConfigDep,
    now: NowDep,
    achievement_id: Text = "",
    email: Text = "",
    name: Text = "",
    learner_id: Text = "",
    result: Text = "",
    format: Text = "ldp",
    valid_from: Text = "",
    valid_until: Text = "",
    form_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Issue what the confirmation showed; the same confirmation sent again gets the same credential."""
    issuer = provider(request, who, session, Role.ISSUER)
    if len(form_token) < 20:
        raise BadRequest(gettext("This form is not the confirmation. Check the details again."))
    values = _values(
        achievement_id=achievement_id,
        email=email,
        name=name,
        learner_id=learner_id,
        result=result,
        format=format,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    request_model, errors = single.read_form(values)
    if request_model is None:
        raise ShowPage(_form(request, who, session, 422, values, errors))
    row = single.issue(session, config, issuer, request_model, form_token, now)
    return redirect(f"{P}/issue/issued/{row.id}")


@router.get(f"{P}/issue/issued/{{credential_id}}")
def issued(
    request: Request, credential_id: str, who: Visitor, session: SessionDep, config: ConfigDep, now: NowDep
) -> HTMLResponse:
    issuer = provider(request, who, session, Role.ISSUER)
    row = issuing.get_credential(session, issuer, credential_id)
    achievement = achievements.at_version(
        session, service.get_achievement(session, issuer, row.achievement_id), row.achievement_version
    )
    url = issuing.credential_url(config.base_url, row.id)
    return page(
        request,
        who,
        "issue_done.html",
        using=templates,
        credential=row,
        achievement_name=str(achievement.definition.get("name", "")),
        scope=issuing.scope_of(session, config, issuer, achievement, now),
        verification_url=url,
    )
