"""The claim worker: issues the credentials of confirmed claims, in batches, outside the attendees' requests.

A confirmation only records the claim (`codes.confirm`); this worker, one thread in each process, takes
the oldest confirmed claims without a credential (``ix_code_claim_unissued``), up to `BATCH` of one code,
and issues them as one batch (`issuers.batches`: one status allocation, the key loaded once, one insert),
each to its claim's address, so each lands in the passport that holds the address (or its owner is
emailed a link to keep it), exactly as a credential issued through the API.

Each claim is issued **exactly once**, across restarts and processes: its ``credential_id`` is set by a
compare-and-set (``WHERE credential_id IS NULL``) in the transaction that stores its credential, so a
batch that lost a claim to another worker rolls back whole, and a process killed mid-batch leaves its
claims to the next run. To lose no time to each other, workers take their claims with ``FOR UPDATE SKIP
LOCKED`` on PostgreSQL (another worker's batch is skipped, not waited for); on SQLite, which has one
writer, a no-op write takes the database's lock before the claims are read again.

A batch that fails (a provider with no signing key, say) is logged and recorded on its code for the
console (``issuing_error``), and that code is left aside while the others go on, for 5 seconds after
the first failure, doubling to `MAX_RETRY_AFTER`; its claims stay confirmed and are issued once it works
(which clears the error). A batch that lost a claim to another worker is not a failure: it is simply
taken again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction, write_lock
from issuers import batches, service, signing
from issuers.api_models import CredentialCreate

from .models import UNISSUED, ClaimCode, CodeClaim

log = logging.getLogger(__name__)

BATCH = 200
FIRST_RETRY_AFTER = timedelta(seconds=5)
MAX_RETRY_AFTER = timedelta(minutes=10)


class ClaimIssuedElsewhere(RuntimeError):
    """Another worker issued a claim of this batch first: the batch rolls back (its credentials too)."""


class BatchFailed(RuntimeError):
    """A code's batch failed (the cause is chained): nothing of it was stored."""

    def __init__(self, code_id: str) -> None:
        super().__init__(f"the claims of code {code_id} could not be issued")
        self.code_id = code_id

    @property
    def reason(self) -> str:
        """What went wrong, for the console (the engine hides SQL parameters: no address in it)."""
        return f"{type(self.__cause__).__name__}: {self.__cause__}"[:500]


def issue_claimed(
    sessions: sessionmaker[Session],
    config: service.IssuerConfig,
    signer: signing.BulkSigner,
    now: datetime,
    *,
    leave_aside: Collection[str] = (),
) -> tuple[str, int] | None:
    """Issue one batch: the oldest confirmed claims without a credential, of one code (not one of
    `leave_aside`). Returns the code's id and how many were issued, or None when none is waiting."""
    with transaction(sessions) as session:
        unissued = select(CodeClaim).where(UNISSUED)
        if leave_aside:
            unissued = unissued.where(CodeClaim.claim_code_id.not_in(leave_aside))
        # SKIP LOCKED here too: the oldest claim not in another worker's batch, so a second worker finds
        # the next batch of that code, or another code's, rather than waiting.
        oldest = session.scalar(
            unissued.order_by(CodeClaim.claimed_at, CodeClaim.id).limit(1).with_for_update(skip_locked=True)
        )
        if oldest is None:
            return None
        code_id = oldest.claim_code_id
        ids = list(
            session.scalars(
                select(CodeClaim.id)
                .where(UNISSUED, CodeClaim.claim_code_id == code_id)
                .order_by(CodeClaim.claimed_at, CodeClaim.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        )
        if ids:  # SQLite: the write lock, then the claims as the last writer left them
            write_lock(session, CodeClaim, CodeClaim.id.in_(ids) & UNISSUED, CodeClaim.credential_id)
        claims = list(
            session.scalars(
                select(CodeClaim)
                .where(CodeClaim.id.in_(ids), UNISSUED)
                .order_by(CodeClaim.claimed_at, CodeClaim.id)
                .execution_options(populate_existing=True)
            )
        )
        if not claims:  # another worker has them
            return code_id, 0
        code = session.get_one(ClaimCode, code_id)
        try:
            _issue(session, config, signer, code, claims, now)
        except ClaimIssuedElsewhere:
            raise
        except Exception as error:  # rolled back by the transaction on the way out
            raise BatchFailed(code_id) from error
        if code.issuing_error is not None:
            code.issuing_error = code.issuing_failed_at = None
        return code_id, len(claims)


def record_failure(sessions: sessionmaker[Session], failed: BatchFailed, now: datetime) -> None:
    """The failed batch on its code, for the console (`issuing_error`)."""
    with transaction(sessions) as session:
        session.execute(
            update(ClaimCode)
            .where(ClaimCode.id == failed.code_id)
            .values(issuing_error=failed.reason, issuing_failed_at=now)
        )


def _issue(
    session: Session,
    config: service.IssuerConfig,
    signer: signing.BulkSigner,
    code: ClaimCode,
    claims: list[CodeClaim],
    now: datetime,
) -> None:
    issuer = service.get_issuer(session, code.provider_id)
    # The achievement as it is now: the claim was accepted while it could be issued (`codes.confirm`).
    achievement = service.get_achievement(session, issuer, code.achievement_id)
    requests = [
        (
            number,
            CredentialCreate.model_validate(
                {"achievement_id": code.achievement_id, "recipient": {"email": claim.email}}
            ),
        )
        for number, claim in enumerate(claims, start=1)
    ]
    credentials = batches.issue_batch(
        session, config, signer, issuer, achievement, requests, now, issued_through={"claim_code_id": code.id}
    )
    for claim, credential in zip(claims, credentials, strict=True):
        issued = session.execute(
            update(CodeClaim)
            .where(CodeClaim.id == claim.id, CodeClaim.credential_id.is_(None))
            .values(credential_id=credential.id)
            .execution_options(synchronize_session=False)
        )
        if issued.rowcount != 1:  # type: ignore[attr-defined]
            raise ClaimIssuedElsewhere(claim.id)


class ClaimWorker:
    """One background thread per process that issues confirmed claims as they come."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        config: service.IssuerConfig,
        interval: float = 0.5,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions, self._config, self._interval, self._clock = sessions, config, interval, clock
        self._signer = signing.BulkSigner()
        self._failing: dict[str, tuple[datetime, timedelta]] = {}  # code id -> (try again at, last wait)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="claim-issuing", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        self._signer.close()

    def run_once(self) -> int:
        """Issue every waiting claim (but those of a code left aside after failing); how many."""
        issued = 0
        while not self._stop.is_set():
            now = self._clock()
            aside = {code for code, (until, _) in self._failing.items() if until > now}
            try:
                done = issue_claimed(self._sessions, self._config, self._signer, now, leave_aside=aside)
            except ClaimIssuedElsewhere as lost:
                log.info("claim %s was issued by another worker; taking the batch again", lost)
                continue
            except BatchFailed as failed:
                wait = self._leave_aside(failed.code_id, now)
                log.exception("%s; trying again in %s", failed, wait)
                record_failure(self._sessions, failed, now)
                continue
            if done is None or done[1] == 0:
                return issued
            self._failing.pop(done[0], None)
            issued += done[1]
        return issued

    def _leave_aside(self, code_id: str, now: datetime) -> timedelta:
        """Leave a failing code aside: `FIRST_RETRY_AFTER` the first time, then twice as long as the last
        time, up to `MAX_RETRY_AFTER`; how long."""
        last = self._failing.get(code_id)
        wait = FIRST_RETRY_AFTER if last is None else min(MAX_RETRY_AFTER, 2 * last[1])
        self._failing[code_id] = (now + wait, wait)
        return wait

    def _loop(self) -> None:
        wait = self._interval
        while not self._stop.is_set():
            try:
                self.run_once()
                wait = self._interval
            except Exception as error:  # the database unreachable, say: wait longer each time, up to 30 s
                wait = min(30.0, wait * 2)
                log.error("claim worker: %s: %s; trying again in %.0f s", type(error).__name__, error, wait)
            self._stop.wait(wait)
