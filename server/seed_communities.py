"""Demo data for the communities of practice: the network's Net Zero community, coordinated by the
Institute of Technology (which issues its participation credentials) and the college, with six past
sessions and one to come, attendance, a case study, and one educator who met the rule (4 of the last 6
sessions and a case study) and was issued the credential, evidence and all. The demo learner is a member
too (joined through their passport), not yet meeting the rule."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from issuers import service as issuers
from network.communities import list_communities, participation, service
from network.trust import TrustConfig
from passport.accounts import addresses

EDUCATOR = ("priya.tutor@iot.example.ac.uk", "Priya Tutor")
SESSIONS = [
    (150, "Heat pumps in the curriculum", "seminar", "Northern Institute of Technology, Leeds", None),
    (
        120,
        "Retrofit assessment: what employers want",
        "workshop",
        None,
        "https://meet.example.org/net-zero-2",
    ),
    (90, "Solar PV practicals on a budget", "seminar", "Midlands FE College, Derby", None),
    (
        60,
        "Net Zero skills bootcamps: lessons learned",
        "meeting",
        None,
        "https://meet.example.org/net-zero-4",
    ),
    (30, "Teaching hydrogen safety", "workshop", "Northern Institute of Technology, Leeds", None),
    (7, "Case study showcase", "event", "Midlands FE College, Derby", "https://meet.example.org/net-zero-6"),
]


def seed_communities(
    session: Session,
    config: issuers.IssuerConfig,
    trust_config: TrustConfig | None,
    keys: dict[str, Any],
    learner_email: str,
    now: datetime,
) -> None:
    """Run the Net Zero community; ``keys`` as `server.seed.seed_demo` returns them. The demo learner
    joins through their passport if they have one."""
    iot = issuers.get_issuer(session, keys["Northern Institute of Technology"]["id"])
    college_id = keys["Midlands Further Education College"]["id"]
    [net_zero] = [c for c in list_communities(session) if c.name == "Net Zero"]
    [achievement] = [
        a
        for a in issuers.list_achievements(session, iot)
        if a.kind == "community_of_practice" and a.definition.get("community") == "Net Zero"
    ]
    changes = {
        "sector": "Construction and energy",
        "description": "Educators teaching low-carbon skills share practice: heat pumps, retrofit, solar, "
        "hydrogen.",
        "coordinators": [iot.id, college_id],
        "owner_provider_id": iot.id,
        "achievement_id": achievement.id,
    }
    service.update(session, service.OPERATOR, net_zero.id, changes, now)
    held = [
        service.add_session(session, net_zero, title, kind, now - timedelta(days=days), place, url, now)
        for days, title, kind, place, url in SESSIONS
    ]
    service.add_session(
        session,
        net_zero,
        "Electric vehicle maintenance: teaching the new standards",
        "seminar",
        now + timedelta(days=14),
        "Midlands FE College, Derby",
        "https://meet.example.org/net-zero-7",
        now,
    )
    coordinator = service.Caller(operator=False, provider_id=iot.id)
    priya, _ = service.add_member(session, coordinator, net_zero, EDUCATOR[0], EDUCATOR[1], False, now)
    members = [priya]
    sam, secret = service.add_member(
        session, service.OPERATOR, net_zero, learner_email, "Sam Learner", True, now
    )
    assert secret is not None
    owner = addresses.verified_owner(session, learner_email)
    if owner is not None:
        service.accept_invitation(session, secret, owner.learner_id, [learner_email], now)
    members.append(sam)
    for index, event in enumerate(held):
        attendees = [priya.id] if index != 1 else []
        if index in (3, 5):
            attendees.append(members[1].id)
        service.record_attendance(session, net_zero, event.id, attendees, now)
    service.add_contribution(
        session,
        net_zero,
        priya.id,
        "case_study",
        "Heat pump commissioning with a live rig",
        "https://iot.example.ac.uk/case-studies/heat-pump-rig",
        "How we built a working heat pump rig for level 3 learners, and what assessment found.",
        now,
    )
    rule = {"attended": {"at_least": 4, "of_last": 6}, "contributed": {"at_least": 1, "kind": "case_study"}}
    service.update(session, service.OPERATOR, net_zero.id, {"rule": rule}, now)
    participation.issue_ready(session, trust_config, config, net_zero, now)
