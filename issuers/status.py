"""Bitstring Status Lists of a provider: random index allocation, revocation bits, the signed list.

Indexes are drawn at random (herd privacy: neighbours in a list say nothing about each other) from lists
of 131,072 entries. A unique constraint on (list, index) makes concurrent issuance safe: a clash rolls
back to a savepoint and draws again. A list is closed at half full, so a random draw rarely clashes.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.problems import NotFound
from vc import data_integrity
from vc.keys import KeyType
from vc.status_list import MIN_LENGTH, StatusList, status_entry, status_list_credential

from . import identity, service
from .models import IssuedCredential, Issuer, new_id
from .models import StatusList as StatusListRow

_CLOSE_AT = MIN_LENGTH // 2
_DRAWS = 32


def list_url(base_url: str, list_id: str) -> str:
    return f"{base_url}/status/{list_id}"


def _open_list(session: Session, issuer: Issuer, purpose: str, now: datetime) -> StatusListRow:
    lists = session.scalars(
        select(StatusListRow)
        .where(StatusListRow.issuer_id == issuer.id, StatusListRow.purpose == purpose)
        .order_by(StatusListRow.created_at.desc(), StatusListRow.id)
    ).all()
    for row in lists:
        if _used(session, row) < _CLOSE_AT:
            return row
    row = StatusListRow(
        id=new_id(),
        issuer_id=issuer.id,
        purpose=purpose,
        length=MIN_LENGTH,
        bits=bytes(MIN_LENGTH // 8),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _used(session: Session, row: StatusListRow) -> int:
    column = (
        IssuedCredential.revocation_list_id
        if row.purpose == "revocation"
        else IssuedCredential.suspension_list_id
    )
    return session.scalar(select(func.count()).where(column == row.id)) or 0


def allocate_and_add(session: Session, credential: IssuedCredential, issuer: Issuer, now: datetime) -> None:
    """Give the credential a random free revocation index, then insert it."""
    revocation = _open_list(session, issuer, "revocation", now)
    for _ in range(_DRAWS):
        credential.revocation_list_id, credential.revocation_index = (
            revocation.id,
            secrets.randbelow(revocation.length),
        )
        try:
            with session.begin_nested():
                session.add(credential)
                session.flush()
            return
        except IntegrityError:
            # The savepoint rollback expunged the credential; draw again unless the clash was a retry.
            if _clashes_on_idempotency(session, credential):
                raise
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


def entry(base_url: str, credential: IssuedCredential) -> dict[str, Any]:
    """The credential's one status entry. The 1EdTech schema allows a single ``credentialStatus`` object,
    so suspension (a second entry) is not offered until OB allows a list."""
    return status_entry(
        list_url(base_url, credential.revocation_list_id), credential.revocation_index, "revocation"
    )


def set_bit(session: Session, list_id: str, index: int, value: bool, now: datetime) -> None:
    row = session.get(StatusListRow, list_id, with_for_update=True)
    assert row is not None
    bits = StatusList(row.length, row.bits)
    bits[index] = value
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
        raise NotFound(f"no status list {list_id!r}")
    if row.signed_document is not None and row.signed_version == row.version:
        return row.signed_document, row.version
    issuer = service.get_issuer(session, row.issuer_id)
    did = service.did_of(config, issuer.id)
    key = service.active_key(session, issuer, KeyType.ED25519)
    unsigned = status_list_credential(
        list_url(config.base_url, row.id),
        did,
        StatusList(row.length, row.bits),
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
