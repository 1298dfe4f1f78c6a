"""Demo data for `passport serve --demo`: providers from the network, achievements of every kind, some
credentials issued and one revoked, and a learner whose passport holds some of them, so a newcomer sees
something real at once. Runs once per database.

The network is also the operator of the trust registry: it accredits three of the four providers, each
for a realistic scope, and leaves the university (quality-assured by its own regulator, not the network)
unaccredited, so "outside the scheme" shows too; so does the college's competition badge, which is
outside its accredited scope (courses only).

The network's scheme has approved the college's heat pump course (every credential of it carries the
operator's endorsement), and the university's exchange visit waits in the operator's queue: an approved
achievement and a pending one (`network.approvals`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from issuers import issuing, lifecycle, service
from issuers.api_models import AchievementCreate, CredentialCreate, IssuerCreate
from issuers.staff import accounts as staff_accounts
from issuers.staff.accounts import StaffConfig
from network import approvals, trust
from network.api_models import AccreditationCreate
from network.pathways import service as pathways
from network.pathways.api_models import PathwayCreate
from network.trust import TrustConfig
from passport.accounts import accounts, addresses
from passport.accounts.security import new_secret
from passport.config import PassportConfig
from server.seed_badges import seed_demo_badges
from server.seed_bursaries import seed_bursaries
from server.seed_claims import seed_demo_claims
from server.seed_communities import seed_communities
from server.seed_partnerships import seed_completer, seed_partnership

from .seed_assessors import assign_demo_approvals

PROVIDERS: list[dict[str, Any]] = [
    {
        "issuer": {
            "name": "Midlands Further Education College",
            "url": "https://college.example.ac.uk",
            "ukprn": "10001234",
            "contact_email": "credentials@college.example.ac.uk",
            "description": "A further-education college in the national skills network.",
        },
        "accreditation": {
            "kinds": ["course"],
            "levels": ["RQF 2", "RQF 3"],
            "sectors": ["Building services engineering", "Construction"],
        },
        "achievements": [
            {
                "kind": "course",
                "name": "Heat Pump Installation (Level 3)",
                "description": "Design, install and commission air-source and ground-source heat pumps.",
                "criteria_narrative": "60 guided hours, an assessed installation and a written test.",
                "level": "RQF 3",
                "sector": "Building services engineering",
                "credits": 6,
                "validity_days": 1825,
            },
            {
                "kind": "competition",
                "name": "Regional Skills Competition: Electrical Installation, Gold",
                "description": "Gold medal in the regional heat of the electrical installation competition.",
                "criteria_narrative": "Highest marks across three timed tasks judged by industry experts.",
                "sector": "Construction",
            },
        ],
    },
    {
        "issuer": {
            "name": "Northern Institute of Technology",
            "url": "https://iot.example.ac.uk",
            "description": "An Institute of Technology: employers, colleges and universities together.",
        },
        "accreditation": {"kinds": ["community_of_practice", "event"]},
        "achievements": [
            {
                "kind": "community_of_practice",
                "name": "Net Zero Community of Practice: Active Member 2026",
                "description": "Took part in the Net Zero community of practice across the 2025/26 year.",
                "criteria_narrative": "Attended at least six sessions and shared one case study.",
                "community": "Net Zero",
            },
            {
                "kind": "event",
                "name": "Advanced Manufacturing Showcase 2026",
                "description": "Attended the Advanced Manufacturing Showcase and its workshops.",
                "criteria_narrative": "Registered attendance at the showcase and two workshops.",
            },
        ],
    },
    {
        "issuer": {
            "name": "University of the Midlands",
            "url": "https://university.example.ac.uk",
            "ukprn": "10007777",
            "description": "A university partner in the regional education partnership.",
        },
        "achievements": [
            {
                "kind": "course",
                "name": "Domestic Retrofit Coordination (Level 5)",
                "description": "Assess homes, plan and coordinate whole-house retrofit to PAS 2035.",
                "criteria_narrative": "A retrofit assessment and plan for a real home, assessed in practice.",
                "level": "RQF 5",
                "sector": "Building services engineering",
                "credits": 15,
                "demo_issued": False,  # the demo learner's next step on the Net Zero pathway
            },
            {
                "kind": "exchange_visit",
                "name": "International Skills Exchange: Advanced Manufacturing, Germany",
                "description": "A two-week skills-exchange visit to a partner vocational school.",
                "criteria_narrative": "Completed the visit programme and a reflective report.",
                "level": "RQF 4",
                "sector": "Advanced manufacturing",
                "credits": 10,
                "exchange": {
                    "host_organisation": "Berufskolleg Beispielstadt",
                    "country": "DE",
                    "start_date": "2026-03-02",
                    "end_date": "2026-03-13",
                    "funder": "Turing Scheme",
                    "bursary": "Learner bursary",
                },
            },
        ],
    },
    {
        "issuer": {
            "name": "National Skills Network",
            "url": "https://skills-network.example.org.uk",
            "description": "The network of 157+ colleges and training providers; operator of the passport.",
        },
        "accreditation": {"kinds": ["community_of_practice"]},
        "achievements": [
            {
                "kind": "community_of_practice",
                "name": "Digital Community of Practice: Contributor",
                "description": "Contributed resources to the network's Digital community of practice.",
                "criteria_narrative": "Published at least one peer-reviewed teaching resource.",
                "community": "Digital",
            }
        ],
    },
]

#: Achievements submitted for approval under the scheme (with the provider's quality statement), and the
#: operator's decision: approved before any credential is issued, so every one carries the endorsement.
APPROVALS: dict[str, tuple[str, str]] = {
    "Heat Pump Installation (Level 3)": (
        "approved",
        "Assessed by two qualified assessors on a live installation; internally verified each term and "
        "externally moderated by the awarding body; content reviewed yearly with local installers.",
    ),
    "International Skills Exchange: Advanced Manufacturing, Germany": (
        "pending",
        "The host school's programme is agreed in advance; reflective reports are marked by two tutors "
        "against published criteria, and the visit is reviewed with the funder afterwards.",
    ),
}

LEARNERS = [("sam.learner@example.com", "Sam Learner"), ("alex.trainee@example.com", "Alex Trainee")]
#: Has a passport with this verified address; Alex has none, so Alex's credentials get claim links.
DEMO_LEARNER_EMAIL = LEARNERS[0][0]


def seed_demo_learner(session: Session, passport: PassportConfig, now: datetime) -> tuple[str, str] | None:
    """A learner with a verified address the demo credentials are issued to; returns (email, password),
    or None if that address already has a passport. Call it before `seed_demo`."""
    if addresses.verified_owner(session, DEMO_LEARNER_EMAIL) is not None:
        return None
    password = new_secret()[:16]
    accounts.create_learner(session, passport.passwords.hash(password), DEMO_LEARNER_EMAIL, now)
    return DEMO_LEARNER_EMAIL, password


#: The college's staff, one of each role, and the operator's administrator: (email, name, role, realm).
DEMO_STAFF = [
    ("ada.admin@college.example.ac.uk", "Ada Admin", "admin", "console"),
    ("ivor.issuer@college.example.ac.uk", "Ivor Issuer", "issuer", "console"),
    ("vera.viewer@college.example.ac.uk", "Vera Viewer", "viewer", "console"),
    ("olu.operator@skills-network.example.org.uk", "Olu Operator", "operator_admin", "operator"),
    ("asha.assessor@skills-network.example.org.uk", "Asha Assessor", "assessor", "operator"),
]


def seed_demo_staff(
    session: Session, config: StaffConfig, college_id: str, now: datetime
) -> list[tuple[str, str, str, str]]:
    """Staff to sign in as: the college's admin, issuer and viewer, and an operator administrator.
    Returns (realm, role, email, password) for each, to print once."""
    made = []
    for email, name, role, realm in DEMO_STAFF:
        password = new_secret()[:16]
        provider_id = college_id if realm == "console" else None
        staff_accounts.enrol(session, config, provider_id, email, name, role, password, now)
        made.append((realm, role, email, password))
    assign_demo_approvals(session, now)  # the pending submissions, to the assessor (server.seed_assessors)
    return made


def seed_demo(
    session: Session, config: service.IssuerConfig, now: datetime, trust_config: TrustConfig | None = None
) -> dict[str, Any] | None:
    """Create the demo data unless providers exist already; returns API keys to try the API with. With
    `trust_config` (the operator's key), the scheme's approvals too."""
    if service.list_issuers(session):
        return None
    keys: dict[str, Any] = {}
    achievements: dict[str, str] = {}
    revoked = False
    for provider in PROVIDERS:
        issuer, secret = service.create_issuer(
            session, config, IssuerCreate.model_validate(provider["issuer"]), now
        )
        keys[issuer.name] = {"id": issuer.id, "did": service.did_of(config, issuer.id), "api_key": secret}
        if "accreditation" in provider:
            _accredit(session, config, issuer.id, provider["accreditation"], now)
        for definition in provider["achievements"]:
            definition = dict(definition)
            issued = definition.pop("demo_issued", True)
            achievement = service.create_achievement(
                session, config, issuer, AchievementCreate.model_validate(definition), now
            )
            achievements[definition["name"]] = achievement.id
            if trust_config is not None and definition["name"] in APPROVALS:
                _submit(session, trust_config, issuer, achievement.id, APPROVALS[definition["name"]], now)
            for number, (email, name) in enumerate(LEARNERS if issued else []):
                request = CredentialCreate(
                    achievement_id=achievement.id,
                    recipient={"email": email, "name": name},  # type: ignore[arg-type]
                    format="ldp" if number == 0 else "jwt",
                )
                row = issuing.issue(session, config, issuer, request, now)
                if not revoked and number == 1:
                    lifecycle.revoke(session, issuer, row.id, "Issued in error (demo)", now)
                    revoked = True
    _net_zero_pathway(session, config, achievements, now)
    if trust_config is not None:  # the operator's key signs the exchange-visit credential
        seed_bursaries(session, trust_config, next(iter(keys.values()))["id"], *LEARNERS[0], now)
    seed_demo_badges(session, config, achievements, now)
    seed_communities(session, config, trust_config, keys, DEMO_LEARNER_EMAIL, now)
    seed_demo_claims(session, config, achievements, now)  # an event's claim code (server.seed_claims)
    return keys


def _submit(
    session: Session,
    trust_config: TrustConfig,
    issuer: Any,
    achievement_id: str,
    approval: tuple[str, str],
    now: datetime,
) -> None:
    decision, statement = approval
    row = approvals.submit(session, issuer, achievement_id, statement, now)
    if decision == "approved":
        comment = "Meets every criterion; strong employer involvement in assessment."
        approvals.approve(session, trust_config, row.id, approvals.OPERATOR, comment, now)


def _net_zero_pathway(
    session: Session, config: service.IssuerConfig, achievements: dict[str, str], now: datetime
) -> None:
    """A Net Zero pathway across the college, the Institute of Technology and the university; the demo
    learner has done the first two steps (a course and the community of practice) and not the third."""
    heat = achievements["Heat Pump Installation (Level 3)"]
    community = achievements["Net Zero Community of Practice: Active Member 2026"]
    retrofit = achievements["Domestic Retrofit Coordination (Level 5)"]
    body = PathwayCreate.model_validate(
        {
            "title": "Net Zero: from heat pump installer to retrofit coordinator",
            "description": (
                "Install low-carbon heating at college, share practice in the network's Net Zero community, "
                "then coordinate whole-house retrofit at university level."
            ),
            "region": "Midlands",
            "sector": "Net Zero",
            "steps": [
                {"key": "heating", "title": "Low-carbon heating", "options": [{"achievement": heat}]},
                {
                    "key": "practice",
                    "title": "Net Zero practice",
                    "choose": 1,
                    "options": [
                        {"achievement": community},
                        {
                            "rule": {
                                "sector": "Building services engineering",
                                "min_level": "RQF 2",
                                "min_credits": 6,
                            }
                        },
                    ],
                },
                {
                    "key": "retrofit",
                    "title": "Retrofit coordination",
                    "after": ["heating"],
                    "options": [{"achievement": retrofit}],
                },
            ],
        }
    )
    owner = seed_partnership(session, config, now)  # owns the pathway and signs its milestones
    pathways.create(session, config.base_url, body, now, owner)
    seed_completer(session, config, [heat, community, retrofit], now)


def _accredit(
    session: Session, config: service.IssuerConfig, provider_id: str, scope: dict[str, Any], now: datetime
) -> None:
    """Accredited from the start of this academic year to the end of the one after next (31 August)."""
    start_year = now.year if now.month >= 9 else now.year - 1
    data = AccreditationCreate.model_validate(
        {
            "provider_id": provider_id,
            "scope": scope,
            "valid_from": datetime(start_year, 9, 1, tzinfo=UTC),
            "valid_until": datetime(start_year + 3, 8, 31, 23, 59, 59, tzinfo=UTC),
            "reason": "Quality review passed (demo data)",
            "by": "Quality assurance team",
        }
    )
    trust.accredit(session, config.base_url, data, now)
