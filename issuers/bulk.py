"""Bulk issuing for a cohort: validate the whole file first, then issue as a resumable job.

Validation reports every bad row at once (with row numbers) and creates nothing if any row is bad.
The job then issues rows in order, in chunks, each chunk one transaction that also advances ``done``: rows
1..done have their credential and no other row has one. A process killed mid-chunk loses that chunk's
uncommitted work and nothing else; on restart the job resumes at row done + 1. The job row is locked for
the chunk, and ``UNIQUE(bulk_job_id, bulk_row)`` makes a duplicate impossible even if two workers raced.

A chunk is issued as a batch: one status-index allocation, the provider, achievement and signing key
loaded once, every credential checked against the 1EdTech schema and signed (`signing.BulkSigner`, in
worker processes when configured), then one batched insert.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, defer, sessionmaker

from core.db import new_id, transaction
from core.i18n import gettext, ngettext
from core.problems import BadRequest, NotFound, ValidationFailed
from vc.keys import KeyType

from . import identity, issuing, service, signing, status
from .api_models import CredentialCreate, Recipient
from .models import BulkJob, IssuedCredential, Issuer

log = logging.getLogger(__name__)

MAX_ROWS = 10_000
COLUMNS = ("email", "name", "learner_id", "result")
CHUNK = 200
# Spreadsheet programs run cells that start with these as formulas (CSV injection, OWASP).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def parse_rows(filename: str, content: bytes) -> list[dict[str, Any]]:
    """Rows of a CSV (header line: email, name, learner_id, result) or JSON (a list of objects)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest(gettext("the file is not UTF-8 text; save it as CSV UTF-8")) from None
    if filename.lower().endswith(".json") or text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise BadRequest(
                gettext(
                    "the JSON file is not valid: %(error)s at line %(line)d",
                    error=error.msg,
                    line=error.lineno,
                )
            ) from None
        if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
            raise BadRequest(gettext("a JSON file holds a list of recipient objects"))
        return [{key: value for key, value in row.items()} for row in data]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    unknown = [name for name in header if name not in COLUMNS]
    if "email" not in header or unknown:
        raise ValidationFailed(
            gettext("the CSV header must name the columns email (required), name, learner_id, result"),
            [{"row": 0, "msg": f"unknown column {name!r}"} for name in unknown]
            or [{"row": 0, "msg": "missing column 'email'"}],
        )
    rows: list[dict[str, Any]] = []
    for row in reader:
        if None in row:
            rows.append({"__extra__": row[None]})
            continue
        rows.append({key.strip(): (value or "").strip() or None for key, value in row.items()})
    return rows


def validate_rows(
    rows: list[dict[str, Any]], achievement_id: str, credential_format: str
) -> list[CredentialCreate]:
    """Every row's errors together, with 1-based data row numbers; nothing is issued if any row is bad."""
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(
            gettext(
                "a bulk file holds at most %(most)d recipients; this one has %(rows)d",
                most=MAX_ROWS,
                rows=len(rows),
            ),
            [{"row": MAX_ROWS + 1, "msg": "too many rows"}],
        )
    if not rows:
        raise ValidationFailed(gettext("the file has no recipients"), [{"row": 1, "msg": "no rows"}])
    requests: list[CredentialCreate] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        if "__extra__" in row:
            errors.append({"row": number, "msg": "more cells than columns"})
            continue
        for field, value in row.items():
            if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
                errors.append(
                    {"row": number, "field": field, "msg": "cells must not start with = + - @ (formula)"}
                )
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
            continue
        extra = set(row) - set(COLUMNS)
        if extra:
            errors.append({"row": number, "msg": f"unknown fields: {', '.join(sorted(extra))}"})
        if recipient.email.lower() in seen:
            errors.append({"row": number, "msg": f"same email as row {seen[recipient.email.lower()]}"})
        seen.setdefault(recipient.email.lower(), number)
        requests.append(request)
    if errors:
        invalid = len({e["row"] for e in errors})
        raise ValidationFailed(
            ngettext(
                "%(num)d row is not valid; nothing was issued",
                "%(num)d rows are not valid; nothing was issued",
                invalid,
            ),
            errors,
        )
    return requests


def create_job(
    session: Session,
    issuer: Issuer,
    achievement_id: str,
    credential_format: str,
    filename: str,
    content: bytes,
    now: datetime,
) -> BulkJob:
    service.get_achievement(session, issuer, achievement_id)  # 404 before reading the file
    requests = validate_rows(parse_rows(filename, content), achievement_id, credential_format)
    job = BulkJob(
        id=new_id(),
        issuer_id=issuer.id,
        achievement_id=achievement_id,
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
    return job


def get_job(session: Session, issuer: Issuer, job_id: str) -> BulkJob:
    job = session.scalar(select(BulkJob).where(BulkJob.id == job_id, BulkJob.issuer_id == issuer.id))
    if job is None:
        raise NotFound(gettext("no bulk job %(id)r", id=job_id))
    return job


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
            job = session.get(BulkJob, job_id, with_for_update=True, options=[defer(BulkJob.rows)])
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
    achievement = service.get_achievement(session, issuer, job.achievement_id)
    did = service.did_of(config, issuer.id)
    key_row = service.active_key(session, issuer, KeyType.ED25519 if job.format == "ldp" else KeyType.RSA)
    key = signing.SigningKey(
        key_row.id, service.private_key(config, key_row), identity.verification_method_id(did, key_row)
    )
    parts = issuing.credential_parts(config, issuer, did, achievement)
    status_list, indexes = status.allocate(session, issuer, len(batch), now)
    credentials: list[IssuedCredential] = []

    def unsigned() -> Iterator[dict[str, Any]]:
        """Built lazily: the signing workers start on the first credentials while the rest are built."""
        for (number, data), index in zip(batch, indexes, strict=True):
            request = CredentialCreate(
                achievement_id=job.achievement_id,
                recipient=Recipient.model_validate(
                    {k: v for k, v in data.items() if k != "result" and v is not None}
                ),
                format=job.format,  # type: ignore[arg-type]
                result=data.get("result"),
            )
            row = issuing.credential_row(issuer, achievement, key_row, request, now)
            row.revocation_list_id, row.revocation_index = status_list.id, index
            row.bulk_job_id, row.bulk_row = job.id, number
            credentials.append(row)
            entry = status.entry(config.base_url, status_list, index)
            yield issuing.build_credential(config, parts, row, request, now, entry)

    outcomes = signer.check_and_sign_all(unsigned(), key, now, job.format)
    for row, outcome in zip(credentials, outcomes, strict=True):
        row.document = issuing.raise_if_not_conformant(outcome)
    session.add_all(credentials)
    session.flush()
    for row in credentials:
        issuing.announce(session, config, issuer, achievement, row)


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
