"""Claiming: a credential issued to an address no passport has verified gets a claim link by email.

``ClaimNotifier`` implements the issuers' ``IssuanceListener`` port (``issuers.ports``), so issuing
never touches passport tables: the composition root plugs it in. It runs inside the issuing transaction,
so a claim link exists exactly when its credential does. An address already verified by a passport
gets a short notice instead, since the credential is already there; its holder is also told when the
credential is revoked, suspended or reinstated.

Opening a claim link either creates a passport (choose a password) or adds the address to an existing
one (sign in, or already signed in); either way the address is verified, and every credential ever
issued to it appears.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from core.i18n import gettext, use_locale
from core.problems import Conflict
from issuers.ports import IssuedNotice, StatusNotice
from issuers.recipients import RecipientCredential, credential_for_recipients
from issuers.reports import statistics
from passport.accounts import accounts, addresses, letters, links, mail
from passport.accounts.links import Purpose
from passport.config import PassportConfig
from passport.models import EmailLink, Learner


class LearnerChanged(Protocol):
    """Told when a learner's passport gains a credential (`passport.pathways.PathwayMilestones`)."""

    def learner_changed(self, session: Session, learner_id: str, now: datetime) -> None: ...


class ClaimNotifier:
    def __init__(self, config: PassportConfig, milestones: LearnerChanged | None = None) -> None:
        self.config = config
        self.milestones = milestones

    def credential_issued(self, session: Session, notice: IssuedNotice) -> None:
        email, now = notice.recipient_email.strip().lower(), notice.issued_at
        owner = addresses.verified_owner(session, email)
        if owner is not None:
            statistics.mark_claimed(session, email, now)  # it is in the owner's passport already
            with use_locale(mail.language_of(session, owner.learner_id)):
                subject, body = letters.new_credential(
                    notice.issuer_name, notice.achievement_name, f"{self.config.base_url}/passport"
                )
                mail.queue(session, self.config, email, subject, body, now, learner_id=owner.learner_id)
            if self.milestones is not None:  # the credential may complete a pathway
                self.milestones.learner_changed(session, owner.learner_id, now)
            return
        link, url = links.create(
            session,
            self.config,
            Purpose.CLAIM,
            email,
            self.config.claim_ttl,
            now,
            credential_id=notice.credential_id,
        )
        subject, body = letters.claim_credential(
            notice.issuer_name, notice.achievement_name, notice.recipient_name, url, link.expires_at
        )
        mail.queue(session, self.config, email, subject, body, now)

    def credential_status_changed(self, session: Session, notice: StatusNotice) -> None:
        """Tell the passport holder of the address that the credential was revoked, suspended or
        reinstated (an address no passport has verified gets nothing: its claim page says so)."""
        email = notice.recipient_email.strip().lower()
        owner = addresses.verified_owner(session, email)
        if owner is None:
            return
        link = f"{self.config.base_url}/passport/credentials/{notice.credential_id}"
        with use_locale(mail.language_of(session, owner.learner_id)):
            if notice.status == "revoked":
                letter = letters.credential_revoked(
                    notice.issuer_name, notice.achievement_name, notice.reason, link
                )
            elif notice.status == "suspended":
                letter = letters.credential_suspended(
                    notice.issuer_name, notice.achievement_name, notice.reason, link
                )
            else:
                letter = letters.credential_reinstated(notice.issuer_name, notice.achievement_name, link)
            subject, body = letter
            mail.queue(
                session, self.config, email, subject, body, notice.changed_at, learner_id=owner.learner_id
            )
        if self.milestones is not None:  # a milestone resting on it is flagged for review (never revoked)
            self.milestones.learner_changed(session, owner.learner_id, notice.changed_at)


def open_claim(session: Session, secret: str, now: datetime) -> tuple[EmailLink, RecipientCredential | None]:
    """The usable claim link and the credential it announced (None if the issuer has since deleted it)."""
    link = links.open_link(session, secret, Purpose.CLAIM, now)
    credential = (
        credential_for_recipients(session, link.credential_id, [link.email]) if link.credential_id else None
    )
    return link, credential


def claim_into(session: Session, learner: Learner, link: EmailLink, now: datetime) -> None:
    """Add the link's address, verified, to this learner's passport."""
    owner = addresses.verified_owner(session, link.email)
    if owner is not None and owner.learner_id != learner.id:
        raise Conflict(gettext(addresses.TAKEN))
    if owner is None:
        addresses.attach_verified(session, learner, link.email, now)
    links.use(link, now)


def claim_new_passport(
    session: Session, config: PassportConfig, link: EmailLink, password: str, now: datetime
) -> Learner:
    """Create a passport whose first address is the link's (verified by opening the link)."""
    if addresses.verified_owner(session, link.email) is not None:
        raise Conflict(gettext(addresses.TAKEN))
    learner = accounts.create_learner(session, config.passwords.hash(password), link.email, now)
    links.use(link, now)
    return learner
