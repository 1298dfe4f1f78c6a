"""Issue 10 item 3: a change committed by one instance is in the very next verify answer of every other
instance on the database (`core.changes`): two apps on one database (SQLite file, or PostgreSQL), each with
its own caches. Each instance verifies first, so its caches hold the state before the change; no test waits.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.services import Database, services_of
from server.app import create_app
from server.settings import Settings
from tests.conftest import ADMIN_TOKEN, BASE_URL
from tests.issuers.conftest import auth, create_achievement
from tests.verification.conftest import issue, verify
from tests.verification.test_endorsements import OPERATOR, approved

PERIOD = {"valid_from": "2025-09-01T00:00:00Z", "valid_until": "2099-08-31T23:59:59Z"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Caches that would keep everything for an hour: only the change counter can make them read again."""
    return settings.model_copy(update={"verify_cache_seconds": 3600})


@pytest.fixture
def instances(settings: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    apps = [create_app(settings), create_app(settings)]
    with TestClient(apps[0], base_url=BASE_URL) as one, TestClient(apps[1], base_url=BASE_URL) as other:
        yield one, other
    for app in apps:
        services_of(app).get(Database).engine.dispose()


@pytest.fixture
def college(instances: tuple[TestClient, TestClient]) -> dict[str, Any]:
    one, _ = instances
    response = one.post(
        "/api/v1/admin/issuers",
        json={"name": "Midlands College", "url": "https://college.example.ac.uk", "suspension_enabled": True},
        headers=auth(ADMIN_TOKEN),
    )
    assert response.status_code == 201, response.text
    provider: dict[str, Any] = response.json()
    provider["achievement_id"] = create_achievement(one, provider["api_key"])
    return provider


def status_state(report: dict[str, Any]) -> str:
    state: str = report["status"]["state"]
    return state


def change(client: TestClient, college: dict[str, Any], credential_id: str, action: str) -> None:
    body = {} if action == "reinstate" else {"reason": "test"}
    response = client.post(
        f"/api/v1/credentials/{credential_id}/{action}", json=body, headers=auth(college["api_key"])
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("credential_format", ["ldp", "jwt"])
def test_a_revocation_on_one_instance_is_in_the_next_answer_of_the_other(
    instances: tuple[TestClient, TestClient], college: dict[str, Any], credential_format: str
) -> None:
    one, other = instances
    issued = issue(one, college["api_key"], college["achievement_id"], format=credential_format)
    assert status_state(verify(other, issued["credential"])) == "valid"  # the other's caches are warm
    assert status_state(verify(one, issued["credential"])) == "valid"

    change(one, college, issued["id"], "revoke")

    report = verify(other, issued["credential"])
    assert (report["verified"], status_state(report)) == (False, "revoked")
    assert status_state(verify(one, issued["credential"])) == "revoked"


def test_suspension_and_reinstatement_are_seen_by_the_other_instance_at_once(
    instances: tuple[TestClient, TestClient], college: dict[str, Any]
) -> None:
    one, other = instances
    issued = issue(one, college["api_key"], college["achievement_id"])
    assert status_state(verify(other, issued["credential"])) == "valid"

    change(one, college, issued["id"], "suspend")
    assert status_state(verify(other, issued["credential"])) == "suspended"
    change(one, college, issued["id"], "reinstate")
    assert status_state(verify(other, issued["credential"])) == "valid"
    # The employer page of the other instance, too (the same verifier, through the page's path).
    page = other.get(f"/credentials/{issued['id']}", headers={"Accept": "application/json"})
    assert page.status_code == 200
    assert page.json()["status"]["state"] == "valid"
    change(other, college, issued["id"], "suspend")
    page = one.get(f"/credentials/{issued['id']}", headers={"Accept": "application/json"})
    assert page.json()["status"]["state"] == "suspended"


@pytest.mark.parametrize("action", ["withdraw", "suspend"])
def test_an_accreditation_change_on_one_instance_is_in_the_next_answer_of_the_other(
    instances: tuple[TestClient, TestClient], college: dict[str, Any], action: str
) -> None:
    one, other = instances
    accredited = one.post(
        "/api/v1/admin/accreditations",
        json={"provider_id": college["id"], "scope": {}, **PERIOD},
        headers=auth(ADMIN_TOKEN),
    )
    assert accredited.status_code == 201, accredited.text
    issued = issue(one, college["api_key"], college["achievement_id"])
    assert verify(other, issued["credential"])["trust"] == "accredited"

    changed = one.post(
        f"/api/v1/admin/accreditations/{accredited.json()['id']}/{action}",
        json={"reason": "Quality review"},
        headers=auth(ADMIN_TOKEN),
    )
    assert changed.status_code == 200, changed.text

    report = verify(other, issued["credential"])
    assert (report["verified"], report["trust"]) == (False, "not_trustworthy")
    if action == "suspend":
        reinstated = other.post(
            f"/api/v1/admin/accreditations/{accredited.json()['id']}/reinstate",
            json={},
            headers=auth(ADMIN_TOKEN),
        )
        assert reinstated.status_code == 200, reinstated.text
        assert verify(one, issued["credential"])["trust"] == "accredited"


def test_a_key_rotated_on_one_instance_verifies_on_the_other_at_once(
    instances: tuple[TestClient, TestClient], college: dict[str, Any]
) -> None:
    one, other = instances
    before = issue(one, college["api_key"], college["achievement_id"])
    assert verify(other, before["credential"])["verified"]  # the other caches the DID document
    published = len(other.get(f"/issuers/{college['id']}/did.json").json()["verificationMethod"])

    rotated = one.post("/api/v1/signing-keys/rotate?key_type=Ed25519", headers=auth(college["api_key"]))
    assert rotated.status_code == 201, rotated.text
    after = issue(one, college["api_key"], college["achievement_id"])
    assert (
        after["credential"]["proof"]["verificationMethod"]
        != before["credential"]["proof"]["verificationMethod"]
    )

    assert verify(other, after["credential"])["verified"]
    assert verify(other, before["credential"])["verified"]  # the retired key stays published
    keys = other.get(f"/issuers/{college['id']}/did.json").json()["verificationMethod"]
    assert len(keys) == published + 1


def test_an_approval_withdrawn_on_one_instance_is_in_the_next_answer_of_the_other(
    instances: tuple[TestClient, TestClient], college: dict[str, Any]
) -> None:
    one, other = instances
    approval_id = approved(one, college)
    issued = issue(one, college["api_key"], college["achievement_id"])
    assert verify(other, issued["credential"])["approval"]["state"] == "approved"  # its lists are cached

    withdrawn = one.post(
        f"/api/v1/admin/approvals/{approval_id}/withdraw", json={"reason": "No moderator."}, headers=OPERATOR
    )
    assert withdrawn.status_code == 200, withdrawn.text

    report = verify(other, issued["credential"])
    assert (report["verified"], report["approval"]["state"]) == (True, "withdrawn")
