"""POST /credentials/verify/upload with a PDF: a certificate's attached credential is verified (a PDF made
here by fpdf2, not only our own renderer), and each refusal is a 422 problem in the visitor's language."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fpdf import FPDF

from tests.conftest import assert_problem
from tests.verification.conftest import issue

ROUTE = "/credentials/verify/upload"


def pdf_with(*attachments: bytes) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    for number, content in enumerate(attachments):
        pdf.embed_file(bytes=content, basename=f"credential-{number}.json")
    return bytes(pdf.output())


def upload(client: TestClient, name: str, data: bytes, **headers: str) -> Any:
    return client.post(ROUTE, files={"file": (name, data, "application/pdf")}, headers=headers)


@pytest.mark.parametrize("credential_format", ["ldp", "jwt"])
def test_any_pdf_with_one_attached_credential_verifies(
    client: TestClient, provider: dict[str, Any], credential_format: str
) -> None:
    credential = issue(client, provider["api_key"], provider["achievement_id"], format=credential_format)
    document = credential["credential"]
    attached = document.encode() if isinstance(document, str) else json.dumps(document).encode()
    report = upload(client, "certificate.pdf", pdf_with(attached)).json()
    assert report["verified"] is True, report
    assert report["format"] == credential_format


def test_refusals_are_problems_that_say_why(client: TestClient, provider: dict[str, Any]) -> None:
    document = json.dumps(issue(client, provider["api_key"], provider["achievement_id"])["credential"])
    several = upload(client, "two.pdf", pdf_with(document.encode(), document.encode()))
    assert_problem(several, 422, "unreadable-upload")
    assert several.json()["detail"] == (
        "two.pdf is a PDF with more than one attached file; a certificate carries exactly one credential"
    )
    named = upload(client, "credential.pdf", document.encode())
    assert_problem(named, 422, "unreadable-upload")
    assert named.json()["detail"] == "credential.pdf is named like a PDF but its content is not a PDF"
    welsh = upload(client, "cv.pdf", pdf_with(), **{"Accept-Language": "cy"})
    assert_problem(welsh, 422, "unreadable-upload")
    assert welsh.json()["detail"].startswith("Mae cv.pdf yn PDF heb dystlythyr ynghlwm wrtho.")
