"""``passport bursaries``: the operator takes an award from offer to credential from the command line;
issuing before the fund's dissemination requirement is met exits 1 and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from server.cli import app
from tests.issuers.conftest import create_provider
from tests.network.bursaries_helpers import Host
from tests.server.test_cli_approvals import environment

__all__ = ["environment"]

runner = CliRunner()


def cli(*arguments: str) -> Any:
    result = runner.invoke(app, ["bursaries", *arguments])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.usefixtures("environment")
def test_the_operator_issues_an_exchange_visit_credential(client: TestClient, tmp_path: Path) -> None:
    provider = create_provider(client)
    fund = cli(
        "create-fund",
        "--name",
        "Exchange Fund",
        "--funder",
        "Foundation",
        "--amount",
        "500000",
        "--criteria",
        "Report and session afterwards.",
    )
    assert fund["state"] == "open"
    award = cli(
        "award",
        "--fund",
        fund["id"],
        "--name",
        "Ada",
        "--email",
        "ada@college.example",
        "--provider",
        provider["id"],
        "--amount",
        "150000",
    )
    cli("accept", award["id"])
    host = Host()
    visited = cli(
        "visit",
        award["id"],
        "--host",
        "Berufsschule Stuttgart",
        "--country",
        "Germany",
        "--start",
        "2026-09-14",
        "--end",
        "2026-09-20",
        "--focus",
        "WorldSkills national final abroad",
        "--host-did",
        host.did,
    )
    assert visited["state"] == "visit_recorded"
    cli("dissemination", award["id"], "--report-summary", "What we saw.")
    refused = runner.invoke(app, ["bursaries", "issue", award["id"]])
    assert refused.exit_code == 1
    assert "a session delivered to peers" in refused.output
    assert cli("awards", "--fund", fund["id"])[0]["credential"] is None  # nothing written
    cli(
        "dissemination",
        award["id"],
        "--report-summary",
        "What we saw.",
        "--session-date",
        "2026-10-05",
        "--audience",
        "12",
    )
    document = tmp_path / "endorsement.json"
    document.write_text(json.dumps(host.endorse(award["credential_id"])))
    assert cli("host-endorsement", award["id"], str(document))["host_endorsement"] == "signed"
    issued = cli("issue", award["id"])
    assert issued["state"] == "credential_issued"
    assert [e["issuer"]["id"] for e in issued["credential"]["endorsement"]] == [host.did]
    bad = runner.invoke(app, ["bursaries", "withdraw", award["id"], "--reason", "late"])
    assert bad.exit_code == 1
    revoked = cli("revoke", award["id"], "--reason", "Not as recorded")
    assert revoked["revocation_reason"] == "Not as recorded"
    assert revoked["credential"]["credentialStatus"]["statusPurpose"] == "revocation"
    twice = runner.invoke(app, ["bursaries", "revoke", award["id"], "--reason", "again"])
    assert twice.exit_code == 1
    assert "already revoked" in twice.output
