"""Forgotten and changed passwords.

**Reset by emailed link.** `request_reset` answers the same whatever the address (no account
enumeration): only a verified address of a passport gets a link, and only up to
`addresses.MAX_OPEN_LINKS` unused links at a time; each client is throttled like sign-in, per address and
overall (`SignInLimiter`: a few free requests, then each waits twice as long). The link (``reset``
purpose, `links`) is single use, expires after `RESET_TTL`, acts on the learner it was sent for, and
only while the address is still theirs.

**Change.** The current password is asked for again (throttled like sign-in).

Either way (`set_password`) every session and API token of the learner is revoked, other reset links
are spent, and the learner is told by email; the page that made the change starts a new session.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from core.i18n import N_, gettext, ngettext, use_locale
from core.problems import TooManyRequests
from passport.accounts import accounts, addresses, letters, links, mail
from passport.accounts.links import LinkNotFound, Purpose
from passport.config import PassportConfig
from passport.models import EmailLink, Learner, LearnerSession, LearnerToken

RESET_TTL = timedelta(hours=1)


class TooManyResetRequests(TooManyRequests):
    slug, title = "too-many-reset-requests", N_("Too many requests")


def request_reset(session: Session, config: PassportConfig, email: str, client: str, now: datetime) -> None:
    """Email a reset link if ``email`` is a verified address of a passport; otherwise do nothing. The
    caller answers the same either way."""
    address = email.strip().lower()
    account = f"reset:{address}"
    refusal = config.limiter.check(account, client, now)
    if refusal is not None:
        minutes = max(1, (refusal.retry_after + 59) // 60)
        raise TooManyResetRequests(
            ngettext(
                "Too many requests to reset a password. Wait %(num)d minute and try again.",
                "Too many requests to reset a password. Wait %(num)d minutes and try again.",
                minutes,
            ),
            retry_after=refusal.retry_after,
        )
    config.limiter.failed(account, client, now)  # every request counts, whatever the address
    accounts.purge_expired(session, now)
    owner = addresses.verified_owner(session, address)
    if owner is None:
        return
    if links.unexpired_count(session, Purpose.RESET, address, now) >= addresses.MAX_OPEN_LINKS:
        return
    link, url = links.create(
        session, config, Purpose.RESET, address, RESET_TTL, now, learner_id=owner.learner_id
    )
    with use_locale(mail.language_of(session, owner.learner_id)):
        subject, body = letters.reset_password(url, link.expires_at)
        mail.queue(session, config, address, subject, body, now, learner_id=owner.learner_id)


def open_reset(session: Session, secret: str, now: datetime) -> EmailLink:
    """The usable reset link, while its address is still a verified address of its learner."""
    link = links.open_link(session, secret, Purpose.RESET, now)
    owner = addresses.verified_owner(session, link.email)
    if owner is None or owner.learner_id != link.learner_id:
        raise LinkNotFound(gettext("This link is no longer valid. Ask for a new one."))
    return link


def complete_reset(
    session: Session, config: PassportConfig, secret: str, password: str, now: datetime
) -> Learner:
    link = open_reset(session, secret, now)
    learner = session.get(Learner, link.learner_id)
    if learner is None:  # pragma: no cover - the link goes with its learner (ON DELETE CASCADE)
        raise LinkNotFound(gettext("This link is no longer valid. Ask for a new one."))
    # A reset ends the address's sign-in lock-out. The limiter writes in its own transaction: before this
    # request writes anything (SQLite has one writer).
    config.limiter.succeeded(link.email, "")
    links.use(link, now)
    set_password(session, config, learner, password, now)
    return learner


def change_password(
    session: Session,
    config: PassportConfig,
    learner: Learner,
    current: str,
    new: str,
    client: str,
    now: datetime,
) -> None:
    """Set a new password after checking the current one (throttled; `SignInFailed` if wrong)."""
    accounts.confirm_password(session, config, learner, current, client, now)
    set_password(session, config, learner, new, now)


def set_password(
    session: Session, config: PassportConfig, learner: Learner, password: str, now: datetime
) -> None:
    """The new password; every session and API token of the learner is revoked, unused reset links are
    spent, and the learner is told by email at their primary address."""
    learner.password_hash = config.passwords.hash(password)
    learner.password_changed_at = now
    session.execute(delete(LearnerSession).where(LearnerSession.learner_id == learner.id))
    session.execute(delete(LearnerToken).where(LearnerToken.learner_id == learner.id))
    session.execute(
        update(EmailLink)
        .where(
            EmailLink.purpose == Purpose.RESET.value,
            EmailLink.learner_id == learner.id,
            EmailLink.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    primary = next((row.email for row in addresses.list_addresses(session, learner) if row.is_primary), None)
    if primary is not None:
        with use_locale(learner.language):
            subject, body = letters.password_changed(f"{config.base_url}/passport/forgot-password", now)
            mail.queue(session, config, primary, subject, body, now, learner_id=learner.id)
    session.flush()
