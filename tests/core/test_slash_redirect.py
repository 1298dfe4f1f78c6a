"""The trailing-slash redirect leads to this site whatever the ``Host`` header says (attack run: Starlette
built its ``Location`` from the ``Host`` header, so a crafted request got a redirect to another site)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import BASE_URL


@pytest.mark.parametrize("host", ["evil.example", "passport.test.evil.example:443", "127.0.0.1:8000"])
def test_the_trailing_slash_redirect_ignores_a_hostile_host_header(client: TestClient, host: str) -> None:
    response = client.get("/verify/?x=1", headers={"Host": host}, follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == f"{BASE_URL}/verify?x=1"


def test_a_path_without_its_slash_is_redirected_to_the_one_with_it(client: TestClient) -> None:
    # No route is defined both ways; the redirect goes whichever way a route exists.
    response = client.get("/health/", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (307, f"{BASE_URL}/health")
    assert client.get("/health/").json()["status"] == "ok"


def test_unknown_paths_and_missing_files_stay_404(client: TestClient) -> None:
    for path in ("/no/such/route/", "/no/such/route", "/static/missing.css", "/static/missing.css/"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 404, path
        assert "location" not in response.headers
