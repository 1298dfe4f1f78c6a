"""The PDF certificate of one credential: what a learner prints, emails or uploads, and it verifies itself.

One A4 landscape page: the achievement, the recipient, who issued it and who accredits the issuer, the
dates, the result, the credential's status when the PDF was made, and the verification QR code
(`core.qr.url_qr`) with its URL written out. The signed credential is **attached** to the PDF exactly as
signed (``credential-<id>.json`` for a Data Integrity credential, ``.jwt`` for a VC-JWT: an embedded
file, ISO 32000-2 §7.11.4), so the PDF is self-verifying: ``passport verify certificate.pdf`` and the
upload on ``/verify`` take it out and verify it (`vc.pdf`). The printed words are for people; only the
attachment is ever verified.

`render_certificate` is a pure function of the credential and the `CertificateView` (the names and
words already chosen by the rules of `network.naming`); it translates its labels into the current
language (`core.i18n`). fpdf2 writes the PDF (pure Python) with a subset of DejaVu Sans embedded: the
PDF core fonts are Latin-1 only, and Welsh needs ŵ and ŷ. The output is deterministic: its creation
date is the view's ``checked_on``, so the same credential and view give the same bytes.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF

from core.i18n import format_date, gettext, language_tag
from core.qr import url_qr

__all__ = ["CertificateView", "attachment_name", "render_certificate"]

FONTS = Path(__file__).parent / "fonts"
_FAMILY = "DejaVuSans"
_BRAND = (29, 63, 114)  # the site's --brand
_INK = (11, 12, 12)
_MUTED = (80, 90, 95)
_PAGE_WIDTH, _PAGE_HEIGHT = 297.0, 210.0  # A4 landscape, mm
_MARGIN = 18.0
_QR_SIZE = 52.0  # mm: a URL code of ~49 modules, ~1 mm each, scans from a phone at arm's length


@dataclass(frozen=True)
class CertificateView:
    """What the certificate says, as the passport decided it (names only from what was proven)."""

    credential_id: str
    achievement_name: str
    issuer_name: str  # `network.naming.IssuerName.shown`: a confirmed name, or "Names itself … not confirmed"
    issued_on: datetime
    status: str  # the credential's status in words when the PDF was made
    checked_on: datetime
    verification_url: str  # what the QR code opens
    check_url: str  # the site's "check a credential" page, where the PDF itself can be uploaded
    recipient_name: str | None = None
    accreditor_name: str | None = None
    kind: str | None = None
    valid_until: datetime | None = None
    result: str | None = None


def attachment_name(credential_id: str, document: dict[str, Any] | str) -> str:
    return f"credential-{credential_id}.{'jwt' if isinstance(document, str) else 'json'}"


def _attachment_bytes(document: dict[str, Any] | str) -> bytes:
    if isinstance(document, str):
        return document.encode()
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


class _Certificate(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.set_auto_page_break(auto=False)
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.add_font(_FAMILY, "", FONTS / "DejaVuSans.ttf")
        self.add_font(_FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")

    def text_line(
        self,
        text: str,
        size: float,
        *,
        bold: bool = False,
        colour: tuple[int, int, int] = _INK,
        width: float = 0,
        align: str = "L",
        gap: float = 1.5,
    ) -> None:
        self.set_font(_FAMILY, "B" if bold else "", size)
        self.set_text_color(*colour)
        self.multi_cell(width, size * 0.45, text, align=align, new_x="LMARGIN", new_y="NEXT")
        self.ln(gap)


def render_certificate(document: dict[str, Any] | str, view: CertificateView) -> bytes:
    """The certificate as PDF bytes, in the current language, with `document` attached as signed."""
    pdf = _Certificate()
    pdf.set_lang(language_tag())
    pdf.set_title(gettext("Certificate: %(achievement)s", achievement=view.achievement_name))
    pdf.set_subject(view.verification_url)
    pdf.set_author(view.issuer_name)
    pdf.set_creator("Skills Passport")
    pdf.set_creation_date(view.checked_on)  # also seeds the file identifier (a hash of the content)
    pdf.add_page()
    _frame(pdf)
    body_width = _PAGE_WIDTH - 2 * _MARGIN - _QR_SIZE - 20

    pdf.set_xy(_MARGIN + 6, _MARGIN + 8)
    pdf.set_left_margin(_MARGIN + 6)
    pdf.text_line(gettext("Certificate of achievement").upper(), 11, bold=True, colour=_BRAND, gap=6)
    if view.recipient_name:
        pdf.text_line(gettext("This certifies that"), 12, colour=_MUTED)
        pdf.text_line(view.recipient_name, 24, bold=True, width=body_width, gap=2)
        pdf.text_line(gettext("has achieved"), 12, colour=_MUTED)
    else:
        pdf.text_line(gettext("This certifies the achievement"), 12, colour=_MUTED)
    pdf.text_line(view.achievement_name, 20, bold=True, colour=_BRAND, width=body_width, gap=1)
    if view.kind:
        pdf.text_line(view.kind, 11, colour=_MUTED)
    pdf.ln(4)
    _facts(pdf, view, body_width)
    _qr(pdf, view)
    _footer(pdf, document, view)
    pdf.embed_file(
        bytes=_attachment_bytes(document),
        basename=attachment_name(view.credential_id, document),
        desc=gettext("The signed credential: verify it to check this certificate"),
        mime_type="application/vc+jwt" if isinstance(document, str) else "application/vc",
        associated_file_relationship="Source",
        compress=True,
        creation_date=view.issued_on,
        modification_date=view.issued_on,
    )
    buffer = io.BytesIO()
    pdf.output(buffer)
    return buffer.getvalue()


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*_BRAND)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, _PAGE_WIDTH - 16, _PAGE_HEIGHT - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, _PAGE_WIDTH - 22, _PAGE_HEIGHT - 22)


def _facts(pdf: _Certificate, view: CertificateView, width: float) -> None:
    rows: list[tuple[str, str]] = [(gettext("Issued by"), view.issuer_name)]
    if view.accreditor_name:
        rows.append((gettext("Accredited by"), view.accreditor_name))
    rows.append((gettext("Issued on"), format_date(view.issued_on)))
    if view.valid_until is not None:
        rows.append((gettext("Valid until"), format_date(view.valid_until)))
    if view.result:
        rows.append((gettext("Result"), view.result))
    rows.append(
        (
            gettext("Status"),
            gettext(
                "%(status)s (checked on %(date)s)", status=view.status, date=format_date(view.checked_on)
            ),
        )
    )
    label_width = 42.0
    for label, value in rows:
        y = pdf.get_y()
        pdf.set_font(_FAMILY, "B", 10)
        pdf.set_text_color(*_MUTED)
        pdf.set_xy(pdf.l_margin, y)
        pdf.multi_cell(label_width, 5, label, new_x="RIGHT", new_y="TOP")
        pdf.set_font(_FAMILY, "", 10)
        pdf.set_text_color(*_INK)
        pdf.multi_cell(width - label_width, 5, value, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), y + 5) + 1.5)


def _qr(pdf: _Certificate, view: CertificateView) -> None:
    x = _PAGE_WIDTH - _MARGIN - _QR_SIZE - 4
    y = 62.0
    image = url_qr(view.verification_url, "png")
    pdf.image(io.BytesIO(image), x=x, y=y, w=_QR_SIZE, h=_QR_SIZE, alt_text=gettext("QR code"))
    pdf.set_xy(x - 6, y + _QR_SIZE + 2)
    pdf.set_font(_FAMILY, "B", 9)
    pdf.set_text_color(*_INK)
    pdf.multi_cell(
        _QR_SIZE + 12, 4.2, gettext("Scan to check it is genuine"), align="C", new_x="LEFT", new_y="NEXT"
    )
    pdf.set_font(_FAMILY, "", 7)
    pdf.set_text_color(*_BRAND)
    pdf.multi_cell(_QR_SIZE + 12, 3.4, view.verification_url, align="C", link=view.verification_url)


def _footer(pdf: _Certificate, document: dict[str, Any] | str, view: CertificateView) -> None:
    pdf.set_xy(_MARGIN + 6, _PAGE_HEIGHT - _MARGIN - 14)
    pdf.set_left_margin(_MARGIN + 6)
    pdf.set_font(_FAMILY, "", 7.5)
    pdf.set_text_color(*_MUTED)
    pdf.multi_cell(
        _PAGE_WIDTH - 2 * _MARGIN - 12,
        3.6,
        gettext(
            "This PDF carries the signed credential as an attached file (%(file)s). Anyone can check it "
            "by uploading this PDF at %(url)s, or with the command: passport verify certificate.pdf. "
            "Only the attached credential is proof; the words on this page are a copy of it.",
            file=attachment_name(view.credential_id, document),
            url=view.check_url,
        ),
        align="L",
    )
