"""Pages are served with the site's own assets and headers that keep them safe."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.web import CONTENT_SECURITY_POLICY


def test_home_page_is_html_with_safe_headers(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert '<html lang="en-GB">' in response.text
    assert 'href="/verify"' in response.text


def test_stylesheet_is_served_locally(client: TestClient) -> None:
    response = client.get("/static/site.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert ".verdict" in response.text


def test_unknown_static_file_is_a_problem(client: TestClient) -> None:
    response = client.get("/static/nope.css")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
