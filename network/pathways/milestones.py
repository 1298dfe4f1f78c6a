"""The milestone credential a completed pathway earns: an OB 3.0 AchievementCredential signed by the
pathway's owner -- the network operator's did:web key (`network.operator`), or the owning partnership's
(an `issuers` row of kind ``partnership``, with keys like a provider's) -- whose ``evidence`` lists every
component credential, across providers, by its id and the SHA-256 digest of exactly what the learner
holds (``digestMultibase``, VC Data Model 2.0 §5.3, as a multibase base64url multihash).

Issued at most once per learner and pathway, whatever its version: the completion row's unique
constraint decides, so two requests completing the same pathway at once leave one milestone.

**Status.** Each milestone carries a ``revocation`` entry (Bitstring Status List 1.0) on a list of its
owner's kept for milestones: the operator's (`network.approval_status`, ``/operator/status/``) or the
partnership's (`issuers.status`, ``/status/``), so any verifier reports a revoked milestone as revoked.
**A component credential revoked later** does not revoke the milestone: a provider's revocation may be a
clerical fix, and the milestone was true when issued. The milestone is *flagged for review*
(`flag_for_review`, run whenever the passport computes the learner's progress, which it does in the
request that changes a component's status): the learner's passport says so, and the owner sees the flag
beside it and decides whether to revoke it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.changes import record_change
from core.db import new_id
from core.i18n import gettext
from core.problems import Conflict, NotFound
from issuers import identity
from issuers import service as issuers_service
from issuers import status as issuers_status
from issuers.signing import credential_problems
from issuers.staff import audit
from network import approval_status, operator
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
from vc import data_integrity
from vc.keys import KeyType, PrivateKey

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


#: The holder of the status lists kept for milestone credentials (`issuers.status.allocate_held`).
MILESTONE_LISTS = "milestone"


@dataclass(frozen=True)
class Signer:
    """Who signs a pathway's milestones: the operator, or the partnership that owns the pathway (its
    did:web key, like a provider's), and its status entry."""

    did: str
    name: str
    url: str
    verification_method: str
    private_key: PrivateKey
    partnership: Any  #: the partnership's `issuers` row, None for the operator


def signer_of(session: Session, config: TrustConfig, pathway: Pathway, now: datetime) -> Signer:
    if pathway.owner == service.OPERATOR_OWNER:
        key = operator.operator_key(session, config, now)
        did = operator.operator_did(config.base_url)
        return Signer(
            did,
            config.operator_name,
            config.base_url,
            identity.verification_method_id(did, key),
            config.keystore.open(key.encrypted_private_key, key.id),
            None,
        )
    partnership = issuers_service.get_issuer(session, pathway.owner)
    issuer_key = issuers_service.active_key(session, partnership, KeyType.ED25519)
    did = identity.issuer_did(config.base_url, partnership.id)
    return Signer(
        did,
        partnership.name,
        partnership.url,
        identity.verification_method_id(did, issuer_key),
        config.keystore.open(issuer_key.encrypted_private_key, issuer_key.id),
        partnership,
    )


def _status_entry(
    session: Session, config: TrustConfig, signer: Signer, now: datetime
) -> tuple[str, int, dict[str, Any]]:
    """A revocation entry on the signer's own list kept for milestones (a status list must be its
    credential's issuer's: Bitstring Status List 1.0 §3.2)."""
    if signer.partnership is None:

        def operator_taken(session: Session, list_id: str, index: int) -> bool:
            return _taken(session, list_id, index)

        row, index = approval_status.allocate(session, now, MILESTONE_LISTS, operator_taken)
        return row.id, index, approval_status.entry(config.base_url, row.id, index)
    found, index = issuers_status.allocate_held(
        session, signer.partnership, MILESTONE_LISTS, lambda list_id, i: _taken(session, list_id, i), now
    )
    return found.id, index, issuers_status.entry(config.base_url, found, index)


def _taken(session: Session, list_id: str, index: int) -> bool:
    found = session.scalar(
        select(PathwayCompletion.id).where(
            PathwayCompletion.status_list_id == list_id, PathwayCompletion.status_index == index
        )
    )
    return found is not None


def milestone_credential(
    config: TrustConfig,
    pathway: Pathway,
    item: LearnerPathway,
    completion_id: str,
    recipient_email: str,
    now: datetime,
    signer: Signer | None = None,
    credential_status: dict[str, Any] | None = None,
) -> dict[str, object]:
    """The unsigned milestone credential, issued by ``signer`` (the operator when not given)."""
    if signer is not None:
        issuer = Profile(id=signer.did, name=signer.name, url=signer.url)
    else:
        issuer = Profile(
            id=operator.operator_did(config.base_url), name=config.operator_name, url=config.base_url
        )
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
        issuer=issuer,
        valid_from=now.replace(microsecond=0),
        credential_status=BitstringStatusListEntry.model_validate(credential_status)
        if credential_status is not None
        else None,
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
    signer = signer_of(session, config, item.pathway, now)
    list_id, index, entry = _status_entry(session, config, signer, now)
    unsigned = milestone_credential(
        config, item.pathway, item, completion_id, recipient_email, now, signer, entry
    )
    problems = credential_problems(unsigned)
    if problems:  # our own making: a bug, never the learner's input
        raise ValueError(f"the milestone credential is not valid OB 3.0: {problems}")
    signed = data_integrity.sign(unsigned, signer.private_key, signer.verification_method, now)
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
        status_list_id=list_id,
        status_index=index,
    )
    try:
        with session.begin_nested():  # the same completion racing in another request: keep theirs
            session.add(row)
            session.flush()
    except IntegrityError:
        raced = completion_of(session, item.pathway.id, learner_id)
        if raced is None:  # the status index, drawn at once by another milestone: vanishingly rare
            raise
        return raced
    return row


def get_completion(session: Session, pathway_id: str, completion_id: str) -> PathwayCompletion:
    row = session.get(PathwayCompletion, completion_id) if len(completion_id) <= 32 else None
    if row is None or row.pathway_id != pathway_id:
        raise NotFound(gettext("no milestone %(id)r of this pathway", id=completion_id[:40]))
    return row


def list_completions(session: Session, pathway_id: str) -> list[PathwayCompletion]:
    return list(
        session.scalars(
            select(PathwayCompletion)
            .where(PathwayCompletion.pathway_id == pathway_id)
            .order_by(PathwayCompletion.issued_at.desc(), PathwayCompletion.id)
        )
    )


def revoke(
    session: Session, pathway: Pathway, completion_id: str, reason: str | None, now: datetime
) -> PathwayCompletion:
    """Revoke a milestone on its owner's status list: verifiers then report it revoked. Idempotent (a
    revoked milestone stays revoked; its first reason is kept). The learner keeps the component
    credentials; the pathway is not offered to them again (one completion per learner and pathway)."""
    row = get_completion(session, pathway.id, completion_id)
    if row.revoked_at is not None:
        return row
    if row.status_list_id is None or row.status_index is None:
        raise Conflict(gettext("This milestone was issued without a status entry and cannot be revoked."))
    if pathway.owner == service.OPERATOR_OWNER:
        approval_status.revoke(session, row.status_list_id, row.status_index, now)
    else:
        issuers_status.set_status(session, row.status_list_id, row.status_index, 1, now)
    record_change(session)
    row.revoked_at = now
    row.revocation_reason = reason
    session.flush()
    audit.record(
        session,
        "milestone.revoke",
        "milestone",
        row.id,
        now,
        provider_id=service.audit_owner(pathway),
        after={"pathway": pathway.id, "reason": reason},
    )
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


def flag_for_review(session: Session, progress: list[LearnerPathway], now: datetime) -> None:
    """Record, once, that a milestone's component credential is no longer valid: the owner sees the flag
    beside the milestone and decides whether to revoke it (a component's revocation never revokes it)."""
    for item in progress:
        if item.needs_review and item.completion is not None and item.completion.review_flagged_at is None:
            item.completion.review_flagged_at = now
    session.flush()


def forget_learner(session: Session, learner_id: str) -> None:
    """A deleted passport's completions go with it."""
    session.execute(delete(PathwayCompletion).where(PathwayCompletion.learner_id == learner_id))
