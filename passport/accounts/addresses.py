"""A learner's email addresses: add, verify by an emailed link, remove, choose the primary one.

Credentials issued to any *verified* address are in the passport (``passport.credentials``), so
verifying is what grants access: a verify link works only for the learner who added the address, signed
in, and acts on that one address. A verified address belongs to one passport at a time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import new_id
from core.i18n import N_, gettext, use_locale
from core.problems import Conflict, NotFound, TooManyRequests
from issuers.reports import statistics
from passport.accounts import letters, links, mail
from passport.accounts.links import LinkNotFound, Purpose
from passport.config import PassportConfig
from passport.models import EmailLink, Learner, LearnerEmail

MAX_ADDRESSES = 10
#: Unused links one address may have at once: nobody can flood an inbox through the passport.
MAX_OPEN_LINKS = 3
TAKEN = N_("This address already belongs to another passport. Sign in to that one instead.")


def verified_owner(session: Session, email: str) -> LearnerEmail | None:
    return session.scalar(
        select(LearnerEmail).where(
            LearnerEmail.email == email.strip().lower(), LearnerEmail.verified_at.is_not(None)
        )
    )


def verified_emails(session: Session, learner_id: str) -> list[str]:
    return list(
        session.scalars(
            select(LearnerEmail.email).where(
                LearnerEmail.learner_id == learner_id, LearnerEmail.verified_at.is_not(None)
            )
        )
    )


def list_addresses(session: Session, learner: Learner) -> list[LearnerEmail]:
    """Primary first, then in the order they were added."""
    return list(
        session.scalars(
            select(LearnerEmail)
            .where(LearnerEmail.learner_id == learner.id)
            .order_by(LearnerEmail.is_primary.desc(), LearnerEmail.created_at, LearnerEmail.id)
        )
    )


def primary_email(session: Session, learner: Learner) -> str | None:
    return session.scalar(
        select(LearnerEmail.email).where(LearnerEmail.learner_id == learner.id, LearnerEmail.is_primary)
    )


def _own(session: Session, learner: Learner, address_id: str) -> LearnerEmail:
    row = session.scalar(
        select(LearnerEmail).where(LearnerEmail.id == address_id, LearnerEmail.learner_id == learner.id)
    )
    if row is None:
        raise NotFound(gettext("no address %(id)r in your passport", id=address_id))
    return row


def _row(session: Session, learner: Learner, email: str) -> LearnerEmail | None:
    return session.scalar(
        select(LearnerEmail).where(LearnerEmail.learner_id == learner.id, LearnerEmail.email == email)
    )


def attach_verified(
    session: Session, learner: Learner, email: str, now: datetime, *, primary: bool = False
) -> LearnerEmail:
    """Mark ``email`` verified for ``learner`` (adding it if needed). The caller has checked the proof."""
    row = _row(session, learner, email)
    if row is None:
        row = LearnerEmail(id=new_id(), learner_id=learner.id, email=email, is_primary=False, created_at=now)
        session.add(row)
    row.verified_at, row.is_primary = now, primary or row.is_primary
    try:
        session.flush()
    except IntegrityError:  # another passport verified it meanwhile: this request is rolled back
        raise Conflict(gettext(TAKEN)) from None
    statistics.mark_claimed(session, email, now)  # its credentials are in this passport from now
    return row


def add_address(
    session: Session, config: PassportConfig, learner: Learner, email: str, now: datetime
) -> LearnerEmail:
    """Add an unverified address and email it a link. Whether the address belongs to another passport
    is not said here (only its owner's mailbox learns it, when the link is opened)."""
    row = _row(session, learner, email)
    if row is not None and row.verified_at is not None:
        raise Conflict(gettext("This address is already in your passport."))
    if row is None:
        if len(list_addresses(session, learner)) >= MAX_ADDRESSES:
            raise Conflict(
                gettext("A passport holds at most %(num)d addresses. Remove one first.", num=MAX_ADDRESSES)
            )
        row = LearnerEmail(id=new_id(), learner_id=learner.id, email=email, is_primary=False, created_at=now)
        session.add(row)
        session.flush()
    send_verification(session, config, learner, row, now)
    return row


def send_verification(
    session: Session, config: PassportConfig, learner: Learner, row: LearnerEmail, now: datetime
) -> None:
    if row.verified_at is not None:
        raise Conflict(gettext("This address is already confirmed."))
    if links.unexpired_count(session, Purpose.VERIFY, row.email, now, learner.id) >= MAX_OPEN_LINKS:
        raise TooManyRequests(
            gettext("We have already sent several links to this address. Use the newest one, or wait a day."),
            retry_after=int(config.link_ttl.total_seconds()),
        )
    link, url = links.create(
        session, config, Purpose.VERIFY, row.email, config.link_ttl, now, learner_id=learner.id
    )
    with use_locale(learner.language):
        subject, body = letters.verify_address(url, link.expires_at)
        mail.queue(session, config, row.email, subject, body, now, learner_id=learner.id)


def resend_verification(
    session: Session, config: PassportConfig, learner: Learner, address_id: str, now: datetime
) -> LearnerEmail:
    row = _own(session, learner, address_id)
    send_verification(session, config, learner, row, now)
    return row


def verify_address(session: Session, learner: Learner, secret: str, now: datetime) -> LearnerEmail:
    """Open a verify link as the signed-in learner it was sent for; it verifies its one address."""
    link = links.open_link(session, secret, Purpose.VERIFY, now)
    if link.learner_id != learner.id:
        raise LinkNotFound(
            gettext("This link confirms an address for a different passport. Sign in to that one.")
        )
    row = _row(session, learner, link.email)
    if row is None:
        raise LinkNotFound(
            gettext("This address is no longer in your passport. Add it again for a new link.")
        )
    attach_verified(session, learner, link.email, now)
    links.use(link, now)
    return row


def remove_address(session: Session, learner: Learner, address_id: str) -> None:
    row = _own(session, learner, address_id)
    if row.is_primary:
        if len(list_addresses(session, learner)) == 1:
            raise Conflict(
                gettext(
                    "This is the only address of your passport, and you sign in with it. "
                    "To remove it, delete your passport."
                )
            )
        raise Conflict(gettext("This is your primary address. Choose another primary address first."))
    # Its links go with it: if it is added again, only a new link can verify it.
    session.execute(delete(EmailLink).where(EmailLink.learner_id == learner.id, EmailLink.email == row.email))
    session.delete(row)
    session.flush()


def make_primary(session: Session, learner: Learner, address_id: str) -> LearnerEmail:
    row = _own(session, learner, address_id)
    if row.verified_at is None:
        raise Conflict(gettext("Confirm this address before making it your primary address."))
    for other in list_addresses(session, learner):
        if other.is_primary and other.id != row.id:
            other.is_primary = False
    session.flush()  # first clear the old primary: one primary per passport, checked by the database
    row.is_primary = True
    session.flush()
    return row
