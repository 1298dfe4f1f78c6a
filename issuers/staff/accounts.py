"""Staff accounts: invitations, sign-in (password, then an optional TOTP code), browser sessions,
password and role changes, removal. Services take the request's session and only ``flush()``.

An invitation names the person, their role and their provider (none: the operator's staff); the invitee
opens the emailed single-use link, which expires (`StaffConfig.invitation_ttl`), and chooses a password.
Wrong password and unknown address get the same answer in the same time (`core.passwords.Passwords`);
failures are throttled per account and client address (`core.throttle`, accounts named ``staff:...``),
never locked out. Every change to staff is in the audit trail."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from core.actors import Actor, acting_as
from core.i18n import N_, gettext, ngettext
from core.keystore import Keystore
from core.passwords import Passwords, digest, new_secret, password_problem
from core.problems import Conflict, Gone, NotFound, TooManyRequests, Unauthorized, ValidationFailed
from core.throttle import SignInLimiter

from . import audit, letters
from .models import StaffInvitation, StaffMember, StaffSession
from .roles import OPERATOR_ROLES, PROVIDER_ROLES, Role

SIGN_IN_FAILED = N_("The email address or password is not right.")


class StaffMailer(Protocol):
    """Sends an email in the caller's transaction (the composition root wires the outbox)."""

    def send(self, session: Session, to_email: str, subject: str, body: str, now: datetime) -> None: ...


class NoMail:
    def send(self, session: Session, to_email: str, subject: str, body: str, now: datetime) -> None:
        return None


@dataclass(frozen=True)
class StaffConfig:
    base_url: str
    passwords: Passwords = field(default_factory=Passwords)
    limiter: SignInLimiter = field(default_factory=SignInLimiter)
    mailer: StaffMailer = field(default_factory=NoMail)
    #: Seals the members' TOTP secrets at rest (the service's master key); a random key when not wired.
    keystore: Keystore = field(default_factory=lambda: Keystore(secrets.token_bytes(32)))
    session_ttl: timedelta = timedelta(hours=12)
    invitation_ttl: timedelta = timedelta(hours=72)
    #: The name authenticator apps show beside the account.
    totp_issuer: str = "Skills Passport"
    #: The network operator, named in the invitations of its staff.
    operator_name: str = "National Skills Network"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


class SignInFailed(Unauthorized):
    slug, title = "sign-in-failed", N_("Sign-in failed")


class TooManyAttempts(TooManyRequests):
    slug, title = "too-many-sign-in-attempts", N_("Too many sign-in attempts")


class InvitationNotFound(NotFound):
    slug, title = "invitation-not-found", N_("This invitation link is not valid")


class InvitationUsed(Gone):
    slug, title = "invitation-used", N_("This invitation was used already")


class InvitationExpired(Gone):
    slug, title = "invitation-expired", N_("This invitation has expired")


def invalid_field(field: str, message: str) -> ValidationFailed:
    """A bad form field: the message names what to change (pages show it beside the field)."""
    return ValidationFailed(message, [{"field": field, "msg": message}])


# --- staff --------------------------------------------------------------------------------------------------


def list_staff(session: Session, provider_id: str | None) -> list[StaffMember]:
    """A provider's staff, or with None the operator's, by name."""
    where = (
        StaffMember.provider_id.is_(None) if provider_id is None else StaffMember.provider_id == provider_id
    )
    return list(session.scalars(select(StaffMember).where(where).order_by(StaffMember.name, StaffMember.id)))


def get_member(session: Session, provider_id: str | None, member_id: str) -> StaffMember:
    """A member of this provider's staff (None: the operator's); anyone else's is 404."""
    member = session.get(StaffMember, member_id)
    if member is None or member.provider_id != provider_id:
        raise NotFound(gettext("no such staff member"))
    return member


def _snapshot(member: StaffMember) -> dict[str, str | None]:
    return {"email": member.email, "name": member.name, "role": member.role}


def invite(
    session: Session,
    config: StaffConfig,
    provider_id: str | None,
    provider_name: str,
    email: str,
    name: str,
    role: str,
    now: datetime,
) -> tuple[StaffMember, str]:
    """Add an invited member and email them a link to choose a password; returns the member and the link
    (the link is also in the email: the caller shows it to nobody)."""
    email, name = email.strip().lower(), name.strip()
    allowed = PROVIDER_ROLES if provider_id is not None else OPERATOR_ROLES
    if role not in allowed:
        raise invalid_field("role", gettext("choose one of the roles offered"))
    if not name or "@" not in email or len(email) > 320 or len(name) > 200:
        raise invalid_field("email", gettext("give the person's name and email address"))
    if session.scalar(select(StaffMember.id).where(StaffMember.email == email)) is not None:
        raise Conflict(gettext("this email address already has a staff account"))
    member = StaffMember(provider_id=provider_id, email=email, name=name, role=role, created_at=now)
    session.add(member)
    session.flush()
    url = _new_invitation(session, config, member, provider_name, now)
    audit.record(
        session,
        "staff.invite",
        "staff_member",
        member.id,
        now,
        provider_id=provider_id,
        after=_snapshot(member),
    )
    return member, url


def enrol(
    session: Session,
    config: StaffConfig,
    provider_id: str | None,
    email: str,
    name: str,
    role: str,
    password: str,
    now: datetime,
) -> StaffMember:
    """A member with a password already, no invitation: the demo data's staff (`server.seed`)."""
    member = StaffMember(
        provider_id=provider_id,
        email=email.strip().lower(),
        name=name,
        role=role,
        password_hash=config.passwords.hash(password),
        created_at=now,
    )
    session.add(member)
    session.flush()
    audit.record(
        session,
        "staff.enrol",
        "staff_member",
        member.id,
        now,
        provider_id=provider_id,
        after=_snapshot(member),
    )
    return member


def reinvite(
    session: Session,
    config: StaffConfig,
    provider_id: str | None,
    organisation: str,
    member_id: str,
    now: datetime,
) -> StaffMember:
    """A new invitation for a member who has not accepted yet (theirs expired, or went astray); the
    earlier links stop working."""
    member = get_member(session, provider_id, member_id)
    if member.password_hash is not None:
        raise Conflict(gettext("this member has accepted their invitation already"))
    session.execute(
        update(StaffInvitation)
        .where(StaffInvitation.staff_member_id == member.id, StaffInvitation.used_at.is_(None))
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    _new_invitation(session, config, member, organisation, now)
    audit.record(session, "staff.reinvite", "staff_member", member.id, now, provider_id=provider_id)
    return member


def _new_invitation(
    session: Session, config: StaffConfig, member: StaffMember, provider_name: str, now: datetime
) -> str:
    secret = new_secret()
    invitation = StaffInvitation(
        staff_member_id=member.id,
        secret_sha256=digest(secret),
        created_at=now,
        expires_at=now + config.invitation_ttl,
    )
    session.add(invitation)
    session.flush()
    path = "/console" if member.provider_id else "/operator"
    url = f"{config.base_url}{path}/invitations/{secret}"
    subject, body = letters.invitation(provider_name, member.name, member.role, url, invitation.expires_at)
    config.mailer.send(session, member.email, subject, body, now)
    return url


def open_invitation(session: Session, secret: str, now: datetime) -> tuple[StaffInvitation, StaffMember]:
    """The usable invitation and its member: unknown, used and expired links each say so."""
    invitation = session.scalar(
        select(StaffInvitation).where(StaffInvitation.secret_sha256 == digest(secret))
    )
    if invitation is None or not hmac.compare_digest(invitation.secret_sha256, digest(secret)):
        raise InvitationNotFound(gettext("Ask whoever invited you to send a new invitation."))
    member = session.get(StaffMember, invitation.staff_member_id)
    if invitation.used_at is not None or member is None or member.password_hash is not None:
        raise InvitationUsed(gettext("Sign in with the password you chose, or ask for a new invitation."))
    if invitation.expires_at <= now:
        raise InvitationExpired(gettext("Ask whoever invited you to send a new invitation."))
    return invitation, member


def accept(session: Session, config: StaffConfig, secret: str, password: str, now: datetime) -> StaffMember:
    """Use the invitation: the member's password is set and the link can never be used again. The
    single use holds under concurrency: the link is marked used by a compare-and-set ``UPDATE``."""
    invitation, member = open_invitation(session, secret, now)
    problem = password_problem(password)
    if problem:
        raise invalid_field("password", problem)
    used = session.execute(
        update(StaffInvitation)
        .where(StaffInvitation.id == invitation.id, StaffInvitation.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise InvitationUsed(gettext("Sign in with the password you chose, or ask for a new invitation."))
    member.password_hash = config.passwords.hash(password)
    session.flush()
    acting_as(session, Actor("staff", member.id, member.email))  # they act for themselves from now on
    audit.record(session, "staff.accept", "staff_member", member.id, now, provider_id=member.provider_id)
    return member


def change_role(
    session: Session, provider_id: str | None, member_id: str, role: str, now: datetime
) -> StaffMember:
    member = get_member(session, provider_id, member_id)
    allowed = PROVIDER_ROLES if provider_id is not None else OPERATOR_ROLES
    if role not in allowed:
        raise invalid_field("role", gettext("choose one of the roles offered"))
    if role == member.role:
        return member
    before = _snapshot(member)
    _keep_an_admin(session, member)
    member.role = role
    session.flush()
    audit.record(
        session,
        "staff.role",
        "staff_member",
        member.id,
        now,
        provider_id=provider_id,
        before=before,
        after=_snapshot(member),
    )
    return member


def remove(session: Session, provider_id: str | None, member_id: str, now: datetime) -> None:
    """Remove a member: their sessions end at once."""
    member = get_member(session, provider_id, member_id)
    _keep_an_admin(session, member)
    before = _snapshot(member)
    session.delete(member)
    session.flush()
    audit.record(
        session, "staff.remove", "staff_member", member_id, now, provider_id=provider_id, before=before
    )


def _keep_an_admin(session: Session, member: StaffMember) -> None:
    """Refuse to demote or remove the last administrator who can sign in (someone must manage staff)."""
    admin = Role.ADMIN if member.provider_id else Role.OPERATOR_ADMIN
    if member.role != admin or member.password_hash is None:
        return
    where = (
        StaffMember.provider_id.is_(None)
        if member.provider_id is None
        else (StaffMember.provider_id == member.provider_id)
    )
    admins = session.scalar(
        select(func.count())
        .select_from(StaffMember)
        .where(where, StaffMember.role == admin, StaffMember.password_hash.is_not(None))
    )
    if (admins or 0) <= 1:
        raise Conflict(gettext("this is the only administrator: make someone else one first"))


# --- sign-in ------------------------------------------------------------------------------------------------


def throttle(config: StaffConfig, account: str, client: str, now: datetime) -> None:
    refusal = config.limiter.check(account, client, now)
    if refusal is not None:
        wait = refusal.retry_after
        message = ngettext(
            "Too many attempts to sign in. Wait %(num)d second and try again.",
            "Too many attempts to sign in. Wait %(num)d seconds and try again.",
            wait,
        )
        raise TooManyAttempts(message, retry_after=wait)


def authenticate(
    session: Session,
    config: StaffConfig,
    email: str,
    password: str,
    client: str,
    now: datetime,
    *,
    operator: bool,
) -> StaffMember:
    """The member (of a provider, or with `operator` of the operator) with this address and password;
    one answer for every failure."""
    account = "staff:" + email.strip().lower()
    throttle(config, account, client, now)
    member = session.scalar(select(StaffMember).where(StaffMember.email == email.strip().lower()))
    if member is not None and (member.provider_id is None) != operator:
        member = None
    if not config.passwords.check(member.password_hash if member else None, password) or member is None:
        config.limiter.failed(account, client, now)
        raise SignInFailed(gettext(SIGN_IN_FAILED))
    config.limiter.succeeded(account, client)
    assert member.password_hash is not None
    if config.passwords.needs_rehash(member.password_hash):
        member.password_hash = config.passwords.hash(password)
    return member


def start_session(
    session: Session, config: StaffConfig, member: StaffMember, now: datetime
) -> tuple[StaffSession, str]:
    """A new browser session; with TOTP on, it waits for the code (`second_factor_due`)."""
    session.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
    secret = new_secret()
    row = StaffSession(
        secret_sha256=digest(secret),
        staff_member_id=member.id,
        csrf_token=new_secret(),
        second_factor_due=member.totp_enabled,
        created_at=now,
        expires_at=now + config.session_ttl,
    )
    session.add(row)
    session.flush()
    return row, secret


def find_session(session: Session, secret: str, now: datetime) -> StaffSession | None:
    row = session.get(StaffSession, digest(secret))
    if row is None or row.expires_at <= now:
        return None
    return row


def end_session(session: Session, row: StaffSession) -> None:
    session.delete(row)
    session.flush()


# --- the member's own account -------------------------------------------------------------------------------


def change_password(
    session: Session,
    config: StaffConfig,
    member: StaffMember,
    current: str,
    new: str,
    now: datetime,
    keep: StaffSession | None = None,
) -> None:
    """Set a new password; every other session of the member ends (`keep`: this browser's)."""
    if not config.passwords.check(member.password_hash, current):
        raise SignInFailed(gettext("Your current password is not right."))
    problem = password_problem(new)
    if problem:
        raise invalid_field("password", problem)
    member.password_hash = config.passwords.hash(new)
    others = delete(StaffSession).where(StaffSession.staff_member_id == member.id)
    if keep is not None:
        others = others.where(StaffSession.secret_sha256 != keep.secret_sha256)
    session.execute(others)
    session.flush()
    audit.record(session, "staff.password", "staff_member", member.id, now, provider_id=member.provider_id)
