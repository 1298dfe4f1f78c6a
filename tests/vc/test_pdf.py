"""`vc.pdf`: the credential attached to a PDF certificate comes out exactly as attached; a PDF with
none, with several, encrypted, damaged, too large or not a PDF at all is refused with its reason."""

from __future__ import annotations

import io

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from vc.pdf import MAX_PDF_BYTES, PdfError, PdfRefusal, credential_in_pdf, is_pdf

CREDENTIAL = b'{"type": ["VerifiableCredential"], "name": "Welding (Level 2)"}'
TOKEN = b"eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


def pdf_with(*attachments: tuple[str, bytes], password: str | None = None) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    for name, content in attachments:
        pdf.embed_file(bytes=content, basename=name)
    if password is not None:
        pdf.set_encryption(owner_password=password, user_password=password)
    return bytes(pdf.output())


def test_the_attached_json_credential_and_vc_jwt_come_out_as_attached() -> None:
    assert credential_in_pdf(pdf_with(("credential.json", CREDENTIAL))) == {
        "type": ["VerifiableCredential"],
        "name": "Welding (Level 2)",
    }
    assert credential_in_pdf(pdf_with(("credential.jwt", TOKEN))) == TOKEN.decode()


def test_the_attachment_is_told_by_content_not_by_name() -> None:
    assert credential_in_pdf(pdf_with(("notes.txt", TOKEN))) == TOKEN.decode()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (pdf_with(), PdfRefusal.NO_ATTACHMENT),
        (pdf_with(("a.json", CREDENTIAL), ("b.json", CREDENTIAL)), PdfRefusal.SEVERAL_ATTACHMENTS),
        (pdf_with(("a.json", b"[1, 2]")), PdfRefusal.NOT_A_CREDENTIAL),
        (pdf_with(("a.json", b"\xff\xfe not text")), PdfRefusal.NOT_A_CREDENTIAL),
        (pdf_with(("a.json", b"{not json")), PdfRefusal.NOT_A_CREDENTIAL),
        (pdf_with(("a.json", CREDENTIAL), password="secret"), PdfRefusal.ENCRYPTED),
        (b"%PDF-1.7\n this is not a PDF body", PdfRefusal.UNREADABLE),
        (b"PK\x03\x04 a zip file", PdfRefusal.NOT_PDF),
        (b"%PDF-1.7\n" + b" " * MAX_PDF_BYTES, PdfRefusal.TOO_LARGE),
    ],
    ids=["none", "several", "json-array", "not-utf8", "bad-json", "encrypted", "damaged", "zip", "too-large"],
)
def test_refusals_say_why(data: bytes, reason: PdfRefusal) -> None:
    with pytest.raises(PdfError) as raised:
        credential_in_pdf(data)
    assert raised.value.reason is reason
    assert raised.value.code == "pdf_error"


def test_an_attachment_added_later_makes_two_and_is_refused() -> None:
    """Someone who adds a second credential to a certificate does not get to choose which one is read."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_with(("credential.json", CREDENTIAL)))))
    writer.add_attachment("other.json", b'{"type": ["VerifiableCredential"], "name": "Forged"}')
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(PdfError) as raised:
        credential_in_pdf(buffer.getvalue())
    assert raised.value.reason is PdfRefusal.SEVERAL_ATTACHMENTS


def test_is_pdf_reads_the_header() -> None:
    assert is_pdf(pdf_with())
    assert not is_pdf(b'{"a": 1}')
    assert not is_pdf(b"\x89PNG\r\n\x1a\n")
    assert not is_pdf(b'{"name": "%PDF-1.7 for beginners", "type": ["VerifiableCredential"]}')
