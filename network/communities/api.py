"""Communities of practice over HTTP.

``/api/v1/communities...``: the network operator (its token) manages every community; a coordinator
provider (its API key, or its staff signed in to the console) only its own: another community is a 404,
and what only the operator may do (create a community, change its sector, coordinators or owner) a 403.
``/communities`` and ``/communities/{id}``: public pages (or JSON for ``Accept: application/json``) of what
a community is and its sessions; ``/communities/{id}/participation/{pid}``: an operator-signed
participation credential, at its id.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from core.actors import acting_as
from core.deps import OPERATOR_TOKEN, NowDep, SessionDep
from core.i18n import gettext
from core.problems import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed, problem_responses
from core.services import OperatorToken, provide, services_of
from core.web import Templates
from issuers.deps import current_issuer
from issuers.service import IssuerConfig
from issuers.staff.accounts import StaffConfig
from network.models import Community
from network.trust import TrustConfig

from . import participation, service
from .api_models import (
    AttendanceIn,
    CommunityChange,
    CommunityIn,
    CommunityOfPracticeOut,
    ContributionIn,
    ContributionOut,
    MemberIn,
    MemberOut,
    ParticipationOut,
    ParticipationRevocation,
    ProviderRef,
    SessionIn,
    SessionOut,
    StandingOut,
)
from .models import CommunityContribution, CommunityMember, CommunityParticipation, CommunitySession

TrustConfigDep = Annotated[TrustConfig, Depends(provide(TrustConfig))]
IssuerConfigDep = Annotated[IssuerConfig, Depends(provide(IssuerConfig))]
StaffConfigDep = Annotated[StaffConfig, Depends(provide(StaffConfig))]
render = Templates(Path(__file__).parent / "templates").render


def caller(request: Request, session: SessionDep, now: NowDep) -> service.Caller:
    """The operator (its token), or a provider (its API key or its console session); 401 otherwise."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    expected = services_of(request.app).get(OperatorToken).value
    if scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode()):
        acting_as(session, OPERATOR_TOKEN)
        return service.OPERATOR
    return service.Caller(operator=False, provider_id=current_issuer(request, session, now).id)


CallerDep = Annotated[service.Caller, Depends(caller)]

api = APIRouter(
    prefix="/api/v1/communities",
    tags=["communities"],
    responses=problem_responses(Unauthorized, NotFound),
)
public = APIRouter(tags=["public"])
router = APIRouter()


def community_out(session: Session, config: TrustConfig, community: Community) -> CommunityOfPracticeOut:
    ids = service.coordinators_of(session, community.id)
    names = service.provider_names(session, ids)
    return CommunityOfPracticeOut(
        id=community.id,
        url=service.community_url(config.base_url, community.id),
        name=community.name,
        sector=community.sector,
        description=community.description,
        coordinators=[ProviderRef(id=i, name=names.get(i, i)) for i in ids],
        owner=community.owner_provider_id or "operator",
        achievement_id=community.achievement_id,
        rule=community.rule,
        rule_described=participation.describe_rule(community.rule),
        created_at=community.created_at,
    )


def session_out(row: CommunitySession, attendance: set[tuple[str, str]]) -> SessionOut:
    return SessionOut(
        id=row.id,
        title=row.title,
        kind=row.kind,
        starts_at=row.starts_at,
        place=row.place,
        online_url=row.online_url,
        attendees=sorted(m for s, m in attendance if s == row.id),
    )


def member_out(row: CommunityMember, link: str | None = None) -> MemberOut:
    return MemberOut(
        id=row.id,
        email=row.email,
        name=row.name,
        provider_id=row.provider_id,
        state=row.state,  # type: ignore[arg-type]
        joined_at=row.joined_at,
        invitation_url=link,
    )


def contribution_out(row: CommunityContribution) -> ContributionOut:
    return ContributionOut(
        id=row.id,
        member_id=row.member_id,
        kind=row.kind,
        title=row.title,
        url=row.url,
        summary=row.summary,
        recorded_at=row.recorded_at,
    )


def participation_out(session: Session, row: CommunityParticipation) -> ParticipationOut:
    return ParticipationOut(
        id=row.id,
        member_id=row.member_id,
        issued_at=row.issued_at,
        credential_id=row.credential_id,
        credential=participation.document_of(session, row),
        revoked_at=row.revoked_at,
        revocation_reason=row.revocation_reason,
    )


def send_invitation(
    session: Session,
    staff: StaffConfig,
    community: Community,
    member: CommunityMember,
    secret: str,
    now: datetime,
) -> str:
    """Email the invitation link (through the outbox, in this transaction); the link."""
    link = service.invitation_url(staff.base_url, secret)
    staff.mailer.send(
        session,
        member.email,
        gettext("You are invited to the %(name)s community of practice", name=community.name),
        gettext(
            "You are invited to join the %(name)s community of practice of %(operator)s.\n\n"
            "Accept into your skills passport (sign in or create one with this address):\n%(link)s\n",
            name=community.name,
            operator=staff.operator_name,
            link=link,
        ),
        now,
    )
    return link


# --- communities --------------------------------------------------------------------------------------------


@api.get("")
def list_communities(
    who: CallerDep, session: SessionDep, config: TrustConfigDep
) -> list[CommunityOfPracticeOut]:
    """Every community for the operator; a provider's own (it coordinates) for a provider."""
    return [community_out(session, config, c) for c in service.visible(session, who)]


@api.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(Forbidden, Conflict, ValidationFailed),
)
def create_community(
    body: CommunityIn, who: CallerDep, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> CommunityOfPracticeOut:
    """Add a community (the operator only). Its name becomes one a community_of_practice achievement may
    name; a name already listed (any letter case) is 409."""
    service.require_operator(who)
    community = service.create(
        session,
        body.name,
        body.sector,
        body.description,
        body.coordinators,
        body.owner_provider_id,
        body.achievement_id,
        now,
    )
    return community_out(session, config, community)


@api.get("/{community_id}")
def get_community(
    community_id: str, who: CallerDep, session: SessionDep, config: TrustConfigDep
) -> CommunityOfPracticeOut:
    return community_out(session, config, service.get(session, who, community_id))


@api.patch("/{community_id}", responses=problem_responses(Forbidden, ValidationFailed))
def change_community(
    community_id: str,
    body: CommunityChange,
    who: CallerDep,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
) -> CommunityOfPracticeOut:
    """Change what is sent. A participation rule that could never be met is 422 naming why."""
    changes = body.model_dump(exclude_unset=True)
    return community_out(session, config, service.update(session, who, community_id, changes, now))


# --- sessions -----------------------------------------------------------------------------------------------


@api.get("/{community_id}/sessions")
def list_sessions(community_id: str, who: CallerDep, session: SessionDep) -> list[SessionOut]:
    community = service.get(session, who, community_id)
    attendance = service.attendance_of(session, community.id)
    return [session_out(s, attendance) for s in service.sessions_of(session, community.id)]


@api.post(
    "/{community_id}/sessions",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(ValidationFailed),
)
def add_session(
    community_id: str, body: SessionIn, who: CallerDep, session: SessionDep, now: NowDep
) -> SessionOut:
    """A session or event of the community: a place, an online link, or both."""
    community = service.get(session, who, community_id)
    row = service.add_session(
        session,
        community,
        body.title,
        body.kind,
        body.starts_at,
        body.place,
        str(body.online_url) if body.online_url else None,
        now,
    )
    return session_out(row, set())


@api.put(
    "/{community_id}/sessions/{session_id}/attendance",
    responses=problem_responses(Conflict),
)
def record_attendance(
    community_id: str, session_id: str, body: AttendanceIn, who: CallerDep, session: SessionDep, now: NowDep
) -> SessionOut:
    """Who attended (replacing what was recorded): members of the community only (another id is 404),
    for a session that has started (409 before)."""
    community = service.get(session, who, community_id)
    service.record_attendance(session, community, session_id, body.member_ids, now)
    row = service.get_session(session, community, session_id)
    return session_out(row, service.attendance_of(session, community.id))


# --- members ------------------------------------------------------------------------------------------------


@api.get("/{community_id}/members")
def list_members(community_id: str, who: CallerDep, session: SessionDep) -> list[MemberOut]:
    community = service.get(session, who, community_id)
    return [member_out(m) for m in service.members_of(session, community.id)]


@api.post(
    "/{community_id}/members",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(Conflict, ValidationFailed),
)
def add_member(
    community_id: str,
    body: MemberIn,
    who: CallerDep,
    session: SessionDep,
    staff: StaffConfigDep,
    now: NowDep,
) -> MemberOut:
    """Invite an educator by email (a link they accept into their passport account), or, as a coordinator
    provider, add one of your own educators directly (``invite: false``). Already a member: 409."""
    community = service.get(session, who, community_id)
    member, secret = service.add_member(session, who, community, body.email, body.name, body.invite, now)
    link = send_invitation(session, staff, community, member, secret, now) if secret else None
    return member_out(member, link)


# --- contributions ------------------------------------------------------------------------------------------


@api.get("/{community_id}/contributions")
def list_contributions(community_id: str, who: CallerDep, session: SessionDep) -> list[ContributionOut]:
    community = service.get(session, who, community_id)
    return [contribution_out(c) for c in service.contributions_of(session, community.id)]


@api.post(
    "/{community_id}/contributions",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(ValidationFailed),
)
def add_contribution(
    community_id: str, body: ContributionIn, who: CallerDep, session: SessionDep, now: NowDep
) -> ContributionOut:
    """A member's contribution (e.g. a case study): a title and a link, a summary, or both."""
    community = service.get(session, who, community_id)
    row = service.add_contribution(
        session,
        community,
        body.member_id,
        body.kind,
        body.title,
        str(body.url) if body.url else None,
        body.summary,
        now,
    )
    return contribution_out(row)


# --- participation ------------------------------------------------------------------------------------------


@api.get("/{community_id}/participation")
def list_standings(community_id: str, who: CallerDep, session: SessionDep, now: NowDep) -> list[StandingOut]:
    """Every member and whether they meet the participation rule now, with what is missing."""
    community = service.get(session, who, community_id)
    return [
        StandingOut(
            member_id=s.member.id,
            email=s.member.email,
            state=s.member.state,
            meets_rule=bool(s.outcome and s.outcome.met),
            missing=list(s.outcome.missing)
            if s.outcome
            else [gettext("The community has no participation rule yet.")],
            sessions=list(s.outcome.sessions) if s.outcome else [],
            contributions=list(s.outcome.contributions) if s.outcome else [],
            participation_id=s.participation.id if s.participation else None,
        )
        for s in service.standings(session, community, now)
    ]


@api.post("/{community_id}/participation", responses=problem_responses(Conflict))
def issue_participation(
    community_id: str,
    who: CallerDep,
    session: SessionDep,
    trust: TrustConfigDep,
    issuers: IssuerConfigDep,
    now: NowDep,
) -> list[ParticipationOut]:
    """Issue the participation credential of every active member who meets the rule and has none yet,
    from the community's owner; those issued now (none: an empty list). Asking again issues nothing twice.
    Without a rule: 409."""
    community = service.get(session, who, community_id)
    issued = participation.issue_ready(session, trust, issuers, community, now)
    return [participation_out(session, row) for row in issued]


@api.get("/{community_id}/participation/{participation_id}")
def get_participation(
    community_id: str, participation_id: str, who: CallerDep, session: SessionDep
) -> ParticipationOut:
    community = service.get(session, who, community_id)
    row = session.get(CommunityParticipation, participation_id)
    if row is None or row.community_id != community.id:
        raise NotFound(gettext("no participation %(id)r in this community", id=participation_id))
    return participation_out(session, row)


@api.post(
    "/{community_id}/participation/{participation_id}/revoke",
    responses=problem_responses(Forbidden, Conflict, ValidationFailed),
)
def revoke_participation(
    community_id: str,
    participation_id: str,
    body: ParticipationRevocation,
    who: CallerDep,
    session: SessionDep,
    now: NowDep,
) -> ParticipationOut:
    """Revoke an operator-signed participation credential (the operator only: 403 for a provider) on the
    operator's status list: verifiers report it revoked at once. Again: 409."""
    service.require_operator(who)
    community = service.get(session, who, community_id)
    row = participation.revoke(session, community, participation_id, body.reason, now)
    return participation_out(session, row)


# --- public -------------------------------------------------------------------------------------------------


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@public.get("/communities", response_model=list[CommunityOfPracticeOut])
def public_communities(request: Request, session: SessionDep, config: TrustConfigDep) -> Response:
    """The network's communities of practice: a page, or JSON."""
    found = [community_out(session, config, c) for c in service.visible(session, service.OPERATOR)]
    if _wants_json(request):
        return JSONResponse([c.model_dump(mode="json") for c in found])
    return render(request, "communities_public.html", communities=found)


@public.get(
    "/communities/{community_id}",
    response_model=CommunityOfPracticeOut,
    responses=problem_responses(NotFound),
)
def public_community(
    request: Request, community_id: str, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> Response:
    """What the community is, who coordinates it, how to earn its participation credential, and its
    sessions (upcoming and past): a page, or JSON."""
    community = service.get_public(session, community_id)
    found = community_out(session, config, community)
    if _wants_json(request):
        return JSONResponse(found.model_dump(mode="json"))
    sessions = service.sessions_of(session, community.id)
    names = service.kind_names()
    return render(
        request,
        "community_public.html",
        community=found,
        owner=service.owner_name(session, community, config.operator_name),
        upcoming=[s for s in sessions if s.starts_at > now],
        past=[s for s in reversed(sessions) if s.starts_at <= now],
        session_kinds=names["session_kinds"],
    )


@public.get(
    "/communities/{community_id}/participation/{participation_id}", responses=problem_responses(NotFound)
)
def public_participation(community_id: str, participation_id: str, session: SessionDep) -> JSONResponse:
    """An operator-signed participation credential, at its id (a provider's is at its own credential URL)."""
    row = session.get(CommunityParticipation, participation_id)
    if row is None or row.community_id != community_id or row.document is None:
        raise NotFound(gettext("no participation credential %(id)r", id=participation_id))
    return JSONResponse(participation.document_of(session, row), media_type="application/ld+json")


router.include_router(api)
router.include_router(public)
