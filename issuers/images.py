"""Badge images of a provider's achievements: uploaded (PNG or SVG) or designed here (SVG), checked when
they come in, stored by the SHA-256 of their bytes, and served at a stable URL of ours.

**What is accepted.** At most `MAX_IMAGE_BYTES` (1 MiB), sides of `MIN_SIDE`..`MAX_SIDE` pixels.

- *PNG* is read chunk by chunk without an imaging library (Pillow is only a development dependency): the
  signature, every chunk's length and CRC-32, IHDR first with a valid bit depth and colour type, IDAT, IEND
  last with nothing after it; the image data is inflated (bounded: never more than the size the header
  implies, so a compression bomb stops there) and must be exactly that size.
- *SVG* is parsed by defusedxml (no DOCTYPE, no entities, no external references) and checked against an
  allow-list of SVG elements and attributes: no ``script``, no ``foreignObject``, no ``style`` element, no
  animation, no ``on*`` event handler, no ``href`` but a fragment (``#id``), no ``url(...)`` but a
  fragment. What is stored is not the upload but the checked tree written out again by `_serialise`, so
  nothing the checks did not see (processing instructions, comments, a DOCTYPE) can reach a browser.
  Elements and attributes of drawing tools' own namespaces (Inkscape, Sodipodi, RDF metadata) are dropped.

**Designed badges** (`issuers.badge_design`): a shape, a colour scheme, an icon from a small built-in set
and the achievement's name, drawn as SVG by our code.

**PNG of an SVG.** An SVG (designed or uploaded) is rendered once, when it is stored, to a PNG of
`PNG_SIDE` pixels on its longer side (`render_png`, by cairosvg, a run-time dependency that needs the
system's libcairo2). Only the checked tree is rendered, with cairosvg's ``unsafe=False`` and a URL fetcher
that refuses every address: our SVGs are self-contained (the checks above allow only ``#fragment``
references), so nothing is fetched or read from disk. The PNG is kept next to the SVG (``png``) and used
for baked PNG downloads (`issuers.badges`) and the image's PNG URL; the SVG stays where SVG is used. An SVG
whose references would draw more than `MAX_DRAWN` elements, or refer to themselves, is not drawn (no PNG).

**Versions.** An achievement names its image in its definition (``image``: the SHA-256), so a new image is a
new version, and a credential keeps the image of the version it was issued with: images are never changed
or deleted once stored.
"""

from __future__ import annotations

import hashlib
import logging
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NoReturn
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import N_, gettext
from core.problems import NotFound, PayloadTooLarge, Problem

from .models import AchievementImage

__all__ = [
    "MAX_IMAGE_BYTES",
    "MAX_SIDE",
    "MEDIA_TYPES",
    "PNG_SIDE",
    "ImageTooLarge",
    "UnsafeImage",
    "UnsupportedImage",
    "checked_image",
    "get_image",
    "image_path",
    "png_of",
    "png_path",
    "render_png",
    "store",
]

MAX_IMAGE_BYTES = 1024 * 1024
MIN_SIDE, MAX_SIDE = 16, 2048
MAX_ELEMENTS = 5000
PNG_SIDE = 256
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
PNG_TYPE = MEDIA_TYPES["png"]
SHA256 = re.compile(r"^[0-9a-f]{64}$")

_log = logging.getLogger(__name__)


class UnsupportedImage(Problem):
    status, slug, title = 415, "image-type-unsupported", N_("This is not a PNG or SVG image")


class ImageTooLarge(PayloadTooLarge):
    slug, title = "image-too-large", N_("This image is too large")


class UnsafeImage(Problem):
    status, slug, title = 422, "image-unsafe", N_("This image cannot be used")


@dataclass(frozen=True)
class CheckedImage:
    content: bytes
    media_type: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def checked_image(data: bytes) -> CheckedImage:
    """The image if it is a PNG or SVG we accept (for an SVG, the checked tree written out again)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageTooLarge(gettext("The image is larger than %(num)d KB.", num=MAX_IMAGE_BYTES // 1024))
    if data.startswith(PNG_SIGNATURE):
        width, height = _check_png(data)
        return CheckedImage(data, MEDIA_TYPES["png"], *_check_sides(width, height))
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype")):
        return _check_svg(data)
    raise UnsupportedImage(gettext("Upload a PNG or SVG image."))


def _check_sides(width: float, height: float) -> tuple[int, int]:
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ImageTooLarge(
            gettext(
                "The image is %(width)d x %(height)d pixels: each side must be %(min)d to %(max)d.",
                width=int(width),
                height=int(height),
                min=MIN_SIDE,
                max=MAX_SIDE,
            )
        )
    return round(width), round(height)


# --- PNG -------------------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: PNG §11.2.2: the bit depths each colour type allows, and its samples per pixel.
_COLOUR_TYPES = {
    0: ((1, 2, 4, 8, 16), 1),
    2: ((8, 16), 3),
    3: ((1, 2, 4, 8), 1),
    4: ((8, 16), 2),
    6: ((8, 16), 4),
}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    offset = len(PNG_SIGNATURE)
    while offset < len(data):
        if offset + 12 > len(data):
            raise _bad_png()
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        end = offset + 12 + length
        if end > len(data):
            raise _bad_png()
        body = data[offset + 8 : end - 4]
        if zlib.crc32(kind + body) != struct.unpack(">I", data[end - 4 : end])[0]:
            raise _bad_png()
        yield kind, body
        offset = end


def _bad_png() -> UnsafeImage:
    return UnsafeImage(gettext("The PNG file is damaged or not a PNG image."))


def _check_png(data: bytes) -> tuple[int, int]:
    chunks = list(_png_chunks(data))
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13 or chunks[-1][0] != b"IEND":
        raise _bad_png()
    if sum(1 for kind, _ in chunks if kind == b"IEND") != 1:
        raise _bad_png()
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    depths, samples = _COLOUR_TYPES.get(colour, ((), 0))
    if depth not in depths or compression or filtering or interlace not in (0, 1):
        raise _bad_png()
    width, height = _check_sides(width, height)
    if colour == 3 and not any(kind == b"PLTE" for kind, _ in chunks):
        raise _bad_png()

    def row_bytes(pixels: int) -> int:
        return 1 + (pixels * depth * samples + 7) // 8 if pixels else 0

    if interlace:
        expected = sum(
            row_bytes(max(0, (width - x + dx - 1) // dx)) * max(0, (height - y + dy - 1) // dy)
            for x, y, dx, dy in _ADAM7
        )
    else:
        expected = row_bytes(width) * height
    inflate = zlib.decompressobj()
    inflated = 0
    try:
        for kind, body in chunks:
            if kind == b"IDAT":
                inflated += len(inflate.decompress(body, expected + 1 - inflated))
                if inflated > expected:
                    raise _bad_png()
        inflated += len(inflate.flush())
    except zlib.error:
        raise _bad_png() from None
    if inflated != expected or not inflate.eof:
        raise _bad_png()
    return width, height


# --- SVG -------------------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
#: Drawing tools' own namespaces: their elements and attributes are dropped, not refused.
_TOOL_NAMESPACES = {
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://purl.org/dc/elements/1.1/",
    "http://creativecommons.org/ns#",
    "http://ns.adobe.com/AdobeIllustrator/10.0/",
    "http://ns.adobe.com/SaveForWeb/1.0/",
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ELEMENTS = _words(
    "svg g defs symbol use title desc metadata path rect circle ellipse line polyline polygon text tspan "
    "textPath linearGradient radialGradient stop clipPath mask pattern marker filter feGaussianBlur "
    "feOffset feBlend feFlood feComposite feMerge feMergeNode feColorMatrix feDropShadow"
)
_ATTRIBUTES = _words(
    "id class width height x y x1 y1 x2 y2 cx cy r rx ry d points transform viewBox preserveAspectRatio "
    "version baseProfile fill fill-opacity fill-rule stroke stroke-width stroke-opacity stroke-linecap "
    "stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset opacity color display "
    "visibility clip-path clip-rule mask filter font-family font-size font-weight font-style "
    "font-variant letter-spacing word-spacing text-anchor dominant-baseline alignment-baseline "
    "baseline-shift text-decoration dx dy rotate textLength lengthAdjust startOffset offset stop-color "
    "stop-opacity gradientUnits gradientTransform spreadMethod fx fy fr patternUnits "
    "patternContentUnits patternTransform clipPathUnits maskUnits maskContentUnits markerWidth "
    "markerHeight markerUnits refX refY orient marker-start marker-mid marker-end filterUnits "
    "primitiveUnits in in2 result stdDeviation mode operator k1 k2 k3 k4 type values flood-color "
    "flood-opacity role aria-label aria-hidden focusable style href space lang "
    "shape-rendering text-rendering image-rendering color-interpolation-filters paint-order "
    "vector-effect isolation mix-blend-mode"
)
_URL = re.compile(r"url\s*\(\s*['\"]?\s*([^)'\"]*)", re.IGNORECASE)
#: In any attribute (presentation attributes are CSS too): CSS escapes (``\\75 rl(`` is ``url(``),
#: ``image-set()`` (which takes plain strings as addresses), and what old browsers ran.
_CSS_FORBIDDEN = re.compile(
    r"\\|image-set\s*\(|@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.IGNORECASE
)
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")


def _split(name: str) -> tuple[str, str]:
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return "", name


def _refuse(message: str) -> UnsafeImage:
    return UnsafeImage(message)


def _check_svg(data: bytes) -> CheckedImage:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise _refuse(gettext("The SVG has a DOCTYPE or entities: save it as plain SVG.")) from None
    except (ParseError, ValueError):
        raise _refuse(gettext("The SVG file is not well-formed XML.")) from None
    if sum(1 for _ in root.iter()) > MAX_ELEMENTS:  # bounds the checking work (~70 µs an element)
        raise ImageTooLarge(gettext("The SVG has more than %(num)d elements.", num=MAX_ELEMENTS))
    if root.tag != f"{{{SVG_NS}}}svg":
        raise _refuse(gettext("The file is not an SVG image (its root is not an svg element)."))
    _check_tree(root)
    width, height = _svg_size(root)
    return CheckedImage(_serialise(root).encode(), MEDIA_TYPES["svg"], *_check_sides(width, height))


def _check_tree(element: Element) -> None:
    namespace, local = _split(element.tag)
    if namespace != SVG_NS or local not in _ELEMENTS:
        raise _refuse(gettext("The SVG may not contain the element %(name)r.", name=local))
    for name, value in element.attrib.items():
        attr_ns, attr = _split(name)
        if attr_ns in _TOOL_NAMESPACES:
            continue
        allowed = (
            (attr_ns == "" and attr in _ATTRIBUTES and attr not in ("space", "lang"))
            or (attr_ns == XLINK_NS and attr == "href")
            or (attr_ns == XML_NS and attr in ("space", "lang"))
        )
        if not allowed or attr.lower().startswith("on"):
            raise _refuse(gettext("The SVG may not contain the attribute %(name)r.", name=attr))
        if attr == "href" and not value.strip().startswith("#"):
            raise _refuse(
                gettext('The SVG may refer only to parts of itself (href="#..."), not to other files.')
            )
        for target in _URL.findall(value):
            if not target.strip().startswith("#"):
                raise _refuse(
                    gettext("The SVG may refer only to parts of itself (url(#...)), not to other files.")
                )
        if attr not in ("aria-label", "d", "points") and _CSS_FORBIDDEN.search(value):
            raise _refuse(gettext("The attribute %(name)r has something that is not allowed.", name=attr))
    for child in element:
        if _split(child.tag)[0] in _TOOL_NAMESPACES:
            continue
        _check_tree(child)


def _svg_size(root: Element) -> tuple[float, float]:
    sides = [_LENGTH.match(root.get(name, "")) for name in ("width", "height")]
    if sides[0] and sides[1]:
        return float(sides[0].group(1)), float(sides[1].group(1))
    box = root.get("viewBox", "").replace(",", " ").split()
    try:
        if len(box) == 4:
            return float(box[2]), float(box[3])
    except ValueError:
        pass
    raise _refuse(gettext("The SVG needs a width and height in pixels, or a viewBox."))


def _serialise(root: Element) -> str:
    """The checked tree as SVG text: SVG's elements and the allowed attributes only."""
    parts: list[str] = [f'<svg xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}"']

    def attributes(element: Element) -> None:
        for name, value in element.attrib.items():
            namespace, local = _split(name)
            if namespace in _TOOL_NAMESPACES:
                continue
            prefix = {XLINK_NS: "xlink:", XML_NS: "xml:"}.get(namespace, "")
            parts.append(f" {prefix}{local}={quoteattr(value)}")

    def write(element: Element, first: bool = False) -> None:
        local = _split(element.tag)[1]
        if not first:
            parts.append(f"<{local}")
        attributes(element)
        parts.append(">")
        parts.append(escape(element.text or ""))
        for child in element:
            if _split(child.tag)[0] not in _TOOL_NAMESPACES:
                write(child)
            parts.append(escape(child.tail or ""))
        parts.append(f"</{local}>")

    write(root, first=True)
    return "".join(parts) + "\n"


# --- stored images ---------------------------------------------------------------------------------------


def store(session: Session, issuer_id: str, image: CheckedImage, now: datetime) -> AchievementImage:
    """Keep the image for the provider (the same bytes twice are one image)."""
    found = session.get(AchievementImage, (issuer_id, image.sha256))
    if found is not None:
        if found.png is None and found.media_type == MEDIA_TYPES["svg"]:  # stored before renderings
            found.png = render_png(found.content, found.width, found.height)
            session.flush()
        return found
    row = AchievementImage(
        issuer_id=issuer_id,
        sha256=image.sha256,
        media_type=image.media_type,
        content=image.content,
        width=image.width,
        height=image.height,
        png=render_png(image.content, image.width, image.height) if image.media_type != PNG_TYPE else None,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def get_image(session: Session, issuer_id: str, sha256: str) -> AchievementImage:
    row = session.get(AchievementImage, (issuer_id, sha256)) if SHA256.match(sha256) else None
    if row is None:
        raise NotFound(gettext("no such image"))
    return row


def exists(session: Session, issuer_id: str, sha256: str) -> bool:
    return (
        session.scalar(
            select(AchievementImage.sha256).where(
                AchievementImage.issuer_id == issuer_id, AchievementImage.sha256 == sha256
            )
        )
        is not None
    )


def image_path(achievement_id: str, sha256: str) -> str:
    """Where the image is served (under the achievement's own public page), relative to the base URL."""
    return f"/achievements/{achievement_id}/images/{sha256}"


def png_path(achievement_id: str, sha256: str) -> str:
    """Where the image is served as PNG (an SVG's rendering; a PNG itself), relative to the base URL."""
    return f"{image_path(achievement_id, sha256)}.png"


def png_of(row: AchievementImage) -> bytes | None:
    """The image as PNG: a PNG upload itself, an SVG's rendering; None for an SVG stored before renderings
    were kept or that cairosvg could not draw."""
    return row.content if row.media_type == MEDIA_TYPES["png"] else row.png


def _no_fetching(url: str, resource_type: str) -> NoReturn:
    raise UnsafeImage(gettext("The SVG may refer only to parts of itself, not to other files."))


#: The most elements a render may draw once references (``use``, ``url(#...)``) are followed: a few
#: dozen nested ``use`` elements can otherwise ask for millions (a "billion laughs" of drawing).
MAX_DRAWN = 20 * MAX_ELEMENTS
_FRAGMENT = re.compile(r"#([^)'\"\s]+)")


def _drawable(svg: bytes) -> bool:
    """Whether the SVG draws at most `MAX_DRAWN` elements with its references followed, and none refers
    back to itself (a cycle)."""
    root = fromstring(svg, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    costs: dict[int, int] = {}
    open_: set[int] = set()

    def cost(element: Element) -> int:
        key = id(element)
        if key in costs:
            return costs[key]
        if key in open_:
            raise OverflowError  # a cycle
        open_.add(key)
        total = 1 + sum(cost(child) for child in element)
        for name, value in element.attrib.items():
            targets = _FRAGMENT.findall(value) if _split(name)[1] == "href" or "url(" in value else []
            total += sum(cost(by_id[target]) for target in targets if target in by_id)
            if total > MAX_DRAWN:
                raise OverflowError
        open_.discard(key)
        costs[key] = total
        return total

    try:
        return cost(root) <= MAX_DRAWN
    except (OverflowError, RecursionError):
        return False


def render_png(svg: bytes, width: int, height: int) -> bytes | None:
    """A checked SVG (`checked_image`, which gives its width and height) as a PNG of `PNG_SIDE` pixels on
    its longer side; None if cairosvg cannot draw it (PNG downloads then use the default badge). Never
    fetches or reads anything: a reference to anything but the SVG itself is refused (`UnsafeImage`)."""
    try:  # here, not at the top: importing this module does not load cairo
        from cairosvg.surface import PNGSurface
    except OSError:  # no libcairo2 on this machine: the service runs on, with the default PNG
        _log.warning("libcairo2 is not installed: SVG badges get no PNG (the default badge is baked)")
        return None
    if not _drawable(svg):
        return None
    scale = PNG_SIDE / max(width, height)
    try:
        png = PNGSurface.convert(
            bytestring=svg,
            unsafe=False,
            url_fetcher=_no_fetching,
            output_width=max(1, round(width * scale)),
            output_height=max(1, round(height * scale)),
        )
    except UnsafeImage:
        raise
    except Exception:  # cairosvg's errors have no common base: an SVG it cannot draw has no PNG
        return None
    return png if isinstance(png, bytes) else None


def image_format(row: AchievementImage) -> Literal["png", "svg"]:
    return "png" if row.media_type == MEDIA_TYPES["png"] else "svg"
