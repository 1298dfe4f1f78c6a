"""The milestone credential a completed pathway earns: an OB 3.0 AchievementCredential signed by the
pathway's owner (the network operator's did:web key, `network.operator`), whose ``evidence`` lists every
component credential, across providers, by its id and the SHA-256 digest of exactly what the learner
holds (``digestMultibase``, VC Data Model 2.0 §5.3, as a multibase base64url multihash).

Issued at most once per learner and pathway, whatever its version: the completion row's unique
constraint decides, so two requests completing the same pathway at once leave one milestone.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import replace
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import new_id
from core.i18n import gettext
from core.problems import Conflict
from issuers import identity
from issuers.signing import credential_problems
from network import operator
from network.trust import TrustConfig
from schemas.models import (
    Achievement,
    AchievementCredential,
    AchievementSubject,
    Criteria,
    Evidence,
    IdentityObject,
    Profile,
)
from vc import data_integrity

from . import rules, service
from .models import Pathway, PathwayCompletion
from .service import LearnerPathway

#: A multihash header for SHA-256 (code 0x12, 32 bytes).
_SHA256_MULTIHASH = bytes([0x12, 0x20])


def digest_multibase(hex_digest: str) -> str:
    """``u`` + base64url(multihash(sha2-256)), the form ``digestMultibase`` takes."""
    raw = _SHA256_MULTIHASH + bytes.fromhex(hex_digest)
    return "u" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def milestone_url(base_url: str, pathway_id: str, completion_id: str) -> str:
    return f"{service.pathway_url(base_url, pathway_id)}/milestones/{completion_id}"


def _salt(completion_id: str) -> str:
    return hashlib.sha256(f"milestone-salt:{completion_id}".encode()).hexdigest()[:16]


def milestone_credential(
    config: TrustConfig,
    pathway: Pathway,
    item: LearnerPathway,
    completion_id: str,
    recipient_email: str,
    now: datetime,
) -> dict[str, object]:
    """The unsigned milestone credential."""
    url = service.pathway_url(config.base_url, pathway.id)
    steps = "; ".join(step.title for step in item.definition.steps)
    evidence = []
    for step in item.progress.steps:
        for facts in step.credentials:
            entry = Evidence(
                id=facts.url,
                name=facts.name or None,
                description=f"{step.step.title} (SHA-256 {facts.digest})",
                genre="Component credential",
            ).to_json()
            entry["digestMultibase"] = digest_multibase(facts.digest)
            evidence.append(entry)
    credential = AchievementCredential(
        id=milestone_url(config.base_url, pathway.id, completion_id),
        name=pathway.title,
        issuer=Profile(
            id=operator.operator_did(config.base_url), name=config.operator_name, url=config.base_url
        ),
        valid_from=now.replace(microsecond=0),
        credential_subject=AchievementSubject(
            identifier=[IdentityObject.hashed_email(recipient_email, _salt(completion_id))],
            achievement=Achievement(
                id=f"{url}/versions/{item.version}",
                achievement_type="LearningProgram",
                name=pathway.title,
                description=pathway.description or pathway.title,
                criteria=Criteria(id=url, narrative=f"Complete every step of the pathway: {steps}."),
                field_of_study=pathway.sector,
                tag=[t for t in ("Lifelong-learning pathway", pathway.region) if t],
                version=str(item.version),
            ),
        ),
    ).to_json()
    credential["evidence"] = evidence
    return credential


def completion_of(session: Session, pathway_id: str, learner_id: str) -> PathwayCompletion | None:
    return session.scalar(
        select(PathwayCompletion).where(
            PathwayCompletion.pathway_id == pathway_id, PathwayCompletion.learner_id == learner_id
        )
    )


def issue(
    session: Session,
    config: TrustConfig,
    learner_id: str,
    recipient_email: str,
    item: LearnerPathway,
    now: datetime,
) -> PathwayCompletion:
    """The milestone of a completed pathway; the one already issued if there is one. `Conflict` (409)
    when the pathway is not complete: nothing is written."""
    existing = item.completion or completion_of(session, item.pathway.id, learner_id)
    if existing is not None:
        return existing
    if not item.progress.complete:
        missing = [step.step.title for step in item.progress.steps if step.state is not rules.StepState.DONE]
        raise Conflict(
            gettext(
                "The pathway is not complete: these steps are not done yet: %(steps)s",
                steps="; ".join(missing),
            ),
            missing_steps=[
                step.step.key for step in item.progress.steps if step.state is not rules.StepState.DONE
            ],
        )
    completion_id = new_id()
    unsigned = milestone_credential(config, item.pathway, item, completion_id, recipient_email, now)
    problems = credential_problems(unsigned)
    if problems:  # our own making: a bug, never the learner's input
        raise ValueError(f"the milestone credential is not valid OB 3.0: {problems}")
    key = operator.operator_key(session, config, now)
    did = operator.operator_did(config.base_url)
    signed = data_integrity.sign(
        unsigned,
        config.keystore.open(key.encrypted_private_key, key.id),
        identity.verification_method_id(did, key),
        now,
    )
    row = PathwayCompletion(
        id=completion_id,
        pathway_id=item.pathway.id,
        version=item.version,
        learner_id=learner_id,
        completed_at=item.progress.completed_at or now,
        components=[
            {"id": facts.url, "digest": facts.digest, "step": step.step.key}
            for step in item.progress.steps
            for facts in step.credentials
        ],
        document=json.dumps(signed),
        issued_at=now,
    )
    try:
        with session.begin_nested():  # the same completion racing in another request: keep theirs
            session.add(row)
            session.flush()
    except IntegrityError:
        raced = completion_of(session, item.pathway.id, learner_id)
        assert raced is not None
        return raced
    return row


def issue_ready(
    session: Session,
    config: TrustConfig,
    learner_id: str,
    recipient_email: str | None,
    progress: list[LearnerPathway],
    now: datetime,
) -> list[LearnerPathway]:
    """Issue the milestone of every pathway of ``progress`` the learner has completed and not yet been
    given one for (none without an address to name them by); ``progress`` with those completions."""
    result = []
    for item in progress:
        if item.completion is None and item.progress.complete and recipient_email is not None:
            completion = issue(session, config, learner_id, recipient_email, item, now)
            item = replace(item, completion=completion, version=completion.version)
        result.append(item)
    return result


def forget_learner(session: Session, learner_id: str) -> None:
    """A deleted passport's completions go with it."""
    session.execute(delete(PathwayCompletion).where(PathwayCompletion.learner_id == learner_id))
