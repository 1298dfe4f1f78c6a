"""Scheme approval: providers submit achievements, the operator (or an assessor it appoints) approves or
refuses them against the scheme's criteria, and an approval is an OB 3.0 EndorsementCredential.

::

    submit -> pending -> approved -> withdrawn     (the endorsement revoked on the operator's status list)
                      -> refused                   (with reasons; the achievement may be submitted again)

**Criteria.** The scheme asks for an RQF/SCQF level, a sector, credits and a quality statement. The first
three are read from the achievement when it is submitted and recorded with the submission (`criteria`);
the statement is the provider's, and the reviewer judges it. An approval needs every criterion met (422
otherwise); a refusal gives at least one reason, each naming a criterion or ``other``.

**The endorsement** (OB 3.0 §B.1 EndorsementCredential), signed by the operator's did:web key with Data
Integrity eddsa-rdfc-2022 and checked against the 1EdTech endorsement JSON Schema before it is signed:
``id`` its stable URL (``/approvals/{id}``, where it is published), ``name`` the scheme's name,
``issuer`` the operator, ``validFrom`` the approval's time, ``credentialSubject`` the achievement's URL
(an ``EndorsementSubject``, with the reviewer's comment as ``endorsementComment``) and a revocation
``credentialStatus`` on the operator's list (`network.approval_status`). Issuing embeds it in the
``endorsement`` of the Achievement of every credential issued from then on, through the issuers' port
(`issuers.ports.AchievementEndorsements`, implemented by `SchemeEndorsements`).

**Who reviews.** Every decision takes a `Reviewer`: the operator (its token), or an assessor it appoints,
limited to the submissions assigned to them. Each state change is a compare-and-set ``UPDATE`` whose
``WHERE`` names the state it starts from, so of two concurrent decisions one applies and the other is a
409; services only ``flush()``, and the request commits once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.changes import record_change
from core.db import new_id
from core.i18n import gettext
from core.problems import Conflict, Forbidden, NotFound, ValidationFailed
from issuers import identity
from issuers import service as issuers_service
from schemas.models import (
    BitstringStatusListEntry,
    EndorsementCredential,
    EndorsementSubject,
    Profile,
)
from schemas.validation import SchemaName, conformance_errors, schema_errors
from vc import data_integrity

from . import approval_status
from .models import SchemeApproval
from .operator import operator_did, operator_key
from .trust import TrustConfig

if TYPE_CHECKING:  # providers come from the issuers' service; their table is theirs
    from issuers.models import Issuer

State = Literal["pending", "approved", "refused", "withdrawn"]
CRITERIA = ("level", "sector", "credits", "quality_statement")


@dataclass(frozen=True)
class Reviewer:
    """Who decides: the network operator, or an assessor it appointed (``assigned``: the ids of the
    submissions they may decide; None for the operator, who may decide any)."""

    kind: Literal["operator", "assessor"]
    id: str
    assigned: frozenset[str] | None = None

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.id}"

    def may_review(self, approval: SchemeApproval) -> bool:
        return self.assigned is None or approval.id in self.assigned


OPERATOR = Reviewer("operator", "operator")


def approval_url(base_url: str, approval_id: str) -> str:
    """Where an approval's endorsement is published: its ``id``, stable for as long as the service runs."""
    return f"{base_url}/approvals/{approval_id}"


def assess(definition: dict[str, Any], quality_statement: str) -> dict[str, Any]:
    """The scheme's criteria as the achievement meets them (recorded when it is submitted)."""
    credits = definition.get("credits")
    return {
        "level": {"met": bool(definition.get("level")), "value": definition.get("level")},
        "sector": {"met": bool(definition.get("sector")), "value": definition.get("sector")},
        "credits": {"met": isinstance(credits, (int, float)) and credits > 0, "value": credits},
        "quality_statement": {"met": bool(quality_statement.strip()), "value": None},
    }


def unmet(approval: SchemeApproval) -> list[str]:
    return [name for name in CRITERIA if not approval.criteria.get(name, {}).get("met")]


# --- the provider's side ------------------------------------------------------------------------------------


def submit(
    session: Session, issuer: Issuer, achievement_id: str, quality_statement: str, now: datetime
) -> SchemeApproval:
    """Submit one of the provider's own achievements (another provider's is 404, like any of its rows).
    An achievement already pending or approved is a 409 naming its submission."""
    achievement = issuers_service.get_achievement(session, issuer, achievement_id)
    _refuse_open(session, achievement.id)
    row = SchemeApproval(
        id=new_id(),
        issuer_id=issuer.id,
        achievement_id=achievement.id,
        state="pending",
        quality_statement=quality_statement,
        criteria=assess(achievement.definition, quality_statement),
        submitted_at=now,
        reasons=[],
    )
    try:
        with session.begin_nested():  # the unique index is the last word on concurrent submissions
            session.add(row)
            session.flush()
    except IntegrityError:
        _refuse_open(session, achievement.id)
        raise  # pragma: no cover - the index refused a row no query can see
    return row


def _refuse_open(session: Session, achievement_id: str) -> None:
    existing = session.scalar(
        select(SchemeApproval).where(
            SchemeApproval.achievement_id == achievement_id,
            SchemeApproval.state.in_(("pending", "approved")),
        )
    )
    if existing is not None:
        raise Conflict(
            gettext("this achievement is already submitted (%(state)s)", state=existing.state),
            approval_id=existing.id,
            current_state=existing.state,
        )


def list_own(session: Session, issuer: Issuer) -> list[SchemeApproval]:
    return list(
        session.scalars(
            select(SchemeApproval)
            .where(SchemeApproval.issuer_id == issuer.id)
            .order_by(SchemeApproval.submitted_at, SchemeApproval.id)
        )
    )


def get_own(session: Session, issuer: Issuer, approval_id: str) -> SchemeApproval:
    row = session.scalar(
        select(SchemeApproval).where(SchemeApproval.id == approval_id, SchemeApproval.issuer_id == issuer.id)
    )
    if row is None:
        raise NotFound(gettext("no approval %(id)r", id=approval_id[:40]))
    return row


# --- the reviewer's side ------------------------------------------------------------------------------------


def list_all(session: Session, reviewer: Reviewer, state: State | None = None) -> list[SchemeApproval]:
    statement = select(SchemeApproval).order_by(SchemeApproval.submitted_at, SchemeApproval.id)
    if state is not None:
        statement = statement.where(SchemeApproval.state == state)
    return [row for row in session.scalars(statement) if reviewer.may_review(row)]


def get(session: Session, approval_id: str, reviewer: Reviewer | None = None) -> SchemeApproval:
    """One submission; for a reviewer, one assigned to them (any other is 404)."""
    row = session.get(SchemeApproval, approval_id) if len(approval_id) <= 32 else None
    if row is None or (reviewer is not None and not reviewer.may_review(row)):
        raise NotFound(gettext("no approval %(id)r", id=approval_id[:40]))
    return row


def _move(
    session: Session, row: SchemeApproval, start: State, end: State, values: dict[str, Any]
) -> SchemeApproval:
    """Compare-and-set: ``start`` -> ``end`` only if the row is still in ``start`` (else 409)."""
    changed = session.execute(
        update(SchemeApproval)
        .where(SchemeApproval.id == row.id, SchemeApproval.state == start)
        .values(state=end, **values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(row)
        raise Conflict(gettext("this submission is %(state)s", state=row.state), current_state=row.state)
    session.refresh(row)
    return row


def approve(
    session: Session,
    config: TrustConfig,
    approval_id: str,
    reviewer: Reviewer,
    comment: str | None,
    now: datetime,
) -> SchemeApproval:
    """Approve a pending submission that meets every criterion: sign its endorsement and publish it."""
    row = get(session, approval_id, reviewer)
    if row.state != "pending":
        raise Conflict(gettext("this submission is %(state)s", state=row.state), current_state=row.state)
    missing = unmet(row)
    if missing:
        raise ValidationFailed(
            gettext(
                "the achievement does not meet the scheme's criteria: %(names)s", names=", ".join(missing)
            ),
            [{"loc": ["criteria", name], "msg": "not met"} for name in missing],
        )
    # Claim the decision first (compare-and-set), then sign: of concurrent decisions, the losers stop
    # at the 409 before drawing a status index or signing anything.
    row = _move(
        session,
        row,
        "pending",
        "approved",
        {"decided_at": now, "decided_by": reviewer.label, "comment": comment},
    )
    status_list, index = approval_status.allocate(session, now)
    endorsement = sign_endorsement(session, config, row, comment, now, status_list.id, index)
    row.endorsement = json.dumps(endorsement)
    row.status_list_id = status_list.id
    row.status_index = index
    session.flush()
    return row


def refuse(
    session: Session,
    approval_id: str,
    reviewer: Reviewer,
    reasons: Sequence[dict[str, str]],
    now: datetime,
) -> SchemeApproval:
    row = get(session, approval_id, reviewer)
    return _move(
        session,
        row,
        "pending",
        "refused",
        {"decided_at": now, "decided_by": reviewer.label, "reasons": [dict(reason) for reason in reasons]},
    )


def withdraw(
    session: Session, approval_id: str, reviewer: Reviewer, reason: str, now: datetime
) -> SchemeApproval:
    """Withdraw an approval: its endorsement is revoked on the operator's status list. Credentials that
    carry it stay valid; verifiers report the approval as withdrawn. New credentials no longer carry it."""
    row = get(session, approval_id, reviewer)
    row = _move(
        session,
        row,
        "approved",
        "withdrawn",
        {"withdrawn_at": now, "withdrawn_by": reviewer.label, "withdrawn_reason": reason},
    )
    assert row.status_list_id is not None
    assert row.status_index is not None
    approval_status.revoke(session, row.status_list_id, row.status_index, now)
    record_change(session)  # every process's cached copy of the operator's lists is read again
    return row


def published(session: Session, approval_id: str) -> str:
    """The signed endorsement of an approval, approved or since withdrawn (its status says which)."""
    row = session.get(SchemeApproval, approval_id) if len(approval_id) <= 32 else None
    if row is None or row.endorsement is None:
        raise NotFound(gettext("no approval %(id)r", id=approval_id[:40]))
    return row.endorsement


# --- the endorsement ----------------------------------------------------------------------------------------


def build_endorsement(
    config: TrustConfig,
    approval_id: str,
    achievement_url: str,
    achievement_name: str,
    comment: str | None,
    now: datetime,
    credential_status: dict[str, Any],
) -> dict[str, Any]:
    """The unsigned EndorsementCredential of an approval (see the module doc for which field holds what)."""
    scheme = config.scheme_name
    return EndorsementCredential(
        id=approval_url(config.base_url, approval_id),
        name=scheme,
        description=f"{achievement_name} is approved under {scheme}.",
        issuer=Profile(id=operator_did(config.base_url), name=config.operator_name),
        valid_from=now.replace(microsecond=0),
        credential_subject=EndorsementSubject(
            id=achievement_url,
            endorsement_comment=comment or f"Meets the criteria of {scheme}.",
        ),
        credential_status=BitstringStatusListEntry.model_validate(credential_status),
    ).to_json()


def sign_endorsement(
    session: Session,
    config: TrustConfig,
    row: SchemeApproval,
    comment: str | None,
    now: datetime,
    list_id: str,
    index: int,
) -> dict[str, Any]:
    issuer = issuers_service.get_issuer(session, row.issuer_id)
    achievement = issuers_service.get_achievement(session, issuer, row.achievement_id)
    unsigned = build_endorsement(
        config,
        row.id,
        f"{config.base_url}/achievements/{achievement.id}",
        achievement.definition["name"],
        comment,
        now,
        approval_status.entry(config.base_url, list_id, index),
    )
    problems = schema_errors(unsigned, SchemaName.ENDORSEMENT_CREDENTIAL) + conformance_errors(unsigned)
    if problems:  # pragma: no cover - what we build always conforms; a test checks it
        raise RuntimeError(f"the endorsement would not conform: {problems}")
    key = operator_key(session, config, now)
    did = operator_did(config.base_url)
    private = config.keystore.open(key.encrypted_private_key, key.id)
    return data_integrity.sign(unsigned, private, identity.verification_method_id(did, key), now)


class SchemeEndorsements:
    """`issuers.ports.AchievementEndorsements`: the endorsements of an achievement's current approval."""

    def endorsements(self, session: Session, achievement_id: str) -> list[dict[str, Any]]:
        documents = session.scalars(
            select(SchemeApproval.endorsement).where(
                SchemeApproval.achievement_id == achievement_id, SchemeApproval.state == "approved"
            )
        )
        return [json.loads(document) for document in documents if document]


def forbid_provider() -> Forbidden:
    return Forbidden(gettext("only the network operator or an assessor it appointed can decide approvals"))
