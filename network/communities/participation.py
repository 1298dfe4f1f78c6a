"""The participation credential a member who meets the community's rule earns: an OB 3.0
AchievementCredential issued by the community's owner, whose ``evidence`` lists the sessions attended and
the contributions that met the rule (OB 3.0 §B.1 Evidence: one entry each, ``genre`` "Attendance" or the
contribution's kind).

- Owned by the network operator: signed with the operator's did:web key (`network.operator`), as a
  pathway's milestone is (`network.pathways.milestones`); the achievement is the community's own,
  ``{base}/communities/{id}/participation``, of type ``ext:CommunityOfPracticeParticipation``.
- Owned by a coordinator provider: issued through the provider's issuing service (`issuers.issuing.issue`)
  for its community_of_practice achievement naming the community, so it is a credential of that provider
  like any other (status list, audit, the learner's passport).

At most one per member: the participation row's unique constraint decides, so two requests issuing at
once leave one credential.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.changes import record_change
from core.db import new_id
from core.i18n import N_, gettext, ngettext
from core.problems import Conflict, NotFound
from issuers import identity, issuing
from issuers.api_models import CredentialCreate, EvidenceIn, Recipient
from issuers.service import IssuerConfig
from issuers.signing import credential_problems
from issuers.staff import audit
from network import approval_status, operator
from network.models import Community
from network.trust import TrustConfig
from schemas.models import (
    Achievement,
    AchievementCredential,
    AchievementSubject,
    BitstringStatusListEntry,
    Criteria,
    Evidence,
    IdentityObject,
    Profile,
)
from schemas.vocabulary import ACHIEVEMENT_TYPES, AchievementKind
from vc import data_integrity

from . import rules, service
from .models import CommunityContribution, CommunityMember, CommunityParticipation, CommunitySession

#: OB 3.0 evidence a provider's credential may carry (`issuers.api_models.CredentialCreate`).
MAX_EVIDENCE = 20


def participation_url(base_url: str, community_id: str) -> str:
    return f"{service.community_url(base_url, community_id)}/participation"


def credential_url(base_url: str, community_id: str, participation_id: str) -> str:
    return f"{participation_url(base_url, community_id)}/{participation_id}"


def describe_rule(rule: dict[str, object] | None) -> str:
    """The rule in plain words, as criteria and pages show it."""
    if not rule:
        return gettext("No participation rule yet.")
    parsed = rules.parse(rule)
    parts = []
    if parsed.attended is not None:
        a = parsed.attended
        if a.of_last is not None:
            parts.append(gettext("attend %(n)s of the last %(m)s sessions", n=a.at_least, m=a.of_last))
        else:
            parts.append(
                gettext(
                    "attend %(n)s sessions between %(start)s and %(until)s",
                    n=a.at_least,
                    start=str(a.start),
                    until=str(a.until),
                )
            )
    if parsed.contributed is not None:
        c = parsed.contributed
        kind = gettext(service.CONTRIBUTION_KIND_NAMES[c.kind]).lower()
        parts.append(gettext("contribute %(n)s %(kind)s", n=c.at_least, kind=kind))
    return "; ".join(parts)


def describe_shortfalls(outcome: rules.Outcome) -> str:
    """What a member still lacks, in the page's language."""
    parts = []
    for shortfall in outcome.shortfalls:
        if shortfall.condition == "attended":
            parts.append(
                ngettext(
                    "attended %(have)s of the %(num)d session needed",
                    "attended %(have)s of the %(num)d sessions needed",
                    shortfall.need,
                    have=shortfall.have,
                )
            )
        else:
            kind = gettext(service.CONTRIBUTION_KIND_NAMES[shortfall.kind or "case_study"]).lower()
            parts.append(
                ngettext(
                    "%(have)s of the %(num)d contribution needed (%(kind)s)",
                    "%(have)s of the %(num)d contributions needed (%(kind)s)",
                    shortfall.need,
                    have=shortfall.have,
                    kind=kind,
                )
            )
    return "; ".join(parts)


def _evidence(
    base_url: str,
    community: Community,
    sessions: list[CommunitySession],
    contributions: list[CommunityContribution],
) -> list[Evidence]:
    url = service.community_url(base_url, community.id)
    items = [
        Evidence(
            id=f"{url}/sessions/{s.id}",
            name=s.title,
            description=f"Attended the {s.kind} on {s.starts_at.date().isoformat()}",
            genre="Attendance",
        )
        for s in sessions
    ]
    items += [
        Evidence(
            id=c.url or f"{url}/contributions/{c.id}",
            name=c.title,
            narrative=c.summary,
            genre=c.kind.replace("_", " ").capitalize(),
        )
        for c in contributions
    ]
    return items


def _salt(participation_id: str) -> str:
    return hashlib.sha256(f"participation-salt:{participation_id}".encode()).hexdigest()[:16]


#: The holder of the operator's status lists kept for participation credentials (`network.approval_status`).
STATUS_LISTS = "participation"


class ParticipationRevoked(Conflict):
    slug, title = "credential-already-revoked", N_("The credential is already revoked")


def _status_taken(session: Session, list_id: str, index: int) -> bool:
    found = session.scalar(
        select(CommunityParticipation.id).where(
            CommunityParticipation.status_list_id == list_id, CommunityParticipation.status_index == index
        )
    )
    return found is not None


def operator_credential(
    config: TrustConfig,
    community: Community,
    member: CommunityMember,
    evidence: list[Evidence],
    participation_id: str,
    now: datetime,
    credential_status: dict[str, object] | None = None,
) -> dict[str, object]:
    """The unsigned participation credential of a community the operator owns (with its revocation entry
    on the operator's status list)."""
    url = service.community_url(config.base_url, community.id)
    credential = AchievementCredential(
        id=credential_url(config.base_url, community.id, participation_id),
        name=f"{community.name}: participation",
        issuer=Profile(
            id=operator.operator_did(config.base_url), name=config.operator_name, url=config.base_url
        ),
        valid_from=now.replace(microsecond=0),
        credential_subject=AchievementSubject(
            identifier=[IdentityObject.hashed_email(member.email, _salt(participation_id))],
            achievement=Achievement(
                id=participation_url(config.base_url, community.id),
                achievement_type=ACHIEVEMENT_TYPES[AchievementKind.COMMUNITY_OF_PRACTICE],
                name=f"{community.name} community of practice: participation",
                description=community.description or community.name,
                criteria=Criteria(
                    id=url, narrative=f"Take part in the community: {describe_rule(community.rule)}."
                ),
                field_of_study=community.sector,
                tag=["Community of practice", community.name],
            ),
        ),
        credential_status=BitstringStatusListEntry.model_validate(credential_status)
        if credential_status is not None
        else None,
    ).to_json()
    credential["evidence"] = [e.to_json() for e in evidence]
    return credential


def issue(
    session: Session,
    trust: TrustConfig | None,
    issuers: IssuerConfig,
    community: Community,
    standing: service.Standing,
    now: datetime,
) -> CommunityParticipation:
    """The participation credential of a member who meets the rule; the one issued before if there is
    one. `Conflict` (409) when the member does not meet it (or is still only invited): nothing is written."""
    if standing.participation is not None:
        return standing.participation
    member, outcome = standing.member, standing.outcome
    if outcome is None:
        raise Conflict(gettext("The community has no participation rule yet."))
    if member.state != "active":
        raise Conflict(gettext("%(email)s has not accepted the invitation yet.", email=member.email))
    if not outcome.met:
        raise Conflict(
            gettext(
                "%(email)s does not meet the rule yet: %(missing)s",
                email=member.email,
                missing="; ".join(outcome.missing),
            ),
            missing=list(outcome.missing),
        )
    sessions = [service.get_session(session, community, sid) for sid in outcome.sessions]
    contributions = [
        c for c in service.contributions_of(session, community.id) if c.id in set(outcome.contributions)
    ]
    evidence = _evidence(issuers.base_url, community, sessions, contributions)
    participation_id = new_id()
    row = CommunityParticipation(
        id=participation_id,
        community_id=community.id,
        member_id=member.id,
        evidence={"sessions": list(outcome.sessions), "contributions": list(outcome.contributions)},
        issued_at=now,
    )
    try:
        with session.begin_nested():  # the same member racing in another request: keep theirs
            session.add(row)
            session.flush()
    except IntegrityError:
        raced = service.participations_of(session, community.id).get(member.id)
        assert raced is not None
        return raced
    owner = service.issuer_of(session, community)
    if owner is None:
        if trust is None:
            raise ValueError("an operator-owned community's credentials need the operator's key")
        list_row, index = approval_status.allocate(session, now, STATUS_LISTS, _status_taken)
        row.status_list_id, row.status_index = list_row.id, index
        entry = approval_status.entry(trust.base_url, list_row.id, index)
        unsigned = operator_credential(trust, community, member, evidence, participation_id, now, entry)
        problems = credential_problems(unsigned)
        if problems:  # our own making: a bug, never the caller's input
            raise ValueError(f"the participation credential is not valid OB 3.0: {problems}")
        key = operator.operator_key(session, trust, now)
        did = operator.operator_did(trust.base_url)
        signed = data_integrity.sign(
            unsigned,
            trust.keystore.open(key.encrypted_private_key, key.id),
            identity.verification_method_id(did, key),
            now,
        )
        row.document = json.dumps(signed)
    else:
        assert community.achievement_id is not None
        request = CredentialCreate(
            achievement_id=community.achievement_id,
            recipient=Recipient(email=member.email, name=member.name, learner_id=member.learner_id),
            evidence=[
                EvidenceIn.model_validate(
                    {"url": e.id, "name": e.name, "narrative": e.narrative or e.description}
                )
                for e in evidence[:MAX_EVIDENCE]
            ],
        )
        row.credential_id = issuing.issue(session, issuers, owner, request, now).id
    session.flush()
    return row


def issue_ready(
    session: Session, trust: TrustConfig | None, issuers: IssuerConfig, community: Community, now: datetime
) -> list[CommunityParticipation]:
    """Issue the participation credential of every active member who meets the rule and has none yet."""
    if not community.rule:
        raise Conflict(gettext("The community has no participation rule yet."))
    issued = []
    for standing in service.standings(session, community, now):
        if (
            standing.participation is None
            and standing.outcome is not None
            and standing.outcome.met
            and standing.member.state == "active"
        ):
            issued.append(issue(session, trust, issuers, community, standing, now))
    return issued


def document_of(session: Session, row: CommunityParticipation) -> dict[str, object] | str:
    """The credential as issued."""
    if row.document is not None:
        return json.loads(row.document)  # type: ignore[no-any-return]
    assert row.credential_id is not None
    return issuing.signed_document(issuing.find_credential(session, row.credential_id))


def revoke(
    session: Session, community: Community, participation_id: str, reason: str, now: datetime
) -> CommunityParticipation:
    """Revoke an operator-signed participation credential on the operator's status list: every verifier
    reports it revoked from now on. Once only (again: 409). A provider-owned community's credential is its
    provider's to revoke (its console and API), so 409 here."""
    row = session.get(CommunityParticipation, participation_id) if len(participation_id) <= 32 else None
    if row is None or row.community_id != community.id:
        raise NotFound(gettext("no participation %(id)r in this community", id=participation_id[:40]))
    if row.revoked_at is not None:
        raise ParticipationRevoked(gettext("This participation credential is already revoked."))
    if row.document is None or row.status_list_id is None or row.status_index is None:
        raise Conflict(
            gettext(
                "This credential is not signed by the operator with a status entry: its issuer revokes it."
            )
        )
    approval_status.revoke(session, row.status_list_id, row.status_index, now)
    record_change(session)
    row.revoked_at = now
    row.revocation_reason = reason
    session.flush()
    audit.record(
        session,
        "community.participation.revoke",
        "community_participation",
        row.id,
        now,
        provider_id=None,
        after={"community": community.id, "reason": reason},
    )
    return row
