"""Two-step sign-in for staff: a TOTP code from an authenticator app (`core.totp`), with single-use
recovery codes for a lost phone.

Turning it on gives ten recovery codes, shown once; only their SHA-256 digests are kept (each has 50
random bits and sign-in is throttled, so a slow hash would add nothing). At the code step a recovery code
works in place of the app's code, once: it is spent by a compare-and-set ``UPDATE``, so two browsers
cannot both spend it. The member can turn two-step sign-in off or get new codes with their password; an
administrator (the provider's, or the operator's for anyone) can reset it for a member who lost both,
which ends that member's sessions. Each change is in the audit trail."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from core.i18n import gettext
from core.passwords import digest
from core.problems import Conflict
from core.totp import new_totp_secret, verify

from . import audit
from .accounts import SignInFailed, StaffConfig, invalid_field, throttle
from .models import StaffMember, StaffRecoveryCode, StaffSession

__all__ = [
    "RECOVERY_CODES",
    "begin",
    "confirm",
    "new_recovery_codes",
    "recovery_codes_left",
    "reset",
    "second_factor",
    "totp_secret",
    "turn_off",
]

RECOVERY_CODES = 10
#: Lower-case letters and digits a reader cannot confuse (no 0/o, 1/l/i, u/v).
_ALPHABET = "abcdefghjkmnpqrstwxyz23456789"
_HALF = 5


def _new_code() -> str:
    halves = ("".join(secrets.choice(_ALPHABET) for _ in range(_HALF)) for _ in range(2))
    return "-".join(halves)


def _normalised(code: str) -> str:
    """As typed: any case, with or without the hyphen or spaces."""
    bare = "".join(code.split()).replace("-", "").lower()
    return f"{bare[:_HALF]}-{bare[_HALF:]}"


def _looks_like_recovery_code(code: str) -> bool:
    bare = "".join(code.split()).replace("-", "").lower()
    return len(bare) == 2 * _HALF and all(c in _ALPHABET for c in bare)


def totp_secret(config: StaffConfig, member: StaffMember) -> str:
    """The member's TOTP secret, unsealed (set-up must have begun)."""
    if member.totp_secret_sealed is None:
        raise Conflict(gettext("start setting up two-step sign-in first"))
    return config.keystore.open_secret(member.totp_secret_sealed, f"totp:{member.id}").decode()


def begin(session: Session, config: StaffConfig, member: StaffMember) -> str:
    """A new secret to set up in an authenticator app; the factor is on once a code is confirmed."""
    if member.totp_enabled:
        raise Conflict(gettext("two-step sign-in is already on"))
    secret = new_totp_secret()
    member.totp_secret_sealed = config.keystore.seal_secret(secret.encode(), f"totp:{member.id}")
    session.flush()
    return secret


def confirm(
    session: Session, config: StaffConfig, member: StaffMember, code: str, now: datetime
) -> list[str]:
    """Turn two-step sign-in on with a first code from the app; the recovery codes, to show once."""
    if member.totp_enabled:
        raise Conflict(gettext("two-step sign-in is already on"))
    step = verify(totp_secret(config, member), code, now, member.totp_last_step)
    if step is None:
        raise invalid_field("code", gettext("That code is not right. Use the newest code your app shows."))
    member.totp_enabled, member.totp_last_step = True, step
    codes = _replace_codes(session, member, now)
    audit.record(
        session,
        "staff.totp_on",
        "staff_member",
        member.id,
        now,
        provider_id=member.provider_id,
        before={"totp": False},
        after={"totp": True},
    )
    return codes


def second_factor(
    session: Session, config: StaffConfig, row: StaffSession, code: str, client: str, now: datetime
) -> StaffMember:
    """Complete a sign-in with the app's code or an unused recovery code; throttled like the password."""
    member = session.get(StaffMember, row.staff_member_id)
    assert member is not None
    account = f"staff-totp:{member.id}"
    throttle(config, account, client, now)
    # The throttle keeps its own connection (failures count even when this request rolls back), so it is
    # told before this transaction writes anything: SQLite allows one writer at a time.
    if _looks_like_recovery_code(code):
        code_id = _unused_code(session, member, code)
        if code_id is None:
            config.limiter.failed(account, client, now)
            raise SignInFailed(gettext("That recovery code is not right, or it was used already."))
        config.limiter.succeeded(account, client)
        if not _spend(session, member, code_id, now):  # another browser spent it a moment ago
            raise SignInFailed(gettext("That recovery code is not right, or it was used already."))
    else:
        step = verify(totp_secret(config, member), code, now, member.totp_last_step)
        if step is None:
            config.limiter.failed(account, client, now)
            raise SignInFailed(gettext("That code is not right. Use the newest code your app shows."))
        config.limiter.succeeded(account, client)
        member.totp_last_step = step
    row.second_factor_due = False
    session.flush()
    return member


def recovery_codes_left(session: Session, member: StaffMember) -> int:
    query = select(func.count()).where(
        StaffRecoveryCode.staff_member_id == member.id, StaffRecoveryCode.used_at.is_(None)
    )
    return session.scalar(query) or 0


def new_recovery_codes(
    session: Session, config: StaffConfig, member: StaffMember, password: str, now: datetime
) -> list[str]:
    """Ten new codes in place of the old ones (all of which stop working), after the password."""
    _require_on(member)
    _check_password(config, member, password)
    codes = _replace_codes(session, member, now)
    audit.record(
        session, "staff.recovery_codes", "staff_member", member.id, now, provider_id=member.provider_id
    )
    return codes


def turn_off(
    session: Session, config: StaffConfig, member: StaffMember, password: str, now: datetime
) -> None:
    """The member turns two-step sign-in off themselves, after their password."""
    _require_on(member)
    _check_password(config, member, password)
    _clear(session, member)
    audit.record(
        session,
        "staff.totp_off",
        "staff_member",
        member.id,
        now,
        provider_id=member.provider_id,
        before={"totp": True},
        after={"totp": False},
    )


def reset(session: Session, member: StaffMember, now: datetime) -> None:
    """An administrator turns it off for a member who lost their phone and codes; their sessions end, so
    the next sign-in is with the password alone (and they can set it up again)."""
    _require_on(member)
    _clear(session, member)
    session.execute(delete(StaffSession).where(StaffSession.staff_member_id == member.id))
    session.flush()
    audit.record(
        session,
        "staff.totp_reset",
        "staff_member",
        member.id,
        now,
        provider_id=member.provider_id,
        before={"totp": True},
        after={"totp": False},
    )


def _replace_codes(session: Session, member: StaffMember, now: datetime) -> list[str]:
    session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.staff_member_id == member.id))
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
    session.add_all(
        StaffRecoveryCode(staff_member_id=member.id, code_sha256=digest(code), created_at=now)
        for code in codes
    )
    session.flush()
    return codes


def _unused_code(session: Session, member: StaffMember, code: str) -> str | None:
    return session.scalar(
        select(StaffRecoveryCode.id).where(
            StaffRecoveryCode.staff_member_id == member.id,
            StaffRecoveryCode.code_sha256 == digest(_normalised(code)),
            StaffRecoveryCode.used_at.is_(None),
        )
    )


def _spend(session: Session, member: StaffMember, code_id: str, now: datetime) -> bool:
    """Compare-and-set: only one sign-in spends a code."""
    spent = session.execute(
        update(StaffRecoveryCode)
        .where(StaffRecoveryCode.id == code_id, StaffRecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        return False
    audit.record(
        session,
        "staff.recovery_code_used",
        "staff_member",
        member.id,
        now,
        provider_id=member.provider_id,
        after={"left": recovery_codes_left(session, member)},
    )
    return True


def _clear(session: Session, member: StaffMember) -> None:
    member.totp_enabled, member.totp_secret_sealed, member.totp_last_step = False, None, None
    session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.staff_member_id == member.id))
    session.flush()


def _require_on(member: StaffMember) -> None:
    if not member.totp_enabled:
        raise Conflict(gettext("two-step sign-in is off"))


def _check_password(config: StaffConfig, member: StaffMember, password: str) -> None:
    if not config.passwords.check(member.password_hash, password):
        raise invalid_field("password", gettext("Your password is not right."))
