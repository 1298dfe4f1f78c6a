"""The approval queue: submissions by state, a submission's page against the scheme's criteria, assigning
it to an assessor (operator administrators), approving or refusing it with reasons, and withdrawing an
approval (operator administrators). An assessor sees and decides only what is assigned to them: the
pages ask `network.approvals` through the assessor's own `Reviewer` (`network.assignments`), so an
unassigned submission is a 404 for them, as on the API."""

from typing import Annotated, get_args

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse

from core.deps import NowDep, SessionDep
from core.i18n import N_, gettext
from core.problems import Conflict, ValidationFailed
from core.web import ShowPage
from issuers import service as issuers_service
from issuers.staff.roles import Role
from issuers.staff.web import OperatorFormVisitor as FormVisitor
from issuers.staff.web import OperatorVisitor as Visitor
from issuers.staff.web import StaffVisitor, page, redirect
from network import approvals, assignments
from network.approvals import CRITERIA, Reviewer
from network.models import SchemeApproval

from .common import P, TrustConfigDep, done, pages_router, templates

router = pages_router()
Reason = Annotated[str, Form(max_length=1000)]
STATES: tuple[str, ...] = get_args(approvals.State)
STATE_NAMES = {
    "pending": N_("Pending"),
    "approved": N_("Approved"),
    "refused": N_("Refused"),
    "withdrawn": N_("Withdrawn"),
}
CRITERION_NAMES = {
    "level": N_("Level (RQF or SCQF)"),
    "sector": N_("Sector"),
    "credits": N_("Credits"),
    "quality_statement": N_("Quality statement"),
    "other": N_("Other"),
}


def _reviewer(request: Request, who: StaffVisitor, session: SessionDep) -> Reviewer:
    member = who.require(request, Role.ASSESSOR)
    return assignments.reviewer_for(session, member)


def _names(session: SessionDep, rows: list[SchemeApproval]) -> dict[str, tuple[str, str]]:
    """(provider name, achievement name) of each submission, in two queries however long the list."""
    providers, achievements = issuers_service.names_of(
        session, {row.issuer_id for row in rows}, {row.achievement_id for row in rows}
    )
    return {
        row.id: (providers.get(row.issuer_id, ""), achievements.get(row.achievement_id, "")) for row in rows
    }


def _translated(names: dict[str, str]) -> dict[str, str]:
    return {key: gettext(text) for key, text in names.items()}


@router.get(f"{P}/approvals")
def approval_list(request: Request, who: Visitor, session: SessionDep) -> HTMLResponse:
    reviewer = _reviewer(request, who, session)
    state = request.query_params.get("state", "pending")
    if state not in STATES and state != "all":
        state = "pending"
    rows = approvals.list_all(session, reviewer, None if state == "all" else state)  # type: ignore[arg-type]
    return page(
        request,
        who,
        "operator_approvals.html",
        using=templates,
        rows=rows,
        state=state,
        states=STATES,
        state_names=_translated(STATE_NAMES),
        names=_names(session, rows),
        assignees=assignments.assignees(session, [row.id for row in rows]),
        done=done(request),
    )


def _approval_page(
    request: Request,
    who: StaffVisitor,
    session: SessionDep,
    row: SchemeApproval,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    reviewer = assignments.reviewer_for(session, who.require(request, Role.ASSESSOR))
    return page(
        request,
        who,
        "operator_approval.html",
        status_code,
        using=templates,
        row=row,
        names=_names(session, [row])[row.id],
        criteria=CRITERIA,
        reasons_for=(*CRITERIA, "other"),
        criterion_names=_translated(CRITERION_NAMES),
        state_names=_translated(STATE_NAMES),
        unmet=approvals.unmet(row),
        admin=reviewer.kind == "operator",
        assignee=assignments.assignees(session, [row.id]).get(row.id),
        assessors=assignments.assessors(session),
        errors=errors or {},
        values=values or {},
        done=done(request),
    )


@router.get(f"{P}/approvals/{{approval_id}}")
def approval_page(request: Request, approval_id: str, who: Visitor, session: SessionDep) -> HTMLResponse:
    reviewer = _reviewer(request, who, session)
    return _approval_page(request, who, session, approvals.get(session, approval_id, reviewer))


def _refused_again(
    request: Request,
    who: StaffVisitor,
    session: SessionDep,
    row: SchemeApproval,
    problem: Conflict | ValidationFailed,
    field: str,
    values: dict[str, str] | None = None,
) -> ShowPage:
    session.refresh(row)
    errors = {field: problem.detail or ""}
    return ShowPage(_approval_page(request, who, session, row, problem.status, errors, values))


@router.post(f"{P}/approvals/{{approval_id}}/assign")
def assign(
    request: Request,
    approval_id: str,
    who: FormVisitor,
    session: SessionDep,
    now: NowDep,
    assessor_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    who.require(request, Role.OPERATOR_ADMIN)
    row = approvals.get(session, approval_id)
    try:
        assignments.assign(session, row.id, assessor_id, now)
    except (Conflict, ValidationFailed) as problem:
        raise _refused_again(request, who, session, row, problem, "assessor_id") from None
    return redirect(f"{P}/approvals/{row.id}?done=assigned")


@router.post(f"{P}/approvals/{{approval_id}}/approve")
def approve(
    request: Request,
    approval_id: str,
    who: FormVisitor,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
    comment: Reason = "",
) -> Response:
    reviewer = _reviewer(request, who, session)
    row = approvals.get(session, approval_id, reviewer)
    try:
        approvals.approve(session, config, row.id, reviewer, comment.strip() or None, now)
    except (Conflict, ValidationFailed) as problem:
        raise _refused_again(request, who, session, row, problem, "comment", {"comment": comment}) from None
    return redirect(f"{P}/approvals/{row.id}?done=approved")


@router.post(f"{P}/approvals/{{approval_id}}/refuse")
async def refuse(
    request: Request, approval_id: str, who: FormVisitor, session: SessionDep, now: NowDep
) -> Response:
    reviewer = _reviewer(request, who, session)
    row = approvals.get(session, approval_id, reviewer)
    form = await request.form()
    values = {}
    for criterion in (*CRITERIA, "other"):
        text = form.get(f"reason_{criterion}")
        values[f"reason_{criterion}"] = text[:1000].strip() if isinstance(text, str) else ""
    reasons = [
        {"criterion": criterion, "reason": values[f"reason_{criterion}"]}
        for criterion in (*CRITERIA, "other")
        if values[f"reason_{criterion}"]
    ]
    if not reasons:
        errors = {"reason_level": gettext("Give at least one reason, under the criterion it is about.")}
        raise ShowPage(_approval_page(request, who, session, row, 422, errors, values))
    try:
        approvals.refuse(session, row.id, reviewer, reasons, now)
    except Conflict as problem:
        raise _refused_again(request, who, session, row, problem, "reason_level", values) from None
    return redirect(f"{P}/approvals/{row.id}?done=refused")


@router.post(f"{P}/approvals/{{approval_id}}/withdraw")
def withdraw(
    request: Request,
    approval_id: str,
    who: FormVisitor,
    session: SessionDep,
    now: NowDep,
    reason: Reason = "",
) -> Response:
    who.require(request, Role.OPERATOR_ADMIN)
    reviewer = _reviewer(request, who, session)
    row = approvals.get(session, approval_id, reviewer)
    if not reason.strip():
        errors = {"withdraw_reason": gettext("Give a reason: the provider sees it.")}
        raise ShowPage(_approval_page(request, who, session, row, 422, errors))
    try:
        approvals.withdraw(session, row.id, reviewer, reason.strip(), now)
    except Conflict as problem:
        raise _refused_again(request, who, session, row, problem, "withdraw_reason") from None
    return redirect(f"{P}/approvals/{row.id}?done=approval-withdrawn")
