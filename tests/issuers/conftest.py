"""Helpers for tests that drive the issuer API (the app fixtures live in tests/conftest.py)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import ADMIN_TOKEN, BASE_URL

__all__ = ["ADMIN_TOKEN", "BASE_URL", "COURSE", "auth", "create_achievement", "create_provider"]


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def create_provider(client: TestClient, name: str = "Midlands College") -> dict[str, Any]:
    response = client.post(
        "/api/v1/admin/issuers",
        json={"name": name, "url": "https://college.example.ac.uk"},
        headers=auth(ADMIN_TOKEN),
    )
    assert response.status_code == 201, response.text
    provider: dict[str, Any] = response.json()
    return provider


COURSE = {
    "kind": "course",
    "name": "Heat Pump Installation (Level 3)",
    "description": "Install and commission heat pumps.",
    "criteria_narrative": "Assessed installation and written test.",
    "level": "RQF 3",
    "sector": "Building services",
    "alignments": [{"target_name": "Low carbon heating", "target_url": "https://example.org/standards/st1"}],
    "credits": 6,
}


def create_achievement(client: TestClient, api_key: str, body: dict[str, Any] | None = None) -> str:
    response = client.post("/api/v1/achievements", json=body or COURSE, headers=auth(api_key))
    assert response.status_code == 201, response.text
    achievement_id: str = response.json()["id"]
    return achievement_id
