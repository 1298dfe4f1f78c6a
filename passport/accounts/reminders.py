"""Email a learner before a credential in their passport expires (`passport reminders`, run daily).

A credential issued to one of the learner's verified addresses, neither revoked nor suspended, whose
``validUntil`` falls within `WINDOW` of now, gets one reminder per learner and expiry date
(`ExpiryReminder`), so the job can run as often as it likes. Learners who turned reminders off on their
account page (`Learner.expiry_reminders`) get none. Imported credentials are left out: their issuers,
not this service, keep their records.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import use_locale
from issuers.recipients import credentials_for_recipients
from passport.accounts import addresses, letters, mail
from passport.config import PassportConfig
from passport.models import ExpiryReminder, Learner

WINDOW = timedelta(days=30)


def send_expiry_reminders(
    session: Session, config: PassportConfig, now: datetime, window: timedelta = WINDOW
) -> int:
    """Queue the reminders that are due; returns how many."""
    sent = 0
    learners = session.scalars(select(Learner).where(Learner.expiry_reminders.is_(True)).order_by(Learner.id))
    for learner in learners:
        emails = addresses.verified_emails(session, learner.id)
        due = [
            credential
            for credential in credentials_for_recipients(session, emails)
            if credential.revoked_at is None
            and credential.suspended_at is None
            and credential.valid_until is not None
            and now < credential.valid_until <= now + window
        ]
        if not due:
            continue
        already = {
            (credential_id, valid_until)
            for credential_id, valid_until in session.execute(
                select(ExpiryReminder.credential_id, ExpiryReminder.valid_until).where(
                    ExpiryReminder.learner_id == learner.id
                )
            )
        }
        primary = next(row.email for row in addresses.list_addresses(session, learner) if row.is_primary)
        for credential in due:
            assert credential.valid_until is not None
            if (credential.id, credential.valid_until) in already:
                continue
            with use_locale(learner.language or "en"):
                subject, body = letters.expiry_reminder(
                    credential.issuer_name,
                    credential.achievement_name,
                    credential.valid_until,
                    f"{config.base_url}/passport/credentials/{credential.id}",
                    f"{config.base_url}/passport/account",
                )
                mail.queue(session, config, primary, subject, body, now, learner_id=learner.id)
            session.add(
                ExpiryReminder(
                    learner_id=learner.id,
                    credential_id=credential.id,
                    valid_until=credential.valid_until,
                    sent_at=now,
                )
            )
            sent += 1
    session.flush()
    return sent
