"""Baked badges (OB 3.0 §Baking): round trips, the exact PNG chunk and SVG element layout, independent
readers (Pillow, ElementTree, cairosvg) and writers (Pillow's PngInfo), and one test per kind of bad image."""

from __future__ import annotations

import contextlib
import io
import json
import re
import struct
import zlib
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

import cairosvg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from server.demo import demo_credential
from vc import data_integrity
from vc.baking import MAX_CREDENTIAL_BYTES, MAX_IMAGE_BYTES, OB_NAMESPACE, bake, image_kind, unbake
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.errors import BakingError, VcError
from vc.jwt import sign_jwt
from vc.keys import PrivateKey
from vc.ports import DidKeyResolver
from vc.verify import Ports, verify_credential

KEY = PrivateKey.from_ed25519_secret(bytes(range(32)))
METHOD = did_key_verification_method_id(KEY.public_key)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- a badge -->\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">\n'
    b'  <circle cx="32" cy="32" r="30" fill="#1d6f72"/>\n</svg>\n'
)
CREDENTIAL_TAG = f"{{{OB_NAMESPACE}}}credential"


def make_png(size: tuple[int, int] = (24, 16), info: PngImagePlugin.PngInfo | None = None) -> bytes:
    image = Image.new("RGBA", size, (29, 111, 114, 255))
    image.putpixel((3, 5), (255, 200, 0, 128))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


PNG = make_png()


@pytest.fixture(scope="module")
def signed_json() -> dict[str, Any]:
    return data_integrity.sign(demo_credential(did_key_for(KEY.public_key)), KEY, METHOD, NOW)


@pytest.fixture(scope="module")
def signed_jwt() -> str:
    return sign_jwt(demo_credential(did_key_for(KEY.public_key)), KEY, kid=METHOD)


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, read by this test on its own."""
    found, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack_from(">I", png, offset)
        found.append((png[offset + 4 : offset + 8], png[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    return found


def chunk(chunk_type: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", zlib.crc32(chunk_type + data))


def with_chunk_before_idat(png: bytes, extra: bytes) -> bytes:
    position = png.index(b"IDAT") - 4
    return png[:position] + extra + png[position:]


# --- PNG ----------------------------------------------------------------------------------------------------


def test_png_round_trip_of_a_signed_json_credential_that_still_verifies(signed_json: dict[str, Any]) -> None:
    credential = unbake(bake(PNG, signed_json))
    assert credential == signed_json
    assert verify_credential(credential, Ports(resolver=DidKeyResolver()), NOW).verified


def test_png_round_trip_of_a_vc_jwt(signed_jwt: str) -> None:
    assert unbake(bake(PNG, signed_jwt)) == signed_jwt


def test_png_chunk_is_one_uncompressed_itxt_before_idat_as_ob3_says(signed_json: dict[str, Any]) -> None:
    baked_chunks = chunks(bake(PNG, signed_json))
    types = [chunk_type for chunk_type, _ in baked_chunks]
    credential_chunks = [i for i, (t, d) in enumerate(baked_chunks) if d.startswith(b"openbadgecredential\0")]
    assert len(credential_chunks) == 1
    index = credential_chunks[0]
    assert types[index] == b"iTXt"
    assert index < types.index(b"IDAT")
    data = baked_chunks[index][1]
    # keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, text
    assert data.startswith(b"openbadgecredential\0\0\0\0\0")
    assert data[len(b"openbadgecredential\0\0\0\0\0") :].startswith(b'{"@context":')


def test_png_baking_copies_every_other_chunk_unchanged(signed_jwt: str) -> None:
    original = [c for c in chunks(PNG)]
    baked = [c for c in chunks(bake(PNG, signed_jwt)) if not c[1].startswith(b"openbadgecredential\0")]
    assert baked == original


def test_pillow_reads_our_chunk_and_the_image_is_unchanged(signed_json: dict[str, Any]) -> None:
    baked = Image.open(io.BytesIO(bake(PNG, signed_json)))
    baked.load()  # Pillow checks the CRCs of the chunks it reads
    text = baked.text["openbadgecredential"]  # type: ignore[attr-defined]
    assert (text.lang, text.tkey) == ("", "")
    assert json.loads(text) == signed_json
    assert baked.tobytes() == Image.open(io.BytesIO(PNG)).tobytes()


def test_we_read_an_itxt_chunk_written_by_pillow(signed_jwt: str) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadgecredential", signed_jwt, lang="", tkey="", zip=False)
    assert unbake(make_png(info=info)) == signed_jwt


def test_baking_again_replaces_the_credential_never_two(signed_json: dict[str, Any], signed_jwt: str) -> None:
    twice = bake(bake(PNG, signed_json), signed_jwt)
    assert sum(d.startswith(b"openbadgecredential\0") for _, d in chunks(twice)) == 1
    assert unbake(twice) == signed_jwt


def expect_refusal(data: bytes, message: str) -> None:
    with pytest.raises(BakingError, match=message) as caught:
        unbake(data)
    assert isinstance(caught.value, VcError)
    assert caught.value.code == "baking_error"


def test_two_credential_chunks_are_refused(signed_jwt: str) -> None:
    # Written by Pillow, so our own writer's "never two" is no part of the test.
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadgecredential", signed_jwt)
    info.add_itxt("openbadgecredential", "eyJ.other.token")
    expect_refusal(make_png(info=info), "2 openbadgecredential chunks")


def test_a_compressed_credential_chunk_is_refused(signed_jwt: str) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadgecredential", signed_jwt, zip=True)
    expect_refusal(make_png(info=info), "compressed")


def test_an_open_badges_2_png_says_so() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadges", "https://example.org/assertion.json")
    expect_refusal(make_png(info=info), "Open Badges 2.0")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (PNG, "no baked credential"),
        (b"GIF89a" + bytes(20), "not a PNG or SVG"),
        (b"", "not a PNG or SVG"),
        (PNG[:-20], "truncated"),
        (PNG + b"trailing", "data after its IEND"),
        (PNG[:8] + PNG[33:], "does not start with an IHDR"),
        (PNG[:12] + b"IH?R" + PNG[16:], "invalid type"),
        (PNG[:29] + bytes([PNG[29] ^ 1]) + PNG[30:], "IHDR chunk has a bad CRC"),
        (PNG[:8] + b"\xff\xff\xff\xff" + PNG[12:], "runs past the end"),
        (PNG[:33] + PNG[-12:], "no image data"),
        (with_chunk_before_idat(PNG, chunk(b"iTXt", b"openbadgecredential\0\0")), "malformed"),
        (with_chunk_before_idat(PNG, chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0\xff\xfe")), "not UTF-8"),
        (with_chunk_before_idat(PNG, chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0  ")), "empty"),
        (with_chunk_before_idat(PNG, chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0[1]")), "not an object"),
        (with_chunk_before_idat(PNG, chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0{x")), "neither"),
        (PNG + bytes(MAX_IMAGE_BYTES), "limit"),
    ],
    ids=lambda value: value if isinstance(value, str) else "png",
)
def test_bad_pngs_are_refused_with_a_clear_message(data: bytes, message: str) -> None:
    expect_refusal(data, message)


def test_an_oversized_credential_chunk_is_refused() -> None:
    text = b'{"x": "' + b"a" * MAX_CREDENTIAL_BYTES + b'"}'
    expect_refusal(
        with_chunk_before_idat(PNG, chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0" + text)), "limit"
    )


@pytest.mark.parametrize(
    ("credential", "message"),
    [
        ({"x": "a" * MAX_CREDENTIAL_BYTES}, "limit"),
        ("not a jws", "Compact JWS"),
        ({"x": 2**70}, "cannot be written as JSON"),
        ([1, 2], "JSON object or a Compact JWS"),
    ],
)
def test_credentials_we_will_not_bake(credential: Any, message: str) -> None:
    with pytest.raises(BakingError, match=message):
        bake(PNG, credential)


def test_images_we_cannot_bake_into() -> None:
    with pytest.raises(BakingError, match="only PNG and SVG"):
        bake(b"GIF89a", "a.b.c")
    with pytest.raises(BakingError, match="limit"):
        bake(PNG + bytes(MAX_IMAGE_BYTES), "a.b.c")
    with pytest.raises(BakingError, match="bad CRC"):
        bake(PNG[:-1] + b"\0", "a.b.c")


@given(st.data())
def test_every_single_byte_change_to_a_baked_png_is_refused(data: st.DataObject) -> None:
    baked = bake(PNG, "eyJhbGciOiJFZERTQSJ9.eyJ4IjoxfQ.c2ln")
    position = data.draw(st.integers(0, len(baked) - 1))
    flip = data.draw(st.integers(1, 255))
    with pytest.raises(BakingError):
        unbake(baked[:position] + bytes([baked[position] ^ flip]) + baked[position + 1 :])


@given(st.binary(max_size=200))
def test_arbitrary_bytes_give_a_credential_or_a_baking_error_never_a_crash(tail: bytes) -> None:
    for data in (tail, PNG[:8] + tail, b"<svg" + tail, PNG[:33] + tail):
        with contextlib.suppress(BakingError):
            unbake(data)


# --- SVG ----------------------------------------------------------------------------------------------------


def test_svg_round_trip_of_a_signed_json_credential(signed_json: dict[str, Any]) -> None:
    assert unbake(bake(SVG, signed_json)) == signed_json


def test_svg_round_trip_of_a_vc_jwt(signed_jwt: str) -> None:
    assert unbake(bake(SVG, signed_jwt)) == signed_jwt


def test_svg_element_comes_right_after_the_svg_tag_as_ob3_says(
    signed_json: dict[str, Any], signed_jwt: str
) -> None:
    baked_json, baked_jwt = bake(SVG, signed_json), bake(SVG, signed_jwt)
    root_tag = re.search(rb"<svg[^>]*>", baked_json)
    assert root_tag is not None
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in root_tag.group()
    assert baked_json[root_tag.end() :].startswith(b"<openbadges:credential><![CDATA[{")
    assert re.search(
        rb'<svg[^>]*><openbadges:credential verify="' + signed_jwt.encode() + rb'"></openbadges:credential>',
        baked_jwt,
    )
    # An independent XML parser finds the element as the first child of <svg>.
    root = ElementTree.fromstring(baked_json)
    assert root[0].tag == CREDENTIAL_TAG
    assert json.loads(root[0].text or "") == signed_json
    assert ElementTree.fromstring(baked_jwt)[0].get("verify") == signed_jwt


def test_svg_baking_keeps_the_rest_of_the_document(signed_jwt: str) -> None:
    baked = bake(SVG, signed_jwt)
    element = b'<openbadges:credential verify="' + signed_jwt.encode() + b'"></openbadges:credential>'
    declaration = b' xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"'
    assert baked.replace(element, b"").replace(declaration, b"") == SVG


def test_the_baked_svg_renders_like_the_original(signed_json: dict[str, Any]) -> None:
    assert cairosvg.svg2png(bytestring=bake(SVG, signed_json)) == cairosvg.svg2png(bytestring=SVG)


def test_svg_baking_again_replaces_the_credential(signed_json: dict[str, Any], signed_jwt: str) -> None:
    twice = bake(bake(SVG, signed_json), signed_jwt)
    assert twice.count(b"<openbadges:credential") == 1
    assert twice.count(b"xmlns:openbadges=") == 1
    assert unbake(twice) == signed_jwt


def test_svg_baking_replaces_a_credential_anywhere_under_any_prefix() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0">'
        b'<g><ob:credential verify="a.b.c"/></g><g><ob:credential>{"x": 1}</ob:credential></g></svg>'
    )
    baked = bake(svg, "d.e.f")
    assert baked.count(b"credential") == 2  # the new start and end tags
    assert unbake(baked) == "d.e.f"


def test_an_empty_svg_element_gets_a_body() -> None:
    baked = bake(b'<svg:svg xmlns:svg="http://www.w3.org/2000/svg"/>', "a.b.c")
    assert baked.endswith(b'<openbadges:credential verify="a.b.c"></openbadges:credential></svg:svg>')
    assert unbake(baked) == "a.b.c"


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>'
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'
)
DEFAULT_ATTRIBUTE = (
    b'<!DOCTYPE svg [<!ATTLIST openbadges:credential verify CDATA "a.b.c">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
    b"<openbadges:credential/></svg>"
)


def ob(body: bytes) -> bytes:
    """An SVG that declares the OB 3.0 namespace, with `body` inside."""
    return b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="%s">%s</svg>' % (
        OB_NAMESPACE.encode(),
        body,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (SVG, "no baked credential"),
        (BILLION_LAUGHS, "internal DTD subset"),
        (EXTERNAL_ENTITY, "internal DTD subset"),
        (DEFAULT_ATTRIBUTE, "internal DTD subset"),
        (b"<svg><unclosed></svg>", "not well-formed"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"/>', "root element is"),
        (b"<svg/>", "root element is 'svg'"),
        (ob(b'<openbadges:credential verify="a.b.c"/><openbadges:credential verify="d.e.f"/>'), "2 openb"),
        (ob(b'<openbadges:credential verify="not a token"/>'), "not a Compact JWS"),
        (ob(b"<openbadges:credential><![CDATA[[1]]]></openbadges:credential>"), "not an object"),
        (ob(b"<openbadges:credential><x/></openbadges:credential>"), "child elements"),
        (ob(b"<openbadges:credential></openbadges:credential>"), "empty"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
            b'<openbadges:assertion verify="a.b.c"/></svg>',
            "Open Badges 2.0",
        ),
        (b"<svg" + b" " * MAX_IMAGE_BYTES + b"/>", "limit"),
    ],
    ids=lambda value: value if isinstance(value, str) else "svg",
)
def test_bad_svgs_are_refused_with_a_clear_message(data: bytes, message: str) -> None:
    expect_refusal(data, message)


def test_an_external_dtd_is_never_fetched() -> None:
    # The socket guard in tests/conftest.py would fail this test on any attempt to reach the URL.
    doctype = (
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
    )
    assert unbake(doctype + ob(b'<openbadges:credential verify="a.b.c"/>')) == "a.b.c"


def test_svg_reads_the_json_body_with_or_without_cdata() -> None:
    assert unbake(ob(b'<openbadges:credential>{"a": "&lt;b&gt;"}</openbadges:credential>')) == {"a": "<b>"}
    assert unbake(ob(b'<openbadges:credential><![CDATA[ {"a": 1} ]]></openbadges:credential>')) == {"a": 1}


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"/>', "UTF-8"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><desc>caf\xe9</desc></svg>', "not UTF-8"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"/>', "binds"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><oops></svg>', "not well-formed"),
    ],
    ids=lambda value: value if isinstance(value, str) else "svg",
)
def test_svgs_we_cannot_bake_into(svg: bytes, message: str) -> None:
    with pytest.raises(BakingError, match=message):
        bake(svg, "a.b.c")


# --- both formats: properties -------------------------------------------------------------------------------

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
JSON_VALUES = st.recursive(
    JSON_SCALARS | st.sampled_from(["]]>", "<![CDATA[", "\ufffe\uffff", "</svg>", "\0"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)
JWS = st.from_regex(r"[A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{0,40}", fullmatch=True)


@given(st.dictionaries(st.text(), JSON_VALUES, max_size=6), st.sampled_from([PNG, SVG]))
def test_any_json_object_round_trips(credential: dict[str, Any], image: bytes) -> None:
    assert unbake(bake(image, credential)) == credential


@given(JWS, JWS, st.sampled_from([PNG, SVG]))
def test_any_jws_round_trips_and_rebaking_keeps_one(first: str, second: str, image: bytes) -> None:
    baked = bake(bake(image, first), second)
    assert unbake(baked) == second
    assert image_kind(baked) == image_kind(image)


def test_image_kind_is_decided_by_content() -> None:
    assert image_kind(PNG) == "png"
    assert image_kind(b"\xef\xbb\xbf\n  <svg/>") == "svg"
    assert image_kind(b'{"@context": []}') is None
    assert image_kind(b"eyJ.a.b") is None
