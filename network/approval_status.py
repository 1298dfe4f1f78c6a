"""The operator's own Bitstring Status Lists (revocation), for the endorsements of scheme approvals.

An approval's EndorsementCredential carries one ``BitstringStatusListEntry`` (purpose ``revocation``) on a
list of 131,072 entries at a random index (Bitstring Status List 1.0 §2.1, herd privacy), published at
``/operator/status/{id}`` and signed by the operator's did:web key. Withdrawing an approval sets its bit:
verifiers then report the endorsement as revoked, while the learner's credential that carries it stays
valid (its own status is its provider's). A list closes at half full, like the providers' lists.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import new_id, write_lock
from core.i18n import gettext
from core.problems import NotFound
from issuers import identity
from vc import data_integrity
from vc.status_list import MIN_LENGTH, StatusList, status_entry, status_list_credential

from .models import OperatorStatusList, SchemeApproval
from .operator import operator_did, operator_key
from .trust import TrustConfig

_CLOSE_AT = MIN_LENGTH // 2
_DRAWS = 64
PURPOSE = "revocation"


def list_url(base_url: str, list_id: str) -> str:
    return f"{base_url}/operator/status/{list_id}"


def list_urls(session: Session, base_url: str) -> list[str]:
    """Every operator status list's public URL, for verifiers that take a snapshot to check offline."""
    ids = session.scalars(select(OperatorStatusList.id).order_by(OperatorStatusList.created_at))
    return [list_url(base_url, list_id) for list_id in ids]


def _approvals_taken(session: Session, list_id: str, index: int) -> bool:
    found = session.scalar(
        select(SchemeApproval.id).where(
            SchemeApproval.status_list_id == list_id, SchemeApproval.status_index == index
        )
    )
    return found is not None


def allocate(
    session: Session,
    now: datetime,
    holder: str | None = None,
    taken: Callable[[Session, str, int], bool] = _approvals_taken,
) -> tuple[OperatorStatusList, int]:
    """A free random index on the open list (made when none is open). Approvals are few and each takes
    the list's write lock, so two never draw on one list at once. ``holder``: a list kept for other
    credentials of the operator (``milestone``), whose owner says which indexes are ``taken``."""
    row = session.scalar(
        select(OperatorStatusList)
        .where(
            OperatorStatusList.allocated < _CLOSE_AT,
            OperatorStatusList.holder.is_(None) if holder is None else OperatorStatusList.holder == holder,
        )
        .order_by(OperatorStatusList.created_at.desc(), OperatorStatusList.id)
        .limit(1)
    )
    if row is None:
        row = OperatorStatusList(
            id=new_id(),
            length=MIN_LENGTH,
            bits=bytes(MIN_LENGTH // 8),
            allocated=0,
            version=1,
            created_at=now,
            updated_at=now,
            holder=holder,
        )
        session.add(row)
        session.flush()
    write_lock(session, OperatorStatusList, OperatorStatusList.id == row.id, OperatorStatusList.allocated)
    row = session.get(OperatorStatusList, row.id, populate_existing=True)
    assert row is not None
    for _ in range(_DRAWS):
        index = secrets.randbelow(row.length)
        if not taken(session, row.id, index):
            row.allocated += 1
            session.flush()
            return row, index
    raise RuntimeError("could not draw a free status index")  # pragma: no cover - vanishingly unlikely


def entry(base_url: str, list_id: str, index: int) -> dict[str, Any]:
    return status_entry(list_url(base_url, list_id), index, PURPOSE)


def revoke(session: Session, list_id: str, index: int, now: datetime) -> None:
    write_lock(session, OperatorStatusList, OperatorStatusList.id == list_id, OperatorStatusList.version)
    row = session.get(OperatorStatusList, list_id, populate_existing=True)
    assert row is not None
    bits = StatusList(row.length, row.bits)
    bits.set_value(index, 1)
    row.bits = bits.to_bytes()
    row.version += 1
    row.updated_at = now
    session.flush()


def signed_list(session: Session, config: TrustConfig, list_id: str, now: datetime) -> tuple[str, int]:
    """The signed BitstringStatusListCredential (JSON text) and its version; re-signed only on change."""
    row = session.get(OperatorStatusList, list_id) if len(list_id) <= 32 else None
    if row is None:
        raise NotFound(gettext("no status list %(id)r", id=list_id[:40]))
    if row.signed_document is not None and row.signed_version == row.version:
        return row.signed_document, row.version
    did = operator_did(config.base_url)
    key = operator_key(session, config, now)
    unsigned = status_list_credential(
        list_url(config.base_url, row.id),
        did,
        StatusList(row.length, row.bits),
        PURPOSE,
        row.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    private = config.keystore.open(key.encrypted_private_key, key.id)
    signed = data_integrity.sign(unsigned, private, identity.verification_method_id(did, key), now)
    row.signed_document = json.dumps(signed)
    row.signed_version = row.version
    session.flush()
    return row.signed_document, row.version
