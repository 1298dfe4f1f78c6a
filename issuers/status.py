"""Bitstring Status Lists of a provider: random index allocation, status values, the signed list.

Each credential has one status entry (the 1EdTech schema allows a single ``credentialStatus``): a one-bit
``revocation`` entry, or, for a provider that enables suspension, a two-bit ``message`` entry whose
``statusMessage`` says 0x0 valid, 0x1 suspended, 0x2 revoked (Bitstring Status List 1.0 §2.1).

Indexes are drawn at random (herd privacy, §2.1 statusListIndex: neighbours in a list say nothing about
each other) from lists of 131,072 entries, closed at half full so that a random draw rarely hits a used
index. Allocation first claims room on a list with one atomic ``UPDATE ... SET allocated = allocated + n``,
which also holds the list's row lock until the transaction ends (PostgreSQL; SQLite has one writer at a
time), so concurrent allocators on a list take turns and each sees the other's committed indexes. The
unique constraint on (list, index) stays the last word: a clash rolls back to a savepoint and draws again.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import new_id, write_lock
from core.i18n import gettext
from core.problems import NotFound
from vc import data_integrity
from vc.keys import KeyType
from vc.status_list import (
    MIN_LENGTH,
    SUSPENSION_STATUS_MESSAGES,
    SUSPENSION_STATUS_SIZE,
    StatusList,
    status_entry,
    status_list_credential,
)

from . import identity, service
from .models import IssuedCredential, Issuer, StatusListRow

_CLOSE_AT = MIN_LENGTH // 2
_DRAWS = 32
_CLAIMS = 8
REVOCATION = "revocation"
MESSAGE = "message"


def list_url(base_url: str, list_id: str) -> str:
    return f"{base_url}/status/{list_id}"


def list_kind(issuer: Issuer) -> tuple[str, int]:
    """The purpose and entry size of the lists new credentials of this provider go on."""
    return (MESSAGE, SUSPENSION_STATUS_SIZE) if issuer.suspension_enabled else (REVOCATION, 1)


def allocate(session: Session, issuer: Issuer, count: int, now: datetime) -> tuple[StatusListRow, list[int]]:
    """Claim ``count`` free random indexes on one open list of the provider's kind (see the module doc)."""
    row = _room(session, issuer, count, now)
    return row, _draw(session, row, count)


def _room(session: Session, issuer: Issuer, count: int, now: datetime) -> StatusListRow:
    """Room for ``count`` more entries on one open list of the provider's kind (claimed, or a new list)."""
    purpose, size = list_kind(issuer)
    for _ in range(_CLAIMS):
        row = session.scalar(
            select(StatusListRow)
            .where(
                StatusListRow.issuer_id == issuer.id,
                StatusListRow.purpose == purpose,
                StatusListRow.status_size == size,
                StatusListRow.holder.is_(None),
                StatusListRow.allocated + count <= _CLOSE_AT,
            )
            .order_by(StatusListRow.created_at.desc(), StatusListRow.id)
            .limit(1)
        )
        if row is None:
            row = _new_list(session, issuer, purpose, size, count, now)
        elif not _claim(session, row, count):
            continue  # another transaction filled it meanwhile
        return row
    raise RuntimeError("could not claim room on a status list")  # pragma: no cover - needs 8 lost races


def _new_list(
    session: Session,
    issuer: Issuer,
    purpose: str,
    size: int,
    allocated: int,
    now: datetime,
    holder: str | None = None,
) -> StatusListRow:
    row = StatusListRow(
        holder=holder,
        id=new_id(),
        issuer_id=issuer.id,
        purpose=purpose,
        length=MIN_LENGTH,
        status_size=size,
        bits=bytes(MIN_LENGTH * size // 8),
        allocated=allocated,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _claim(session: Session, row: StatusListRow, count: int) -> bool:
    claimed = session.execute(
        update(StatusListRow)
        .where(StatusListRow.id == row.id, StatusListRow.allocated + count <= _CLOSE_AT)
        .values(allocated=StatusListRow.allocated + count)
        .execution_options(synchronize_session=False)
    )
    rowcount: int = claimed.rowcount  # type: ignore[attr-defined]
    return rowcount == 1


def _draw(session: Session, row: StatusListRow, count: int) -> list[int]:
    """``count`` distinct random indexes that no credential on the list uses."""
    chosen: list[int] = []
    seen: set[int] = set()
    for _ in range(_DRAWS):
        candidates: list[int] = []
        for _ in range(2 * (count - len(chosen))):
            index = secrets.randbelow(row.length)
            if index not in seen:
                seen.add(index)
                candidates.append(index)
            if len(candidates) == count - len(chosen):
                break
        taken = set(
            session.scalars(
                select(IssuedCredential.revocation_index).where(
                    IssuedCredential.revocation_list_id == row.id,
                    IssuedCredential.revocation_index.in_(candidates),
                )
            )
        )
        chosen.extend(index for index in candidates if index not in taken)
        if len(chosen) == count:
            return chosen
    raise RuntimeError("could not draw free status indexes")  # pragma: no cover - vanishingly unlikely


#: Whether an index of a list is taken: asked of the domain that keeps the list's credentials.
Taken = Callable[[str, int], bool]


def allocate_held(
    session: Session, issuer: Issuer, holder: str, taken: Taken, now: datetime
) -> tuple[StatusListRow, int]:
    """A free random ``revocation`` index on one of the provider's lists kept for ``holder`` (another
    domain's credentials, e.g. a partnership's milestones: ``taken`` says which indexes it already uses).
    Such lists never hold issued credentials, so the two never draw against each other."""
    for _ in range(_CLAIMS):
        row = session.scalar(
            select(StatusListRow)
            .where(
                StatusListRow.issuer_id == issuer.id,
                StatusListRow.purpose == REVOCATION,
                StatusListRow.holder == holder,
                StatusListRow.allocated + 1 <= _CLOSE_AT,
            )
            .order_by(StatusListRow.created_at.desc(), StatusListRow.id)
            .limit(1)
        )
        if row is None:
            row = _new_list(session, issuer, REVOCATION, 1, 1, now, holder)
        elif not _claim(session, row, 1):
            continue
        for _ in range(_DRAWS):
            index = secrets.randbelow(row.length)
            if not taken(row.id, index):
                return row, index
        raise RuntimeError("could not draw a free status index")  # pragma: no cover - vanishingly unlikely
    raise RuntimeError("could not claim room on a status list")  # pragma: no cover - needs 8 lost races


class IdempotencyClash(Exception):
    """Another transaction committed a credential with this one's Idempotency-Key first (a unique insert
    waits for the other transaction to end, so its row is there to read)."""


def allocate_and_add(
    session: Session, credential: IssuedCredential, issuer: Issuer, now: datetime
) -> StatusListRow:
    """Give the credential a random free index on its provider's open list, then insert it; raises
    `IdempotencyClash` when its Idempotency-Key is taken.

    One index needs no look-up before the insert: the list is at most half full, so a random index is
    free at least half the time, and the unique constraint tells a taken one (a savepoint, then another
    draw). That saves a query on every single issue (`issuers.issuing.issue`, claim confirmations)."""
    row = _room(session, issuer, 1, now)
    index = secrets.randbelow(row.length)
    for _ in range(_DRAWS):
        credential.revocation_list_id, credential.revocation_index = row.id, index
        try:
            with session.begin_nested():
                session.add(credential)
                session.flush()
            return row
        except IntegrityError:
            # The savepoint rollback expunged the credential; draw again unless the clash was a retry.
            if _clashes_on_idempotency(session, credential):
                raise IdempotencyClash from None
            index = secrets.randbelow(row.length)
    raise RuntimeError("could not allocate a free status index")  # pragma: no cover - vanishingly unlikely


def _clashes_on_idempotency(session: Session, credential: IssuedCredential) -> bool:
    if credential.idempotency_key is None:
        return False
    return (
        session.scalar(
            select(IssuedCredential.id).where(
                IssuedCredential.issuer_id == credential.issuer_id,
                IssuedCredential.idempotency_key == credential.idempotency_key,
            )
        )
        is not None
    )


def list_urls(session: Session, base_url: str) -> list[str]:
    """Every status list's public URL, for verifiers that take a snapshot to check offline."""
    ids = session.scalars(select(StatusListRow.id).order_by(StatusListRow.created_at, StatusListRow.id))
    return [list_url(base_url, list_id) for list_id in ids]


def entry(base_url: str, status_list: StatusListRow, index: int) -> dict[str, Any]:
    """The credential's one status entry: plain ``revocation``, or ``message`` with its two-bit meanings."""
    url = list_url(base_url, status_list.id)
    if status_list.purpose == MESSAGE:
        return status_entry(
            url,
            index,
            MESSAGE,
            status_size=status_list.status_size,
            status_messages=SUSPENSION_STATUS_MESSAGES,
        )
    return status_entry(url, index, status_list.purpose)


def get_list(session: Session, list_id: str) -> StatusListRow:
    row = session.get(StatusListRow, list_id)
    if row is None:
        raise NotFound(gettext("no status list %(id)r", id=list_id))
    return row


def set_status(session: Session, list_id: str, index: int, value: int, now: datetime) -> None:
    """Write the entry's status value (a bit, or a 2-bit message value) and bump the list's version."""
    # Two revocations in one list must not overwrite each other's bit: lock, then read what is committed.
    write_lock(session, StatusListRow, StatusListRow.id == list_id, StatusListRow.version)
    row = session.get(StatusListRow, list_id, populate_existing=True)
    assert row is not None
    bits = StatusList(row.length, row.bits, status_size=row.status_size)
    bits.set_value(index, value)
    row.bits = bits.to_bytes()
    row.version += 1
    row.updated_at = now
    session.flush()


def signed_list(
    session: Session, config: service.IssuerConfig, list_id: str, now: datetime
) -> tuple[str, int]:
    """The signed BitstringStatusListCredential (JSON text) and its version; re-signed only on change."""
    row = session.get(StatusListRow, list_id)
    if row is None:
        raise NotFound(gettext("no status list %(id)r", id=list_id))
    if row.signed_document is not None and row.signed_version == row.version:
        return row.signed_document, row.version
    issuer = service.get_issuer(session, row.issuer_id)
    did = service.did_of(config, issuer.id)
    key = service.active_key(session, issuer, KeyType.ED25519)
    unsigned = status_list_credential(
        list_url(config.base_url, row.id),
        did,
        StatusList(row.length, row.bits, status_size=row.status_size),
        row.purpose,
        row.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    signed = data_integrity.sign(
        unsigned, service.private_key(config, key), identity.verification_method_id(did, key), now
    )
    row.signed_document = json.dumps(signed)
    row.signed_version = row.version
    session.flush()
    return row.signed_document, row.version
