"""Time-based one-time passwords (RFC 6238, through pyotp) for a second factor at sign-in.

Codes are six digits over 30-second steps (RFC 6238 §4 defaults, what every authenticator app shows).
A code is accepted for the step before, the current one and the next (clock drift, RFC 6238 §5.2), and a
step is accepted once only: the caller keeps the last step used and passes it back (`verify` returns the
step that matched), so a code seen over someone's shoulder cannot be replayed. The set-up QR code holds
the ``otpauth://`` URI (Key Uri Format) and is drawn by segno as an inline SVG.
"""

from __future__ import annotations

from datetime import datetime

import pyotp
import segno

__all__ = ["STEP_SECONDS", "new_totp_secret", "provisioning_uri", "qr_svg", "verify"]

STEP_SECONDS = 30
DIGITS = 6


def new_totp_secret() -> str:
    """160 random bits, base32 (RFC 4226 §4 recommends at least 128)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer
    )


def qr_svg(uri: str) -> str:
    """The set-up QR code as an SVG ``data:`` URI (the pages' CSP allows images from ``data:``)."""
    return str(segno.make_qr(uri, error="m").svg_data_uri(scale=4, border=4))


def verify(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step the code belongs to (one step of drift either way), or None when it is wrong or
    that step, or an earlier one, was used already."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            return step
    return None
