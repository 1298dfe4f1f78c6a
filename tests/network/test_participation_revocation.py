"""An operator-signed community participation credential carries a revocation entry on the operator's
status list: issue -> verify valid -> the operator revokes (with a reason, audit-trailed) -> verify revoked;
again is 409; a coordinator (a provider's key) cannot revoke (403)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from core.services import Database, services_of
from issuers.staff.models import AuditEvent
from tests.issuers.test_api import assert_problem
from tests.network.test_communities_practice import API, OPERATOR, attend, setup

__all__ = ["setup"]


def _issued(client: TestClient, setup: dict[str, Any]) -> dict[str, Any]:
    cid, key = setup["community"]["id"], setup["key"]
    for s in setup["sessions"][:2]:
        attend(client, key, cid, s, setup["ada"])
    rule = {"attended": {"at_least": 2, "of_last": 6}}
    assert client.patch(f"{API}/{cid}", json={"rule": rule}, headers=key).status_code == 200
    issued = client.post(f"{API}/{cid}/participation", headers=key)
    assert issued.status_code == 200, issued.text
    [row] = issued.json()
    return dict(row)


def _status(client: TestClient, credential: dict[str, Any]) -> str:
    report = client.post("/credentials/verify", json={"verifiableCredential": credential}).json()
    return str(report["status"]["state"])


def test_issue_verify_revoke_verify_revoked(client: TestClient, setup: dict[str, Any]) -> None:
    row = _issued(client, setup)
    credential = row["credential"]
    entry = credential["credentialStatus"]
    assert (entry["type"], entry["statusPurpose"]) == ("BitstringStatusListEntry", "revocation")
    assert entry["statusListCredential"].startswith("https://passport.test/operator/status/")
    assert _status(client, credential) != "revoked"
    verified = client.post("/credentials/verify", json={"verifiableCredential": credential}).json()
    assert verified["verified"] is True, verified

    url = f"{API}/{setup['community']['id']}/participation/{row['id']}/revoke"
    refused = client.post(url, json={"reason": "x"}, headers=setup["key"])  # the coordinator
    assert_problem(refused, 403, "forbidden")
    assert _status(client, credential) != "revoked"

    revoked = client.post(url, json={"reason": "Attendance was recorded in error."}, headers=OPERATOR)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revocation_reason"] == "Attendance was recorded in error."
    assert _status(client, credential) == "revoked"

    again = client.post(url, json={"reason": "again"}, headers=OPERATOR)
    assert_problem(again, 409, "credential-already-revoked")
    with services_of(client.app).get(Database).sessions() as session:
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_id == row["id"], AuditEvent.action == "community.participation.revoke"
            )
        ).all()
        assert [e.after for e in events] == [
            {"community": setup["community"]["id"], "reason": "Attendance was recorded in error."}
        ]
