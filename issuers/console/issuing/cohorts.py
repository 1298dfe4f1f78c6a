"""Cohort files uploaded in the console: kept between their preview and their confirmation, previewed
page by page (rows with problems first), confirmed once into a bulk job (`issuers.bulk`), and the job's
results read back row by row (also as CSV).

The preview is `bulk.preview`, the same check an upload through the API gets: nothing is issued while
any row is bad, because `bulk.create_job` refuses such a file whole. Confirming twice (a double click, a
second tab) finds the job the first confirmation made: the upload row is locked while confirming."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db import new_id, write_lock
from core.i18n import gettext
from core.problems import BadRequest, NotFound, PayloadTooLarge, ValidationFailed
from issuers import achievements, bulk, issuing, service
from issuers.models import BulkJob, IssuedCredential, Issuer

from .models import CohortUpload

#: Below the site's request limit (2 MiB), so the form can say so itself: ~20,000 typical rows.
MAX_UPLOAD_BYTES = 1_500_000
FILE_TYPES = (".csv", ".json")
#: Rows on one page of the preview.
PREVIEW_PAGE = 100
#: Uploads never confirmed are dropped after this long (they hold people's addresses).
KEEP_UNCONFIRMED = timedelta(days=1)
TEMPLATE_CSV = "email,name,learner_id,result\nada.lovelace@example.org,Ada Lovelace,L0001,Pass\n"
RESULT_COLUMNS = (
    "row",
    "credential_id",
    "verification_url",
    "email",
    "name",
    "learner_id",
    "status",
    "claimed",
)


def check_file(filename: str, content: bytes) -> None:
    """A CSV or JSON cohort file no larger than the limit (415 or 413 otherwise)."""
    if not filename.lower().endswith(FILE_TYPES):
        raise UnsupportedFile(
            gettext("Choose a CSV file (.csv), such as the template. This file is not one.")
        )
    if len(content) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(
            gettext(
                "The file is larger than %(num)d bytes. Split the cohort into smaller files.",
                num=MAX_UPLOAD_BYTES,
            )
        )
    if not content.strip():
        raise BadRequest(gettext("The file is empty."))


class UnsupportedFile(BadRequest):
    status, slug = 415, "unsupported-file-type"


def stage(
    session: Session,
    issuer: Issuer,
    achievement_id: str,
    credential_format: str,
    filename: str,
    content: bytes,
    now: datetime,
) -> CohortUpload:
    """Keep a file to preview; a file that cannot be read as a cohort at all (not UTF-8, a wrong header,
    no rows, too many) is refused now, as `bulk.preview` would refuse it, so the preview always has rows
    to show. The rows themselves are checked once, by the preview."""
    check_file(filename, content)
    achievements.issuable(session, issuer.id, achievement_id)
    if not bulk.parse_rows(filename, content):
        raise ValidationFailed(gettext("the file has no recipients"), [{"row": 1, "msg": "no rows"}])
    session.execute(
        delete(CohortUpload).where(
            CohortUpload.issuer_id == issuer.id,
            CohortUpload.bulk_job_id.is_(None),
            CohortUpload.created_at < now - KEEP_UNCONFIRMED,
        )
    )
    upload = CohortUpload(
        id=new_id(),
        issuer_id=issuer.id,
        achievement_id=achievement_id,
        format=credential_format,
        filename=filename[-200:],
        content=content,
        created_at=now,
    )
    session.add(upload)
    session.flush()
    return upload


def get_upload(session: Session, issuer: Issuer, upload_id: str) -> CohortUpload:
    upload = session.scalar(
        select(CohortUpload).where(CohortUpload.id == upload_id, CohortUpload.issuer_id == issuer.id)
    )
    if upload is None:
        raise NotFound(gettext("There is no such upload. It may have expired: upload the file again."))
    return upload


@dataclass(frozen=True)
class PreviewPage:
    preview: bulk.CohortPreview
    rows: list[dict[str, Any]]
    page: int
    pages: int
    #: Cohort-wide problems or bad rows: nothing can be issued.
    blocked: bool
    approved: bool


def preview_page(
    session: Session,
    config: service.IssuerConfig,
    issuer: Issuer,
    upload: CohortUpload,
    page: int,
    now: datetime,
) -> PreviewPage:
    """One page of the checked file: rows with problems first (in file order), then the good rows."""
    checked = bulk.preview(
        session, config, issuer, upload.achievement_id, upload.format, upload.filename, upload.content, now
    )
    ordered = [row for row in checked.rows if row["problems"]] + [
        row for row in checked.rows if not row["problems"]
    ]
    pages = max(1, -(-len(ordered) // PREVIEW_PAGE))
    page = max(1, min(page, pages))
    shown = ordered[(page - 1) * PREVIEW_PAGE : page * PREVIEW_PAGE]
    blocked = bool(checked.invalid or checked.cohort_problems)
    return PreviewPage(checked, shown, page, pages, blocked, approved(session, config, upload.achievement_id))


def approved(session: Session, config: service.IssuerConfig, achievement_id: str) -> bool:
    """Whether the network approved the achievement under its scheme (its credentials carry the
    approval's endorsement)."""
    return bool(config.endorsements.endorsements(session, achievement_id))


def confirm(
    session: Session, config: service.IssuerConfig, issuer: Issuer, upload_id: str, now: datetime
) -> BulkJob:
    """The upload's job: made now (`bulk.create_job` checks the file again, whole), or the one an earlier
    confirmation made. The kept file is then emptied: the job holds its rows."""
    write_lock(session, CohortUpload, CohortUpload.id == upload_id, CohortUpload.bulk_job_id)
    upload = get_upload(session, issuer, upload_id)
    session.refresh(upload)
    if upload.bulk_job_id is not None:
        return bulk.get_job(session, issuer, upload.bulk_job_id)
    job = bulk.create_job(
        session, config, issuer, upload.achievement_id, upload.format, upload.filename, upload.content, now
    )
    upload.bulk_job_id, upload.content = job.id, b""
    session.flush()
    return job


def achievement_name(session: Session, issuer: Issuer, achievement_id: str) -> str:
    return str(service.get_achievement(session, issuer, achievement_id).definition.get("name", ""))


def issuable_achievements(session: Session, issuer: Issuer) -> list[tuple[str, str]]:
    """(id, name) of the achievements credentials may be issued with now (not archived)."""
    return [
        (a.id, str(a.definition.get("name", "")))
        for a in service.list_achievements(session, issuer)
        if a.archived_at is None
    ]


# --- results ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    row: int
    credential_id: str
    email: str
    name: str | None
    learner_id: str | None
    status: str  # valid | suspended | revoked
    claimed_at: datetime | None


def results(
    session: Session, issuer: Issuer, job: BulkJob, *, after_row: int = 0, limit: int | None = None
) -> list[ResultRow]:
    """The credentials the job issued so far, in the file's row order, with whether each was claimed
    (reached the learner's passport)."""
    assert job.issuer_id == issuer.id
    query = (
        select(
            IssuedCredential.bulk_row,
            IssuedCredential.id,
            IssuedCredential.recipient_email,
            IssuedCredential.recipient_name,
            IssuedCredential.learner_id,
            IssuedCredential.revoked_at,
            IssuedCredential.suspended_at,
            IssuedCredential.claimed_at,
        )
        .where(
            IssuedCredential.issuer_id == issuer.id,
            IssuedCredential.bulk_job_id == job.id,
            IssuedCredential.bulk_row > after_row,
        )
        .order_by(IssuedCredential.bulk_row)
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        ResultRow(
            row=r.bulk_row,
            credential_id=r.id,
            email=r.recipient_email,
            name=r.recipient_name,
            learner_id=r.learner_id,
            status="revoked" if r.revoked_at else "suspended" if r.suspended_at else "valid",
            claimed_at=r.claimed_at,
        )
        for r in session.execute(query)
    ]


def _cell(value: str | None) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection, OWASP)."""
    text = value or ""
    return f"'{text}" if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def results_csv(config: service.IssuerConfig, session: Session, issuer: Issuer, job: BulkJob) -> str:
    """The job's results as CSV (header first), read in pages of 1,000 rows."""
    return "".join(_result_lines(config, session, issuer, job))


def _result_lines(
    config: service.IssuerConfig, session: Session, issuer: Issuer, job: BulkJob
) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: tuple[Any, ...] | list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    yield line(list(RESULT_COLUMNS))
    after = 0
    while True:
        page = results(session, issuer, job, after_row=after, limit=1000)
        if not page:
            return
        for r in page:
            yield line(
                [
                    r.row,
                    r.credential_id,
                    issuing.credential_url(config.base_url, r.credential_id),
                    _cell(r.email),
                    _cell(r.name),
                    _cell(r.learner_id),
                    r.status,
                    r.claimed_at.isoformat() if r.claimed_at else "",
                ]
            )
        after = page[-1].row
