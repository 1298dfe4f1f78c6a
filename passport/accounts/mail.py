"""Outgoing email: a transactional outbox and a pluggable sender.

Every message is first a row of ``outbox_message``, written in the request's transaction: mail goes out
only for work that committed. Then either

- the outbox is the sender (the default, and in tests): the message is ``kept`` there, readable at
  ``/dev/outbox`` outside production; nothing needs a mail server; or
- ``SmtpSender`` delivers ``pending`` messages after commit (``MailWorker``, one thread per process,
  woken by the commit that queued them, and polling every few seconds for the rest), retrying up to
  ``MAX_ATTEMPTS`` times. A sent message's body is cleared: its links are secrets.

A message is written in its recipient's language: the one the learner chose (`language_of`), or else
the language of the request that sends it (`core.i18n`); the row records which, for ``Content-Language``.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Literal, Protocol

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from core.db import new_id, transaction
from core.i18n import get_locale, language_tag
from passport.config import PassportConfig
from passport.models import Learner, OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BATCH = 50
_QUEUED = "passport.mail.queued"


def queue(
    session: Session,
    config: PassportConfig,
    to_email: str,
    subject: str,
    body: str,
    now: datetime,
    learner_id: str | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        id=new_id(),
        to_email=to_email,
        learner_id=learner_id,
        subject=subject,
        body=body,
        state="pending" if config.deliver_mail else "kept",
        attempts=0,
        created_at=now,
        language=get_locale(),
    )
    session.add(message)
    session.flush()
    session.info[_QUEUED] = True  # MailWorker.watch: wake the worker once this commits
    return message


class OutboxMailer:
    """The outbox as a port for other domains' email (`issuers.staff.accounts.StaffMailer`: invitations),
    queued in the caller's transaction like the passport's own."""

    def __init__(self, config: PassportConfig) -> None:
        self.config = config

    def send(self, session: Session, to_email: str, subject: str, body: str, now: datetime) -> None:
        queue(session, self.config, to_email, subject, body, now)


def language_of(session: Session, learner_id: str | None) -> str | None:
    """The language a learner chose for their email; None when they have not (or for no learner)."""
    if learner_id is None:
        return None
    return session.scalar(select(Learner.language).where(Learner.id == learner_id))


def recent(session: Session, limit: int = 100) -> list[OutboxMessage]:
    """The newest messages first (the development outbox page)."""
    return list(
        session.scalars(
            select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id).limit(limit)
        )
    )


class MailSender(Protocol):
    """The port through which a message leaves the service."""

    def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SmtpSender:
    host: str
    port: int
    from_address: str
    username: str | None = None
    password: str | None = None
    security: Literal["starttls", "tls", "none"] = "starttls"
    timeout: float = 10.0

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if self.security == "tls":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.security == "starttls":
                client.starttls(context=context)
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(message)


def as_email(row: OutboxMessage, from_address: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = from_address
    message["To"] = row.to_email
    message["Subject"] = row.subject
    message["Message-ID"] = make_msgid(idstring=row.id)
    message.set_content(row.body)  # before Content-Language: set_content clears Content-* headers
    if row.language:
        message["Content-Language"] = language_tag(row.language)  # RFC 3282
    return message


def deliver_pending(
    sessions: sessionmaker[Session], sender: MailSender, from_address: str, now: datetime
) -> int:
    """Send what is pending, one committed row at a time; returns how many were sent."""
    sent = 0
    with transaction(sessions) as session:
        ids = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.state == "pending")
                .order_by(OutboxMessage.created_at, OutboxMessage.id)
                .limit(BATCH)
            )
        )
    for message_id in ids:
        with transaction(sessions) as session:
            row = session.get(OutboxMessage, message_id, with_for_update=True)
            if row is None or row.state != "pending":
                continue  # deleted with its account, or another worker took it
            row.attempts += 1
            try:
                sender.send(as_email(row, from_address))
            except (OSError, smtplib.SMTPException) as error:
                row.last_error = f"{type(error).__name__}: {error}"[:1000]
                if row.attempts >= MAX_ATTEMPTS:
                    row.state = "failed"
                log.warning("mail to outbox message %s failed (attempt %d): %s", row.id, row.attempts, error)
                continue
            row.state, row.sent_at, row.body, row.last_error = "sent", now, "", None
            sent += 1
    return sent


class MailWorker:
    """Delivers pending mail in the background; woken after a request queues some."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        sender: MailSender,
        from_address: str,
        interval: float = 5.0,
    ) -> None:
        self._sessions, self._sender, self._from = sessions, sender, from_address
        self._interval = interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="mail", daemon=True)

    def start(self) -> None:
        event.listen(self._sessions, "after_commit", self._after_commit)
        event.listen(self._sessions, "after_rollback", self._after_rollback)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def _after_commit(self, session: Session) -> None:
        """Mail queued in a transaction that just committed goes out now, not at the next poll."""
        if session.info.pop(_QUEUED, False):
            self.wake()

    def _after_rollback(self, session: Session) -> None:
        session.info.pop(_QUEUED, None)

    def stop(self) -> None:
        if event.contains(self._sessions, "after_commit", self._after_commit):
            event.remove(self._sessions, "after_commit", self._after_commit)
            event.remove(self._sessions, "after_rollback", self._after_rollback)
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                deliver_pending(self._sessions, self._sender, self._from, datetime.now(UTC))
            except Exception:
                log.exception("mail worker error")
            self._wake.wait(self._interval)
            self._wake.clear()
