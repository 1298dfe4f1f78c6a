"""The employer's page of an exchange-visit credential: verified live, with the dissemination evidence,
and the host's endorsement said honestly (signed vs. named by the operator, not signed)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.issuers.conftest import create_provider
from tests.network.bursaries_helpers import REPORT, SESSION, Host, create_award, create_fund, step, visited


def _issued(client: TestClient, host: Host | None) -> dict[str, str]:
    provider = create_provider(client)
    award = create_award(client, create_fund(client)["id"], provider["id"])
    visited(client, award["id"], **({"host_did": host.did} if host else {}))
    assert step(client, award["id"], "dissemination", {**REPORT, **SESSION}).status_code == 200
    if host is not None:
        endorsement = host.endorse(award["credential_id"])
        assert step(client, award["id"], "host-endorsement", endorsement).status_code == 200
    response = step(client, award["id"], "issue")
    assert response.status_code == 200, response.text
    return {"id": award["id"], "url": award["credential_id"]}


def _assert_page_problem(response: Any, status: int, slug: str) -> None:
    """The verification pages' problem page names its problem type by slug."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert f'<meta name="problem-type" content="{slug}">' in response.text


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_signed_host_endorsement_is_shown_as_signed(client: TestClient) -> None:
    award = _issued(client, Host())
    response = client.get(f"/exchange-visits/{award['id']}")
    assert response.status_code == 200, response.text
    text = _text(response.text)
    assert 'data-verdict="valid"' in response.text or 'data-verdict="outside_scheme"' in response.text
    assert 'data-endorsement="signed"' in response.text
    assert "Endorsed by Berufsschule Stuttgart" in text
    assert 'data-endorsement="named"' not in response.text
    assert "Awarded to Ada Lovelace" in text
    assert "Lessons from Stuttgart" in text
    assert "24 peers" in text
    assert "ada@college.example" not in response.text
    report = client.get(f"/exchange-visits/{award['id']}", headers={"Accept": "application/json"}).json()
    assert report["endorsements"][0]["state"] == "verified"


def test_named_host_is_shown_as_not_signed(client: TestClient) -> None:
    award = _issued(client, None)
    response = client.get(f"/exchange-visits/{award['id']}")
    assert response.status_code == 200
    assert 'data-endorsement="named"' in response.text
    assert 'data-endorsement="signed"' not in response.text
    assert "Berufsschule Stuttgart: named by" in _text(response.text)
    assert "Endorsed by" not in _text(response.text)


def test_unknown_or_unissued_visit_is_404(client: TestClient) -> None:
    _assert_page_problem(client.get("/exchange-visits/" + "0" * 32), 404, "not-found")
    provider = create_provider(client)
    award = create_award(client, create_fund(client)["id"], provider["id"])
    _assert_page_problem(client.get(f"/exchange-visits/{award['id']}"), 404, "not-found")
