"""The operator's accreditation API: the state machine, history, scope and period changes, bad input,
and who may call it (the operator token only)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.issuers.conftest import ADMIN_TOKEN, auth, create_provider
from tests.issuers.test_api import assert_problem

ROUTE = "/api/v1/admin/accreditations"
OPERATOR = auth(ADMIN_TOKEN)
PERIOD = {"valid_from": "2025-09-01T00:00:00Z", "valid_until": "2027-08-31T23:59:59Z"}
COURSES = {"kinds": ["course"], "levels": ["RQF 2", "RQF 3"], "sectors": ["Building services"]}
EXTERNAL = "did:web:training.example.org"


def accredit(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post(ROUTE, json={**PERIOD, **body}, headers=OPERATOR)
    assert response.status_code == 201, response.text
    accreditation: dict[str, Any] = response.json()
    return accreditation


def act(client: TestClient, accreditation_id: str, action: str, **body: Any) -> Any:
    return client.post(f"{ROUTE}/{accreditation_id}/{action}", json=body, headers=OPERATOR)


def trust_list_version(client: TestClient) -> int:
    return int(client.get("/trust-list").headers["x-trust-list-version"])


def test_accrediting_a_provider_takes_its_did_and_name_from_the_provider(client: TestClient) -> None:
    provider = create_provider(client, "Midlands College")
    accreditation = accredit(client, provider_id=provider["id"], scope=COURSES)
    assert accreditation["issuer"] == provider["did"]
    assert accreditation["name"] == "Midlands College"
    assert accreditation["url"] == "https://college.example.ac.uk/"
    assert accreditation["state"] == "active"
    assert accreditation["scope"] == {
        "kinds": ["course"],
        "levels": ["RQF 2", "RQF 3"],
        "sectors": ["Building services"],
    }
    assert client.get(f"{ROUTE}/{accreditation['id']}", headers=OPERATOR).json() == accreditation
    # Named by its DID, the provider is recognised too.
    other = create_provider(client, "Northern IoT")
    assert accredit(client, issuer=other["did"])["name"] == "Northern IoT"


def test_an_external_issuer_is_accredited_by_did_or_url_with_a_name(client: TestClient) -> None:
    assert_problem(
        client.post(ROUTE, json={**PERIOD, "issuer": EXTERNAL}, headers=OPERATOR), 422, "validation-error"
    )
    by_did = accredit(
        client, issuer=EXTERNAL, name="Example Training", logo_url="https://training.example.org/logo.png"
    )
    assert by_did["logo_url"] == "https://training.example.org/logo.png"
    by_url = accredit(client, issuer="https://issuer.example.ac.uk/profile", name="Example University")
    listed = client.get(ROUTE, headers=OPERATOR).json()
    assert [a["id"] for a in listed] == [by_did["id"], by_url["id"]]
    assert [a["id"] for a in client.get(ROUTE, params={"issuer": EXTERNAL}, headers=OPERATOR).json()] == [
        by_did["id"]
    ]


def test_suspend_reinstate_withdraw_and_the_illegal_moves(client: TestClient) -> None:
    accreditation_id = accredit(client, issuer=EXTERNAL, name="Example Training")["id"]
    assert_problem(act(client, accreditation_id, "reinstate"), 409, "conflict")  # not suspended
    suspended = act(client, accreditation_id, "suspend", reason="Quality review pending", by="QA team")
    assert suspended.status_code == 200, suspended.text
    assert (suspended.json()["state"], suspended.json()["state_reason"]) == (
        "suspended",
        "Quality review pending",
    )
    assert_problem(act(client, accreditation_id, "suspend", reason="again"), 409, "conflict")
    reinstated = act(client, accreditation_id, "reinstate", reason="Review passed")
    assert reinstated.json()["state"] == "active"
    assert reinstated.json()["state_reason"] == "Review passed"
    withdrawn = act(client, accreditation_id, "withdraw", reason="Provider closed")
    assert withdrawn.json()["state"] == "withdrawn"
    for action, body in (("reinstate", {}), ("suspend", {"reason": "x"}), ("withdraw", {"reason": "x"})):
        assert_problem(act(client, accreditation_id, action, **body), 409, "conflict")
    change = client.patch(f"{ROUTE}/{accreditation_id}", json={"scope": COURSES}, headers=OPERATOR)
    assert_problem(change, 409, "conflict")
    assert [a["id"] for a in client.get(ROUTE, params={"state": "withdrawn"}, headers=OPERATOR).json()] == [
        accreditation_id
    ]


def test_an_issuer_has_one_current_accreditation_and_can_be_accredited_again_after_withdrawal(
    client: TestClient,
) -> None:
    first = accredit(client, issuer=EXTERNAL, name="Example Training")
    again = client.post(
        ROUTE, json={**PERIOD, "issuer": EXTERNAL, "name": "Example Training"}, headers=OPERATOR
    )
    assert_problem(again, 409, "conflict")
    act(client, first["id"], "withdraw", reason="Re-accredited under the new framework")
    second = accredit(client, issuer=EXTERNAL, name="Example Training", scope=COURSES)
    assert second["id"] != first["id"]
    states = {
        a["id"]: a["state"] for a in client.get(ROUTE, params={"issuer": EXTERNAL}, headers=OPERATOR).json()
    }
    assert states == {first["id"]: "withdrawn", second["id"]: "active"}


def test_history_records_every_change_with_who_when_why_and_version(client: TestClient) -> None:
    start = trust_list_version(client)
    accreditation_id = accredit(
        client, issuer=EXTERNAL, name="Example Training", reason="Initial review", by="A. Auditor"
    )["id"]
    patched = client.patch(
        f"{ROUTE}/{accreditation_id}",
        json={
            "scope": COURSES,
            "valid_until": "2028-08-31T23:59:59Z",
            "logo_url": "https://t.example/l.png",
            "by": "B",
        },
        headers=OPERATOR,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["scope"]["kinds"] == ["course"]
    act(client, accreditation_id, "suspend", reason="Complaint received")
    act(client, accreditation_id, "reinstate")
    act(client, accreditation_id, "withdraw", reason="Provider closed")
    events = client.get(f"{ROUTE}/{accreditation_id}/history", headers=OPERATOR).json()
    assert [e["event"] for e in events] == [
        "accredited",
        "details_changed",
        "scope_changed",
        "period_changed",
        "suspended",
        "reinstated",
        "withdrawn",
    ]
    assert (events[0]["actor"], events[0]["reason"]) == ("A. Auditor", "Initial review")
    assert events[0]["changes"]["issuer"] == EXTERNAL
    assert (events[1]["actor"], events[4]["actor"]) == ("B", "operator")
    assert events[3]["changes"] == {
        "valid_until": {"from": "2027-08-31T23:59:59Z", "to": "2028-08-31T23:59:59Z"}
    }
    assert events[2]["changes"]["kinds"] == {"from": [], "to": ["course"]}
    assert events[4]["changes"] == {"state": {"from": "active", "to": "suspended"}}
    assert events[4]["reason"] == "Complaint received"
    # One registry version per change (the three events of the PATCH share one).
    assert [e["registry_version"] for e in events] == [start + n for n in (1, 2, 2, 2, 3, 4, 5)]
    assert trust_list_version(client) == start + 5


def test_a_change_that_changes_nothing_leaves_no_trace(client: TestClient) -> None:
    accreditation = accredit(client, issuer=EXTERNAL, name="Example Training")
    version = trust_list_version(client)
    same = client.patch(f"{ROUTE}/{accreditation['id']}", json={"name": "Example Training"}, headers=OPERATOR)
    assert same.status_code == 200
    assert len(client.get(f"{ROUTE}/{accreditation['id']}/history", headers=OPERATOR).json()) == 1
    assert trust_list_version(client) == version


@pytest.mark.parametrize(
    "body",
    [
        {},  # neither issuer nor provider_id
        {"issuer": EXTERNAL, "provider_id": "abc", "name": "X"},
        {"issuer": "college", "name": "X"},
        {"issuer": "http://college.example.ac.uk", "name": "X"},  # https only
        {"issuer": EXTERNAL, "name": "X", "scope": {"levels": ["Level 3"]}},
        {"issuer": EXTERNAL, "name": "X", "scope": {"kinds": ["party"]}},
        {"issuer": EXTERNAL, "name": "X", "scope": {"sectors": [""]}},
        {"issuer": EXTERNAL, "name": "X", "valid_until": "2025-08-31T00:00:00Z"},  # before valid_from
        {"issuer": EXTERNAL, "name": "X", "valid_from": "2025-09-01T00:00:00"},  # no timezone
        {"issuer": EXTERNAL, "name": "X", "colour": "green"},
    ],
)
def test_bad_accreditations_are_422(client: TestClient, body: dict[str, Any]) -> None:
    assert_problem(client.post(ROUTE, json={**PERIOD, **body}, headers=OPERATOR), 422, "validation-error")
    assert client.get(ROUTE, headers=OPERATOR).json() == []


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {}),
        ("PATCH", "", {"reason": "only a reason"}),
        ("PATCH", "", {"name": None}),
        ("PATCH", "", {"valid_until": "2025-01-01T00:00:00Z"}),  # before the stored valid_from
        ("POST", "/suspend", {}),  # a reason is required
        ("POST", "/withdraw", {"reason": ""}),
    ],
)
def test_bad_changes_are_422(client: TestClient, method: str, suffix: str, body: dict[str, Any]) -> None:
    accreditation_id = accredit(client, issuer=EXTERNAL, name="Example Training")["id"]
    response = client.request(method, f"{ROUTE}/{accreditation_id}{suffix}", json=body, headers=OPERATOR)
    assert_problem(response, 422, "validation-error")


def test_unknown_accreditations_and_providers_are_404(client: TestClient) -> None:
    missing = "f" * 32
    for response in (
        client.get(f"{ROUTE}/{missing}", headers=OPERATOR),
        client.get(f"{ROUTE}/{missing}/history", headers=OPERATOR),
        client.patch(f"{ROUTE}/{missing}", json={"name": "X"}, headers=OPERATOR),
        act(client, missing, "suspend", reason="x"),
        act(client, missing, "reinstate"),
        act(client, missing, "withdraw", reason="x"),
        client.post(ROUTE, json={**PERIOD, "provider_id": missing}, headers=OPERATOR),
        # A DID of this service's own that names no provider is a typo, not an external issuer.
        client.post(
            ROUTE, json={**PERIOD, "issuer": f"did:web:passport.test:issuers:{missing}"}, headers=OPERATOR
        ),
    ):
        assert_problem(response, 404, "not-found")


def test_only_the_operator_token_reaches_the_accreditation_routes(client: TestClient) -> None:
    provider = create_provider(client)
    accreditation_id = accredit(client, provider_id=provider["id"])["id"]
    attempts = [
        ("POST", ROUTE, {**PERIOD, "provider_id": provider["id"]}),
        ("GET", ROUTE, None),
        ("GET", f"{ROUTE}/{accreditation_id}", None),
        ("PATCH", f"{ROUTE}/{accreditation_id}", {"scope": {"kinds": ["course", "competition"]}}),
        ("POST", f"{ROUTE}/{accreditation_id}/suspend", {"reason": "self-service"}),
        ("POST", f"{ROUTE}/{accreditation_id}/reinstate", {}),
        ("POST", f"{ROUTE}/{accreditation_id}/withdraw", {"reason": "x"}),
        ("GET", f"{ROUTE}/{accreditation_id}/history", None),
    ]
    for headers in (auth(provider["api_key"]), {}, auth("op_wrong")):
        for method, url, body in attempts:
            assert_problem(client.request(method, url, json=body, headers=headers), 401, "unauthorized")
    history = client.get(f"{ROUTE}/{accreditation_id}/history", headers=OPERATOR).json()
    assert [event["event"] for event in history] == ["accredited"]
