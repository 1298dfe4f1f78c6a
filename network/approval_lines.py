"""The approval line a learner's passport shows on a credential: "Approved under <scheme> on <date>", or
that the approval was withdrawn -- what the employer page says (`network.verdict.approval_of`,
verification_approval.html), read from the operator's own records instead of a verification.

A credential carries its achievement's approval as an embedded EndorsementCredential whose ``id`` is the
approval's URL here (`network.approvals.approval_url`). The line is shown only when that approval is the
operator's, for that very achievement (an endorsement copied into another achievement's credential says
nothing), and it says the approval's state now: a withdrawn approval reads as withdrawn.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from .approvals import approval_url
from .models import SchemeApproval

__all__ = ["ApprovalLine", "approval_lines"]


@dataclass(frozen=True)
class ApprovalLine:
    state: str  #: "approved" or "withdrawn" (as `network.verdict.ApprovalState` words them)
    scheme: str
    date: datetime | None


def _decoded(text: str) -> Mapping[str, Any]:
    try:
        if text.lstrip().startswith("{"):
            found = orjson.loads(text)
        else:  # a compact VC-JWT: its payload
            part = text.split(".")[1]
            found = orjson.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
            if isinstance(found, dict) and "credentialSubject" not in found:
                found = found.get("vc")
    except (IndexError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _claims(base_url: str, text: str) -> list[tuple[str, str, str]]:
    """(approval id, achievement id, scheme name) of each endorsement naming one of our approvals."""
    credential = _decoded(text)
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    if not isinstance(achievement, Mapping):
        return []
    achievement_url = achievement.get("id")
    prefix = f"{base_url}/achievements/"
    if not isinstance(achievement_url, str) or not achievement_url.startswith(prefix):
        return []
    endorsements = achievement.get("endorsement")
    prefix_approval = approval_url(base_url, "")
    found = []
    for endorsement in endorsements if isinstance(endorsements, list) else []:
        url = endorsement.get("id") if isinstance(endorsement, Mapping) else None
        if isinstance(url, str) and url.startswith(prefix_approval):
            name = endorsement.get("name")
            scheme = name if isinstance(name, str) and name else ""
            found.append((url.removeprefix(prefix_approval), achievement_url.removeprefix(prefix), scheme))
    return found


def approval_lines(
    session: Session, base_url: str, documents: Iterable[tuple[str, str]], scheme: str
) -> dict[str, ApprovalLine]:
    """The approval line of each credential given as (key, document text) that has one: one query.
    ``scheme``: the scheme's name, when the endorsement does not give it."""
    claims = {key: _claims(base_url, text) for key, text in documents}
    ids = {approval_id for found in claims.values() for approval_id, _, _ in found}
    if not ids:
        return {}
    rows = {
        row.id: row
        for row in session.scalars(
            select(SchemeApproval).where(SchemeApproval.id.in_([i for i in ids if len(i) <= 32]))
        )
    }
    lines = {}
    for key, found in claims.items():
        for approval_id, achievement_id, name in found:
            row = rows.get(approval_id)
            if row is None or row.achievement_id != achievement_id:
                continue
            if row.state == "approved":
                lines[key] = ApprovalLine("approved", name or scheme, row.decided_at)
            elif row.state == "withdrawn":
                lines[key] = ApprovalLine("withdrawn", name or scheme, row.withdrawn_at)
            break
    return lines
