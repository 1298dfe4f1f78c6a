"""Communities of practice as the network runs them: the operator manages every community (name, sector,
description, coordinator providers, owner); a coordinator provider manages only its communities' members,
sessions, attendance, contributions and participation rule. Anyone else sees a 404 for a community, as
if it did not exist; a coordinator trying what only the operator may do gets a 403.

Errors are `core.problems` classes; services flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.db import new_id
from core.i18n import N_, gettext
from core.problems import Conflict, Forbidden, Gone, NotFound, ValidationFailed
from issuers import service as issuers
from network.models import Community

from . import rules

if TYPE_CHECKING:
    from issuers.models import Issuer

from .models import (
    CommunityAttendance,
    CommunityContribution,
    CommunityCoordinator,
    CommunityMember,
    CommunityParticipation,
    CommunitySession,
)

SESSION_KINDS = ("seminar", "workshop", "event", "meeting")
SESSION_KIND_NAMES = {
    "seminar": N_("Seminar"),
    "workshop": N_("Workshop"),
    "event": N_("Event"),
    "meeting": N_("Meeting"),
}
CONTRIBUTION_KIND_NAMES = {
    "case_study": N_("Case study"),
    "resource": N_("Resource"),
    "presentation": N_("Presentation"),
}


def kind_names() -> dict[str, dict[str, str]]:
    """The kinds' names in the request's language, for pages."""
    return {
        "session_kinds": {k: gettext(v) for k, v in SESSION_KIND_NAMES.items()},
        "contribution_kinds": {k: gettext(v) for k, v in CONTRIBUTION_KIND_NAMES.items()},
    }


@dataclass(frozen=True)
class Caller:
    """Who asks: the network operator, or a provider (its API key or its staff)."""

    operator: bool
    provider_id: str | None = None


OPERATOR = Caller(operator=True)


def community_url(base_url: str, community_id: str) -> str:
    return f"{base_url}/communities/{community_id}"


def invitation_url(base_url: str, secret: str) -> str:
    return f"{base_url}/passport/communities/join/{secret}"


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _invalid(detail: str, loc: Sequence[str], code: str, msg: str) -> ValidationFailed:
    return ValidationFailed(detail, [{"loc": ["body", *loc], "type": code, "msg": msg}])


# --- communities --------------------------------------------------------------------------------------------


def coordinators_of(session: Session, community_id: str) -> list[str]:
    return list(
        session.scalars(
            select(CommunityCoordinator.provider_id)
            .where(CommunityCoordinator.community_id == community_id)
            .order_by(CommunityCoordinator.provider_id)
        )
    )


def require_operator(caller: Caller) -> None:
    if not caller.operator:
        raise Forbidden(gettext("only the network operator may do this"))


def visible(session: Session, caller: Caller) -> list[Community]:
    """The communities the caller may manage: every one for the operator, a provider's own for it."""
    query = select(Community).order_by(Community.name)
    if not caller.operator:
        query = query.join(CommunityCoordinator, CommunityCoordinator.community_id == Community.id).where(
            CommunityCoordinator.provider_id == caller.provider_id
        )
    return list(session.scalars(query))


def get(session: Session, caller: Caller, community_id: str) -> Community:
    """The community, if the caller may manage it; 404 otherwise (whether or not it exists)."""
    community = session.get(Community, community_id)
    if community is not None and (
        caller.operator or caller.provider_id in coordinators_of(session, community.id)
    ):
        return community
    raise NotFound(gettext("no community %(id)r", id=community_id))


def get_public(session: Session, community_id: str) -> Community:
    community = session.get(Community, community_id)
    if community is None:
        raise NotFound(gettext("no community %(id)r", id=community_id))
    return community


def _check_owner(
    session: Session,
    community_name: str,
    coordinators: Sequence[str],
    owner_provider_id: str | None,
    achievement_id: str | None,
) -> None:
    """The owner is the operator (None) or one of the coordinators, and a provider owner names one of its
    community_of_practice achievements for this community."""
    detail = gettext("The community's coordinators or owner are not valid: see errors.")
    providers = {}
    for index, provider_id in enumerate(coordinators):
        try:
            providers[provider_id] = issuers.get_issuer(session, provider_id)
        except NotFound:
            raise _invalid(
                detail, ["coordinators", str(index)], "unknown_provider", f"no provider {provider_id!r}"
            ) from None
    if owner_provider_id is None:
        if achievement_id is not None:
            raise _invalid(
                detail,
                ["achievement_id"],
                "value_error",
                "an achievement is named only when a coordinator provider owns the community",
            )
        return
    if owner_provider_id not in providers:
        raise _invalid(
            detail, ["owner_provider_id"], "value_error", "the owner must be one of the coordinators"
        )
    try:
        achievement = issuers.get_achievement(session, providers[owner_provider_id], achievement_id or "")
    except NotFound:
        achievement = None
    if (
        achievement is None
        or achievement.kind != "community_of_practice"
        or (achievement.definition or {}).get("community") != community_name
    ):
        raise _invalid(
            detail,
            ["achievement_id"],
            "value_error",
            "a provider owner issues through one of its community_of_practice achievements "
            "naming this community",
        )


def create(
    session: Session,
    name: str,
    sector: str | None,
    description: str,
    coordinators: Sequence[str],
    owner_provider_id: str | None,
    achievement_id: str | None,
    now: datetime,
) -> Community:
    """Add a community (the operator); a name already listed (in any letter case) is a 409."""
    taken = session.scalar(select(Community).where(func.lower(Community.name) == name.lower()))
    if taken is not None:
        raise Conflict(gettext("the network already has the community %(name)r", name=taken.name))
    coordinators = list(dict.fromkeys(coordinators))
    _check_owner(session, name, coordinators, owner_provider_id, achievement_id)
    community = Community(
        id=new_id(),
        name=name,
        sector=sector,
        description=description,
        owner_provider_id=owner_provider_id,
        achievement_id=achievement_id,
        created_at=now,
    )
    session.add(community)
    session.flush()
    session.add_all(CommunityCoordinator(community_id=community.id, provider_id=p) for p in coordinators)
    session.flush()
    return community


def update(
    session: Session, caller: Caller, community_id: str, changes: dict[str, Any], now: datetime
) -> Community:
    """Change what is sent. Sector, coordinators and owner are the operator's (a coordinator: 403);
    description and the participation rule are the coordinators' too."""
    community = get(session, caller, community_id)
    if {"sector", "coordinators", "owner_provider_id", "achievement_id"} & set(changes):
        require_operator(caller)
    if "description" in changes:
        community.description = changes["description"]
    if "sector" in changes:
        community.sector = changes["sector"]
    if {"coordinators", "owner_provider_id", "achievement_id"} & set(changes):
        coordinators = list(
            dict.fromkeys(changes.get("coordinators", coordinators_of(session, community.id)))
        )
        owner = changes.get("owner_provider_id", community.owner_provider_id)
        achievement = changes.get("achievement_id", community.achievement_id if owner else None)
        _check_owner(session, community.name, coordinators, owner, achievement)
        community.owner_provider_id, community.achievement_id = owner, achievement
        if "coordinators" in changes:
            session.execute(
                delete(CommunityCoordinator).where(CommunityCoordinator.community_id == community.id)
            )
            session.add_all(
                CommunityCoordinator(community_id=community.id, provider_id=p) for p in coordinators
            )
    if "rule" in changes:
        community.rule = (
            None if changes["rule"] is None else checked_rule(session, community, changes["rule"], now)
        )
    session.flush()
    return community


def checked_rule(session: Session, community: Community, raw: Any, now: datetime) -> dict[str, Any]:
    """The rule as stored; 422 naming every problem when it is malformed or could never be met."""
    detail = gettext("The participation rule could never be met as written: see errors.")
    try:
        rule = rules.parse(raw)
        days = [s.starts_at.date() for s in sessions_of(session, community.id)]
        rules.check_sessions(rule, days, now.date())
    except rules.DefinitionError as error:
        raise ValidationFailed(detail, [issue.as_error() for issue in error.issues]) from None
    return rules.dump(rule)


# --- sessions -----------------------------------------------------------------------------------------------


def sessions_of(session: Session, community_id: str) -> list[CommunitySession]:
    return list(
        session.scalars(
            select(CommunitySession)
            .where(CommunitySession.community_id == community_id)
            .order_by(CommunitySession.starts_at, CommunitySession.id)
        )
    )


def add_session(
    session: Session,
    community: Community,
    title: str,
    kind: str,
    starts_at: datetime,
    place: str | None,
    online_url: str | None,
    now: datetime,
) -> CommunitySession:
    if kind not in SESSION_KINDS:
        raise _invalid(
            gettext("The session is not valid."), ["kind"], "enum", f"kind must be one of {SESSION_KINDS}"
        )
    if not place and not online_url:
        raise _invalid(
            gettext("The session is not valid."),
            ["place"],
            "missing",
            "a session needs a place, a link, or both",
        )
    row = CommunitySession(
        id=new_id(),
        community_id=community.id,
        title=title,
        kind=kind,
        starts_at=starts_at,
        place=place or None,
        online_url=online_url or None,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def get_session(session: Session, community: Community, session_id: str) -> CommunitySession:
    row = session.get(CommunitySession, session_id)
    if row is None or row.community_id != community.id:
        raise NotFound(gettext("no session %(id)r in this community", id=session_id))
    return row


# --- members ------------------------------------------------------------------------------------------------


def members_of(session: Session, community_id: str) -> list[CommunityMember]:
    return list(
        session.scalars(
            select(CommunityMember)
            .where(CommunityMember.community_id == community_id)
            .order_by(CommunityMember.email)
        )
    )


def get_member(session: Session, community: Community, member_id: str) -> CommunityMember:
    row = session.get(CommunityMember, member_id)
    if row is None or row.community_id != community.id:
        raise NotFound(gettext("no member %(id)r in this community", id=member_id))
    return row


def add_member(
    session: Session,
    caller: Caller,
    community: Community,
    email: str,
    name: str | None,
    invite: bool,
    now: datetime,
) -> tuple[CommunityMember, str | None]:
    """A member: invited by email (the secret of the link is returned once: the caller mails it), or, for
    a coordinator provider, added directly as one of its educators. Someone already a member is a 409."""
    email = email.strip().lower()
    taken = session.scalar(
        select(CommunityMember).where(
            CommunityMember.community_id == community.id, CommunityMember.email == email
        )
    )
    if taken is not None:
        raise Conflict(gettext("%(email)s is already a member of this community", email=email))
    if not invite and caller.operator:
        raise _invalid(
            gettext("The operator invites members; a coordinator provider adds its own educators."),
            ["invite"],
            "value_error",
            "the operator can only invite",
        )
    secret = secrets.token_urlsafe(24) if invite else None
    member = CommunityMember(
        id=new_id(),
        community_id=community.id,
        email=email,
        name=name,
        provider_id=None if caller.operator else caller.provider_id,
        state="invited" if invite else "active",
        invitation_sha256=_sha256(secret) if secret else None,
        created_at=now,
        joined_at=None if invite else now,
    )
    session.add(member)
    session.flush()
    return member, secret


def find_invitation(session: Session, secret: str) -> CommunityMember:
    member = session.scalar(
        select(CommunityMember).where(CommunityMember.invitation_sha256 == _sha256(secret))
    )
    if member is None:
        raise NotFound(gettext("This invitation link is not valid."))
    return member


def accept_invitation(
    session: Session, secret: str, learner_id: str, emails: Sequence[str], now: datetime
) -> CommunityMember:
    """The invited educator accepts into their passport account; the link works once, and only for an
    account that has confirmed the invited address (403 otherwise)."""
    member = find_invitation(session, secret)
    if member.state != "invited":
        raise Gone(gettext("This invitation was accepted already."))
    if member.email not in {e.lower() for e in emails}:
        raise Forbidden(
            gettext(
                "This invitation is for %(email)s: add and confirm that address in your passport first.",
                email=member.email,
            )
        )
    member.state, member.learner_id, member.joined_at = "active", learner_id, now
    member.invitation_sha256 = None
    session.flush()
    return member


def memberships(
    session: Session, learner_id: str, emails: Sequence[str]
) -> list[tuple[Community, CommunityMember]]:
    """The communities a learner belongs to (active members, by account or by a confirmed address)."""
    lowered = [e.lower() for e in emails]
    query = (
        select(Community, CommunityMember)
        .join(CommunityMember, CommunityMember.community_id == Community.id)
        .where(CommunityMember.state == "active")
        .where((CommunityMember.learner_id == learner_id) | CommunityMember.email.in_(lowered))
        .order_by(Community.name)
    )
    return [(c, m) for c, m in session.execute(query)]


# --- attendance and contributions ---------------------------------------------------------------------------


def attendance_of(session: Session, community_id: str) -> set[tuple[str, str]]:
    """(session id, member id) of every attendance recorded in the community."""
    rows = session.execute(
        select(CommunityAttendance.session_id, CommunityAttendance.member_id)
        .join(CommunitySession, CommunitySession.id == CommunityAttendance.session_id)
        .where(CommunitySession.community_id == community_id)
    )
    return {(s, m) for s, m in rows}


def record_attendance(
    session: Session, community: Community, session_id: str, member_ids: Sequence[str], now: datetime
) -> list[str]:
    """Who attended a session that has started: the list replaces what was recorded before."""
    event = get_session(session, community, session_id)
    if event.starts_at > now:
        raise Conflict(gettext("This session has not happened yet: record attendance once it has started."))
    members = [get_member(session, community, m) for m in dict.fromkeys(member_ids)]
    session.execute(delete(CommunityAttendance).where(CommunityAttendance.session_id == event.id))
    session.add_all(
        CommunityAttendance(session_id=event.id, member_id=m.id, recorded_at=now) for m in members
    )
    session.flush()
    return [m.id for m in members]


def add_contribution(
    session: Session,
    community: Community,
    member_id: str,
    kind: str,
    title: str,
    url: str | None,
    summary: str | None,
    now: datetime,
) -> CommunityContribution:
    member = get_member(session, community, member_id)
    if kind not in rules.CONTRIBUTION_KINDS:
        raise _invalid(
            gettext("The contribution is not valid."),
            ["kind"],
            "enum",
            f"kind must be one of {rules.CONTRIBUTION_KINDS}",
        )
    if not url and not summary:
        raise _invalid(
            gettext("The contribution is not valid."),
            ["url"],
            "missing",
            "a contribution needs a link or a summary",
        )
    row = CommunityContribution(
        id=new_id(),
        community_id=community.id,
        member_id=member.id,
        kind=kind,
        title=title,
        url=url or None,
        summary=summary or None,
        recorded_at=now,
    )
    session.add(row)
    session.flush()
    return row


def contributions_of(session: Session, community_id: str) -> list[CommunityContribution]:
    return list(
        session.scalars(
            select(CommunityContribution)
            .where(CommunityContribution.community_id == community_id)
            .order_by(CommunityContribution.recorded_at, CommunityContribution.id)
        )
    )


# --- standing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    member: CommunityMember
    outcome: rules.Outcome | None  # None: the community has no rule
    participation: CommunityParticipation | None


def participations_of(session: Session, community_id: str) -> dict[str, CommunityParticipation]:
    rows = session.scalars(
        select(CommunityParticipation).where(CommunityParticipation.community_id == community_id)
    )
    return {row.member_id: row for row in rows}


def standings(session: Session, community: Community, now: datetime) -> list[Standing]:
    """Every member and whether they meet the participation rule now (sessions held up to ``now``)."""
    rule = rules.parse(community.rule) if community.rule else None
    held_sessions = [s for s in sessions_of(session, community.id) if s.starts_at <= now]
    attended = attendance_of(session, community.id)
    by_member: dict[str, list[tuple[str, str]]] = {}
    for c in contributions_of(session, community.id):
        by_member.setdefault(c.member_id, []).append((c.id, c.kind))
    issued = participations_of(session, community.id)
    result = []
    for member in members_of(session, community.id):
        outcome = None
        if rule is not None:
            held = [rules.Held(s.id, s.starts_at, (s.id, member.id) in attended) for s in held_sessions]
            outcome = rules.evaluate(rule, held, by_member.get(member.id, []))
        result.append(Standing(member, outcome, issued.get(member.id)))
    return result


def issuer_of(session: Session, community: Community) -> Issuer | None:
    return issuers.get_issuer(session, community.owner_provider_id) if community.owner_provider_id else None


def owner_name(session: Session, community: Community, operator_name: str) -> str:
    owner = issuer_of(session, community)
    return owner.name if owner is not None else operator_name


def all_providers(session: Session) -> list[Issuer]:
    return sorted(issuers.list_issuers(session), key=lambda i: i.name)


def provider_names(session: Session, ids: Sequence[str]) -> dict[str, str]:
    wanted = set(ids)
    return {i.id: i.name for i in issuers.list_issuers(session) if i.id in wanted} if wanted else {}


__all__ = [
    "CONTRIBUTION_KIND_NAMES",
    "OPERATOR",
    "SESSION_KINDS",
    "SESSION_KIND_NAMES",
    "Caller",
    "Standing",
    "accept_invitation",
    "add_contribution",
    "add_member",
    "add_session",
    "all_providers",
    "attendance_of",
    "checked_rule",
    "community_url",
    "contributions_of",
    "coordinators_of",
    "create",
    "find_invitation",
    "get",
    "get_member",
    "get_public",
    "get_session",
    "invitation_url",
    "issuer_of",
    "kind_names",
    "members_of",
    "memberships",
    "owner_name",
    "participations_of",
    "provider_names",
    "record_attendance",
    "require_operator",
    "sessions_of",
    "standings",
    "update",
    "visible",
]
