"""The audit trail: a row for each issue, revoke, suspend, reinstate, accreditation change, key change
and staff change, naming the actor (staff member, API key, operator), written in the same transaction
(nothing for a change that failed), shown to the provider's admins (their own only) and the operator."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.issuers.conftest import auth, create_achievement, create_provider
from tests.issuers.staff.conftest import Browser, operator_auth, operator_staff, provider_staff


def _trail(client: TestClient, api_key: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/audit?limit=200", headers=auth(api_key))
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()
    return events


def _one(events: list[dict[str, Any]], action: str) -> dict[str, Any]:
    found = [event for event in events if event["action"] == action]
    assert len(found) == 1, (action, [event["action"] for event in events])
    return found[0]


def test_each_change_is_in_the_trail_with_its_actor(app: FastAPI, client: TestClient) -> None:
    provider = client.post(
        "/api/v1/admin/issuers",
        json={"name": "Midlands College", "url": "https://college.example.ac.uk", "suspension_enabled": True},
        headers=operator_auth(),
    ).json()
    key = provider["api_key"]
    achievement_id = create_achievement(client, key)
    issuer = provider_staff(app, client, provider["id"], "ivor@college.example", "issuer")
    csrf = {"X-CSRF-Token": issuer.csrf("/console/account")}
    issued = issuer.http.post(
        "/api/v1/credentials",
        json={"achievement_id": achievement_id, "recipient": {"email": "sam@example.com"}},
        headers=csrf,
    ).json()
    credential = issued["id"]
    assert (
        issuer.http.post(
            f"/api/v1/credentials/{credential}/suspend", json={"reason": "check"}, headers=csrf
        ).status_code
        == 200
    )
    assert client.post(f"/api/v1/credentials/{credential}/reinstate", headers=auth(key)).status_code == 200
    assert (
        client.post(
            f"/api/v1/credentials/{credential}/revoke", json={"reason": "error"}, headers=auth(key)
        ).status_code
        == 200
    )
    new_key = client.post("/api/v1/api-keys", json={"label": "cohorts"}, headers=auth(key)).json()
    assert client.post(f"/api/v1/api-keys/{new_key['id']}/revoke", headers=auth(key)).status_code == 200
    assert client.post("/api/v1/signing-keys/rotate?key_type=Ed25519", headers=auth(key)).status_code == 201
    accredited = client.post(
        "/api/v1/admin/accreditations",
        json={
            "provider_id": provider["id"],
            "scope": {"kinds": ["course"]},
            "valid_from": "2026-09-01T00:00:00Z",
            "valid_until": "2027-08-31T23:59:59Z",
        },
        headers=operator_auth(),
    )
    assert accredited.status_code == 201, accredited.text
    suspended = client.post(
        f"/api/v1/admin/accreditations/{accredited.json()['id']}/suspend",
        json={"reason": "review"},
        headers=operator_auth(),
    )
    assert suspended.status_code == 200, suspended.text

    events = _trail(client, key)
    issue = _one(events, "credential.issue")
    assert (issue["actor_kind"], issue["actor_label"], issue["subject_id"]) == (
        "staff",
        "ivor@college.example",
        credential,
    )
    assert issue["after"]["status"] == "valid"
    assert "sam@example.com" not in str(events)  # no learner's address in the trail
    suspend = _one(events, "credential.suspend")
    assert (suspend["before"], suspend["after"]) == (
        {"status": "valid"},
        {"status": "suspended", "reason": "check"},
    )
    assert suspend["actor_kind"] == "staff"
    reinstate = _one(events, "credential.reinstate")
    assert reinstate["actor_kind"] == "api_key"
    assert (reinstate["before"], reinstate["after"]) == ({"status": "suspended"}, {"status": "valid"})
    revoke = _one(events, "credential.revoke")
    assert revoke["after"] == {"status": "revoked", "reason": "error"}
    assert _one(events, "api_key.revoke")["subject_id"] == new_key["id"]
    assert _one(events, "signing_key.rotate")["after"]["key_type"] == "Ed25519"
    assert _one(events, "accreditation.accredited")["actor_kind"] == "operator"
    assert _one(events, "accreditation.suspended")["after"]["reason"] == "review"
    assert _one(events, "staff.invite")["after"]["role"] == "issuer"
    assert _one(events, "staff.accept")["subject_id"] == _one(events, "staff.invite")["subject_id"]
    assert _one(events, "provider.create")["actor_kind"] == "operator"


def test_a_refused_change_writes_no_audit_row(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    key = provider["api_key"]
    achievement_id = create_achievement(client, key)
    credential = client.post(
        "/api/v1/credentials",
        json={"achievement_id": achievement_id, "recipient": {"email": "sam@example.com"}},
        headers=auth(key),
    ).json()["id"]
    assert (
        client.post(
            f"/api/v1/credentials/{credential}/revoke", json={"reason": "a"}, headers=auth(key)
        ).status_code
        == 200
    )
    again = client.post(f"/api/v1/credentials/{credential}/revoke", json={"reason": "b"}, headers=auth(key))
    assert again.status_code == 409
    viewer = provider_staff(app, client, provider["id"], "vi@college.example", "viewer")
    refused = viewer.http.post(
        "/api/v1/credentials",
        json={"achievement_id": achievement_id, "recipient": {"email": "x@example.com"}},
        headers={"X-CSRF-Token": viewer.csrf("/console/account")},
    )
    assert refused.status_code == 403
    actions = [event["action"] for event in _trail(client, key)]
    assert actions.count("credential.revoke") == 1
    assert actions.count("credential.issue") == 1


def test_staff_changes_are_audited_and_each_provider_sees_only_its_own(
    app: FastAPI, client: TestClient
) -> None:
    college = create_provider(client, "College")
    other = create_provider(client, "Other")
    admin = provider_staff(app, client, college["id"], "ada@college.example", "admin")
    provider_staff(app, client, other["id"], "oscar@other.example", "admin")
    admin.submit("/console/staff", "/console/staff", name="Ivor", email="ivor@college.example", role="issuer")
    ivor = next(
        m
        for m in client.get(f"/api/v1/admin/issuers/{college['id']}/staff", headers=operator_auth()).json()
        if m["email"] == "ivor@college.example"
    )
    admin.submit("/console/staff", f"/console/staff/{ivor['id']}/role", role="viewer")
    admin.submit("/console/staff", f"/console/staff/{ivor['id']}/remove")

    events = _trail(client, college["api_key"])
    role = _one(events, "staff.role")
    assert (role["before"]["role"], role["after"]["role"]) == ("issuer", "viewer")
    assert role["actor_label"] == "ada@college.example"
    assert _one(events, "staff.remove")["before"]["email"] == "ivor@college.example"
    assert all(event["provider_id"] == college["id"] for event in events)
    assert "oscar@other.example" not in str(events)

    page = admin.get("/console/audit")
    assert page.status_code == 200
    assert "staff.remove" in page.text
    assert "oscar@other.example" not in page.text

    everyone = client.get("/api/v1/admin/audit?limit=200", headers=operator_auth()).json()
    assert {event["provider_id"] for event in everyone} >= {college["id"], other["id"]}
    one = client.get(f"/api/v1/admin/audit?provider_id={other['id']}", headers=operator_auth()).json()
    assert one
    assert all(event["provider_id"] == other["id"] for event in one)
    operator = operator_staff(app, client, "olu@network.example", "assessor")
    trail = operator.get("/operator/audit")
    assert trail.status_code == 200
    assert "oscar@other.example" in trail.text
    assert "ada@college.example" in trail.text
    assert operator.get("/operator/staff").status_code == 403  # an assessor manages no staff
    assert Browser.open(app).get("/operator/audit").status_code == 303


def test_scheme_approval_decisions_are_in_the_providers_trail(client: TestClient) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    submitted = client.post(
        "/api/v1/approvals",
        json={"achievement_id": achievement_id, "quality_statement": "Internally verified and moderated."},
        headers=auth(provider["api_key"]),
    )
    assert submitted.status_code == 201, submitted.text
    approval_id = submitted.json()["id"]
    for action, body in (("approve", None), ("withdraw", {"reason": "No moderator."})):
        response = client.post(
            f"/api/v1/admin/approvals/{approval_id}/{action}", json=body, headers=operator_auth()
        )
        assert response.status_code == 200, response.text

    events = _trail(client, provider["api_key"])
    approved = _one(events, "approval.approved")
    assert (approved["actor_kind"], approved["subject_id"]) == ("operator", approval_id)
    assert (approved["before"], approved["after"]) == (
        {"state": "pending"},
        {"state": "approved", "achievement_id": achievement_id},
    )
    assert _one(events, "approval.withdrawn")["before"] == {"state": "approved"}
