"""Offline verification: ``passport snapshot`` against the app served on loopback, then ``passport verify
--snapshot`` with the server gone (the socket guard would fail any connection), on the text of a scanned
offline QR code. A snapshot whose signed contents were altered is refused."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from server.cli import app as cli
from tests.browser.conftest import live_app, live_server, live_settings  # noqa: F401  (fixtures)
from tests.browser.test_employer_page import issue, provider
from tests.core.test_qr import decode
from tests.issuers.conftest import COURSE
from tests.verification.test_credential_page import FIRST_AID

runner = CliRunner()


def take(live_server: str, path: Path) -> None:  # noqa: F811
    result = runner.invoke(cli, ["snapshot", "--url", live_server, "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert "status lists" in result.output


def verify(token: str, snapshot: Path, tmp_path: Path) -> Any:
    scanned = tmp_path / "scanned.txt"
    scanned.write_text(token)
    return runner.invoke(cli, ["verify", str(scanned), "--snapshot", str(snapshot)])


@pytest.fixture
def issued(live_server: str) -> dict[str, Any]:  # noqa: F811
    with httpx.Client(base_url=live_server, timeout=30) as api:
        college = provider(api, "Midlands College", {"kinds": ["course"]})
        outsider = provider(api, "Unlisted Training Ltd", None)
        valid = issue(api, college, FIRST_AID, format="jwt")
        revoked = issue(api, college, COURSE, format="jwt")
        answer = api.post(
            f"/api/v1/credentials/{revoked['id']}/revoke",
            json={"reason": "issued in error"},
            headers={"Authorization": f"Bearer {college['api_key']}"},
        )
        assert answer.status_code == 200
        outside = issue(api, outsider, COURSE, format="jwt")
        offline_qr = api.get(valid["offline_qr_url"])
        assert offline_qr.status_code == 200
    return {
        "scanned": decode(offline_qr.content).text,
        "revoked": revoked["credential"],
        "outside": outside["credential"],
    }


def test_a_scanned_offline_code_verifies_against_the_snapshot_without_the_issuer(
    live_server: str,  # noqa: F811
    issued: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    snapshot = tmp_path / "snapshot.json"
    take(live_server, snapshot)
    taken_at = json.loads(snapshot.read_text())["takenAt"]
    assert issued["scanned"].startswith(f"{live_server}/verify#vc=")

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("passport verify --snapshot made a connection")

    monkeypatch.setattr("socket.socket.connect", no_network)
    valid = verify(issued["scanned"], snapshot, tmp_path)
    assert valid.exit_code == 0, valid.output
    assert valid.output.startswith("Verified")
    assert "accredited by" in valid.output
    assert f"Checked against data as of {taken_at}" in valid.output

    revoked = verify(issued["revoked"], snapshot, tmp_path)
    assert revoked.exit_code == 1, revoked.output
    assert "revoked" in revoked.output
    outside = verify(issued["outside"], snapshot, tmp_path)
    assert "is not on" in outside.output
    assert "register" in outside.output


def test_a_snapshot_with_an_altered_trust_list_is_refused(
    live_server: str,  # noqa: F811
    issued: dict[str, Any],
    tmp_path: Path,
) -> None:
    snapshot = tmp_path / "snapshot.json"
    take(live_server, snapshot)
    data = json.loads(snapshot.read_text())
    data["trustList"]["validUntil"] = "2099-12-31T00:00:00Z"  # a stale list made to look fresh
    snapshot.write_text(json.dumps(data))
    result = verify(issued["scanned"], snapshot, tmp_path)
    assert result.exit_code == 2
    assert "trust list does not verify" in result.output


def test_an_altered_status_list_in_a_snapshot_fails_the_status_check(
    live_server: str,  # noqa: F811
    issued: dict[str, Any],
    tmp_path: Path,
) -> None:
    snapshot = tmp_path / "snapshot.json"
    take(live_server, snapshot)
    data = json.loads(snapshot.read_text())
    for status_list in data["statusLists"].values():
        status_list["validFrom"] = "2020-01-01T00:00:00Z"
    snapshot.write_text(json.dumps(data))
    result = verify(issued["revoked"], snapshot, tmp_path)
    assert result.exit_code == 1
    assert "does not verify" in result.output


def test_an_unreachable_service_is_a_plain_message(tmp_path: Path) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    result = runner.invoke(
        cli, ["snapshot", "--url", f"http://127.0.0.1:{port}", "-o", str(tmp_path / "s.json")]
    )
    assert result.exit_code == 1
    assert "cannot reach" in result.output
    assert not (tmp_path / "s.json").exists()


def test_a_file_that_is_not_a_snapshot_is_unusable_input(tmp_path: Path) -> None:
    not_a_snapshot = tmp_path / "snapshot.json"
    not_a_snapshot.write_text('{"type": "Something"}')
    credential = tmp_path / "token.jwt"
    credential.write_text("eyJhbGciOiJFZERTQSJ9.eyJ9.c2ln")
    result = runner.invoke(cli, ["verify", str(credential), "--snapshot", str(not_a_snapshot)])
    assert result.exit_code == 2
    assert "not a verification snapshot" in result.output


def test_an_approval_verifies_offline_from_the_snapshot(live_server: str, tmp_path: Path) -> None:  # noqa: F811
    from datetime import UTC, datetime

    from network.verdict import ApprovalState, approval_of
    from tests.conftest import ADMIN_TOKEN
    from vc.verify import verify_credential
    from verification.snapshot import load_snapshot

    with httpx.Client(base_url=live_server, timeout=30) as api:
        college = provider(api, "Midlands College", {"kinds": ["course"]})
        key = {"Authorization": f"Bearer {college['api_key']}"}
        achievement_id = api.post("/api/v1/achievements", json=COURSE, headers=key).json()["id"]
        statement = {
            "achievement_id": achievement_id,
            "quality_statement": "Moderated by two assessors each term.",
        }
        approval = api.post("/api/v1/approvals", json=statement, headers=key).json()
        operator = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        assert (
            api.post(f"/api/v1/admin/approvals/{approval['id']}/approve", headers=operator).status_code == 200
        )
        body = {"achievement_id": achievement_id, "recipient": {"email": "sam@example.com"}}
        credential = api.post("/api/v1/credentials", json=body, headers=key).json()["credential"]
    snapshot = tmp_path / "snapshot.json"
    take(live_server, snapshot)
    loaded = load_snapshot(json.loads(snapshot.read_text()))
    report = verify_credential(credential, loaded.ports, datetime.now(UTC))
    assert report.verified
    assert report.endorsements[0].state.value == "verified"
    assert approval_of(report).state is ApprovalState.APPROVED
