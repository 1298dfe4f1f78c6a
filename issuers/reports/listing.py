"""A provider's credentials and bulk jobs, found and paged: what the console's lists and search ask.

Pages are keyset ("cursor") pages in one stable order, newest first: ``issued_at`` descending, then ``id``
descending as the tie-break. The cursor is the last row's ``(issued_at, id)``, so a page never repeats
or skips a row when credentials are issued meanwhile, and each page costs one index range scan
(``ix_issued_credential_issuer_issued``) however deep it is. Every query is scoped by ``issuer_id``.

Search uses what the provider's own row keeps in the clear (the credential itself holds only a salted
hash of the address): the address matched whole, case-insensitively (the ``lower(recipient_email)``
index); the name as a case-insensitive part; the learner id whole.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Row, Select, and_, func, or_, select
from sqlalchemy.orm import Session, defer

from core.i18n import gettext
from core.problems import BadRequest
from issuers.models import Achievement, BulkJob, IssuedCredential, Issuer

Status = Literal["valid", "suspended", "revoked"]
MAX_PAGE = 200


@dataclass(frozen=True)
class CredentialFilter:
    email: str | None = None
    name: str | None = None
    learner_id: str | None = None
    achievement_id: str | None = None
    issued_from: datetime | None = None
    issued_until: datetime | None = None
    status: Status | None = None
    bulk_job_id: str | None = None


@dataclass(frozen=True)
class CredentialSummary:
    """One credential as the list shows it (never its document)."""

    id: str
    achievement_id: str
    achievement_name: str
    achievement_version: int
    recipient_email: str
    recipient_name: str | None
    learner_id: str | None
    format: str
    status: Status
    issued_at: datetime
    revoked_at: datetime | None
    suspended_at: datetime | None
    bulk_job_id: str | None
    bulk_row: int | None


@dataclass(frozen=True)
class Page:
    items: list[CredentialSummary]
    next_cursor: str | None


def encode_cursor(moment: datetime, row_id: str) -> str:
    raw = json.dumps([moment.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The position a cursor names (a moment and an id); anything this service did not make is a 400."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, credential_id = json.loads(raw)
        issued_at = datetime.fromisoformat(moment)
        if issued_at.tzinfo is None or not isinstance(credential_id, str) or len(credential_id) > 32:
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadRequest(gettext("the cursor is not one this service gave")) from None
    return issued_at, credential_id


_COLUMNS = (
    IssuedCredential.id,
    IssuedCredential.achievement_id,
    IssuedCredential.achievement_version,
    IssuedCredential.recipient_email,
    IssuedCredential.recipient_name,
    IssuedCredential.learner_id,
    IssuedCredential.format,
    IssuedCredential.issued_at,
    IssuedCredential.revoked_at,
    IssuedCredential.suspended_at,
    IssuedCredential.bulk_job_id,
    IssuedCredential.bulk_row,
)


def _filtered(issuer: Issuer, where: CredentialFilter) -> Select[*tuple[Any, ...]]:
    query: Select[*tuple[Any, ...]] = select(*_COLUMNS).where(IssuedCredential.issuer_id == issuer.id)
    if where.email is not None:
        query = query.where(func.lower(IssuedCredential.recipient_email) == where.email.strip().lower())
    if where.name is not None:
        pattern = where.name.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(IssuedCredential.recipient_name).like(f"%{pattern}%", escape="\\"))
    if where.learner_id is not None:
        query = query.where(IssuedCredential.learner_id == where.learner_id.strip())
    if where.achievement_id is not None:
        query = query.where(IssuedCredential.achievement_id == where.achievement_id)
    if where.bulk_job_id is not None:
        query = query.where(IssuedCredential.bulk_job_id == where.bulk_job_id)
    if where.issued_from is not None:
        query = query.where(IssuedCredential.issued_at >= where.issued_from)
    if where.issued_until is not None:
        query = query.where(IssuedCredential.issued_at < where.issued_until)
    if where.status == "revoked":
        query = query.where(IssuedCredential.revoked_at.is_not(None))
    elif where.status == "suspended":
        query = query.where(IssuedCredential.revoked_at.is_(None), IssuedCredential.suspended_at.is_not(None))
    elif where.status == "valid":
        query = query.where(IssuedCredential.revoked_at.is_(None), IssuedCredential.suspended_at.is_(None))
    return query


def _state(revoked_at: datetime | None, suspended_at: datetime | None) -> Status:
    # The same rule as `issuers.lifecycle.state_of`: revoked is final, then suspended.
    if revoked_at is not None:
        return "revoked"
    return "suspended" if suspended_at is not None else "valid"


def list_credentials(
    session: Session, issuer: Issuer, where: CredentialFilter, *, limit: int = 50, cursor: str | None = None
) -> Page:
    """One page of the provider's credentials matching `where`, newest first, and the next page's cursor
    (None on the last page)."""
    limit = max(1, min(limit, MAX_PAGE))
    query = _filtered(issuer, where)
    if cursor is not None:
        issued_at, last_id = decode_cursor(cursor)
        query = query.where(
            or_(
                IssuedCredential.issued_at < issued_at,
                and_(IssuedCredential.issued_at == issued_at, IssuedCredential.id < last_id),
            )
        )
    rows = session.execute(
        query.order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id.desc()).limit(limit + 1)
    ).all()
    more, rows = len(rows) > limit, rows[:limit]
    items = _summaries(session, issuer, rows)
    next_cursor = encode_cursor(items[-1].issued_at, items[-1].id) if more and items else None
    return Page(items, next_cursor)


def _summaries(session: Session, issuer: Issuer, rows: Sequence[Row[Any]]) -> list[CredentialSummary]:
    names = _achievement_names(session, issuer, {row.achievement_id for row in rows})
    return [
        CredentialSummary(
            id=row.id,
            achievement_id=row.achievement_id,
            achievement_name=names.get(row.achievement_id, ""),
            achievement_version=row.achievement_version,
            recipient_email=row.recipient_email,
            recipient_name=row.recipient_name,
            learner_id=row.learner_id,
            format=row.format,
            status=_state(row.revoked_at, row.suspended_at),
            issued_at=row.issued_at,
            revoked_at=row.revoked_at,
            suspended_at=row.suspended_at,
            bulk_job_id=row.bulk_job_id,
            bulk_row=row.bulk_row,
        )
        for row in rows
    ]


def _achievement_names(session: Session, issuer: Issuer, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(Achievement.id, Achievement.definition).where(
            Achievement.issuer_id == issuer.id, Achievement.id.in_(ids)
        )
    )
    return {row.id: str(row.definition.get("name", "")) for row in rows}


def list_jobs(session: Session, issuer: Issuer, *, limit: int = 50, cursor: str | None = None) -> JobPage:
    """The provider's bulk jobs, newest first (without their rows), in keyset pages like the credentials."""
    limit = max(1, min(limit, MAX_PAGE))
    query = select(BulkJob).where(BulkJob.issuer_id == issuer.id).options(defer(BulkJob.rows))
    if cursor is not None:
        created_at, last_id = decode_cursor(cursor)
        query = query.where(
            or_(
                BulkJob.created_at < created_at,
                and_(BulkJob.created_at == created_at, BulkJob.id < last_id),
            )
        )
    jobs = list(
        session.scalars(query.order_by(BulkJob.created_at.desc(), BulkJob.id.desc()).limit(limit + 1))
    )
    more, jobs = len(jobs) > limit, jobs[:limit]
    return JobPage(jobs, encode_cursor(jobs[-1].created_at, jobs[-1].id) if more and jobs else None)


@dataclass(frozen=True)
class JobPage:
    items: list[BulkJob]
    next_cursor: str | None


@dataclass(frozen=True)
class JobRowPage:
    items: list[CredentialSummary]
    #: The last row number on this page: pass it as ``after_row`` for the next (None on the last page).
    next_after_row: int | None


def job_credentials(
    session: Session, issuer: Issuer, job: BulkJob, *, after_row: int = 0, limit: int = 100
) -> JobRowPage:
    """The credentials a bulk job issued so far, in the cohort file's row order, with their ids."""
    assert job.issuer_id == issuer.id
    limit = max(1, min(limit, MAX_PAGE))
    query = (
        _filtered(issuer, CredentialFilter(bulk_job_id=job.id))
        .where(IssuedCredential.bulk_row > after_row)
        .order_by(IssuedCredential.bulk_row)
        .limit(limit + 1)
    )
    rows = session.execute(query).all()
    more, rows = len(rows) > limit, rows[:limit]
    items = _summaries(session, issuer, rows)
    return JobRowPage(items, items[-1].bulk_row if more and items else None)
