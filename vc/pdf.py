"""The credential attached to a PDF certificate: a PDF that carries the signed credential it describes.

A certificate (``passport.exports.certificate``) attaches the credential exactly as signed as an embedded
file (ISO 32000-2 §7.11.4, the document's ``/EmbeddedFiles`` name tree): ``credential.json`` for a
JSON credential with a Data Integrity proof, ``credential.jwt`` for a compact VC-JWT. Whoever holds the
PDF holds the credential, so the PDF verifies itself: `credential_in_pdf` takes the credential back out
for `vc.verify.verify_credential`. What the page *says* is never read; only the attachment is verified.

Choices of ours, made for hostile input:

- A PDF is at most 5 MiB (a certificate is ~50 KB) and its attachment at most 1 MiB, like a credential.
- Exactly one attached file: a PDF with none, or with several, is refused (which would be "the"
  credential is not ours to guess, and two readers that picked differently would see different ones).
- The attachment is told by its content (a compact JWT, or a JSON object), never by its name.
- Encrypted PDFs are refused; pypdf reads the rest, and anything it fails on is "not a readable PDF".
"""

from __future__ import annotations

import io
from enum import StrEnum
from typing import Any

from pypdf import PdfReader

from .errors import ParsingError, VcError
from .jwt import looks_like_jwt
from .parsing import MAX_DOCUMENT_BYTES, parse_json

__all__ = ["MAX_PDF_BYTES", "PdfError", "PdfRefusal", "credential_in_pdf", "is_pdf"]

MAX_PDF_BYTES = 5 * 1024 * 1024

Credential = dict[str, Any] | str


class PdfRefusal(StrEnum):
    """Why a PDF gives no credential: a stable code, so callers can say it in their own words."""

    TOO_LARGE = "too_large"
    NOT_PDF = "not_pdf"
    UNREADABLE = "unreadable"
    ENCRYPTED = "encrypted"
    NO_ATTACHMENT = "no_attachment"
    SEVERAL_ATTACHMENTS = "several_attachments"
    NOT_A_CREDENTIAL = "not_a_credential"


class PdfError(VcError):
    """A PDF holds no credential we can take out of it; the message says why in plain words."""

    code = "pdf_error"

    def __init__(self, message: str, reason: PdfRefusal) -> None:
        super().__init__(message)
        self.reason = reason


def is_pdf(data: bytes) -> bool:
    """Whether the bytes are a PDF, by content: the ``%PDF-`` header first (ISO 32000-2 §7.5.2), after
    any whitespace. Readers that tolerate up to 1,024 bytes of junk before it would also take a JSON
    credential that merely mentions ``%PDF-`` for a PDF; we do not."""
    return data.lstrip()[:5] == b"%PDF-"


def credential_in_pdf(data: bytes) -> Credential:
    """The credential attached to a PDF: a JSON credential (a dict) or a compact VC-JWT (a str)."""
    if len(data) > MAX_PDF_BYTES:
        raise PdfError(f"the PDF is larger than {MAX_PDF_BYTES} bytes", PdfRefusal.TOO_LARGE)
    if not is_pdf(data):
        raise PdfError("the file is not a PDF", PdfRefusal.NOT_PDF)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise PdfError("the PDF is encrypted, so its attachment cannot be read", PdfRefusal.ENCRYPTED)
        attached = []
        for entry in reader.attachment_list:
            attached.append(entry)
            if len(attached) > 1:
                raise PdfError(
                    "the PDF has more than one attached file; a certificate carries exactly one credential",
                    PdfRefusal.SEVERAL_ATTACHMENTS,
                )
        if not attached:
            raise PdfError(
                "the PDF has no attached credential (it is not a self-verifying certificate)",
                PdfRefusal.NO_ATTACHMENT,
            )
        content = attached[0].content
    except PdfError:
        raise
    except Exception as error:  # pypdf raises many kinds on malformed input: all mean "unreadable"
        raise PdfError(f"the PDF cannot be read ({type(error).__name__})", PdfRefusal.UNREADABLE) from None
    return _credential(content)


def _credential(content: bytes) -> Credential:
    if len(content) > MAX_DOCUMENT_BYTES:
        raise PdfError(
            f"the PDF's attached file is larger than {MAX_DOCUMENT_BYTES} bytes", PdfRefusal.NOT_A_CREDENTIAL
        )
    try:
        text = content.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise PdfError(
            "the PDF's attached file is not a credential (not UTF-8 text)", PdfRefusal.NOT_A_CREDENTIAL
        ) from None
    if looks_like_jwt(text):
        return text
    try:
        document = parse_json(text)
    except ParsingError as error:
        raise PdfError(
            f"the PDF's attached file is not a credential: {error.message}", PdfRefusal.NOT_A_CREDENTIAL
        ) from None
    if not isinstance(document, dict):
        raise PdfError(
            "the PDF's attached file is JSON but not an object, so it is not a credential",
            PdfRefusal.NOT_A_CREDENTIAL,
        )
    return document
