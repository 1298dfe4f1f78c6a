"""`passport verify certificate.pdf`: the credential attached to a PDF certificate is verified (0), a
tampered attachment is not (1), and a PDF with no credential or with several is unusable input (2)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from typer.testing import CliRunner

from passport.exports.certificate import CertificateView, render_certificate
from server.cli import app
from server.demo import demo_credential
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.jwt import sign_jwt
from vc.keys import PrivateKey

runner = CliRunner()
KEY = PrivateKey.from_ed25519_secret(bytes(range(32)))
METHOD = did_key_verification_method_id(KEY.public_key)
NOW = datetime.now(UTC)
VIEW = CertificateView(
    credential_id="0f" * 16,
    achievement_name="Welding (Level 2)",
    issuer_name="Demo College",
    issued_on=NOW,
    status="Valid",
    checked_on=NOW,
    verification_url="https://passport.example/credentials/" + "0f" * 16,
    check_url="https://passport.example/verify",
)


def signed() -> dict[str, object]:
    return data_integrity.sign(demo_credential(did_key_for(KEY.public_key)), KEY, METHOD, NOW)


def write(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize("secured", ["ldp", "jwt"])
def test_a_certificate_verifies_by_its_attached_credential(tmp_path: Path, secured: str) -> None:
    credential = (
        signed()
        if secured == "ldp"
        else sign_jwt(demo_credential(did_key_for(KEY.public_key)), KEY, kid=METHOD)
    )
    result = runner.invoke(app, ["verify", write(tmp_path, render_certificate(credential, VIEW)), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["verified"] is True
    assert report["format"] == secured


def test_a_tampered_attachment_exits_one(tmp_path: Path) -> None:
    credential = signed()
    credential["credentialSubject"]["result"][0]["value"] = "Pass with honours"  # type: ignore[index]
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(render_certificate(signed(), VIEW))), import_outline=False)
    writer.add_attachment("credential.json", json.dumps(credential).encode())
    buffer = io.BytesIO()
    writer.write(buffer)
    result = runner.invoke(app, ["verify", write(tmp_path, buffer.getvalue()), "--json"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.output)["errors"][0]["id"] == "proof"


def test_a_pdf_without_exactly_one_credential_is_unusable(tmp_path: Path) -> None:
    plain = FPDF()
    plain.add_page()
    result = runner.invoke(app, ["verify", write(tmp_path, bytes(plain.output()))])
    assert result.exit_code == 2
    assert "the PDF has no attached credential" in result.output
    twice = FPDF()
    twice.add_page()
    for name in ("a.json", "b.json"):
        twice.embed_file(bytes=json.dumps(signed()).encode(), basename=name)
    result = runner.invoke(app, ["verify", write(tmp_path, bytes(twice.output()))])
    assert result.exit_code == 2
    assert "more than one attached file" in result.output
    named = tmp_path / "named.pdf"
    named.write_text(json.dumps(signed()))
    result = runner.invoke(app, ["verify", str(named)])
    assert result.exit_code == 2
    assert "the file is not a PDF" in result.output
