"""What an uploaded file holds: a JSON credential, a compact VC-JWT, a baked badge (OB 3.0 §Baking), or a
PDF certificate with the signed credential attached (`vc.pdf`: exactly one attached file).

The kind is told by content, never by name (`vc.baking.image_kind`); but a file *named* ``.png`` or
``.svg`` that is not that kind of image is refused with a clear problem rather than read as something else,
so a mislabelled file is noticed by the person who uploaded it.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any, ClassVar

from core.i18n import N_, gettext
from core.problems import Problem
from vc.baking import image_kind, unbake
from vc.errors import ParsingError, VcError
from vc.jwt import looks_like_jwt
from vc.parsing import MAX_DOCUMENT_BYTES, parse_json
from vc.pdf import PdfError, PdfRefusal, credential_in_pdf, is_pdf

__all__ = ["UnreadableUpload", "credential_in"]

#: Where `vc.parsing.parse_json` found a JSON syntax error (told in words, not the parser's).
_JSON_MISTAKE = re.compile(r"^not valid JSON: .* at line (\d+) column (\d+)$")


class UnreadableUpload(Problem):
    """The uploaded file holds no credential we can read (422): the detail says why."""

    status: ClassVar[int] = 422
    slug: ClassVar[str] = "unreadable-upload"
    title: ClassVar[str] = N_("The uploaded file holds no readable credential")


_IMAGE_SUFFIXES = {".png": "png", ".svg": "svg"}


def credential_in(filename: str | None, data: bytes) -> dict[str, Any] | str:
    """The credential in an uploaded file, or `UnreadableUpload`."""
    name = PurePath(filename or "upload").name[:100]
    if is_pdf(data) or PurePath(name).suffix.lower() == ".pdf":
        return _pdf_credential(name, data)
    kind = image_kind(data)
    named = _IMAGE_SUFFIXES.get(PurePath(name).suffix.lower())
    if named is not None and kind != named:
        if kind is None:
            raise UnreadableUpload(
                gettext(
                    "%(file)s is named like a %(named)s image but its content is not an image",
                    file=name,
                    named=named.upper(),
                )
            )
        raise UnreadableUpload(
            gettext(
                "%(file)s is named like a %(named)s image but its content is a %(kind)s image",
                file=name,
                named=named.upper(),
                kind=kind.upper(),
            )
        )
    if not data.strip():
        raise UnreadableUpload(gettext("%(file)s is empty", file=name))
    try:
        if kind is not None:
            return unbake(data)
        return _text_credential(name, data)
    except VcError as error:
        raise UnreadableUpload(f"{name}: {error.message}") from None  # the library's words: not translated


def _pdf_credential(name: str, data: bytes) -> dict[str, Any] | str:
    """A PDF certificate's attached credential; each refusal in the visitor's language."""
    try:
        return credential_in_pdf(data)
    except PdfError as error:
        raise UnreadableUpload(gettext(PDF_REFUSALS[error.reason], file=name)) from None


#: Why a PDF gives no credential (`vc.pdf.PdfRefusal`), in words for the person who uploaded it.
PDF_REFUSALS = {
    PdfRefusal.TOO_LARGE: N_("%(file)s is too large for a PDF certificate"),
    PdfRefusal.NOT_PDF: N_("%(file)s is named like a PDF but its content is not a PDF"),
    PdfRefusal.UNREADABLE: N_("%(file)s is a PDF that cannot be read: it may be damaged"),
    PdfRefusal.ENCRYPTED: N_(
        "%(file)s is a password-protected PDF, so its attached credential cannot be read"
    ),
    PdfRefusal.NO_ATTACHMENT: N_(
        "%(file)s is a PDF with no credential attached. Upload the PDF certificate downloaded from a skills "
        "passport (it carries the signed credential), or the credential itself"
    ),
    PdfRefusal.SEVERAL_ATTACHMENTS: N_(
        "%(file)s is a PDF with more than one attached file; a certificate carries exactly one credential"
    ),
    PdfRefusal.NOT_A_CREDENTIAL: N_("%(file)s is a PDF whose attached file is not a credential"),
}


def _text_credential(name: str, data: bytes) -> dict[str, Any] | str:
    if len(data) > MAX_DOCUMENT_BYTES * 2:
        raise UnreadableUpload(
            gettext("%(file)s is larger than %(num)d bytes", file=name, num=MAX_DOCUMENT_BYTES * 2)
        )
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise UnreadableUpload(
            gettext("%(file)s is not a PNG or SVG image, and not UTF-8 text (JSON or a JWT)", file=name)
        ) from None
    if looks_like_jwt(text):
        return text
    if not text.startswith(("{", "[")):
        raise UnreadableUpload(
            gettext(
                "%(file)s is not a credential: a credential is JSON (it starts with {) or a VC-JWT "
                "(it starts with eyJ).",
                file=name,
            )
        )
    try:
        document = parse_json(text)
    except ParsingError as error:
        where = _JSON_MISTAKE.search(error.message)
        if where is None:
            raise
        raise UnreadableUpload(
            gettext(
                "%(file)s looks like JSON but has a mistake at line %(line)s, column %(column)s: "
                "was all of it copied?",
                file=name,
                line=where.group(1),
                column=where.group(2),
            )
        ) from None
    if not isinstance(document, dict):
        raise UnreadableUpload(
            gettext("%(file)s is JSON but not an object, so it is not a credential", file=name)
        )
    return document
