"""Every response says ``X-Content-Type-Options: nosniff`` (attack run: JSON answers lacked it)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_TOKEN


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("GET", "/health", "application/json"),
        ("GET", "/api/v1/admin/issuers", "application/json"),
        ("GET", "/api/v1/issuer", "application/problem+json"),  # 401
        ("GET", "/no/such/route", "application/problem+json"),  # 404
        ("POST", "/credentials/verify", "application/problem+json"),  # 422
        ("GET", "/openapi.json", "application/json"),
        ("GET", "/static/site.css", "text/css"),
        ("GET", "/docs/assets/swagger-ui-bundle.js", "javascript"),
        ("GET", "/", "text/html"),
        ("GET", "/trust-list", "application/"),
    ],
)
def test_every_response_says_nosniff(client: TestClient, method: str, path: str, kind: str) -> None:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"} if "admin" in path else {}
    response = client.request(method, path, headers=headers)
    assert kind in response.headers["content-type"], response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]  # once, also on pages
