"""RFC 6238 TOTP as staff sign-in uses it: the RFC's own test vector, drift of one step, no replay."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pyotp
import pytest

from core.keystore import Keystore, KeystoreError
from core.totp import STEP_SECONDS, new_totp_secret, provisioning_uri, qr_svg, verify

# RFC 6238 Appendix B: the SHA-1 seed "12345678901234567890"; at T = 59 s the 8-digit code is 94287082,
# so the 6-digit code (the last six digits, RFC 4226 §5.3) is 287082.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
AT_59 = datetime.fromtimestamp(59, UTC)


def test_the_rfc_6238_vector() -> None:
    assert verify(RFC_SECRET, "287082", AT_59, None) == 1
    assert verify(RFC_SECRET, "287 082", AT_59, None) == 1  # spaces as apps show them
    assert verify(RFC_SECRET, "287083", AT_59, None) is None


def test_one_step_of_drift_either_way_and_no_more() -> None:
    secret = new_totp_secret()
    now = datetime(2026, 12, 1, 9, 0, 15, tzinfo=UTC)
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // STEP_SECONDS
    for offset in (-1, 0, 1):
        assert verify(secret, totp.at((step + offset) * STEP_SECONDS), now, None) == step + offset
    for offset in (-2, 2):
        assert verify(secret, totp.at((step + offset) * STEP_SECONDS), now, None) is None


def test_a_step_used_once_is_never_accepted_again() -> None:
    secret = new_totp_secret()
    now = datetime(2026, 12, 1, 9, 0, 15, tzinfo=UTC)
    code = pyotp.TOTP(secret).at(now)
    used = verify(secret, code, now, None)
    assert used is not None
    assert verify(secret, code, now, used) is None
    earlier = pyotp.TOTP(secret).at(now.timestamp() - STEP_SECONDS)
    assert verify(secret, earlier, now, used) is None  # an older step either


def test_malformed_codes_are_refused() -> None:
    for code in ("", "12345", "1234567", "abcdef", "12 34 5x"):
        assert verify(RFC_SECRET, code, AT_59, None) is None


def test_the_setup_uri_and_its_qr_code() -> None:
    secret = new_totp_secret()
    assert len(base64.b32decode(secret)) == 20  # 160 bits
    uri = provisioning_uri(secret, "ada@college.example", "Skills Passport")
    assert uri.startswith("otpauth://totp/Skills%20Passport:ada%40college.example?secret=")
    assert "issuer=Skills%20Passport" in uri
    assert qr_svg(uri).startswith("data:image/svg+xml")


def test_a_sealed_secret_opens_only_under_its_own_context_and_key() -> None:
    keystore = Keystore(bytes(range(32)))
    sealed = keystore.seal_secret(b"JBSWY3DPEHPK3PXP", "totp:member-1")
    assert b"JBSWY3DPEHPK3PXP" not in sealed
    assert keystore.open_secret(sealed, "totp:member-1") == b"JBSWY3DPEHPK3PXP"
    with pytest.raises(KeystoreError):
        keystore.open_secret(sealed, "totp:member-2")  # copied onto another member's row
    with pytest.raises(KeystoreError):
        Keystore(bytes(32)).open_secret(sealed, "totp:member-1")  # another master key
