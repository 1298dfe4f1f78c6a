"""Suspension where the provider enables it: one 2-bit ``message`` status entry (valid / suspended /
revoked), suspend and reinstate, revocation final; providers without it keep a plain revocation entry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.issuers.conftest import ADMIN_TOKEN, BASE_URL, auth, create_achievement
from tests.issuers.test_api import assert_problem, issue, ports_for
from vc.report import CheckId, Outcome
from vc.status_list import MIN_LENGTH, SUSPENSION_STATUS_MESSAGES, StatusList
from vc.verify import verify_credential


def create_suspending_provider(client: TestClient, name: str = "Suspending College") -> dict[str, Any]:
    response = client.post(
        "/api/v1/admin/issuers",
        json={"name": name, "url": "https://college.example.ac.uk", "suspension_enabled": True},
        headers=auth(ADMIN_TOKEN),
    )
    assert response.status_code == 201, response.text
    provider: dict[str, Any] = response.json()
    assert provider["suspension_enabled"] is True
    return provider


def act(client: TestClient, api_key: str, credential_id: str, action: str, reason: str | None = None) -> Any:
    body = {"reason": reason} if reason is not None else None
    return client.post(f"/api/v1/credentials/{credential_id}/{action}", json=body, headers=auth(api_key))


def status_check(client: TestClient, provider: dict[str, Any], credential: Any) -> tuple[Outcome, str]:
    report = verify_credential(credential, ports_for(client, provider["did"]), datetime.now(UTC))
    check = report.check(CheckId.STATUS)
    assert check is not None
    return check.outcome, check.message


def state(client: TestClient, api_key: str, credential_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/credentials/{credential_id}", headers=auth(api_key))
    assert response.status_code == 200, response.text
    status: dict[str, Any] = response.json()["status"]
    return status


@pytest.mark.parametrize("credential_format", ["ldp", "jwt"])
def test_suspend_reinstate_then_revoke(client: TestClient, credential_format: str) -> None:
    provider = create_suspending_provider(client)
    key = provider["api_key"]
    created = issue(client, key, create_achievement(client, key), format=credential_format)
    credential_id, credential = created["id"], created["credential"]
    assert status_check(client, provider, credential) == (
        Outcome.PASSED,
        "The credential has not been revoked or suspended.",
    )
    assert state(client, key, credential_id)["status"] == "valid"
    assert state(client, key, credential_id)["status_purpose"] == "message"

    suspended = act(client, key, credential_id, "suspend", "under investigation")
    assert suspended.status_code == 200, suspended.text
    assert (suspended.json()["status"], suspended.json()["suspension_reason"]) == (
        "suspended",
        "under investigation",
    )
    assert status_check(client, provider, credential) == (
        Outcome.FAILED,
        "The credential has been suspended.",
    )
    assert_problem(act(client, key, credential_id, "suspend", "again"), 409, "conflict")

    reinstated = act(client, key, credential_id, "reinstate")
    assert reinstated.status_code == 200, reinstated.text
    assert reinstated.json()["status"] == "valid"
    assert reinstated.json()["suspended_at"] is None
    assert status_check(client, provider, credential)[0] is Outcome.PASSED
    assert_problem(act(client, key, credential_id, "reinstate"), 409, "conflict")

    assert act(client, key, credential_id, "suspend", "again under investigation").status_code == 200
    revoked = act(client, key, credential_id, "revoke", "fraud confirmed")
    assert revoked.status_code == 200, revoked.text
    assert (revoked.json()["status"], revoked.json()["revocation_reason"]) == ("revoked", "fraud confirmed")
    assert status_check(client, provider, credential) == (Outcome.FAILED, "The credential has been revoked.")
    for action, reason in (("suspend", "x"), ("reinstate", None), ("revoke", "x")):
        assert_problem(act(client, key, credential_id, action, reason), 409, "conflict")
    assert state(client, key, credential_id)["status"] == "revoked"


def test_the_entry_names_its_size_and_messages_and_the_list_has_two_bits_per_entry(
    client: TestClient,
) -> None:
    provider = create_suspending_provider(client)
    key = provider["api_key"]
    entry = issue(client, key, create_achievement(client, key))["credential"]["credentialStatus"]
    assert entry["statusPurpose"] == "message"
    assert entry["statusSize"] == 2
    assert entry["statusMessage"] == list(SUSPENSION_STATUS_MESSAGES)
    listing = client.get(entry["statusListCredential"].removeprefix(BASE_URL)).json()
    subject = listing["credentialSubject"]
    assert subject["statusPurpose"] == "message"
    assert "statusSize" not in subject  # §2.1: the entry carries it; no context defines it on the list
    bits = StatusList.decode(subject["encodedList"], status_size=2)
    assert bits.length == MIN_LENGTH


def test_a_provider_without_suspension_issues_plain_revocation_entries(client: TestClient) -> None:
    response = client.post(
        "/api/v1/admin/issuers",
        json={"name": "Plain College", "url": "https://plain.example.ac.uk"},
        headers=auth(ADMIN_TOKEN),
    )
    provider = response.json()
    assert provider["suspension_enabled"] is False
    key = provider["api_key"]
    created = issue(client, key, create_achievement(client, key))
    entry = created["credential"]["credentialStatus"]
    assert entry["statusPurpose"] == "revocation"
    assert "statusSize" not in entry
    assert "statusMessage" not in entry
    refused = act(client, key, created["id"], "suspend", "please")
    assert_problem(refused, 409, "conflict")
    assert "suspension is not enabled" in refused.json()["detail"]
    assert_problem(act(client, key, created["id"], "reinstate"), 409, "conflict")
    assert state(client, key, created["id"]) | {"revoked_at": None} == {
        "id": created["id"],
        "status": "valid",
        "revoked_at": None,
        "revocation_reason": None,
        "suspended_at": None,
        "suspension_reason": None,
        "status_purpose": "revocation",
    }


def test_enabling_suspension_applies_to_credentials_issued_afterwards(client: TestClient) -> None:
    plain = client.post(
        "/api/v1/admin/issuers",
        json={"name": "Late College", "url": "https://late.example.ac.uk"},
        headers=auth(ADMIN_TOKEN),
    ).json()
    key = plain["api_key"]
    achievement_id = create_achievement(client, key)
    before = issue(client, key, achievement_id)
    enabled = client.patch(
        f"/api/v1/admin/issuers/{plain['id']}", json={"suspension_enabled": True}, headers=auth(ADMIN_TOKEN)
    )
    assert enabled.json()["suspension_enabled"] is True
    refused = act(client, key, before["id"], "suspend", "x")
    assert_problem(refused, 409, "conflict")
    assert "issued before suspension was enabled" in refused.json()["detail"]
    after = issue(client, key, achievement_id)
    assert after["credential"]["credentialStatus"]["statusPurpose"] == "message"
    assert act(client, key, after["id"], "suspend", "x").status_code == 200
    # Switching it off again stops new suspensions, but what is suspended can still be reinstated.
    client.patch(
        f"/api/v1/admin/issuers/{plain['id']}", json={"suspension_enabled": False}, headers=auth(ADMIN_TOKEN)
    )
    assert act(client, key, after["id"], "reinstate").status_code == 200
    assert_problem(act(client, key, after["id"], "suspend", "x"), 409, "conflict")
    assert status_check(client, plain, after["credential"])[0] is Outcome.PASSED
    assert status_check(client, plain, before["credential"])[0] is Outcome.PASSED


@pytest.mark.parametrize("body", [None, {}, {"reason": ""}, {"reason": "x", "extra": 1}])
def test_a_suspension_needs_a_reason(client: TestClient, body: Any) -> None:
    provider = create_suspending_provider(client)
    key = provider["api_key"]
    credential_id = issue(client, key, create_achievement(client, key))["id"]
    response = client.post(f"/api/v1/credentials/{credential_id}/suspend", json=body, headers=auth(key))
    assert_problem(response, 422, "validation-error")
    assert state(client, key, credential_id)["status"] == "valid"


def test_another_providers_credential_cannot_be_suspended(client: TestClient) -> None:
    owner = create_suspending_provider(client, "Owner")
    stranger = create_suspending_provider(client, "Stranger")
    credential_id = issue(client, owner["api_key"], create_achievement(client, owner["api_key"]))["id"]
    assert_problem(act(client, stranger["api_key"], credential_id, "suspend", "x"), 404, "not-found")
    assert_problem(act(client, stranger["api_key"], credential_id, "reinstate"), 404, "not-found")
    assert state(client, owner["api_key"], credential_id)["status"] == "valid"
