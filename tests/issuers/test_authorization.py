"""Walk every provider endpoint with another provider's key: nothing of the owner's is visible or
changeable (404, or an empty listing), and the operator's routes (listing, reading and updating
providers) refuse provider keys (401); deciding scheme approvals is 403 to a provider's key (providers
submit, never decide)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import assert_problem
from tests.issuers.conftest import auth, create_achievement, create_provider
from tests.issuers.test_api import issue
from tests.issuers.test_bulk import csv_rows, upload
from tests.network.bursaries_helpers import create_award, create_fund

# Routes that act on the caller itself (not on another provider's resources) and what they may return.
EMPTY_STATISTICS = {
    "totals": {"issued": 0, "claimed": 0, "shared": 0, "viewed": 0, "verified": 0, "revoked": 0},
    "months": [],
    "achievements": [],
}
SELF_ROUTES = {
    "/api/v1/issuer",
    "/api/v1/api-keys",
    "/api/v1/signing-keys",
    "/api/v1/signing-keys/rotate",
    "/api/v1/audit",  # its own audit trail (it was onboarded, its first key made)
    "/api/v1/staff",
}


def test_every_provider_route_is_scoped_to_the_caller(client: TestClient) -> None:
    owner = create_provider(client, "Owner")
    stranger = create_provider(client, "Stranger")
    achievement_id = create_achievement(client, owner["api_key"])
    credential_id = issue(client, owner["api_key"], achievement_id)["id"]
    job_id = upload(client, owner["api_key"], achievement_id, csv_rows(1)).json()["id"]
    owner_key_id = client.get("/api/v1/api-keys", headers=auth(owner["api_key"])).json()[0]["id"]
    ids = {
        "achievement_id": achievement_id,
        "credential_id": credential_id,
        "job_id": job_id,
        "key_id": owner_key_id,
        "issuer_id": owner["id"],
        "accreditation_id": "0" * 32,  # operator routes: refused before any lookup
        # A bursary awarded to the owner's staff (network.bursaries): the stranger neither lists nor reads it.
        "award_id": create_award(client, create_fund(client)["id"], owner["id"])["id"],
    }
    bodies: dict[str, Any] = {
        "/api/v1/credentials": {
            "json": {"achievement_id": achievement_id, "recipient": {"email": "x@example.com"}}
        },
        "/api/v1/credentials/{credential_id}/revoke": {"json": {"reason": "hostile"}},
        "/api/v1/credentials/{credential_id}/suspend": {"json": {"reason": "hostile"}},
        "/api/v1/admin/issuers/{issuer_id}": {"json": {"name": "Hijacked", "suspension_enabled": True}},
        "/api/v1/credentials/bulk": {
            "data": {"achievement_id": achievement_id},
            "files": {"file": ("c.csv", csv_rows(1), "text/csv")},
        },
        "/api/v1/achievements": {"json": {}},
        "/api/v1/api-keys": {"json": {}},
        "/api/v1/achievements/{achievement_id}": {"json": {"name": "Hijacked"}},
        "/api/v1/issue/preview": {
            "json": {"achievement_id": achievement_id, "recipient": {"email": "x@example.com"}}
        },
        "/api/v1/credentials/bulk/preview": {
            "data": {"achievement_id": achievement_id},
            "files": {"file": ("c.csv", csv_rows(1), "text/csv")},
        },
        "/api/v1/approvals": {
            "json": {"achievement_id": achievement_id, "quality_statement": "Moderated by two assessors."}
        },
    }
    walked = 0
    paths = client.get("/openapi.json").json()["paths"]  # every route, as the API declares them
    for path, operations in paths.items():
        if not path.startswith("/api/v1/"):
            continue
        for method in (name.upper() for name in operations):
            url = re.sub(r"{(\w+)}", lambda match: ids.get(match.group(1), "none"), path)
            kwargs = bodies.get(path, {}) if method in ("POST", "PATCH") else {}
            response = client.request(method, url, headers=auth(stranger["api_key"]), **kwargs)
            walked += 1
            where = f"{method} {path}: {response.status_code} {response.text[:200]}"
            if path.startswith("/api/v1/admin/approvals"):
                assert response.status_code == 403, where
            elif path.startswith("/api/v1/bursaries/") and not (
                method == "GET" and path.startswith("/api/v1/bursaries/awards")
            ):
                assert response.status_code == 403, where  # the operator manages bursaries
            elif path.startswith("/api/v1/admin/"):
                assert response.status_code == 401, where
            elif path.startswith("/api/v1/pathways"):
                # A partnership's pathways (tests/passport/test_partnership_pathways.py walks them).
                assert_problem(response, 403, "not-a-partnership")
            elif path.startswith("/api/v1/passport/"):
                # Learners' routes: a provider key opens none (422: sign-in wants a body; see
                # tests/passport/test_passport_authorization.py for the learners' own walk).
                assert response.status_code in (401, 422), where
            elif path in SELF_ROUTES or (method == "POST" and path == "/api/v1/achievements"):
                # Acts on the stranger's own account: must not mention the owner.
                assert owner["id"] not in response.text, where
                assert owner_key_id not in response.text, where
            elif method == "GET" and "{" not in path:
                assert response.status_code == 200, where
                assert response.json() in ([], {"items": [], "next_cursor": None}, EMPTY_STATISTICS), where
            else:
                assert response.status_code in (404, 422), where
                if response.status_code == 422:
                    # Validation errors must not reveal anything about the owner's resources either.
                    assert achievement_id not in response.text, where
    assert walked >= 28
    # And the owner's things are untouched.
    owner_credential = client.get(f"/api/v1/credentials/{credential_id}", headers=auth(owner["api_key"]))
    assert owner_credential.status_code == 200
    me = client.get("/api/v1/issuer", headers=auth(owner["api_key"]))
    assert (me.status_code, me.json()["name"], me.json()["suspension_enabled"]) == (200, "Owner", False)
    assert owner_credential.json()["status"]["status"] == "valid"
    owner_achievement = client.get(f"/api/v1/achievements/{achievement_id}", headers=auth(owner["api_key"]))
    assert (owner_achievement.json()["version"], owner_achievement.json()["archived_at"]) == (1, None)
