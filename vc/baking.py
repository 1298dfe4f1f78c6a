"""Baked badges (Open Badges 3.0 §Baking): the credential carried inside its own PNG or SVG image.

- **PNG** (OB 3.0 §Baking "PNG"; PNG spec §11.3.3.4 ``iTXt``): one ``iTXt`` chunk with the keyword
  ``openbadgecredential``, compression flag 0 and compression method 0, an empty language tag and an empty
  translated keyword; its text is the JSON credential or the Compact JWS.
- **SVG** (OB 3.0 §Baking "SVG"): ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` on ``<svg>``
  and, immediately after the ``<svg>`` tag, one ``<openbadges:credential>`` element: a Compact JWS in its
  ``verify`` attribute, or the JSON credential as its body, wrapped in ``<![CDATA[...]]>``.

Choices of ours where the spec leaves room, made for hostile input:

- Baking replaces a credential the image already holds (the spec allows "error or overwrite"), so an image
  we bake never holds two. Unbaking refuses an image that holds two, PNG or SVG: the spec says such an image
  is wrong (and to read the first), but two readers that pick differently would see different credentials.
- A compressed credential chunk is refused: the spec forbids compression, and inflating is a bomb risk.
- PNG chunks are walked here, not by an imaging library, because we want every chunk copied byte for byte
  (Pillow's ``PngInfo`` writes ``iTXt`` but saving decodes and re-encodes the image) and strict reading:
  the signature, chunk lengths within the file, every CRC, IHDR first, an IDAT, IEND last and nothing after.
- SVG is parsed by defusedxml (no entity declarations, no external references, no internal DTD subset,
  which could give an attribute a default value other readers do not see) and edited as bytes at the
  offsets the parser reports, so comments, the doctype, prefixes and formatting survive baking.
- Images are at most 10 MiB and credentials at most 1 MiB, both ways.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from .errors import BakingError, ParsingError
from .jwt import looks_like_jwt
from .parsing import check_depth, parse_json

__all__ = [
    "MAX_CREDENTIAL_BYTES",
    "MAX_IMAGE_BYTES",
    "OB_NAMESPACE",
    "PNG_KEYWORD",
    "PNG_SIGNATURE",
    "bake",
    "image_kind",
    "unbake",
]

MAX_IMAGE_BYTES = 10 * 1024 * 1024  # a badge image is KBs; the cap keeps CRC and XML work bounded
MAX_CREDENTIAL_BYTES = 1024 * 1024  # the same as vc.parsing.MAX_DOCUMENT_BYTES

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_CREDENTIAL_TAG = f"{{{OB_NAMESPACE}}}credential"
# Open Badges 2.0 baked an assertion under these names; recognised only to say so when unbaking.
_OB2_PNG_KEYWORD = b"openbadges"
_OB2_SVG_TAG = "{http://openbadges.org}assertion"

Credential = dict[str, Any] | str


def image_kind(data: bytes) -> Literal["png", "svg"] | None:
    """Which baked-badge format the bytes are, by content (never by file name): PNG by its signature,
    SVG for anything that starts like XML (the parser then decides whether it really is SVG)."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    head = data[:1024].removeprefix(b"\xef\xbb\xbf").lstrip()
    return "svg" if head.startswith(b"<") else None


def bake(image: bytes, credential: Credential) -> bytes:
    """Return `image` (PNG or SVG) with `credential` baked in, replacing any credential it held."""
    text = _credential_text(credential)
    _check_image_size(image)
    kind = image_kind(image)
    if kind == "png":
        baked = _bake_png(image, text)
    elif kind == "svg":
        baked = _bake_svg(image, text, is_jwt=isinstance(credential, str))
    else:
        raise BakingError("only PNG and SVG images can be baked; this is neither")
    if len(baked) > MAX_IMAGE_BYTES:
        raise BakingError(f"the baked image would be {len(baked)} bytes; the limit is {MAX_IMAGE_BYTES}")
    return baked


def unbake(data: bytes) -> Credential:
    """The credential baked into a PNG or SVG image: a JSON object (dict) or a Compact JWS (str)."""
    _check_image_size(data)
    kind = image_kind(data)
    if kind == "png":
        return _unbake_png(data)
    if kind == "svg":
        return _unbake_svg(data)
    raise BakingError("not a PNG or SVG image")


def _check_image_size(data: bytes) -> None:
    if len(data) > MAX_IMAGE_BYTES:
        raise BakingError(f"the image is {len(data)} bytes; the limit is {MAX_IMAGE_BYTES}")


def _credential_text(credential: Credential) -> bytes:
    """The text to bake: the Compact JWS as it is, or the JSON credential as compact UTF-8 JSON."""
    if isinstance(credential, str):
        if not looks_like_jwt(credential):
            raise BakingError("a credential given as text must be a Compact JWS (VC-JWT)")
        text = credential.strip().encode("ascii")
    elif isinstance(credential, dict):
        try:
            check_depth(credential)
            text = orjson.dumps(credential)
        except (ParsingError, orjson.JSONEncodeError) as error:
            raise BakingError(f"the credential cannot be written as JSON: {error}") from None
    else:
        raise BakingError("a credential is a JSON object or a Compact JWS")
    if len(text) > MAX_CREDENTIAL_BYTES:
        raise BakingError(f"the credential is {len(text)} bytes; the limit is {MAX_CREDENTIAL_BYTES}")
    return text


def _read_credential(text: bytes, where: str) -> Credential:
    """Parse baked text back into a credential, with the same bounds as any other untrusted document."""
    if len(text) > MAX_CREDENTIAL_BYTES:
        raise BakingError(f"the {where} holds {len(text)} bytes; the limit is {MAX_CREDENTIAL_BYTES}")
    try:
        decoded = text.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise BakingError(f"the {where} is not UTF-8 text") from None
    if not decoded:
        raise BakingError(f"the {where} is empty")
    if looks_like_jwt(decoded):
        return decoded
    try:
        document = parse_json(decoded)
    except ParsingError as error:
        raise BakingError(f"the {where} is neither a Compact JWS nor JSON: {error.message}") from None
    if not isinstance(document, dict):
        raise BakingError(f"the {where} is JSON but not an object, so it is not a credential")
    return document


# --- PNG ----------------------------------------------------------------------------------------------------

_MAX_CHUNK_LENGTH = 2**31 - 1  # PNG spec §5.3


@dataclass(frozen=True)
class _Chunk:
    type: bytes
    data: bytes
    raw: bytes  # length, type, data and CRC exactly as they were, to copy unchanged


def _png_chunks(data: bytes) -> list[_Chunk]:
    """Every chunk of a PNG datastream (PNG spec §5), checked: lengths, CRCs, IHDR first, IEND last."""
    if not data.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image")
    chunks: list[_Chunk] = []
    offset = len(PNG_SIGNATURE)
    while not chunks or chunks[-1].type != b"IEND":
        if offset + 12 > len(data):
            raise BakingError("the PNG is truncated: it ends before its IEND chunk")
        (length,) = struct.unpack_from(">I", data, offset)
        chunk_type = data[offset + 4 : offset + 8]
        if not chunk_type.isalpha():  # four ASCII letters
            raise BakingError(f"the PNG is corrupt: a chunk at byte {offset} has an invalid type")
        end = offset + 12 + length
        if length > _MAX_CHUNK_LENGTH or end > len(data):
            raise BakingError(
                f"the PNG is truncated or corrupt: its {chunk_type.decode()} chunk runs past the end"
            )
        body = data[offset + 8 : end - 4]
        (crc,) = struct.unpack_from(">I", data, end - 4)
        if zlib.crc32(body, zlib.crc32(chunk_type)) != crc:
            raise BakingError(f"the PNG is corrupt: its {chunk_type.decode()} chunk has a bad CRC")
        chunks.append(_Chunk(chunk_type, body, data[offset:end]))
        offset = end
    if offset != len(data):
        raise BakingError("the PNG has data after its IEND chunk")
    if chunks[0].type != b"IHDR" or len(chunks[0].data) != 13:
        raise BakingError("the PNG is corrupt: it does not start with an IHDR chunk")
    if not any(chunk.type == b"IDAT" for chunk in chunks):
        raise BakingError("the PNG is corrupt: it has no image data (IDAT)")
    return chunks


def _keyword(chunk: _Chunk) -> bytes | None:
    """The keyword of a text chunk (tEXt, zTXt, iTXt: 1-79 bytes, then a NUL), or None for other chunks."""
    if chunk.type not in (b"tEXt", b"zTXt", b"iTXt"):
        return None
    keyword, separator, _ = chunk.data[:80].partition(b"\0")
    return keyword if separator else None


def _png_chunk(chunk_type: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(body, zlib.crc32(chunk_type))
    return struct.pack(">I", len(body)) + chunk_type + body + struct.pack(">I", crc)


def _bake_png(image: bytes, text: bytes) -> bytes:
    # keyword, NUL, compression flag 0, compression method 0, language tag "", NUL, translated keyword "", NUL
    credential_chunk = _png_chunk(b"iTXt", PNG_KEYWORD + b"\0\0\0" + b"\0" + b"\0" + text)
    out = [PNG_SIGNATURE]
    for chunk in _png_chunks(image):
        if chunk.type == b"iTXt" and _keyword(chunk) == PNG_KEYWORD:
            continue  # the credential it held is replaced
        if chunk.type == b"IDAT" and credential_chunk:
            out.append(credential_chunk)  # before the image data, where a reader finds it first
            credential_chunk = b""
        out.append(chunk.raw)
    return b"".join(out)


def _unbake_png(data: bytes) -> Credential:
    chunks = _png_chunks(data)
    found = [chunk for chunk in chunks if chunk.type == b"iTXt" and _keyword(chunk) == PNG_KEYWORD]
    if len(found) > 1:
        raise BakingError(
            f"the PNG holds {len(found)} openbadgecredential chunks; Open Badges 3.0 allows one, "
            "and we do not guess which is meant"
        )
    if not found:
        if any(_keyword(chunk) == _OB2_PNG_KEYWORD for chunk in chunks):
            raise BakingError("the PNG holds an Open Badges 2.0 assertion, not an Open Badges 3.0 credential")
        raise BakingError("the PNG holds no baked credential (no openbadgecredential iTXt chunk)")
    # iTXt after the keyword's NUL: compression flag, compression method, language tag NUL,
    # translated keyword NUL, text (PNG spec §11.3.3.4).
    rest = found[0].data[len(PNG_KEYWORD) + 1 :]
    parts = rest[2:].split(b"\0", 2)
    if len(rest) < 2 or len(parts) != 3:
        raise BakingError("the PNG is corrupt: its openbadgecredential iTXt chunk is malformed")
    if rest[0] != 0:
        raise BakingError("the openbadgecredential chunk is compressed, which Open Badges 3.0 forbids")
    return _read_credential(parts[2], "openbadgecredential chunk")


# --- SVG ----------------------------------------------------------------------------------------------------

# A start or end tag from "<" to ">", attribute values quoted (the parser has checked it is well formed).
_TAG = re.compile(rb"""</?[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")
_XML_DECLARED_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")


@dataclass
class _Element:
    start: int  # byte offset of "<"
    end: int = -1  # byte offset just after the element's last ">"
    verify: str | None = None
    text: list[str] = field(default_factory=list)
    has_children: bool = False


class _SvgScan:
    """A defusedxml parser target that builds no tree: it notes the root element, the namespaces it
    declares, and each ``openbadges:credential`` element with its byte span, `verify` and text."""

    def __init__(self, data: bytes) -> None:
        self.source = data
        self.parser = DefusedXMLParser(target=self)
        self.parser.parser.StartDoctypeDeclHandler = self._doctype
        self.root_tag: str | None = None
        self.root_start = -1
        self.root_namespaces: dict[str, str] = {}
        self.credentials: list[_Element] = []
        self.ob2_assertion = False
        self._depth = 0
        self._open: _Element | None = None
        self._open_depth = 0

    def run(self) -> _SvgScan:
        try:
            self.parser.feed(self.source)
            self.parser.close()
        except (ParseError, DefusedXmlException) as error:
            raise BakingError(f"the SVG is not well-formed or safe XML: {error}") from None
        if self.root_tag != f"{{{SVG_NAMESPACE}}}svg":
            raise BakingError(
                f'not an SVG image: its root element is {self.root_tag!r}, not <svg xmlns="{SVG_NAMESPACE}">'
            )
        return self

    @staticmethod
    def _doctype(name: str, system_id: str | None, public_id: str | None, internal_subset: bool) -> None:
        # An internal subset can give attributes default values (a `verify` no other reader sees).
        if internal_subset:
            raise BakingError("the SVG has an internal DTD subset, which a badge image has no use for")

    def start_ns(self, prefix: str, uri: str) -> None:
        if self.root_tag is None:
            self.root_namespaces[prefix] = uri

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        offset = self.parser.parser.CurrentByteIndex
        if self.root_tag is None:
            self.root_tag, self.root_start = tag, offset
        if self._open is not None:
            self._open.has_children = True
        elif tag == _CREDENTIAL_TAG:
            self._open, self._open_depth = _Element(offset, verify=attributes.get("verify")), self._depth
            self.credentials.append(self._open)
        self.ob2_assertion |= tag == _OB2_SVG_TAG
        self._depth += 1

    def end(self, tag: str) -> None:
        self._depth -= 1
        if self._open is not None and self._depth == self._open_depth:
            start_tag_end = _tag_end(self.source, self._open.start)
            empty = self.source[start_tag_end - 2 : start_tag_end] == b"/>"
            self._open.end = (
                start_tag_end if empty else _tag_end(self.source, self.parser.parser.CurrentByteIndex)
            )
            self._open = None

    def data(self, text: str) -> None:
        if self._open is not None:
            self._open.text.append(text)

    def close(self) -> None:
        return None


def _tag_end(data: bytes, start: int) -> int:
    """The offset just after the tag that starts at `start`."""
    match = _TAG.match(data, start)
    if match is None:  # pragma: no cover - the parser accepted the document, so its tags match
        raise BakingError(f"the SVG has a tag at byte {start} that cannot be read")
    return match.end()


def _bake_svg(image: bytes, text: bytes, *, is_jwt: bool) -> bytes:
    declared = _XML_DECLARED_ENCODING.match(image)
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise BakingError("only UTF-8 SVG images can be baked")
    try:
        image.decode("utf-8")
    except UnicodeDecodeError:
        raise BakingError("only UTF-8 SVG images can be baked; this one is not UTF-8") from None
    scan = _SvgScan(image).run()
    bound = scan.root_namespaces.get("openbadges")
    if bound not in (None, OB_NAMESPACE):
        raise BakingError(f"the SVG binds the prefix openbadges to {bound!r}, not to {OB_NAMESPACE}")
    if is_jwt:
        element = b'<openbadges:credential verify="' + text + b'"></openbadges:credential>'
    else:
        # In JSON, ">" only occurs inside strings, where "\u003e" means the same: so "]]>" cannot end the
        # CDATA section early. U+FFFE and U+FFFF are not XML characters; escaped the same way.
        escaped = text.replace(b">", b"\\u003e").replace(b"\xef\xbf\xbe", b"\\ufffe")
        escaped = escaped.replace(b"\xef\xbf\xbf", b"\\uffff")
        element = b"<openbadges:credential><![CDATA[" + escaped + b"]]></openbadges:credential>"
    declaration = b"" if bound else f' xmlns:openbadges="{OB_NAMESPACE}"'.encode()
    root_end = _tag_end(image, scan.root_start)
    if image[root_end - 2 : root_end] == b"/>":  # <svg .../> becomes <svg ...>credential</svg>
        name = re.match(rb"<([^\s/>]+)", image[scan.root_start :])
        assert name is not None
        head = image[: root_end - 2] + declaration + b">" + element + b"</" + name.group(1) + b">"
    else:
        head = image[: root_end - 1] + declaration + b">" + element
    pieces, cursor = [head], root_end
    for old in scan.credentials:  # the credentials it held are replaced
        pieces.append(image[cursor : old.start])
        cursor = old.end
    pieces.append(image[cursor:])
    return b"".join(pieces)


def _unbake_svg(data: bytes) -> Credential:
    scan = _SvgScan(data).run()
    if len(scan.credentials) > 1:
        raise BakingError(
            f"the SVG holds {len(scan.credentials)} openbadges:credential elements; Open Badges 3.0 "
            "allows one, and we do not guess which is meant"
        )
    if not scan.credentials:
        if scan.ob2_assertion:
            raise BakingError("the SVG holds an Open Badges 2.0 assertion, not an Open Badges 3.0 credential")
        raise BakingError("the SVG holds no baked credential (no openbadges:credential element)")
    element = scan.credentials[0]
    if element.has_children:
        raise BakingError("the openbadges:credential element has child elements; it should hold only text")
    if element.verify is not None:
        if not looks_like_jwt(element.verify):
            raise BakingError("the verify attribute of openbadges:credential is not a Compact JWS")
        return element.verify.strip()
    return _read_credential("".join(element.text).encode("utf-8"), "openbadges:credential element")
