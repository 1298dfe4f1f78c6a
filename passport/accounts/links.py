"""Emailed links: single use, expiring, bound to one address and one purpose.

The secret travels only in the link (the path of a page); the table keeps its SHA-256. A link acts on
the address it was sent to and nothing else: no form field can point it at another address.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import new_id
from core.i18n import N_, gettext
from core.problems import Gone, NotFound
from passport.accounts.security import digest, new_secret
from passport.config import PassportConfig
from passport.models import EmailLink


class Purpose(StrEnum):
    SIGN_UP = "sign_up"
    VERIFY = "verify"
    CLAIM = "claim"
    RESET = "reset"


class LinkNotFound(NotFound):
    slug, title = "link-not-found", N_("This link is not valid")


class LinkUsed(Gone):
    slug, title = "link-used", N_("This link has already been used")


class LinkExpired(Gone):
    slug, title = "link-expired", N_("This link has expired")


PATHS = {
    Purpose.SIGN_UP: "confirm",
    Purpose.VERIFY: "verify",
    Purpose.CLAIM: "claim",
    Purpose.RESET: "reset-password",
}


def create(
    session: Session,
    config: PassportConfig,
    purpose: Purpose,
    email: str,
    ttl: timedelta,
    now: datetime,
    *,
    learner_id: str | None = None,
    password_hash: str | None = None,
    credential_id: str | None = None,
) -> tuple[EmailLink, str]:
    """A new link; returns the row and the full URL (shown once, in the email)."""
    secret = new_secret()
    link = EmailLink(
        id=new_id(),
        purpose=purpose.value,
        secret_sha256=digest(secret),
        email=email,
        learner_id=learner_id,
        password_hash=password_hash,
        credential_id=credential_id,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(link)
    session.flush()
    return link, f"{config.base_url}/passport/{PATHS[purpose]}/{secret}"


def find(session: Session, secret: str, purpose: Purpose) -> EmailLink | None:
    wanted = digest(secret)
    link = session.scalar(
        select(EmailLink).where(EmailLink.secret_sha256 == wanted, EmailLink.purpose == purpose.value)
    )
    if link is None or not hmac.compare_digest(link.secret_sha256, wanted):
        return None
    return link


def open_link(session: Session, secret: str, purpose: Purpose, now: datetime) -> EmailLink:
    """The link, if it can still be used; otherwise a problem that says why in plain words."""
    link = find(session, secret, purpose)
    if link is None:
        raise LinkNotFound(
            gettext("This link is not valid. Check that you opened the whole link from the email.")
        )
    if link.used_at is not None:
        raise LinkUsed(gettext("This link has already been used. Each link works once."))
    if link.expires_at <= now:
        raise LinkExpired(gettext("This link has expired. Ask for a new one."))
    return link


def use(link: EmailLink, now: datetime) -> None:
    link.used_at = now
    link.password_hash = None  # a used sign-up link keeps no password hash


def unexpired_count(
    session: Session, purpose: Purpose, email: str, now: datetime, learner_id: str | None = None
) -> int:
    """How many unused, unexpired links of this kind the address has: a bound on mail to one address."""
    query = select(EmailLink.id).where(
        EmailLink.purpose == purpose.value,
        EmailLink.email == email,
        EmailLink.used_at.is_(None),
        EmailLink.expires_at > now,
    )
    if learner_id is not None:
        query = query.where(EmailLink.learner_id == learner_id)
    return len(session.scalars(query).all())
