"""Who may do what with bursaries: the operator manages; a provider reads the awards made to its staff
(another provider's is 404, as if it did not exist); a provider's key on the operator's routes is 403;
no credentials is 401."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_problem
from tests.issuers.conftest import auth, create_provider
from tests.network.bursaries_helpers import FUND, VISIT, create_award, create_fund

OPERATOR_ROUTES = [
    ("POST", "/api/v1/bursaries/funds", FUND),
    ("GET", "/api/v1/bursaries/funds", None),
    ("GET", "/api/v1/bursaries/funds/{fund}", None),
    ("PATCH", "/api/v1/bursaries/funds/{fund}", {"state": "closed"}),
    (
        "POST",
        "/api/v1/bursaries/funds/{fund}/awards",
        {"educator_name": "A", "educator_email": "a@b.example", "provider_id": "x", "amount": 1},
    ),
    ("GET", "/api/v1/bursaries/funds/{fund}/awards", None),
    ("POST", "/api/v1/bursaries/awards/{award}/accept", None),
    ("POST", "/api/v1/bursaries/awards/{award}/visit", VISIT),
    ("POST", "/api/v1/bursaries/awards/{award}/dissemination", {"report_summary": "x"}),
    ("POST", "/api/v1/bursaries/awards/{award}/host-endorsement", {}),
    ("POST", "/api/v1/bursaries/awards/{award}/issue", None),
    ("POST", "/api/v1/bursaries/awards/{award}/withdraw", {"reason": "x"}),
]


@pytest.mark.parametrize(("method", "path", "body"), OPERATOR_ROUTES)
def test_only_the_operator_manages(client: TestClient, method: str, path: str, body: object) -> None:
    provider = create_provider(client)
    fund = create_fund(client)
    award = create_award(client, fund["id"], provider["id"])
    url = path.format(fund=fund["id"], award=award["id"])
    response = client.request(method, url, json=body, headers=auth(provider["api_key"]))
    assert_problem(response, 403, "forbidden")
    assert_problem(client.request(method, url, json=body), 401, "unauthorized")
    assert_problem(client.request(method, url, json=body, headers=auth("op_wrong")), 401, "unauthorized")
    after = client.get(f"/api/v1/bursaries/awards/{award['id']}", headers=auth(provider["api_key"])).json()
    assert after["state"] == "offered"  # nothing changed


def test_a_provider_reads_only_its_own_staffs_awards(client: TestClient) -> None:
    mine, theirs = create_provider(client), create_provider(client, "Northern College")
    fund = create_fund(client)
    my_award = create_award(client, fund["id"], mine["id"], "ada@college.example")
    their_award = create_award(client, fund["id"], theirs["id"], "bo@north.example")

    listed = client.get("/api/v1/bursaries/awards", headers=auth(mine["api_key"]))
    assert [a["id"] for a in listed.json()] == [my_award["id"]]
    got = client.get(f"/api/v1/bursaries/awards/{my_award['id']}", headers=auth(mine["api_key"]))
    assert got.status_code == 200
    assert got.json()["educator_email"] == "ada@college.example"
    hidden = client.get(f"/api/v1/bursaries/awards/{their_award['id']}", headers=auth(mine["api_key"]))
    assert_problem(hidden, 404, "not-found")
    assert_problem(client.get("/api/v1/bursaries/awards"), 401, "unauthorized")
    assert_problem(client.get("/api/v1/bursaries/awards", headers=auth("sk_unknown")), 401, "unauthorized")
    everything = client.get("/api/v1/bursaries/awards", headers=auth("op_test-operator-token"))
    assert {a["id"] for a in everything.json()} == {my_award["id"], their_award["id"]}
