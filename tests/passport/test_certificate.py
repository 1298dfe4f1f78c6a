"""The PDF certificate: what it says (names only from what was proven), its QR code read back from the
rendered page, the signed credential attached and verified by the public verifier (a tampered one fails),
both languages, and who may download it (the learner's own credential; a share link's chosen ones)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pypdfium2
import pytest
import zxingcpp
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader, PdfWriter

from tests.conftest import BASE_URL, assert_page_problem, assert_problem
from tests.network.test_trust_registry import COURSES, accredit
from tests.passport.conftest import (
    COURSE,
    Browser,
    Clock,
    auth,
    bearer,
    create_achievement,
    create_provider,
    issue_to,
)
from tests.verification.conftest import ExternalIssuer, FakeWeb
from vc.pdf import credential_in_pdf

CREDENTIALS = "/api/v1/passport/credentials"


def page_text(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def qr_codes_on_page(pdf: bytes) -> list[str]:
    """Rasterise page 1 at 150 dpi (PDFium) and read every QR code on it (zxing-cpp)."""
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=150 / 72).to_pil().convert("L")
    return [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


class Sam:
    """A learner with two credentials (JSON and VC-JWT) from an accredited provider, and one from a
    provider outside the scheme."""

    def __init__(self, client: TestClient, app: FastAPI, clock: Clock) -> None:
        # The public verify routes read the real clock: issue an hour before it, so it is valid then too.
        clock.now = datetime.now(UTC) - timedelta(hours=1)
        self.clock = clock
        provider = create_provider(client, "Midlands College")
        accredit(client, provider_id=provider["id"], scope=COURSES)
        key = provider["api_key"]
        achievement = create_achievement(client, key)
        recipient = {"email": "sam@example.com", "name": "Sam Jones"}
        self.ldp = issue_to(client, key, achievement, "", recipient=recipient, result="Distinction")
        self.jwt = issue_to(client, key, achievement, "", recipient=recipient, format="jwt")
        outside = create_provider(client, "Hillside University")
        other = create_achievement(client, outside["api_key"], {**COURSE, "name": "Statics (Level 6)"})
        self.outside = issue_to(client, outside["api_key"], other, "", recipient=recipient)
        self.documents = {
            credential_id: client.get(f"/api/v1/credentials/{credential_id}", headers=auth(api_key)).json()[
                "credential"
            ]
            for credential_id, api_key in (
                (self.ldp, key),
                (self.jwt, key),
                (self.outside, outside["api_key"]),
            )
        }
        self.browser = Browser.open(app)
        self.browser.sign_up("sam@example.com")
        self.token = self.browser.token("sam@example.com")


@pytest.fixture
def sam(client: TestClient, app: FastAPI, clock: Clock) -> Sam:
    return Sam(client, app, clock)


def test_the_certificate_says_what_was_proven_and_its_qr_opens_the_verification_page(sam: Sam) -> None:
    response = sam.browser.get(f"/passport/credentials/{sam.ldp}/certificate.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="certificate-{sam.ldp}.pdf"'
    text = page_text(response.content)
    for words in (
        "CERTIFICATE OF ACHIEVEMENT",
        "Sam Jones",
        "Heat Pump Installation (Level 3)",
        "Issued by Midlands College",
        "Accredited by National Skills Network",
        "Result Distinction",
        "Status Valid (checked on",
        f"{BASE_URL}/verify",
        f"credential-{sam.ldp}.json",
    ):
        assert words in text, (words, text)
    assert qr_codes_on_page(response.content) == [f"{BASE_URL}/credentials/{sam.ldp}"]


def test_an_issuer_outside_the_scheme_has_no_accreditor_on_its_certificate(sam: Sam) -> None:
    response = sam.browser.get(f"/passport/credentials/{sam.outside}/certificate.pdf")
    text = page_text(response.content)
    assert "Issued by Hillside University" in text
    assert "Accredited by" not in text
    assert "Outside the scheme" in text


def test_the_attached_credential_is_exactly_what_was_signed_and_verifies(
    client: TestClient, sam: Sam
) -> None:
    for credential_id, suffix in ((sam.ldp, "json"), (sam.jwt, "jwt")):
        pdf = client.get(f"{CREDENTIALS}/{credential_id}/certificate.pdf", headers=bearer(sam.token)).content
        attachments = PdfReader(io.BytesIO(pdf)).attachments
        assert list(attachments) == [f"credential-{credential_id}.{suffix}"]
        assert credential_in_pdf(pdf) == sam.documents[credential_id]
        report = client.post(
            "/credentials/verify/upload", files={"file": ("certificate.pdf", pdf, "application/pdf")}
        ).json()
        assert report["verified"] is True, report["errors"]
        assert report["format"] == ("jwt" if suffix == "jwt" else "ldp")


def tampered_pdf(pdf: bytes) -> bytes:
    """The same page with the attached credential's result changed (the page is copied, the attachment
    replaced, as someone editing the PDF would)."""
    document = credential_in_pdf(pdf)
    assert isinstance(document, dict)
    document["credentialSubject"]["result"][0]["value"] = "Pass with honours"
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf)), import_outline=False)
    writer.add_attachment("credential.json", json.dumps(document).encode())
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_tampered_attachment_fails_verification_on_the_page_and_the_api(
    client: TestClient, sam: Sam
) -> None:
    pdf = sam.browser.get(f"/passport/credentials/{sam.ldp}/certificate.pdf").content
    forged = tampered_pdf(pdf)
    assert credential_in_pdf(forged)["credentialSubject"]["result"][0]["value"] == "Pass with honours"
    report = client.post("/credentials/verify/upload", files={"file": ("c.pdf", forged, "application/pdf")})
    assert report.status_code == 200
    assert report.json()["verified"] is False
    assert report.json()["errors"][0]["id"] == "proof"
    page = client.post("/verify", files={"file": ("certificate.pdf", forged, "application/pdf")})
    assert page.status_code == 200
    assert "The signature does not match" in page.text or "altered" in page.text, page.text


def test_a_pdf_without_a_credential_is_refused_with_a_clear_message(client: TestClient) -> None:
    from fpdf import FPDF

    plain = FPDF()
    plain.add_page()
    response = client.post(
        "/credentials/verify/upload", files={"file": ("cv.pdf", bytes(plain.output()), "application/pdf")}
    )
    assert_problem(response, 422, "unreadable-upload")
    assert response.json()["detail"].startswith("cv.pdf is a PDF with no credential attached.")
    page = client.post("/verify", files={"file": ("cv.pdf", bytes(plain.output()), "application/pdf")})
    assert page.status_code == 422
    assert "cv.pdf is a PDF with no credential attached." in page.text


def test_the_certificate_is_in_welsh_when_asked_or_when_the_account_is(client: TestClient, sam: Sam) -> None:
    welsh = sam.browser.get(f"/passport/credentials/{sam.ldp}/certificate.pdf?lang=cy")
    text = page_text(welsh.content)
    assert "TYSTYSGRIF CYFLAWNIAD" in text, text
    assert "Sam Jones" in text
    assert "Midlands College" in text
    assert qr_codes_on_page(welsh.content) == [f"{BASE_URL}/credentials/{sam.ldp}"]
    # The choice is remembered: by the browser's cookie, and as the account's language, which the API
    # (a token, no cookie) follows unless ?lang= says otherwise.
    again = sam.browser.get(f"/passport/credentials/{sam.ldp}/certificate.pdf").content
    assert "TYSTYSGRIF" in page_text(again)
    by_token = client.get(f"{CREDENTIALS}/{sam.ldp}/certificate.pdf", headers=bearer(sam.token))
    assert "TYSTYSGRIF" in page_text(by_token.content)
    english = client.get(f"{CREDENTIALS}/{sam.ldp}/certificate.pdf?lang=en", headers=bearer(sam.token))
    assert "CERTIFICATE OF ACHIEVEMENT" in page_text(english.content)


def test_only_the_learner_and_a_share_link_that_includes_it_get_the_certificate(
    client: TestClient, app: FastAPI, sam: Sam
) -> None:
    path = f"/passport/credentials/{sam.ldp}/certificate.pdf"
    anonymous = Browser.open(app).get(path)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/passport/sign-in")
    assert_problem(client.get(f"{CREDENTIALS}/{sam.ldp}/certificate.pdf"), 401, "unauthorized")
    stranger = Browser.open(app)
    stranger.sign_up("alex@example.com")
    assert_page_problem(stranger.get(path), 404, "not-found")
    assert_problem(
        client.get(
            f"{CREDENTIALS}/{sam.ldp}/certificate.pdf", headers=bearer(stranger.token("alex@example.com"))
        ),
        404,
        "not-found",
    )

    share = client.post(
        "/api/v1/passport/shares",
        json={"credential_ids": [sam.ldp], "shared_by": "Sam Jones"},
        headers=bearer(sam.token),
    ).json()
    shared = share["url"].removeprefix(BASE_URL)
    pdf = client.get(f"{shared}/credentials/{sam.ldp}/certificate.pdf")
    assert pdf.status_code == 200
    assert credential_in_pdf(pdf.content) == sam.documents[sam.ldp]
    assert_page_problem(client.get(f"{shared}/credentials/{sam.jwt}/certificate.pdf"), 404, "not-found")
    assert_page_problem(
        client.get(f"/shared/not-a-secret/credentials/{sam.ldp}/certificate.pdf"), 404, "share-link-not-found"
    )
    revoked = client.post(f"/api/v1/passport/shares/{share['id']}/revoke", headers=bearer(sam.token))
    assert revoked.status_code == 200, revoked.text
    assert_page_problem(
        client.get(f"{shared}/credentials/{sam.ldp}/certificate.pdf"), 410, "share-link-revoked"
    )


def test_the_credential_page_offers_the_pdf_linkedin_and_a_share_text(sam: Sam) -> None:
    page = sam.browser.get(f"/passport/credentials/{sam.ldp}")
    assert page.status_code == 200
    assert f'href="/passport/credentials/{sam.ldp}/certificate.pdf"' in page.text
    assert "Download PDF certificate" in page.text
    assert (
        "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&amp;"
        "name=Heat%20Pump%20Installation%20%28Level%203%29&amp;organizationName=Midlands%20College&amp;"
    ) in page.text
    assert f"certUrl={quote(f'{BASE_URL}/credentials/{sam.ldp}', safe='')}" in page.text
    assert f"certId={sam.ldp}" in page.text
    assert (
        "I have earned \u201cHeat Pump Installation (Level 3)\u201d from Midlands College. "
        f"Anyone can check it is genuine: {BASE_URL}/credentials/{sam.ldp}"
    ) in page.text


def test_an_imported_credentials_certificate_names_its_issuer_by_the_rule_and_points_to_the_check_page(
    client: TestClient, web: FakeWeb, sam: Sam
) -> None:
    college = ExternalIssuer(web)
    college.publish()
    imported = client.post(
        "/api/v1/passport/imports",
        json={"credential": college.sign(college.credential())},
        headers=bearer(sam.token),
    )
    assert imported.status_code == 201, imported.text
    credential_id = imported.json()["item"]["id"]
    pdf = sam.browser.get(f"/passport/credentials/{credential_id}/certificate.pdf").content
    text = page_text(pdf)
    assert "Names itself \u201cExample University, School of Computing\u201d \u2014 not confirmed" in text
    assert "Accredited by" not in text
    # Its verification page, if any, is its own issuer's: the QR code opens this service's check page,
    # where the PDF itself can be uploaded.
    assert qr_codes_on_page(pdf) == [f"{BASE_URL}/verify"]
    page = sam.browser.get(f"/passport/credentials/{credential_id}")
    assert "organizationName=" not in page.text  # an unconfirmed name is not offered to LinkedIn
    assert "certUrl=" not in page.text
    assert f"certId={credential_id}" in page.text
