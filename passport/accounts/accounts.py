"""Learner accounts: sign-up, sign-in, browser sessions, API tokens, deleting an account.

Services take the request's session and only ``flush()``. Wrong password and unknown address give the
same answer, in the same time (``Passwords.check``). Sign-in is throttled per account and per client
address (``ratelimit``). A learner's own rows are reached only through their id.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db import new_id
from core.i18n import N_, get_choice, get_locale, gettext, ngettext, use_locale
from core.problems import Conflict, NotFound, TooManyRequests, Unauthorized
from network.pathways import milestones
from passport.accounts import addresses, letters, links, mail
from passport.accounts.links import Purpose
from passport.accounts.security import LEARNER_TOKEN_PREFIX, digest, new_secret
from passport.config import PassportConfig
from passport.models import (
    EmailLink,
    ExpiryReminder,
    HolderKey,
    ImportedCredential,
    Learner,
    LearnerEmail,
    LearnerSession,
    LearnerToken,
    OutboxMessage,
    ShareLink,
)

SIGN_IN_FAILED = N_("The email address or password is not right.")
#: Expired links are kept this long, so that opening one says "expired" rather than "not valid".
EXPIRED_LINKS_KEPT = timedelta(days=30)


class SignInFailed(Unauthorized):
    slug, title = "sign-in-failed", N_("Sign-in failed")


class TooManyAttempts(TooManyRequests):
    slug, title = "too-many-sign-in-attempts", N_("Too many sign-in attempts")


# --- sign-up ------------------------------------------------------------------------------------------------


def request_sign_up(
    session: Session, config: PassportConfig, email: str, password: str, now: datetime
) -> None:
    """Email a link that creates the passport. The answer is the same whether or not the address already
    has a passport (its owner is told by email instead), so sign-up reveals nobody's account."""
    purge_expired(session, now)
    owner = addresses.verified_owner(session, email)
    if owner is not None:
        with use_locale(mail.language_of(session, owner.learner_id)):
            subject, body = letters.already_registered(f"{config.base_url}/passport/sign-in")
            mail.queue(session, config, email, subject, body, now)
        return
    if links.unexpired_count(session, Purpose.SIGN_UP, email, now) >= addresses.MAX_OPEN_LINKS:
        return  # the address has links enough; nobody floods an inbox through sign-up
    link, url = links.create(
        session,
        config,
        Purpose.SIGN_UP,
        email,
        config.link_ttl,
        now,
        password_hash=config.passwords.hash(password),
    )
    subject, body = letters.confirm_sign_up(url, link.expires_at)
    mail.queue(session, config, email, subject, body, now)


def complete_sign_up(
    session: Session, config: PassportConfig, secret: str, password: str, client: str, now: datetime
) -> Learner:
    """Open a sign-up link with the password chosen at sign-up: both are needed, so someone who signs up
    with another person's address gains nothing when that person clicks the link."""
    link = links.open_link(session, secret, Purpose.SIGN_UP, now)
    _throttle(config, f"link:{link.id}", client, now)
    if not config.passwords.check(link.password_hash, password):
        config.limiter.failed(f"link:{link.id}", client, now)
        raise SignInFailed(gettext("That is not the password you chose when you signed up."))
    if addresses.verified_owner(session, link.email) is not None:
        raise Conflict(gettext("This address already belongs to a passport. Sign in to it instead."))
    learner = create_learner(session, link.password_hash or "", link.email, now)
    links.use(link, now)
    return learner


def create_learner(session: Session, password_hash: str, email: str, now: datetime) -> Learner:
    """A new passport whose first, primary address is already verified (the caller proved it). It keeps
    the language it was created in, unless that was only the default (`Learner.language`)."""
    language = get_locale() if get_choice().source != "default" else None
    learner = Learner(id=new_id(), password_hash=password_hash, created_at=now, language=language)
    session.add(learner)
    session.flush()
    addresses.attach_verified(session, learner, email, now, primary=True)
    return learner


def purge_expired(session: Session, now: datetime) -> None:
    """Delete what has expired: sessions, API tokens, and long-expired links (with any password hash
    a sign-up link held). Run at sign-up and sign-in, so nothing expired lingers for long."""
    session.execute(delete(LearnerSession).where(LearnerSession.expires_at <= now))
    session.execute(delete(LearnerToken).where(LearnerToken.expires_at <= now))
    session.execute(delete(EmailLink).where(EmailLink.expires_at <= now - EXPIRED_LINKS_KEPT))


# --- sign-in ------------------------------------------------------------------------------------------------


def _throttle(config: PassportConfig, account: str, client: str, now: datetime) -> None:
    refusal = config.limiter.check(account, client, now)
    if refusal is not None:
        wait = refusal.retry_after
        message = (
            ngettext(
                "Too many attempts to sign in. Wait %(num)d second and try again.",
                "Too many attempts to sign in. Wait %(num)d seconds and try again.",
                wait,
            )
            if wait < 60
            else ngettext(
                "Too many attempts to sign in. Wait %(num)d minute and try again.",
                "Too many attempts to sign in. Wait %(num)d minutes and try again.",
                (wait + 59) // 60,
            )
        )
        raise TooManyAttempts(message, retry_after=wait)


def authenticate(
    session: Session, config: PassportConfig, email: str, password: str, client: str, now: datetime
) -> Learner:
    """The learner with this verified address and password; otherwise one answer for every failure."""
    account = email.strip().lower()
    _throttle(config, account, client, now)
    owner = addresses.verified_owner(session, account)
    learner = session.get(Learner, owner.learner_id) if owner is not None else None
    if not config.passwords.check(learner.password_hash if learner else None, password) or learner is None:
        config.limiter.failed(account, client, now)
        raise SignInFailed(gettext(SIGN_IN_FAILED))
    config.limiter.succeeded(account, client)
    purge_expired(session, now)
    if config.passwords.needs_rehash(learner.password_hash):
        learner.password_hash = config.passwords.hash(password)
    return learner


def confirm_password(
    session: Session, config: PassportConfig, learner: Learner, password: str, client: str, now: datetime
) -> None:
    """Password re-entry before something that cannot be undone; throttled like sign-in."""
    account = f"learner:{learner.id}"
    _throttle(config, account, client, now)
    if not config.passwords.check(learner.password_hash, password):
        config.limiter.failed(account, client, now)
        raise SignInFailed(gettext("That is not your password."))
    config.limiter.succeeded(account, client)


# --- browser sessions ---------------------------------------------------------------------------------------


def start_session(
    session: Session, config: PassportConfig, learner: Learner, now: datetime
) -> tuple[LearnerSession, str]:
    """A new session (new secret, new CSRF token) at every sign-in: no session fixation."""
    secret = new_secret()
    row = LearnerSession(
        id=new_id(),
        learner_id=learner.id,
        secret_sha256=digest(secret),
        csrf_token=new_secret(),
        created_at=now,
        expires_at=now + config.session_ttl,
    )
    session.add(row)
    session.flush()
    return row, secret


def find_session(session: Session, secret: str, now: datetime) -> LearnerSession | None:
    wanted = digest(secret)
    row = session.scalar(select(LearnerSession).where(LearnerSession.secret_sha256 == wanted))
    if row is None or not hmac.compare_digest(row.secret_sha256, wanted) or row.expires_at <= now:
        return None
    return row


def end_session(session: Session, row: LearnerSession) -> None:
    session.execute(delete(LearnerSession).where(LearnerSession.id == row.id))


# --- API tokens ---------------------------------------------------------------------------------------------


def create_token(
    session: Session, config: PassportConfig, learner: Learner, label: str | None, now: datetime
) -> tuple[LearnerToken, str]:
    secret = new_secret(LEARNER_TOKEN_PREFIX)
    token = LearnerToken(
        id=new_id(),
        learner_id=learner.id,
        label=label,
        secret_sha256=digest(secret),
        created_at=now,
        expires_at=now + config.token_ttl,
    )
    session.add(token)
    session.flush()
    return token, secret


def authenticate_token(session: Session, secret: str, now: datetime) -> Learner:
    """The learner a bearer token belongs to. Provider keys and the operator token open no passport."""
    if not secret.startswith(LEARNER_TOKEN_PREFIX):
        raise Unauthorized(
            gettext("send a learner token (lt_...): provider and operator keys open no passport")
        )
    wanted = digest(secret)
    token = session.scalar(select(LearnerToken).where(LearnerToken.secret_sha256 == wanted))
    if token is None or not hmac.compare_digest(token.secret_sha256, wanted) or token.expires_at <= now:
        raise Unauthorized(gettext("the learner token is unknown, expired or revoked"))
    token.last_used_at = now
    learner = session.get(Learner, token.learner_id)
    if learner is None:  # pragma: no cover - the token goes with its learner (ON DELETE CASCADE)
        raise Unauthorized(gettext("the learner token is unknown, expired or revoked"))
    return learner


def list_tokens(session: Session, learner: Learner) -> list[LearnerToken]:
    return list(
        session.scalars(
            select(LearnerToken)
            .where(LearnerToken.learner_id == learner.id)
            .order_by(LearnerToken.created_at, LearnerToken.id)
        )
    )


def revoke_token(session: Session, learner: Learner, token_id: str) -> None:
    token = session.scalar(
        select(LearnerToken).where(LearnerToken.id == token_id, LearnerToken.learner_id == learner.id)
    )
    if token is None:
        raise NotFound(gettext("no token %(id)r", id=token_id))
    session.delete(token)
    session.flush()


# --- deleting an account ------------------------------------------------------------------------------------


def delete_account(session: Session, learner: Learner) -> None:
    """Everything the passport holds about the learner goes: addresses, sessions, tokens, links, mail,
    share links, imported credentials, the holder key and the expiry reminders sent. Credentials issued
    to them stay with their issuers, still valid: deletion is not revocation."""
    owned = addresses.verified_emails(session, learner.id)
    if owned:
        # Claim links and mail sent to their addresses before those joined this passport.
        session.execute(delete(EmailLink).where(EmailLink.email.in_(owned)))
        session.execute(delete(OutboxMessage).where(OutboxMessage.to_email.in_(owned)))
    for table in (
        EmailLink,
        OutboxMessage,
        LearnerSession,
        LearnerToken,
        LearnerEmail,
        ShareLink,  # its items go with it (ON DELETE CASCADE)
        ImportedCredential,
        HolderKey,
        ExpiryReminder,
    ):
        session.execute(delete(table).where(table.learner_id == learner.id))
    milestones.forget_learner(session, learner.id)  # their pathway completions and milestones
    session.execute(delete(Learner).where(Learner.id == learner.id))
    session.expunge_all()  # nothing loaded in this request may be written back
