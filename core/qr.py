"""QR codes (ISO/IEC 18004) for sharing and verifying credentials.

OB 3.0 and CLR 2.0 do not specify QR codes (CHECKLIST §8); these are project choices:

- **A URL** (a share or verification link): the usual code, printed on certificates and shown on screens.
- **Offline**: the compact VC-JWT itself, for a verifier with no network, when it fits. A typical OB 3.0
  credential (3-8 KB as a JWT) does not; a small one does. Nothing is compressed or re-encoded, so any QR
  reader returns the exact token that any VC-JWT verifier accepts.

segno makes the codes: pure Python with no dependencies, writes PNG and SVG itself (no imaging library),
typed, and lets us fix the error-correction level, mode and quiet zone. (``qrcode`` needs Pillow or
pypng for PNG and chooses less for us.)
"""

from __future__ import annotations

import io
from typing import Literal
from urllib.parse import urlsplit

import segno

from vc.jwt import looks_like_jwt

__all__ = [
    "OFFLINE_MAX_BYTES",
    "QUIET_ZONE",
    "QrCodeError",
    "fits_offline_link",
    "fits_offline_qr",
    "offline_link",
    "offline_link_qr",
    "offline_qr",
    "url_qr",
]

ImageFormat = Literal["png", "svg"]

# Q restores up to 25% of damaged modules: a printed certificate gets folded, scuffed, photocopied and
# stamped. A share URL is short (~70 bytes: version 6, 41 x 41 modules at Q), so the stronger level
# costs little size; segno raises it further (to H) when that needs no larger version.
URL_ERROR_LEVEL = "q"
# L (7%) for the offline code: it is shown on a screen, where damage is rare and the limit is how much
# fits; L holds 2,953 bytes at version 40, M only 2,331.
OFFLINE_ERROR_LEVEL = "l"
OFFLINE_MAX_BYTES = 2953  # byte mode, version 40, level L (ISO/IEC 18004's capacity table)
QUIET_ZONE = 4  # modules of light margin on each side, the minimum ISO/IEC 18004 sets for QR Code
# Pixels per module in the PNG (and the SVG's nominal size): 10 makes a URL code ~410-490 px, ~3.5-4 cm
# at 300 dpi; the offline code has up to 185 modules with its quiet zone, so 4 px keeps it ~740 px.
URL_MODULE_PIXELS = 10
OFFLINE_MODULE_PIXELS = 4
MAX_URL_LENGTH = 1024


class QrCodeError(ValueError):
    """The content cannot be put into a QR code; the message says why in plain words."""


def url_qr(url: str, image_format: ImageFormat = "png") -> bytes:
    """A QR code for an http(s) URL, as PNG or SVG bytes."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise QrCodeError("a QR code link must be an absolute http(s) URL")
    if len(url) > MAX_URL_LENGTH or not url.isprintable() or " " in url:
        raise QrCodeError(f"a QR code link must be printable, without spaces, at most {MAX_URL_LENGTH} long")
    code = segno.make_qr(url, error=URL_ERROR_LEVEL, boost_error=True)
    return _render(code, image_format, URL_MODULE_PIXELS, title=url)


def fits_offline_qr(token: str) -> bool:
    """Whether a compact VC-JWT fits in one offline QR code (byte mode, level L, at most version 40)."""
    return looks_like_jwt(token) and len(token.strip()) <= OFFLINE_MAX_BYTES


def offline_qr(token: str, image_format: ImageFormat = "png") -> bytes:
    """A QR code holding the compact VC-JWT itself, for verifying offline; refuses one that does not fit."""
    token = token.strip()
    if not looks_like_jwt(token):
        raise QrCodeError("an offline QR code holds a compact VC-JWT; this is not one")
    if not fits_offline_qr(token):
        raise QrCodeError(
            f"this VC-JWT is {len(token)} bytes; an offline QR code holds at most {OFFLINE_MAX_BYTES}. "
            "Share a verification link (or the baked badge) instead."
        )
    code = segno.make_qr(token, error=OFFLINE_ERROR_LEVEL, mode="byte", boost_error=True)
    return _render(code, image_format, OFFLINE_MODULE_PIXELS, title="Credential (VC-JWT)")


def offline_link(base_url: str, token: str) -> str:
    """The check page with the VC-JWT in the fragment: a phone camera opens it, and the fragment never
    reaches a server (``verification/static/verify.js`` posts it to the page's form)."""
    return f"{base_url}/verify#vc={token.strip()}"


def fits_offline_link(base_url: str, token: str) -> bool:
    """Whether `offline_link` for this VC-JWT fits in one QR code (byte mode, level L)."""
    return looks_like_jwt(token) and len(offline_link(base_url, token)) <= OFFLINE_MAX_BYTES


def offline_link_qr(base_url: str, token: str, image_format: ImageFormat = "png") -> bytes:
    """A QR code of `offline_link`: scanned by a phone it opens the check page; the CLI (``passport
    verify``) takes the scanned text as it is and verifies the token offline."""
    if not looks_like_jwt(token):
        raise QrCodeError("an offline QR code holds a compact VC-JWT; this credential is not one")
    link = offline_link(base_url, token)
    if len(link) > OFFLINE_MAX_BYTES:
        raise QrCodeError(
            f"this credential's offline link is {len(link)} bytes; a QR code holds at most "
            f"{OFFLINE_MAX_BYTES}. Share the verification link instead."
        )
    code = segno.make_qr(link, error=OFFLINE_ERROR_LEVEL, mode="byte", boost_error=True)
    return _render(code, image_format, OFFLINE_MODULE_PIXELS, title="Check this credential")


def _render(code: segno.QRCode, image_format: ImageFormat, scale: int, title: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "png":
        code.save(buffer, kind="png", scale=scale, border=QUIET_ZONE, dark="#000", light="#fff")
    elif image_format == "svg":
        code.save(buffer, kind="svg", scale=scale, border=QUIET_ZONE, dark="#000", light="#fff", title=title)
    else:
        raise QrCodeError(f"QR codes are made as png or svg, not {image_format!r}")
    return buffer.getvalue()
