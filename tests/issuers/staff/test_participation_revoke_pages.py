"""The operator's administrator revokes an operator-signed participation credential on the community's
page (a reason and a confirming tick box); an assessor cannot (403), and the coordinator's console shows
no revoke form."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import assert_page_problem
from tests.issuers.conftest import auth, create_provider
from tests.issuers.staff.conftest import csrf_of, operator_staff
from tests.network.test_communities_practice import API, add_member, add_session, attend, create_community


def _issued(client: TestClient) -> tuple[str, str, dict[str, object]]:
    college = create_provider(client, "Derby College")
    community = create_community(client, coordinators=[college["id"]])
    key = auth(college["api_key"])
    session_id = add_session(client, key, community["id"], 10, "Seminar")
    ada = add_member(client, key, community["id"], "ada@example.com")
    attend(client, key, community["id"], session_id, ada)
    rule = {"attended": {"at_least": 1, "of_last": 6}}
    assert client.patch(f"{API}/{community['id']}", json={"rule": rule}, headers=key).status_code == 200
    [row] = client.post(f"{API}/{community['id']}/participation", headers=key).json()
    return community["id"], row["id"], row["credential"]


def _state(client: TestClient, credential: dict[str, object]) -> str:
    report = client.post("/credentials/verify", json={"verifiableCredential": credential}).json()
    return str(report["status"]["state"])


def test_the_operator_revokes_with_a_reason_and_a_tick(app: FastAPI, client: TestClient) -> None:
    cid, pid, credential = _issued(client)
    olu = operator_staff(app, client, "olu@network.example")
    page = f"/operator/communities/{cid}"
    action = f"{page}/participation/{pid}/revoke"
    assert f'action="{action}"' in olu.get(page).text

    unticked = olu.submit(page, action, reason="Recorded in error")
    assert unticked.status_code == 422
    assert "Tick the box to confirm that revoking is final." in unticked.text
    no_reason = olu.submit(page, action, reason=" ", confirmed="yes")
    assert no_reason.status_code == 422
    assert "Say why the credential is revoked." in no_reason.text
    assert _state(client, credential) != "revoked"

    done = olu.submit(page, action, reason="Recorded in error", confirmed="yes")
    assert done.status_code == 303, done.text
    assert done.headers["location"].endswith("done=revoked#participation")
    after = olu.get(page).text
    assert 'data-revoked="yes"' in after
    assert "Recorded in error" in after
    assert f'action="{action}"' not in after
    assert _state(client, credential) == "revoked"
    again = olu.http.post(action, data={"csrf_token": csrf_of(after), "reason": "x", "confirmed": "yes"})
    assert again.status_code == 409


def test_an_assessor_cannot_revoke(app: FastAPI, client: TestClient) -> None:
    cid, pid, credential = _issued(client)
    ana = operator_staff(app, client, "ana@network.example", "assessor")
    page = f"/operator/communities/{cid}"
    shown = ana.get(page)
    assert shown.status_code == 200
    assert "/revoke" not in shown.text
    response = ana.http.post(
        f"{page}/participation/{pid}/revoke",
        data={"csrf_token": csrf_of(shown.text), "reason": "x", "confirmed": "yes"},
    )
    assert_page_problem(response, 403, "role-not-allowed")
    assert _state(client, credential) != "revoked"
