"""QR codes: every code we make is read back by a real decoder (zxing-cpp; SVG rendered by cairosvg first)
and must give the exact URL or VC-JWT; the error-correction level and the quiet zone are what we chose."""

from __future__ import annotations

import io
from typing import Any

import cairosvg
import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps

from core.qr import (
    OFFLINE_MAX_BYTES,
    QUIET_ZONE,
    URL_MODULE_PIXELS,
    QrCodeError,
    fits_offline_qr,
    offline_qr,
    url_qr,
)
from server.demo import demo_credential
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.jwt import sign_jwt
from vc.keys import PrivateKey

KEY = PrivateKey.from_ed25519_secret(bytes(range(32)))
SHARE_URL = "https://passport.skillsnetwork.org.uk/credentials/0123456789abcdef0123456789abcdef"


def as_image(code: bytes) -> Image.Image:
    if code.startswith(b"\x89PNG"):
        return Image.open(io.BytesIO(code))
    assert code.lstrip().startswith(b"<?xml")
    assert b"<svg" in code
    return Image.open(io.BytesIO(cairosvg.svg2png(bytestring=code)))


def decode(code: bytes) -> Any:
    """The one QR code a real decoder finds in the image."""
    results = zxingcpp.read_barcodes(as_image(code).convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(results) == 1
    return results[0]


@pytest.mark.parametrize("image_format", ["png", "svg"])
def test_url_code_decodes_to_the_exact_url_at_level_q_or_better(image_format: Any) -> None:
    result = decode(url_qr(SHARE_URL, image_format))
    assert result.text == SHARE_URL
    assert result.ec_level in ("Q", "H")


@pytest.mark.parametrize("image_format", ["png", "svg"])
def test_url_code_has_a_quiet_zone_of_four_modules_of_ten_pixels(image_format: Any) -> None:
    image = as_image(url_qr(SHARE_URL, image_format)).convert("L")
    width, height = image.size
    modules = width // URL_MODULE_PIXELS - 2 * QUIET_ZONE
    assert width == height
    assert width % URL_MODULE_PIXELS == 0
    assert (modules - 17) % 4 == 0  # a QR Code symbol of version v is 17 + 4v modules wide
    # The finder patterns put dark modules in three corners, so the dark area starts after the quiet zone.
    margin = QUIET_ZONE * URL_MODULE_PIXELS
    assert ImageOps.invert(image).getbbox() == (margin, margin, width - margin, height - margin)


def test_png_and_svg_of_a_url_carry_the_same_modules() -> None:
    png = as_image(url_qr(SHARE_URL, "png")).convert("1")
    svg = as_image(url_qr(SHARE_URL, "svg")).convert("1")
    assert png.size == svg.size
    assert png.tobytes() == svg.tobytes()


@settings(max_examples=25)
@given(
    st.from_regex(
        r"https://[a-z0-9.-]{1,40}\.example/[A-Za-z0-9._~!$&'()*+,;=:@/?#%-]{0,200}", fullmatch=True
    ),
    st.sampled_from(["png", "svg"]),
)
def test_any_url_comes_back_exactly(url: str, image_format: Any) -> None:
    assert decode(url_qr(url, image_format)).text == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "/credentials/1",
        "https://",
        "https://a.example/x y",
        "https://a.example/\n",
        "x",
    ],
)
def test_url_code_refuses_what_is_not_an_http_url(url: str) -> None:
    with pytest.raises(QrCodeError):
        url_qr(url)


def test_url_code_refuses_an_unknown_image_format() -> None:
    with pytest.raises(QrCodeError, match="png or svg"):
        url_qr(SHARE_URL, "gif")  # type: ignore[arg-type]


def small_jwt() -> str:
    """A VC-JWT of an OB 3.0 credential with only what it must have."""
    issuer = did_key_for(KEY.public_key)
    credential = demo_credential(issuer)
    subject = credential["credentialSubject"]
    credential["credentialSubject"] = {
        "type": subject["type"],
        "identifier": subject["identifier"],
        "achievement": {
            key: subject["achievement"][key] for key in ("id", "type", "name", "description", "criteria")
        },
    }
    credential["issuer"] = {"id": issuer, "type": ["Profile"], "name": "Midlands College"}
    for key in ("description", "evidence", "credentialSchema"):
        credential.pop(key, None)
    return sign_jwt(credential, KEY, kid=did_key_verification_method_id(KEY.public_key))


@pytest.mark.parametrize("image_format", ["png", "svg"])
def test_offline_code_holds_the_exact_vc_jwt(image_format: Any) -> None:
    token = small_jwt()
    assert fits_offline_qr(token)
    assert decode(offline_qr(token, image_format)).text == token


def test_a_vc_jwt_of_exactly_the_limit_fits_and_decodes() -> None:
    token = small_jwt()
    header, payload, signature = token.split(".")
    padded = f"{header}.{payload}{'A' * (OFFLINE_MAX_BYTES - len(token))}.{signature}"
    assert len(padded) == OFFLINE_MAX_BYTES
    assert fits_offline_qr(padded)
    assert decode(offline_qr(padded)).text == padded


def test_a_vc_jwt_too_large_for_one_code_is_refused_clearly() -> None:
    token = sign_jwt(demo_credential(did_key_for(KEY.public_key)), KEY, kid="did:key:z#z")
    assert len(token) > OFFLINE_MAX_BYTES  # a typical OB 3.0 credential does not fit
    assert not fits_offline_qr(token)
    with pytest.raises(QrCodeError, match=f"{len(token)} bytes; an offline QR code holds at most 2953"):
        offline_qr(token)


def test_offline_code_refuses_what_is_not_a_jwt() -> None:
    assert not fits_offline_qr('{"@context": []}')
    with pytest.raises(QrCodeError, match="not one"):
        offline_qr('{"@context": []}')
