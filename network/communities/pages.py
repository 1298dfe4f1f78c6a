"""The communities' staff pages: the operator's ``/operator/communities`` (every community; its
administrators create them and set coordinators) and a coordinator provider's ``/console/communities``
(its communities only: another is a 404). Both record sessions, members, attendance and contributions,
set the participation rule and issue the participation credentials, through `network.communities.service`
as the API does. Reading needs the realm's lowest role; changing, an operator administrator or a
provider's issuer. A refused form is shown again with its values and why."""

# No ``from __future__ import annotations``: the routes' dependency types are local to `build`, and
# FastAPI reads annotations when a route is added, so they must be objects, not strings.
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

from fastapi import APIRouter, Depends, Form, Request, Response
from sqlalchemy.orm import Session

from core.deps import NowDep, SessionDep
from core.i18n import N_, gettext
from core.problems import Problem, ValidationFailed
from core.services import provide, services_of
from core.web import ShowPage
from issuers.service import IssuerConfig
from issuers.staff.accounts import StaffConfig
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
    visit,
)
from network.models import Community
from network.trust import TrustConfig

from . import participation, rules, service
from .api import send_invitation

templates = section_templates(Path(__file__).parent / "templates")
Text = Annotated[str, Form(max_length=5000)]
Short = Annotated[str, Form(max_length=300)]

#: Messages after a redirect, chosen by a fixed code: nothing from the URL is echoed into the page.
DONE = {
    "created": N_("Community created."),
    "session": N_("Session added."),
    "member": N_("Member added."),
    "invited": N_("Invitation sent."),
    "attendance": N_("Attendance recorded."),
    "contribution": N_("Contribution recorded."),
    "rule": N_("Participation rule saved."),
    "issued": N_("Participation credentials issued to every member who meets the rule."),
    "none-issued": N_("Nobody else meets the rule yet: no credential was issued."),
    "revoked": N_("Credential revoked: verifiers now report it revoked."),
}


def _done(request: Request) -> str | None:
    message = DONE.get(request.query_params.get("done", ""))
    return gettext(message) if message else None


def _messages(problem: Problem) -> str:
    """What a refused form shows: each error's own words when the problem lists them, else its detail."""
    errors = problem.extensions.get("errors")
    details = [str(e.get("msg")) for e in errors or [] if isinstance(e, dict)]
    return "; ".join(details) if details else problem.detail


def _when(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _count(value: str) -> int | str:
    return int(value) if value.strip().isdigit() else value


def rule_from_form(form: dict[str, str]) -> dict[str, Any]:
    """The rule a form describes: empty fields are conditions not set."""
    raw: dict[str, Any] = {}
    if form.get("attended_at_least"):
        attended: dict[str, Any] = {"at_least": _count(form["attended_at_least"])}
        if form.get("attended_of_last"):
            attended["of_last"] = _count(form["attended_of_last"])
        if form.get("attended_from"):
            attended["from"] = form["attended_from"]
        if form.get("attended_until"):
            attended["until"] = form["attended_until"]
        raw["attended"] = attended
    if form.get("contributed_at_least"):
        raw["contributed"] = {
            "at_least": _count(form["contributed_at_least"]),
            "kind": form.get("contributed_kind") or "case_study",
        }
    return raw


def rule_to_form(rule: dict[str, Any] | None) -> dict[str, str]:
    rule = rule or {}
    attended, contributed = rule.get("attended", {}), rule.get("contributed", {})
    return {
        "attended_at_least": str(attended.get("at_least", "")),
        "attended_of_last": str(attended.get("of_last", "")),
        "attended_from": str(attended.get("from", "")),
        "attended_until": str(attended.get("until", "")),
        "contributed_at_least": str(contributed.get("at_least", "")),
        "contributed_kind": str(contributed.get("kind", "case_study")),
    }


def build(realm: Realm) -> APIRouter:
    router = APIRouter(route_class=OperatorRoute if realm.operator else ConsoleRoute, include_in_schema=False)
    p = f"{realm.prefix}/communities"
    read_role = Role.ASSESSOR if realm.operator else Role.VIEWER
    write_role = Role.OPERATOR_ADMIN if realm.operator else Role.ISSUER

    def visitor(request: Request, session: SessionDep, now: NowDep) -> StaffVisitor:
        return visit(request, session, now, realm)

    async def form_visitor(request: Request, who: Annotated[StaffVisitor, Depends(visitor)]) -> StaffVisitor:
        return await check_csrf(request, who)

    Visitor = Annotated[StaffVisitor, Depends(visitor)]
    FormVisitor = Annotated[StaffVisitor, Depends(form_visitor)]
    TrustDep = Annotated[TrustConfig, Depends(provide(TrustConfig))]
    IssuersDep = Annotated[IssuerConfig, Depends(provide(IssuerConfig))]
    StaffDep = Annotated[StaffConfig, Depends(provide(StaffConfig))]

    def caller_of(request: Request, who: StaffVisitor, role: Role) -> service.Caller:
        member = who.require(request, role)
        if realm.operator:
            return service.OPERATOR
        return service.Caller(operator=False, provider_id=member.provider_id)

    def can_write(who: StaffVisitor) -> bool:
        return who.member is not None and allows(who.member.role, write_role)

    # --- the list ---------------------------------------------------------------------------------------

    def list_page(
        request: Request,
        who: StaffVisitor,
        session: Session,
        status_code: int = 200,
        values: dict[str, str] | None = None,
        error: str | None = None,
    ) -> Response:
        caller = caller_of(request, who, read_role)
        found = service.visible(session, caller)
        providers = service.all_providers(session)
        return page(
            request,
            who,
            "communities_list.html",
            status_code,
            using=templates,
            communities=found,
            coordinators={c.id: service.coordinators_of(session, c.id) for c in found},
            names={i.id: i.name for i in providers},
            providers=providers if realm.operator else [],
            can_create=realm.operator and can_write(who),
            values=values or {},
            error=error,
            done=_done(request),
        )

    @router.get(p)
    def communities(request: Request, who: Visitor, session: SessionDep) -> Response:
        return list_page(request, who, session)

    @router.post(p)
    async def create(request: Request, who: FormVisitor, session: SessionDep, now: NowDep) -> Response:
        caller = caller_of(request, who, write_role)
        form = {k: v for k, v in (await request.form()).multi_items() if isinstance(v, str)}
        coordinators = [
            v for k, v in (await request.form()).multi_items() if k == "coordinators" and isinstance(v, str)
        ]
        name = form.get("name", "").strip()
        try:
            service.require_operator(caller)
            if not name or len(name) > 100:
                raise ValidationFailed(gettext("Give the community a name of at most 100 characters."), [])
            community = service.create(
                session,
                name,
                form.get("sector", "").strip()[:200] or None,
                form.get("description", "").strip()[:5000],
                coordinators,
                None,
                None,
                now,
            )
        except Problem as problem:
            raise ShowPage(
                list_page(request, who, session, problem.status, values=form, error=_messages(problem))
            ) from None
        return redirect(f"{p}/{community.id}?done=created")

    # --- one community ----------------------------------------------------------------------------------

    def detail_page(
        request: Request,
        who: StaffVisitor,
        session: Session,
        community: Community,
        now: datetime,
        status_code: int = 200,
        form_name: str | None = None,
        values: dict[str, str] | None = None,
        error: str | None = None,
    ) -> Response:
        sessions = service.sessions_of(session, community.id)
        members = service.members_of(session, community.id)
        names = service.kind_names()
        config = services_trust(request)
        return page(
            request,
            who,
            "community_detail.html",
            status_code,
            using=templates,
            community=community,
            public_url=service.community_url(config.base_url, community.id),
            coordinators=service.provider_names(session, service.coordinators_of(session, community.id)),
            owner=service.owner_name(session, community, config.operator_name),
            rule_described=participation.describe_rule(community.rule),
            rule_form=values if form_name == "rule" and values else rule_to_form(community.rule),
            sessions=sessions,
            held=[s for s in sessions if s.starts_at <= now],
            members=members,
            member_names={m.id: m.name or m.email for m in members},
            attendance=service.attendance_of(session, community.id),
            contributions=service.contributions_of(session, community.id),
            standings=service.standings(session, community, now),
            can_write=can_write(who),
            can_invite_only=realm.operator,
            form_name=form_name,
            values=values or {},
            error=error,
            done=_done(request),
            contribution_kind_values=rules.CONTRIBUTION_KINDS,
            describe_shortfalls=participation.describe_shortfalls,
            session_kind_values=service.SESSION_KINDS,
            **names,
        )

    def services_trust(request: Request) -> TrustConfig:
        return services_of(request.app).get(TrustConfig)

    @router.get(p + "/{community_id}")
    def community(
        community_id: str, request: Request, who: Visitor, session: SessionDep, now: NowDep
    ) -> Response:
        caller = caller_of(request, who, read_role)
        return detail_page(request, who, session, service.get(session, caller, community_id), now)

    async def _form(request: Request) -> dict[str, str]:
        return {
            k: v for k, v in (await request.form()).multi_items() if isinstance(v, str) and k != "csrf_token"
        }

    def _refused(
        request: Request,
        who: StaffVisitor,
        session: Session,
        community: Community,
        now: datetime,
        problem: Problem,
        form_name: str,
        values: dict[str, str],
    ) -> NoReturn:
        # Raised: the request's transaction rolls back (nothing half-written) and the page is the answer.
        raise ShowPage(
            detail_page(
                request, who, session, community, now, problem.status, form_name, values, _messages(problem)
            )
        )

    @router.post(p + "/{community_id}/sessions")
    async def add_session(
        community_id: str, request: Request, who: FormVisitor, session: SessionDep, now: NowDep
    ) -> Response:
        community = service.get(session, caller_of(request, who, write_role), community_id)
        form = await _form(request)
        try:
            starts_at = _when(form.get("starts_at", ""))
            title = form.get("title", "").strip()
            if starts_at is None or not title or len(title) > 200:
                raise ValidationFailed(gettext("Give the session a title and a date and time."), [])
            url = form.get("online_url", "").strip()
            if url and not url.startswith(("https://", "http://")):
                raise ValidationFailed(gettext("The online link must start with https://."), [])
            service.add_session(
                session,
                community,
                title,
                form.get("kind", ""),
                starts_at,
                form.get("place", "").strip()[:300] or None,
                url[:500] or None,
                now,
            )
        except Problem as problem:
            _refused(request, who, session, community, now, problem, "session", form)
        return redirect(f"{p}/{community.id}?done=session#sessions")

    @router.post(p + "/{community_id}/members")
    async def add_member(
        community_id: str,
        request: Request,
        who: FormVisitor,
        session: SessionDep,
        staff: StaffDep,
        now: NowDep,
    ) -> Response:
        caller = caller_of(request, who, write_role)
        community = service.get(session, caller, community_id)
        form = await _form(request)
        invite = realm.operator or form.get("how") == "invite"
        email = form.get("email", "").strip()
        try:
            if "@" not in email or len(email) > 320:
                raise ValidationFailed(gettext("Enter the educator's email address."), [])
            member, secret = service.add_member(
                session, caller, community, email, form.get("name", "").strip()[:200] or None, invite, now
            )
            if secret:
                send_invitation(session, staff, community, member, secret, now)
        except Problem as problem:
            _refused(request, who, session, community, now, problem, "member", form)
        return redirect(f"{p}/{community.id}?done={'invited' if invite else 'member'}#members")

    @router.post(p + "/{community_id}/sessions/{session_id}/attendance")
    async def attendance(
        community_id: str,
        session_id: str,
        request: Request,
        who: FormVisitor,
        session: SessionDep,
        now: NowDep,
    ) -> Response:
        community = service.get(session, caller_of(request, who, write_role), community_id)
        members = [v for k, v in (await request.form()).multi_items() if k == "member" and isinstance(v, str)]
        try:
            service.record_attendance(session, community, session_id, members, now)
        except Problem as problem:
            _refused(request, who, session, community, now, problem, "attendance", {})
        return redirect(f"{p}/{community.id}?done=attendance#attendance")

    @router.post(p + "/{community_id}/contributions")
    async def contribution(
        community_id: str, request: Request, who: FormVisitor, session: SessionDep, now: NowDep
    ) -> Response:
        community = service.get(session, caller_of(request, who, write_role), community_id)
        form = await _form(request)
        try:
            title, url = form.get("title", "").strip(), form.get("url", "").strip()
            if not title or len(title) > 200:
                raise ValidationFailed(gettext("Give the contribution a title."), [])
            if url and not url.startswith(("https://", "http://")):
                raise ValidationFailed(gettext("The link must start with https://."), [])
            service.add_contribution(
                session,
                community,
                form.get("member_id", ""),
                form.get("kind", ""),
                title,
                url[:500] or None,
                form.get("summary", "").strip()[:5000] or None,
                now,
            )
        except Problem as problem:
            _refused(request, who, session, community, now, problem, "contribution", form)
        return redirect(f"{p}/{community.id}?done=contribution#contributions")

    @router.post(p + "/{community_id}/rule")
    async def rule(
        community_id: str, request: Request, who: FormVisitor, session: SessionDep, now: NowDep
    ) -> Response:
        caller = caller_of(request, who, write_role)
        community = service.get(session, caller, community_id)
        form = await _form(request)
        try:
            service.update(session, caller, community.id, {"rule": rule_from_form(form)}, now)
        except Problem as problem:
            _refused(request, who, session, community, now, problem, "rule", form)
        return redirect(f"{p}/{community.id}?done=rule#rule")

    @router.post(p + "/{community_id}/participation")
    async def issue(
        community_id: str,
        request: Request,
        who: FormVisitor,
        session: SessionDep,
        trust: TrustDep,
        issuers: IssuersDep,
        now: NowDep,
    ) -> Response:
        community = service.get(session, caller_of(request, who, write_role), community_id)
        try:
            issued = participation.issue_ready(session, trust, issuers, community, now)
        except Problem as problem:
            _refused(request, who, session, community, now, problem, "participation", {})
        return redirect(f"{p}/{community.id}?done={'issued' if issued else 'none-issued'}#participation")

    @router.post(p + "/{community_id}/participation/{participation_id}/revoke")
    async def revoke(
        community_id: str,
        participation_id: str,
        request: Request,
        who: FormVisitor,
        session: SessionDep,
        now: NowDep,
    ) -> Response:
        """Revoke an operator-signed participation credential (the operator's administrators only): a
        reason, and the box that confirms revoking is final."""
        caller = caller_of(request, who, write_role)
        service.require_operator(caller)
        community = service.get(session, caller, community_id)
        form = await _form(request)
        reason = form.get("reason", "").strip()[:2000]
        try:
            if not reason:
                raise ValidationFailed(gettext("Say why the credential is revoked."), [])
            if form.get("confirmed") != "yes":
                raise ValidationFailed(gettext("Tick the box to confirm that revoking is final."), [])
            participation.revoke(session, community, participation_id, reason, now)
        except Problem as problem:
            _refused(request, who, session, community, now, problem, "participation", form)
        return redirect(f"{p}/{community.id}?done=revoked#participation")

    return router


operator = build(OPERATOR)
console = build(CONSOLE)
