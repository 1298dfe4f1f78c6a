"""Bulk issuing for a cohort: validate the whole file first, then issue as a resumable job.

Validation reports every bad row at once (with row numbers) and creates nothing if any row is bad.
The job then issues rows in order, in chunks, each chunk one transaction that also advances ``done``: rows
1..done have their credential and no other row has one. A process killed mid-chunk loses that chunk's
uncommitted work and nothing else; on restart the job resumes at row done + 1. The job row is locked for
the chunk (`core.db.write_lock`, on SQLite too, where ``FOR UPDATE`` is a no-op), so two runners of one job
take turns and each starts where the other's committed chunk ended; ``UNIQUE(bulk_job_id, bulk_row)``
stays the last word against a duplicate.

A chunk is issued as one batch (`issuers.batches`): one status-index allocation, the provider, achievement
and signing key loaded once, every credential checked against the 1EdTech schema and signed (in
worker processes when configured), then one batched insert.
"""

from __future__ import annotations

import csv
import heapq
import io
import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, defer, sessionmaker

from core.db import new_id, transaction, write_lock
from core.i18n import gettext, ngettext
from core.problems import BadRequest, NotFound, ValidationFailed
from vc.errors import ParsingError
from vc.keys import KeyType
from vc.parsing import parse_json

from . import achievements, batches, issuing, service, signing, status
from .api_models import CredentialCreate, JobOut, Recipient
from .models import Achievement, BulkJob, IssuedCredential, Issuer, StatusListRow
from .ports import ScopeAnswer
from .staff import audit

log = logging.getLogger(__name__)

MAX_ROWS = 10_000
COLUMNS = ("email", "name", "learner_id", "result")
#: A name or a result is at most 200 characters, an address 254: a longer cell is a mistake or an attack.
MAX_CELL_CHARACTERS = 1_000
#: More header columns than this is not a cohort file (one error says so, not one per column).
MAX_COLUMNS = 16
#: Errors listed in one answer (every bad row is still counted in its detail).
MAX_REPORTED_ERRORS = 100
_NAMED_FIELDS = 5
_NONCHARACTER = re.compile("[\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
CHUNK = 200
# Spreadsheet programs run cells that start with these as formulas (CSV injection, OWASP).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def parse_rows(filename: str, content: bytes) -> list[dict[str, Any]]:
    """Rows of a CSV (header line: email, name, learner_id, result) or JSON (a list of objects).

    Bounded by the limits, not by the file: a header of more than `MAX_COLUMNS` columns is refused
    before any row is read, reading stops at row `MAX_ROWS` + 1, and a cell is at most
    `MAX_CELL_CHARACTERS` (the csv module's own limit, 128 KiB, stops a longer one)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest(gettext("the file is not UTF-8 text; save it as CSV UTF-8")) from None
    if filename.lower().endswith(".json") or text.lstrip().startswith("["):
        return _json_rows(content)
    return _csv_rows(text)


def _json_rows(content: bytes) -> list[dict[str, Any]]:
    try:  # the project's bounded parser: nesting depth, duplicate keys, no NaN
        data = parse_json(content.removeprefix(b"\xef\xbb\xbf"), max_bytes=len(content))
    except ParsingError as error:
        raise BadRequest(gettext("the JSON file is not valid: %(error)s", error=str(error))) from None
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise BadRequest(gettext("a JSON file holds a list of recipient objects"))
    if len(data) > MAX_ROWS:
        raise _too_many_rows()
    errors = [
        {"row": number, "field": field, "msg": "must be text"}
        for number, row in enumerate(data, start=1)
        for field, value in row.items()
        if value is not None and not isinstance(value, str)
    ]
    if errors:
        raise _invalid_rows(errors)
    for number, row in enumerate(data, start=1):
        _check_cells(number, row.values())
    return data


def _csv_rows(text: str) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0  # data rows read so far (blank lines are skipped, as spreadsheets write them)
    rows: list[dict[str, Any]] = []
    try:
        header = [name.strip() for name in next(reader, [])]
        _check_header(header)
        for cells in reader:
            if not cells:
                continue
            number += 1
            if number > MAX_ROWS:
                raise _too_many_rows()
            if len(cells) > len(header):
                rows.append({"__extra__": cells[len(header) :]})
                continue
            _check_cells(number, cells)
            rows.append({name: value.strip() or None for name, value in zip(header, cells, strict=False)})
    except csv.Error as error:  # the csv module's own limit on a cell (128 KiB), or a malformed line
        if "field larger than field limit" in str(error):
            _check_cells(number + 1, ["x" * (MAX_CELL_CHARACTERS + 1)])
        raise BadRequest(
            gettext(
                "the CSV file cannot be read at data row %(row)d: %(error)s", row=number + 1, error=str(error)
            )
        ) from None
    return rows


def _check_header(header: list[str]) -> None:
    known = ", ".join(COLUMNS)
    if len(header) > MAX_COLUMNS:
        raise ValidationFailed(
            gettext("the CSV header must name the columns email (required), name, learner_id, result"),
            [{"row": 0, "msg": f"the header has {len(header)} columns; the known columns are {known}"}],
        )
    unknown = [name for name in header if name not in COLUMNS]
    if "email" not in header or unknown:
        raise ValidationFailed(
            gettext("the CSV header must name the columns email (required), name, learner_id, result"),
            [{"row": 0, "msg": f"unknown column {name[:100]!r}"} for name in unknown]
            or [{"row": 0, "msg": "missing column 'email'"}],
        )


def _check_cells(number: int, cells: Iterable[Any]) -> None:
    if any(isinstance(cell, str) and len(cell) > MAX_CELL_CHARACTERS for cell in cells):
        raise _invalid_rows(
            [{"row": number, "msg": f"a cell is longer than {MAX_CELL_CHARACTERS} characters"}]
        )


def _too_many_rows() -> ValidationFailed:
    return ValidationFailed(
        gettext("a bulk file holds at most %(most)d recipients; this one has more", most=MAX_ROWS),
        [{"row": MAX_ROWS + 1, "msg": "too many rows"}],
    )


def _invalid_rows(errors: list[dict[str, Any]]) -> ValidationFailed:
    """Every bad row counted; the first `MAX_REPORTED_ERRORS` errors listed."""
    return ValidationFailed(
        ngettext(
            "%(num)d row is not valid; nothing was issued",
            "%(num)d rows are not valid; nothing was issued",
            len({e["row"] for e in errors}),
        ),
        errors[:MAX_REPORTED_ERRORS],
    )


def _unsignable_text(value: str) -> str | None:
    """Text that signing refuses wherever it appears (`vc.jsonld`: ``noncharacter``, ``not_unicode``), so
    that no job stops on one row's text half-way through its cohort."""
    found = _NONCHARACTER.search(value)
    if found:
        return f"U+{ord(found.group()):04X} is a noncharacter: it cannot be signed"
    if _SURROGATE.search(value):
        return "a lone surrogate is not Unicode text: it cannot be signed"
    return None


def _unknown_fields(extra: set[str]) -> str:
    if len(extra) <= _NAMED_FIELDS:
        return f"unknown fields: {', '.join(sorted(name[:100] for name in extra))}"
    named = ", ".join(name[:100] for name in heapq.nsmallest(_NAMED_FIELDS, extra))
    return f"{len(extra)} unknown fields, such as {named}"


def validate_rows(
    rows: list[dict[str, Any]], achievement_id: str, credential_format: str
) -> list[CredentialCreate]:
    """Every row's errors together, with 1-based data row numbers; nothing is issued if any row is bad."""
    requests, errors = check_rows(rows, achievement_id, credential_format)
    if errors:
        raise _invalid_rows(errors)
    return [request for request in requests if request is not None]


def check_rows(
    rows: list[dict[str, Any]], achievement_id: str, credential_format: str
) -> tuple[list[CredentialCreate | None], list[dict[str, Any]]]:
    """Each row's request (None where the row cannot make one) and every row's errors, with 1-based data
    row numbers; a file with no rows or too many is refused whole."""
    if len(rows) > MAX_ROWS:
        raise _too_many_rows()
    if not rows:
        raise ValidationFailed(gettext("the file has no recipients"), [{"row": 1, "msg": "no rows"}])
    requests: list[CredentialCreate | None] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        if "__extra__" in row:
            errors.append({"row": number, "msg": "more cells than columns"})
            requests.append(None)
            continue
        for field in COLUMNS:
            value = row.get(field)
            if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
                errors.append(
                    {"row": number, "field": field, "msg": "cells must not start with = + - @ (formula)"}
                )
            unsignable = _unsignable_text(value) if isinstance(value, str) else None
            if unsignable:
                errors.append({"row": number, "field": field, "msg": unsignable})
        try:
            recipient = Recipient.model_validate(
                {key: row.get(key) for key in ("email", "name", "learner_id") if row.get(key) is not None}
            )
            request = CredentialCreate(
                achievement_id=achievement_id,
                recipient=recipient,
                format=credential_format,  # type: ignore[arg-type]
                result=row.get("result"),
            )
        except ValidationError as error:
            for problem in error.errors():
                field = ".".join(str(part) for part in problem["loc"]) or "row"
                errors.append({"row": number, "field": field, "msg": problem["msg"]})
            requests.append(None)
            continue
        extra = set(row) - set(COLUMNS)
        if extra:
            errors.append({"row": number, "msg": _unknown_fields(extra)})
        if recipient.email.lower() in seen:
            errors.append({"row": number, "msg": f"same email as row {seen[recipient.email.lower()]}"})
        seen.setdefault(recipient.email.lower(), number)
        requests.append(request)
    return requests, errors


def create_job(
    session: Session,
    config: service.IssuerConfig,
    issuer: Issuer,
    achievement_id: str,
    credential_format: str,
    filename: str,
    content: bytes,
    now: datetime,
) -> BulkJob:
    achievement = achievements.issuable(session, issuer.id, achievement_id)  # 404, 409 before the file
    requests = validate_rows(parse_rows(filename, content), achievement_id, credential_format)
    _check_signable(session, config, issuer, achievement, requests[0], now)
    job = BulkJob(
        id=new_id(),
        issuer_id=issuer.id,
        achievement_id=achievement_id,
        achievement_version=achievement.version,
        format=credential_format,
        state="pending",
        total=len(requests),
        done=0,
        rows=[request.recipient.model_dump(mode="json") | {"result": request.result} for request in requests],
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    session.flush()
    audit.record(
        session,
        "credentials.bulk_issue",
        "job",
        job.id,
        now,
        provider_id=issuer.id,
        after={"achievement_id": achievement_id, "format": credential_format, "total": job.total},
    )
    return job


@dataclass(frozen=True)
class CohortPreview:
    """A cohort file checked as an upload checks it, every row with its problems: nothing is issued."""

    achievement: Achievement
    rows: list[dict[str, Any]]  # {"row", "email", "name", "learner_id", "result", "problems": [...]}
    invalid: int
    #: Problems every credential of the cohort would share (the achievement, the provider).
    cohort_problems: list[str]
    scope: ScopeAnswer


def preview(
    session: Session,
    config: service.IssuerConfig,
    issuer: Issuer,
    achievement_id: str,
    credential_format: str,
    filename: str,
    content: bytes,
    now: datetime,
) -> CohortPreview:
    """Every row of the file with its problems (all of them, not the first hundred), what the cohort's
    credentials would share, and whether they would be inside the provider's accreditation scope. A file
    that cannot be read as a cohort at all (not UTF-8, bad header, too many rows) is refused as on upload."""
    achievement = achievements.issuable(session, issuer.id, achievement_id)
    rows = parse_rows(filename, content)
    requests, errors = check_rows(rows, achievement_id, credential_format)
    problems: dict[int, list[str]] = {}
    for error in errors:
        field = f"{error['field']}: " if error.get("field") else ""
        problems.setdefault(error["row"], []).append(f"{field}{error['msg']}")
    cohort_problems: list[str] = []
    first = next((request for request in requests if request is not None), None)
    if first is not None:
        try:
            _check_signable(session, config, issuer, achievement, first, now)
        except ValidationFailed as refusal:
            cohort_problems = [str(e["msg"]) for e in refusal.extensions["errors"]]
    shown = []
    for number, row in enumerate(rows, start=1):
        cells = {} if "__extra__" in row else row
        shown.append(
            {
                "row": number,
                **{column: _text(cells.get(column)) for column in COLUMNS},
                "problems": problems.get(number, []),
            }
        )
    return CohortPreview(
        achievement,
        shown,
        len(problems),
        cohort_problems,
        issuing.scope_of(session, config, issuer, achievement, now),
    )


def _text(value: Any) -> str | None:
    return value[:MAX_CELL_CHARACTERS] if isinstance(value, str) else None


def _check_signable(
    session: Session,
    config: service.IssuerConfig,
    issuer: Issuer,
    achievement: Achievement,
    request: CredentialCreate,
    now: datetime,
) -> None:
    """The first row's credential, built as the job will build it and checked as the job will check it
    (unsigned): what every credential of the cohort shares (the provider, the achievement) is refused
    now, with a 422, rather than by a failed job. What only one row holds is checked by `validate_rows`."""
    did = service.did_of(config, issuer.id)
    key = service.active_key(session, issuer, KeyType.ED25519 if request.format == "ldp" else KeyType.RSA)
    purpose, size = status.list_kind(issuer)
    placeholder = StatusListRow(id=new_id(), purpose=purpose, status_size=size)  # never stored
    credential = issuing.build_credential(
        config,
        issuing.credential_parts(config, issuer, did, achievement, session),
        issuing.credential_row(issuer, achievement, key, request, now),
        request,
        now,
        status.entry(config.base_url, placeholder, 0),
    )
    problems = signing.credential_problems(credential) or signing.signing_refusal(credential)
    if problems:
        raise ValidationFailed(
            gettext("the credentials of this cohort could not be signed; nothing was issued"),
            [{"row": 1, "msg": problem} for problem in problems[:MAX_REPORTED_ERRORS]],
        )


def get_job(session: Session, issuer: Issuer, job_id: str) -> BulkJob:
    job = session.scalar(select(BulkJob).where(BulkJob.id == job_id, BulkJob.issuer_id == issuer.id))
    if job is None:
        raise NotFound(gettext("no bulk job %(id)r", id=job_id))
    return job


def job_out(job: BulkJob) -> JobOut:
    """The job as the API shows it (without its rows)."""
    return JobOut(
        id=job.id,
        state=job.state,  # type: ignore[arg-type]
        done=job.done,
        total=job.total,
        achievement_id=job.achievement_id,
        format=job.format,
        error=job.error,
        created_at=job.created_at,
        updated_at=job.updated_at,
    )


def run_job(
    sessions: sessionmaker[Session],
    config: service.IssuerConfig,
    job_id: str,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    stop_after_chunks: int | None = None,
    signer: signing.BulkSigner | None = None,
) -> None:
    """Issue the job's remaining rows, one committed chunk at a time (resumable)."""
    signer = signer or signing.BulkSigner()
    rows: list[dict[str, Any]] | None = None  # read once: they never change
    chunks = 0
    while True:
        with transaction(sessions) as session:
            # Another runner (a second worker process) may be on this job: take turns, chunk by chunk.
            write_lock(session, BulkJob, BulkJob.id == job_id, BulkJob.done)
            job = session.get(BulkJob, job_id, populate_existing=True, options=[defer(BulkJob.rows)])
            if job is None or job.state in ("done", "failed"):
                return
            now = clock()
            job.state, job.updated_at = "running", now
            numbers = range(job.done + 1, min(job.total, job.done + CHUNK) + 1)
            if not numbers:
                job.state = "done"
                return
            if rows is None:
                rows = job.rows
            issuer = service.get_issuer(session, job.issuer_id)
            _issue_chunk(session, config, signer, issuer, job, [(n, rows[n - 1]) for n in numbers], now)
            job.done = numbers[-1]
        chunks += 1
        if stop_after_chunks is not None and chunks >= stop_after_chunks:
            return


def _issue_chunk(
    session: Session,
    config: service.IssuerConfig,
    signer: signing.BulkSigner,
    issuer: Issuer,
    job: BulkJob,
    batch: list[tuple[int, dict[str, Any]]],
    now: datetime,
) -> None:
    # The version the cohort was accepted with, whatever edits came since (`issuers.achievements`).
    achievement = achievements.at_version(
        session, service.get_achievement(session, issuer, job.achievement_id), job.achievement_version
    )
    requests = [
        (
            number,
            CredentialCreate(
                achievement_id=job.achievement_id,
                recipient=Recipient.model_validate(
                    {k: v for k, v in data.items() if k != "result" and v is not None}
                ),
                format=job.format,  # type: ignore[arg-type]
                result=data.get("result"),
            ),
        )
        for number, data in batch
    ]

    def tag(number: int, row: IssuedCredential) -> None:
        row.bulk_job_id, row.bulk_row = job.id, number

    batches.issue_batch(
        session,
        config,
        signer,
        issuer,
        achievement,
        requests,
        now,
        issued_through={"bulk_job_id": job.id},
        tag=tag,
    )


def unfinished_jobs(sessions: sessionmaker[Session]) -> list[str]:
    with transaction(sessions) as session:
        return list(session.scalars(select(BulkJob.id).where(BulkJob.state.in_(("pending", "running")))))


class JobWorker:
    """One background thread per process that runs pending jobs, and on start resumes unfinished ones."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        config: service.IssuerConfig,
        interval: float = 0.5,
        signing_processes: int = 1,
    ) -> None:
        self._sessions, self._config, self._interval = sessions, config, interval
        self._signer = signing.BulkSigner(signing_processes)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bulk-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)
        self._signer.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                for job_id in unfinished_jobs(self._sessions):
                    if self._stop.is_set():
                        return
                    self._run(job_id)
            except Exception:
                log.exception("bulk job worker error")
            self._wake.wait(self._interval)
            self._wake.clear()

    def _run(self, job_id: str) -> None:
        try:
            run_job(self._sessions, self._config, job_id, signer=self._signer)
        except Exception as error:
            log.exception("bulk job %s failed", job_id)
            with transaction(self._sessions) as session:
                job = session.get(BulkJob, job_id)
                if job is not None:
                    job.state, job.error = "failed", f"{type(error).__name__}: {error}"[:1000]
