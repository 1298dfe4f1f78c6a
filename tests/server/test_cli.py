"""`passport verify` and `passport demo`: exit codes 0/1/2, readable and JSON reports, stdin."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from server.cli import app
from server.demo import demo_credential
from vc import data_integrity
from vc.baking import bake
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.jwt import sign_jwt
from vc.keys import PrivateKey

runner = CliRunner()
KEY = PrivateKey.from_ed25519_secret(bytes(range(32)))
METHOD = did_key_verification_method_id(KEY.public_key)


@pytest.fixture
def signed_json(tmp_path: Path) -> Path:
    credential = data_integrity.sign(
        demo_credential(did_key_for(KEY.public_key)), KEY, METHOD, datetime.now(UTC)
    )
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential))
    return path


def test_verified_credential_exits_zero_with_a_readable_report(signed_json: Path) -> None:
    result = runner.invoke(app, ["verify", str(signed_json)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Verified")
    assert "[ok  ] proof" in result.output


def test_json_report_has_top_level_verified_and_checks(signed_json: Path) -> None:
    result = runner.invoke(app, ["verify", str(signed_json), "--json"])
    report = json.loads(result.output)
    assert report["verified"] is True
    assert [check["id"] for check in report["checks"]][:3] == ["well_formed", "schema", "proof"]


def test_tampered_credential_exits_one(signed_json: Path) -> None:
    credential = json.loads(signed_json.read_text())
    credential["credentialSubject"]["result"][0]["value"] = "Pass"
    signed_json.write_text(json.dumps(credential))
    result = runner.invoke(app, ["verify", str(signed_json), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["verified"] is False
    assert report["errors"][0]["id"] == "proof"


def test_jwt_from_standard_input() -> None:
    token = sign_jwt(demo_credential(did_key_for(KEY.public_key)), KEY, kid=METHOD)
    result = runner.invoke(app, ["verify", "-"], input=token + "\n")
    assert result.exit_code == 0, result.output
    assert "VC-JWT" in result.output


@pytest.mark.parametrize(
    "content",
    [b"not json at all", b"[1, 2, 3]", b"\xff\xfe\x00garbage", b'{"a": 1, "a": 2}', b"[" * 100_000],
)
def test_unusable_input_exits_two_with_a_plain_message(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "input"
    path.write_bytes(content)
    result = runner.invoke(app, ["verify", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_json_that_is_not_a_credential_exits_two(tmp_path: Path) -> None:
    path = tmp_path / "thing.json"
    path.write_text('{"hello": "world"}')
    result = runner.invoke(app, ["verify", str(path)])
    assert result.exit_code == 2
    assert "well_formed" in result.output


def test_missing_file_exits_two() -> None:
    result = runner.invoke(app, ["verify", "/nonexistent/credential.json"])
    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_oversized_file_exits_two(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"x": "' + "a" * (3 * 1024 * 1024) + '"}')
    result = runner.invoke(app, ["verify", str(path)])
    assert result.exit_code == 2


def png_image() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (29, 111, 114)).save(buffer, "PNG")
    return buffer.getvalue()


SVG_IMAGE = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><circle r="16" cx="16" cy="16"/></svg>'
)


def test_baked_png_and_svg_are_unbaked_and_verified(signed_json: Path, tmp_path: Path) -> None:
    credential = json.loads(signed_json.read_text())
    token = sign_jwt(demo_credential(did_key_for(KEY.public_key)), KEY, kid=METHOD)
    cases = {"json.png": bake(png_image(), credential), "jwt.svg": bake(SVG_IMAGE, token)}
    for name, image in cases.items():
        (tmp_path / name).write_bytes(image)
        result = runner.invoke(app, ["verify", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("Verified")


def test_baked_image_is_recognised_by_content_on_standard_input(signed_json: Path) -> None:
    baked = bake(png_image(), json.loads(signed_json.read_text()))
    result = runner.invoke(app, ["verify", "-", "--json"], input=baked)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["verified"] is True


def test_tampered_baked_credential_exits_one(signed_json: Path, tmp_path: Path) -> None:
    credential = json.loads(signed_json.read_text())
    credential["credentialSubject"]["result"][0]["value"] = "Pass"
    path = tmp_path / "badge.svg"
    path.write_bytes(bake(SVG_IMAGE, credential))
    result = runner.invoke(app, ["verify", str(path)])
    assert result.exit_code == 1
    assert "[FAIL] proof" in result.output


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("credential.png", b'{"@context": []}', "credential.png: not a PNG or SVG image"),
        ("badge.png", png_image(), "badge.png: the PNG holds no baked credential"),
        ("badge.svg", SVG_IMAGE, "badge.svg: the SVG holds no baked credential"),
        ("badge.png", png_image()[:-1] + b"\0", "bad CRC"),
        ("page.svg", b"<html><body/></html>", "not an SVG image"),
        ("badge", png_image(), "the PNG holds no baked credential"),
    ],
)
def test_unusable_image_exits_two_with_a_plain_message(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(app, ["verify", str(path)])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_demo_writes_two_credentials_that_verify(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--directory", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.count("Verified") == 2
    for name in ("credential.json", "credential.jwt"):
        assert runner.invoke(app, ["verify", str(tmp_path / name)]).exit_code == 0


def test_issuers_create_can_enable_suspension(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSPORT_DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("PASSPORT_MASTER_KEY_FILE", str(tmp_path / "master.key"))
    monkeypatch.setenv("PASSPORT_ADMIN_TOKEN_FILE", str(tmp_path / "admin.token"))
    result = runner.invoke(
        app,
        ["issuers", "create", "--name", "Suspending College", "--url", "https://s.example", "--suspension"],
    )
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert (created["suspension_enabled"], created["api_key"][:3]) == (True, "sk_")
    plain = runner.invoke(app, ["issuers", "create", "--name", "Plain College", "--url", "https://p.example"])
    assert json.loads(plain.output)["suspension_enabled"] is False


def test_pathways_create_list_and_refuse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSPORT_DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("PASSPORT_MASTER_KEY_FILE", str(tmp_path / "master.key"))
    monkeypatch.setenv("PASSPORT_ADMIN_TOKEN_FILE", str(tmp_path / "admin.token"))
    steps = [
        {"key": "a", "title": "Level 2", "options": [{"rule": {"min_level": "RQF 2", "sector": "Energy"}}]},
        {"key": "b", "title": "Level 3", "after": ["a"], "options": [{"rule": {"min_level": "RQF 3"}}]},
    ]
    good = tmp_path / "pathway.json"
    good.write_text(json.dumps({"title": "Energy", "region": "Wales", "steps": steps}))
    created = runner.invoke(app, ["pathways", "create", str(good)])
    assert created.exit_code == 0, created.output
    pathway = json.loads(created.output)
    assert pathway["version"] == 1
    assert pathway["state"] == "published"

    steps[0]["after"] = ["b"]
    cycle = tmp_path / "cycle.json"
    cycle.write_text(json.dumps({"title": "Loop", "region": "Wales", "steps": steps}))
    refused = runner.invoke(app, ["pathways", "create", str(cycle)])
    assert refused.exit_code == 2
    assert "cycle" in refused.output
    assert "a -> b -> a" in refused.output

    change = tmp_path / "change.json"
    change.write_text(json.dumps({"title": "Energy in Wales"}))
    updated = runner.invoke(app, ["pathways", "update", pathway["id"], str(change)])
    assert json.loads(updated.output)["version"] == 2
    listed = runner.invoke(app, ["pathways", "list"])
    assert [json.loads(line)["title"] for line in listed.output.splitlines()] == ["Energy in Wales"]
