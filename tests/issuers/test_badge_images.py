"""Badge images coming in (`issuers.images.checked_image`): one test per way an image can be hostile or
wrong, each refused with its problem type; what is accepted is stored as checked, and designed badges pass
the same checks."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from core.problems import Problem
from issuers import images
from issuers.badge_design import COLOUR_SCHEMES, ICONS, SHAPES, Design, design_svg
from issuers.images import ImageTooLarge, UnsafeImage, UnsupportedImage, checked_image

SVG_OPEN = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'width="256" height="256">'
)


def svg(body: str, open_tag: str = SVG_OPEN) -> bytes:
    return f"{open_tag}{body}</svg>".encode()


def png(width: int = 64, height: int = 64, mode: str = "RGBA", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (29, 111, 114, 255) if mode == "RGBA" else 0).save(out, "PNG", **save)
    return out.getvalue()


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def refused(data: bytes) -> Problem:
    with pytest.raises(Problem) as caught:
        checked_image(data)
    return caught.value


# --- SVG ---------------------------------------------------------------------------------------------------

HOSTILE_SVG = {
    "script": svg("<script>alert(1)</script>"),
    "script-in-xhtml-namespace": svg('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'),
    "onload": svg('<circle r="4"/>', SVG_OPEN.replace("<svg ", '<svg onload="alert(1)" ')),
    "onclick-on-a-shape": svg('<rect width="4" height="4" onclick="alert(1)"/>'),
    "external-href": svg('<use href="https://evil.example/sprite.svg#a"/>'),
    "xlink-to-http": svg('<use xlink:href="http://evil.example/a.svg#x"/>'),
    "javascript-href": svg('<use xlink:href="javascript:alert(1)"/>'),
    "image-element": svg('<image href="#x" width="4" height="4"/>'),
    "anchor": svg('<a href="#x"><circle r="4"/></a>'),
    "foreign-object": svg(
        '<foreignObject width="9" height="9"><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>'
    ),
    "style-element": svg("<style>@import url(https://evil.example/a.css);</style>"),
    "external-url-in-fill": svg('<rect width="4" height="4" fill="url(https://evil.example/p.svg#g)"/>'),
    "import-in-style-attribute": svg('<rect width="4" height="4" style="fill:red;@import \'x\'"/>'),
    "animation": svg('<set attributeName="fill" to="red"/>'),
    "css-escaped-url": svg('<rect width="4" height="4" style="fill:\\75 rl(https://evil.example/p#g)"/>'),
    "css-escaped-url-in-fill": svg('<rect width="4" height="4" fill="\\75 rl(https://evil.example/p#g)"/>'),
    "image-set": svg(
        '<rect width="4" height="4" style="mask-image:image-set(\'https://evil.example/m.png\' 1x)"/>'
    ),
    "not-svg-root": b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    "no-namespace": b'<svg width="10" height="10"><circle r="1"/></svg>',
}


@pytest.mark.parametrize("name", sorted(HOSTILE_SVG))
def test_a_hostile_svg_is_refused(name: str) -> None:
    problem = refused(HOSTILE_SVG[name])
    assert isinstance(problem, UnsafeImage), name
    assert (problem.status, problem.slug) == (422, "image-unsafe")


def test_an_svg_with_a_doctype_and_entities_is_refused() -> None:
    billion = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&b;</text></svg>'
    )
    external = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&x;</text></svg>'
    )
    plain_doctype = (
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    )
    for data in (billion, external, plain_doctype):
        problem = refused(data)
        assert (problem.status, problem.slug) == (422, "image-unsafe")
        assert "DOCTYPE" in (problem.detail or "")


def test_malformed_xml_is_refused() -> None:
    problem = refused(b'<svg xmlns="http://www.w3.org/2000/svg"><circle></svg>')
    assert (problem.status, problem.slug) == (422, "image-unsafe")


def test_an_svg_too_large_in_bytes_or_in_pixels_is_refused() -> None:
    huge = svg("<desc>" + "x" * images.MAX_IMAGE_BYTES + "</desc>")
    assert (refused(huge).status, refused(huge).slug) == (413, "image-too-large")
    wide = svg("", SVG_OPEN.replace('width="256"', 'width="5000"'))
    assert (refused(wide).status, refused(wide).slug) == (413, "image-too-large")
    crowded = svg('<circle r="1"/>' * images.MAX_ELEMENTS)
    assert (refused(crowded).status, refused(crowded).slug) == (413, "image-too-large")
    no_size = svg("", '<svg xmlns="http://www.w3.org/2000/svg">')
    assert refused(no_size).slug == "image-unsafe"


def test_a_clean_svg_is_written_out_again_with_only_what_was_checked() -> None:
    data = (
        b'<?xml version="1.0"?>\n<?xml-stylesheet href="https://evil.example/a.css"?>\n<!-- a comment -->'
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        b'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" viewBox="0 0 100 80" '
        b'inkscape:version="1.2"><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/>'
        b'</linearGradient></defs><sodipodi:namedview xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/'
        b'sodipodi-0.dtd"/><circle cx="50" cy="40" r="30" fill="url(#g)"/><use xlink:href="#g"/>'
        b"<text>A &amp; B</text></svg>"
    )
    image = checked_image(data)
    assert image.media_type == "image/svg+xml"
    assert (image.width, image.height) == (100, 80)
    text = image.content.decode()
    assert "xml-stylesheet" not in text
    assert "comment" not in text
    assert "inkscape" not in text
    assert "sodipodi" not in text
    assert 'fill="url(#g)"' in text
    assert 'xlink:href="#g"' in text
    assert "A &amp; B" in text
    assert checked_image(image.content).content == image.content  # checking again changes nothing


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("colours", sorted(COLOUR_SCHEMES))
def test_every_designed_badge_passes_the_svg_checks(shape: str, colours: str) -> None:
    for icon in ICONS:
        drawn = design_svg(Design(shape, colours, icon, 'Welding <L2> & "more" with a long name'))
        image = checked_image(drawn.encode())
        assert (image.width, image.height) == (256, 256)
        assert "Welding &lt;L2&gt; &amp;" in image.content.decode()


def test_a_design_with_unknown_choices_or_no_text_says_what_is_wrong() -> None:
    assert set(Design("blob", "rainbow", "skull", " ").problems()) == {"shape", "colours", "icon", "text"}
    assert set(Design(text="x" * 61).problems()) == {"text"}
    assert Design(text="First aid").problems() == {}


# --- PNG ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["RGBA", "RGB", "L", "P", "1"])
@pytest.mark.parametrize("interlace", [False, True])
def test_a_well_formed_png_is_accepted_as_it_is(mode: str, interlace: bool) -> None:
    data = png(97, 61, mode, interlace=interlace) if interlace else png(97, 61, mode)
    image = checked_image(data)
    assert (image.media_type, image.width, image.height, image.content) == ("image/png", 97, 61, data)


def test_a_damaged_png_is_refused() -> None:
    good = png()
    signature, ihdr, rest = good[:8], good[8:33], good[33:]
    broken_crc = good[:-1] + bytes([good[-1] ^ 1])
    truncated = good[: len(good) // 2]
    after_iend = good + b"junk"
    no_ihdr_first = signature + rest
    short_idat = signature + ihdr + chunk(b"IDAT", zlib.compress(b"\x00" * 10)) + chunk(b"IEND", b"")
    bad_depth = signature + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 7, 6, 0, 0, 0)) + rest
    for data in (broken_crc, truncated, after_iend, no_ihdr_first, short_idat, bad_depth):
        problem = refused(data)
        assert (problem.status, problem.slug) == (422, "image-unsafe")


def test_a_png_bomb_stops_at_the_size_its_header_implies() -> None:
    header = struct.pack(">IIBBBBB", 64, 64, 8, 0, 0, 0, 0)  # 64 x 64 grey: 65 x 64 bytes inflated
    bomb = zlib.compress(b"\x00" * 50_000_000, 9)  # 50 MB inflated, ~50 KB compressed
    data = images.PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", bomb) + chunk(b"IEND", b"")
    problem = refused(data)
    assert (problem.status, problem.slug) == (422, "image-unsafe")


def test_a_png_too_large_in_pixels_is_refused() -> None:
    header = struct.pack(">IIBBBBB", 100_000, 64, 8, 0, 0, 0, 0)
    data = images.PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", b"") + chunk(b"IEND", b"")
    problem = refused(data)
    assert isinstance(problem, ImageTooLarge)
    assert (problem.status, problem.slug) == (413, "image-too-large")
    assert (refused(png(8, 8)).status, refused(png(8, 8)).slug) == (413, "image-too-large")


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a\x01\x00\x01\x00",
        b"<html><script>alert(1)</script></html>",
        b"\xff\xd8\xff\xe0JFIF",
        b"%PDF-1.7",
        b"",
        b"just text",
        b'{"svg": 1}',
    ],
)
def test_another_type_of_file_is_refused(data: bytes) -> None:
    problem = refused(data)
    assert isinstance(problem, UnsupportedImage)
    assert (problem.status, problem.slug) == (415, "image-type-unsupported")
