"""The pathways section of the staff consoles: a partnership's staff manage their partnership's pathways
at ``/console/pathways`` (a provider's staff own none: 403), the operator's staff every pathway at
``/operator/pathways``. List, create (as a draft), edit (a new version: learners keep the version they
completed), publish and withdraw, and revoke a milestone.

A step in the form is a title, the achievements that count (any provider's; choose several for "N of
these M"), every rule of the step over accredited providers' credentials (an alignment code, an
RQF/SCQF level at least N, a sector, credits at least N), each a fieldset of its own plus an empty one to
add another (a rule whose fields are all empty is left out, so saving a pathway unchanged keeps every
rule the API gave it), how many options must be met (all when blank), and the steps it comes after. A
definition that could never be met (a cycle, an impossible level, "3 of 2") is the same 422 as the
API's, shown as a message against the step (or the step's rule) with the form kept as sent.

Reading needs a viewer (console) or an assessor (operator); changes an issuer or an operator
administrator."""

# No ``from __future__ import annotations``: FastAPI reads the routes' annotations when they are added.
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from core.deps import NowDep, SessionDep
from core.i18n import N_, gettext
from core.problems import ValidationFailed
from core.services import services_of
from issuers import service as issuers_service
from issuers.staff.roles import Role, allows
from issuers.staff.web import (
    CONSOLE,
    OPERATOR,
    ConsoleRoute,
    OperatorRoute,
    Realm,
    StaffVisitor,
    check_csrf,
    page,
    redirect,
    section_templates,
    show,
    visit,
)
from network.trust import TrustConfig

from . import milestones, rules, service
from .api import NotAPartnership
from .api import _out as pathway_view
from .api_models import PathwayCreate, PathwayUpdate
from .models import Pathway

templates = section_templates(Path(__file__).parent / "templates")
BLANK_STEPS = 2
LEVELS = [f"RQF {'Entry' if n == 0 else n}" for n in range(9)] + [f"SCQF {n}" for n in range(1, 13)]

DONE = {
    "created": N_("Pathway saved as a draft. Publish it when it is ready."),
    "saved": N_("Pathway saved. Learners keep the version they completed."),
    "published": N_("Pathway published."),
    "withdrawn": N_("Pathway withdrawn: it is no longer public and issues no milestones."),
    "revoked": N_("Milestone revoked. Anyone checking it now sees that it is revoked."),
}
#: What each kind of problem with a definition means, in words (the rule engine's detail follows).
PROBLEMS = {
    "cycle": N_("the steps' order goes round in a circle"),
    "never_met": N_("this could never be met"),
    "unknown_achievement": N_("no provider has this achievement"),
    "unknown_step": N_("it comes after a step that does not exist"),
    "duplicate": N_("this is given twice"),
    "too_many": N_("there are too many"),
    "empty_rule": N_("a rule needs at least one condition"),
    "bad_level": N_("not a level"),
}


def _owner(session: Session, who: StaffVisitor) -> str | None:
    """Whose pathways the visitor manages: their partnership's (a provider's staff: 403), every one
    (the operator's staff: None)."""
    assert who.member is not None
    if who.realm.operator:
        return None
    partnership = issuers_service.get_issuer(session, who.member.provider_id or "")
    if partnership.kind != "partnership":
        raise NotAPartnership(
            gettext("Pathways are defined by partnerships and the network operator, not by providers.")
        )
    return partnership.id


#: A rule's fields in the form, and the rule's JSON name of each.
RULE_FIELDS = {
    "code": "code",
    "framework": "framework",
    "level": "min_level",
    "sector": "sector",
    "credits": "min_credits",
}


@dataclass(frozen=True)
class SentForm:
    """A pathway form as sent: what to show again, the body for `PathwayCreate`, and where each of the
    body's steps and options sits in the form, so that an error lands against the field it is about."""

    fields: dict[str, str]
    rows: list[dict[str, Any]]  #: the step rows as sent, each rule's all-empty fieldsets left out
    body: dict[str, Any]
    #: for each step of the body, its form row and, for each of its options, its rule's number (None
    #: for an achievement)
    places: list[tuple[int, list[int | None]]]
    errors: dict[str, str]  #: what cannot even be read (a step number that is not one)


def _rule_row(rule: dict[str, Any]) -> dict[str, str]:
    """A rule's form fields, from its JSON form."""
    row = {name: str(rule.get(key) or "") for name, key in RULE_FIELDS.items()}
    if rule.get("min_credits") is not None:
        row["credits"] = f"{rule['min_credits']:g}"
    return row


def _form_steps(definition: rules.Definition | None) -> list[dict[str, Any]]:
    """The form's step rows: the definition's, each with every rule of the step, then blank ones (the
    page adds an empty rule to every step, to add another)."""
    rows: list[dict[str, Any]] = []
    if definition is not None:
        keys = [step.key for step in definition.steps]
        for step, raw in zip(definition.steps, rules.dump(definition)["steps"], strict=True):
            rows.append(
                {
                    "key": step.key,
                    "title": step.title,
                    "achievements": [o.achievement for o in step.options if o.achievement is not None],
                    "rules": [_rule_row(o["rule"]) for o in raw["options"] if "rule" in o],
                    "choose": str(step.choose) if step.choose < len(step.options) else "",
                    "after": ", ".join(str(keys.index(k) + 1) for k in step.after if k in keys),
                }
            )
    blank = {"key": "", "title": "", "achievements": [], "rules": [], "choose": "", "after": ""}
    return rows + [{**blank, "rules": []} for _ in range(BLANK_STEPS)]


def _sent_rules(form: Any, i: int) -> list[dict[str, str]]:
    """Step ``i``'s rules as sent, in order, leaving out every all-empty one."""
    found = []
    for j in range(rules.MAX_OPTIONS + 1):
        names = [f"step-{i}-rule-{j}-{name}" for name in RULE_FIELDS]
        if not any(name in form for name in names):
            break
        rule = {name: str(form.get(f"step-{i}-rule-{j}-{name}") or "").strip() for name in RULE_FIELDS}
        if any(rule.values()):
            found.append(rule)
    return found[: rules.MAX_OPTIONS]


def _read_form(form: Any) -> SentForm:
    fields = {
        name: str(form.get(name) or "").strip() for name in ("title", "description", "region", "sector")
    }
    rows: list[dict[str, Any]] = []
    i = 0
    while f"step-{i}-title" in form and i < rules.MAX_STEPS:
        rows.append(
            {
                "key": str(form.get(f"step-{i}-key") or ""),
                "title": str(form.get(f"step-{i}-title") or "").strip(),
                "achievements": [str(a) for a in form.getlist(f"step-{i}-achievements")][: rules.MAX_OPTIONS],
                "rules": _sent_rules(form, i),
                **{name: str(form.get(f"step-{i}-{name}") or "").strip() for name in ("choose", "after")},
            }
        )
        i += 1
    errors: dict[str, str] = {}
    used = [n for n, row in enumerate(rows) if row["title"]]
    keys: list[str] = []
    for n in used:
        key = rows[n]["key"] or f"step-{len(keys) + 1}"
        while key in keys:
            key += "x"
        keys.append(key)
    steps: list[dict[str, Any]] = []
    places: list[tuple[int, list[int | None]]] = []
    for n in used:
        row = rows[n]
        options: list[dict[str, Any]] = [{"achievement": a} for a in row["achievements"]]
        rule_of: list[int | None] = [None] * len(options)
        for j, sent in enumerate(row["rules"]):
            rule: dict[str, Any] = {
                RULE_FIELDS[name]: value for name, value in sent.items() if value and name != "credits"
            }
            if sent["credits"]:
                try:
                    rule["min_credits"] = float(sent["credits"])
                except ValueError:
                    errors[f"step-{n}-rule-{j}-credits"] = gettext(
                        "Step %(number)s, rule %(rule)s: credits must be a number.", number=n + 1, rule=j + 1
                    )
            options.append({"rule": rule})
            rule_of.append(j)
        step: dict[str, Any] = {"key": keys[len(steps)], "title": row["title"], "options": options}
        if row["choose"]:
            if row["choose"].isdigit():
                step["choose"] = int(row["choose"])
            else:
                errors[f"step-{n}-choose"] = gettext("How many must be a whole number.")
        after = []
        for part in filter(None, (p.strip() for p in row["after"].split(","))):
            if part.isdigit() and 1 <= int(part) <= len(used):
                after.append(keys[int(part) - 1])
            else:
                errors[f"step-{n}-after"] = gettext("Give the numbers of other steps, separated by commas.")
        if after:
            step["after"] = after
        steps.append(step)
        places.append((n, rule_of))
    body = {
        "title": fields["title"],
        "description": fields["description"],
        "region": fields["region"] or None,
        "sector": fields["sector"] or None,
        "steps": steps,
    }
    return SentForm(fields, rows, body, places, errors)


def _step_message(
    loc: list[Any], kind: str, detail: str, place: tuple[int, list[int | None]]
) -> tuple[str, str]:
    """The field and the message for a problem with one step: a rule's against the rule's field."""
    row, rule_of = place
    words = gettext(PROBLEMS[kind]) if kind in PROBLEMS else ""
    option = loc[3] if len(loc) > 3 and loc[2] == "options" and isinstance(loc[3], int) else None
    rule = rule_of[option] if option is not None and option < len(rule_of) else None
    if rule is not None:
        key = str(loc[5]) if len(loc) > 5 and loc[4] == "rule" else "code"
        field = next((name for name, json in RULE_FIELDS.items() if json == key), "code")
        name = f"step-{row}-rule-{rule}-{field}"
        text = gettext(
            "Step %(number)s, rule %(rule)s: %(problem)s",
            number=row + 1,
            rule=rule + 1,
            problem=words or detail,
        )
    else:
        name = f"step-{row}-title"
        text = gettext("Step %(number)s: %(problem)s", number=row + 1, problem=words or detail)
    if words and detail:
        text = f"{text} ({detail})"
    return name, text


def _messages(error_list: list[dict[str, Any]], places: list[tuple[int, list[int | None]]]) -> dict[str, str]:
    """A 422's ``errors`` as messages by form field (the first of each)."""
    found: dict[str, str] = {}
    for error in error_list:
        loc = [part for part in error.get("loc", []) if part != "body"]
        kind = str(error.get("type", ""))
        detail = str(error.get("msg", ""))
        if loc and loc[0] == "steps" and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(places):
            name, text = _step_message(loc, kind, detail, places[loc[1]])
        elif loc and loc[0] == "steps" and kind in PROBLEMS and kind != "never_met":
            name = "step-0-title"
            text = gettext("The steps: %(problem)s", problem=gettext(PROBLEMS[kind])) + f" ({detail})"
        elif loc and loc[0] == "steps":
            name, text = "step-0-title", gettext("Give the pathway at least one step with a title.")
        elif loc and loc[0] in ("title", "description", "region", "sector"):
            name = str(loc[0])
            text = (
                gettext("Give a region or a sector (or both).")
                if name == "region"
                else gettext("Give the pathway a title.")
                if name == "title"
                else detail
            )
        else:
            name = "region" if "region" in detail else "title"
            text = gettext("Give a region or a sector (or both).") if "region" in detail else detail
        found.setdefault(name, text)
    return found


def build(realm: Realm) -> APIRouter:
    router = APIRouter(route_class=OperatorRoute if realm.operator else ConsoleRoute, include_in_schema=False)
    p = f"{realm.prefix}/pathways"
    read_role = Role.ASSESSOR if realm.operator else Role.VIEWER
    change_role = Role.OPERATOR_ADMIN if realm.operator else Role.ISSUER

    def visitor(request: Request, session: SessionDep, now: NowDep) -> StaffVisitor:
        return visit(request, session, now, realm)

    async def form_visitor(request: Request, who: Annotated[StaffVisitor, Depends(visitor)]) -> StaffVisitor:
        return await check_csrf(request, who)

    Visitor = Annotated[StaffVisitor, Depends(visitor)]
    FormVisitor = Annotated[StaffVisitor, Depends(form_visitor)]

    def config_of(request: Request) -> TrustConfig:
        return services_of(request.app).get(TrustConfig)

    def offers(session: Session, config: TrustConfig, now: datetime) -> list[Any]:
        found = [offer for offer, _ in service.catalogue_of(session, config, now).offers]
        return sorted(found, key=lambda o: (o.provider_name.casefold(), o.name.casefold()))

    def edit_page(
        request: Request,
        who: StaffVisitor,
        session: Session,
        now: datetime,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        return page(
            request,
            who,
            "pathways_console_form.html",
            status_code,
            using=templates,
            offers=offers(session, config_of(request), now),
            levels=LEVELS,
            max_rules=rules.MAX_OPTIONS,
            **context,
        )

    @router.get(p)
    def list_page(request: Request, who: Visitor, session: SessionDep) -> HTMLResponse:
        who.require(request, read_role)
        owner = _owner(session, who)
        found = service.list_pathways(session, owner=owner)
        config = config_of(request)
        owners = {pathway.id: service.owner_name(session, config, pathway) for pathway in found}
        done = DONE.get(request.query_params.get("done", ""))
        return page(
            request,
            who,
            "pathways_console_list.html",
            using=templates,
            pathways=found,
            owners=owners,
            can_change=_allows(who, change_role),
            done=gettext(done) if done else None,
        )

    @router.get(f"{p}/new")
    def new_page(request: Request, who: Visitor, session: SessionDep, now: NowDep) -> HTMLResponse:
        who.require(request, change_role)
        _owner(session, who)
        fields = {"title": "", "description": "", "region": "", "sector": ""}
        return edit_page(
            request, who, session, now, pathway=None, fields=fields, steps=_form_steps(None), errors={}
        )

    def save(
        request: Request,
        who: StaffVisitor,
        session: Session,
        now: datetime,
        form: Any,
        pathway: Pathway | None,
        owner: str | None,
    ) -> Pathway:
        sent = _read_form(form)
        body, errors = sent.body, sent.errors
        config = config_of(request)
        if not errors:
            try:
                if pathway is None:
                    created = PathwayCreate.model_validate({**body, "state": "draft"})
                    return service.create(
                        session, config.base_url, created, now, owner or service.OPERATOR_OWNER
                    )
                return service.update(
                    session, config.base_url, pathway.id, PathwayUpdate.model_validate(body), now, owner
                )
            except ValidationError as error:
                errors = _messages([dict(e) for e in error.errors()], sent.places)
            except ValidationFailed as problem:
                errors = _messages(problem.extensions.get("errors", []), sent.places)
        raise show(
            request,
            who,
            "pathways_console_form.html",
            422,
            using=templates,
            offers=offers(session, config, now),
            levels=LEVELS,
            max_rules=rules.MAX_OPTIONS,
            pathway=pathway,
            fields=sent.fields,
            steps=sent.rows or _form_steps(None),
            errors=errors or {"title": gettext("The pathway could not be saved.")},
        )

    @router.post(p)
    async def create(request: Request, who: FormVisitor, session: SessionDep, now: NowDep) -> Response:
        who.require(request, change_role)
        owner = _owner(session, who)
        form = await request.form()
        pathway = save(request, who, session, now, form, None, owner)
        return redirect(f"{p}/{pathway.id}?done=created")

    @router.get(f"{p}/{{pathway_id}}")
    def detail_page(
        request: Request, pathway_id: str, who: Visitor, session: SessionDep, now: NowDep
    ) -> HTMLResponse:
        who.require(request, read_role)
        pathway = service.get_owned(session, pathway_id, _owner(session, who))
        config = config_of(request)
        shown = pathway_view(session, config, pathway, now)
        done = DONE.get(request.query_params.get("done", ""))
        return page(
            request,
            who,
            "pathways_console_detail.html",
            using=templates,
            pathway=pathway,
            shown=shown,
            owner_name=shown.owner_name,
            records=milestones.list_completions(session, pathway.id),
            can_change=_allows(who, change_role),
            done=gettext(done) if done else None,
        )

    @router.get(f"{p}/{{pathway_id}}/edit")
    def edit_form(
        request: Request, pathway_id: str, who: Visitor, session: SessionDep, now: NowDep
    ) -> HTMLResponse:
        who.require(request, change_role)
        pathway = service.get_owned(session, pathway_id, _owner(session, who))
        definition = service.definition_of(session, pathway.id, pathway.current_version)
        fields = {
            "title": pathway.title,
            "description": pathway.description,
            "region": pathway.region or "",
            "sector": pathway.sector or "",
        }
        return edit_page(
            request,
            who,
            session,
            now,
            pathway=pathway,
            fields=fields,
            steps=_form_steps(definition),
            errors={},
        )

    @router.post(f"{p}/{{pathway_id}}")
    async def update(
        request: Request, pathway_id: str, who: FormVisitor, session: SessionDep, now: NowDep
    ) -> Response:
        who.require(request, change_role)
        owner = _owner(session, who)
        pathway = service.get_owned(session, pathway_id, owner)
        form = await request.form()
        save(request, who, session, now, form, pathway, owner)
        return redirect(f"{p}/{pathway.id}?done=saved")

    @router.post(f"{p}/{{pathway_id}}/state")
    async def change_state(
        request: Request, pathway_id: str, who: FormVisitor, session: SessionDep, now: NowDep
    ) -> Response:
        who.require(request, change_role)
        owner = _owner(session, who)
        form = await request.form()
        state: Literal["published", "withdrawn"] = (
            "published" if form.get("state") == "published" else "withdrawn"
        )
        service.update(
            session, config_of(request).base_url, pathway_id, PathwayUpdate(state=state), now, owner
        )
        return redirect(f"{p}/{pathway_id}?done={state}")

    @router.post(f"{p}/{{pathway_id}}/milestones/{{completion_id}}/revoke")
    async def revoke(
        request: Request,
        pathway_id: str,
        completion_id: str,
        who: FormVisitor,
        session: SessionDep,
        now: NowDep,
    ) -> Response:
        who.require(request, change_role)
        pathway = service.get_owned(session, pathway_id, _owner(session, who))
        form = await request.form()
        reason = str(form.get("reason") or "").strip()[:1000] or None
        milestones.revoke(session, pathway, completion_id, reason, now)
        return redirect(f"{p}/{pathway.id}?done=revoked")

    return router


def _allows(who: StaffVisitor, role: Role) -> bool:
    return who.member is not None and allows(who.member.role, role)


console = build(CONSOLE)
operator = build(OPERATOR)
