"""Requests that arrive at the same moment (threads released together), each a finding of the attack run:
one ``Idempotency-Key`` sent twenty times, twenty revocations of one credential, revoke / suspend /
reinstate of one credential at once, two bulk job runners on one job. Run on SQLite and, by .ci/run, on
PostgreSQL."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import transaction
from core.services import Database, services_of
from issuers import lifecycle
from issuers.bulk import JobWorker
from issuers.models import BulkJob, IssuedCredential
from issuers.service import IssuerConfig
from tests.issuers.conftest import BASE_URL, auth, create_achievement, create_provider
from tests.issuers.test_api import issue, ports_for
from tests.issuers.test_suspension import create_suspending_provider
from vc.data_integrity import verify_proof
from vc.status_list import StatusList

Result = TypeVar("Result")


def together(count: int, action: Callable[[int], Result]) -> list[Result]:
    """`action(0..count-1)`, each in its own thread, all released at the same moment; results in order."""
    start = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            start.wait(timeout=60)
            results[number] = action(number)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    return results


def warm(client: TestClient, api_key: str) -> None:
    """Open the pool's connections first, so that the racing requests really start together."""
    together(20, lambda _: client.get("/api/v1/issuer", headers=auth(api_key)).status_code)


def test_parallel_issues_with_one_idempotency_key_all_get_the_stored_answer(client: TestClient) -> None:
    provider = create_provider(client)
    key = provider["api_key"]
    achievement_id = create_achievement(client, key)
    body = {"achievement_id": achievement_id, "recipient": {"email": "sam@example.com"}, "format": "jwt"}
    warm(client, key)
    headers = {**auth(key), "Idempotency-Key": "cohort-7-sam"}
    responses = together(20, lambda _: client.post("/api/v1/credentials", json=body, headers=headers))
    assert [response.status_code for response in responses] == [201] * 20, [r.text for r in responses]
    assert len({response.content for response in responses}) == 1  # the one stored answer, byte for byte
    with transaction(services_of(client.app).get(Database).sessions) as session:
        assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 1
    # The same key with another request is still a conflict.
    other = {**body, "recipient": {"email": "kim@example.com"}}
    assert client.post("/api/v1/credentials", json=other, headers=headers).status_code == 409


def test_twenty_parallel_revocations_of_one_credential_one_succeeds_the_rest_are_409(
    client: TestClient,
) -> None:
    provider = create_provider(client)
    key = provider["api_key"]
    credential_id = issue(client, key, create_achievement(client, key))["id"]
    warm(client, key)
    responses = together(
        20,
        lambda _: client.post(
            f"/api/v1/credentials/{credential_id}/revoke", json={"reason": "race"}, headers=auth(key)
        ),
    )
    assert sorted(response.status_code for response in responses) == [200] + [409] * 19
    for refused in (response for response in responses if response.status_code == 409):
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["type"] == f"{BASE_URL}/problems/conflict"
        assert refused.json()["current_status"] == "revoked"


CODE = {"valid": 0, "suspended": 1, "revoked": 2}


def published_bits(client: TestClient, provider: dict[str, Any], list_url: str) -> StatusList:
    """The status list as a verifier gets it: fetched, its proof checked, its bits decoded."""
    document = client.get(list_url.removeprefix(BASE_URL)).json()
    verify_proof(document, document["proof"], ports_for(client, provider["did"]).resolver)
    subject = document["credentialSubject"]
    return StatusList.decode(subject["encodedList"], status_size=2)


def test_racing_revoke_suspend_and_reinstate_never_let_the_record_and_the_published_list_disagree(
    client: TestClient,
) -> None:
    provider = create_suspending_provider(client)
    key = provider["api_key"]
    achievement_id = create_achievement(client, key)
    credentials = [issue(client, key, achievement_id, format="jwt") for _ in range(4)]
    warm(client, key)
    actions = ["suspend", "reinstate", "revoke", "suspend", "reinstate"]
    for round_ in range(3):
        # Every credential gets every action at once; a round in which nothing is revoked first...
        pending = [
            (credential["id"], action)
            for credential in credentials
            for action in (actions if round_ else ["suspend", "reinstate", "suspend"])
        ]

        def act(number: int, pending: list[tuple[str, str]] = pending) -> int:
            credential_id, action = pending[number]
            body = None if action == "reinstate" else {"reason": "race"}
            response = client.post(
                f"/api/v1/credentials/{credential_id}/{action}", json=body, headers=auth(key)
            )
            assert response.status_code in (200, 409), response.text
            return response.status_code

        together(len(pending), act)
    states = {}
    for credential in credentials:
        response = client.get(f"/api/v1/credentials/{credential['id']}", headers=auth(key)).json()
        states[credential["id"]] = response["status"]["status"]
    assert set(states.values()) == {"revoked"}  # a round with revoke in it leaves nothing else
    entries = [ports_entry(credential["credential"]) for credential in credentials]
    lists = {url for url, _ in entries}
    assert len(lists) == 1
    bits = published_bits(client, provider, lists.pop())
    assert [bits.value(index) for _, index in entries] == [CODE[states[c["id"]]] for c in credentials]


def test_suspend_and_reinstate_races_keep_record_and_list_equal_at_every_state(client: TestClient) -> None:
    """Without revocation, the credentials can end suspended or valid: each must be published as such."""
    provider = create_suspending_provider(client)
    key = provider["api_key"]
    achievement_id = create_achievement(client, key)
    credentials = [issue(client, key, achievement_id, format="jwt") for _ in range(6)]
    warm(client, key)
    for round_ in range(4):
        pending = [
            (credential["id"], action)
            for number, credential in enumerate(credentials)
            for action in (["suspend"] * 3 + ["reinstate"] * (1 + (number + round_) % 3))
        ]

        def act(number: int, pending: list[tuple[str, str]] = pending) -> int:
            credential_id, action = pending[number]
            body = None if action == "reinstate" else {"reason": "race"}
            return client.post(
                f"/api/v1/credentials/{credential_id}/{action}", json=body, headers=auth(key)
            ).status_code

        codes = together(len(pending), act)
        assert set(codes) <= {200, 409}
        successes = {}
        for (credential_id, action), code in zip(pending, codes, strict=True):
            successes.setdefault(credential_id, {"suspend": 0, "reinstate": 0})
            successes[credential_id][action] += code == 200
        # Three suspensions raced: at most one succeeded per time the credential was valid.
        assert all(counts["suspend"] - counts["reinstate"] in (-1, 0, 1) for counts in successes.values())
    entries = [ports_entry(credential["credential"]) for credential in credentials]
    bits = published_bits(client, provider, entries[0][0])
    for credential, (_, index) in zip(credentials, entries, strict=True):
        status = client.get(f"/api/v1/credentials/{credential['id']}", headers=auth(key)).json()["status"]
        assert bits.value(index) == CODE[status["status"]]


def ports_entry(credential: Any) -> tuple[str, int]:
    """(status list URL, index) of a VC-JWT credential's one status entry."""
    payload = credential.split(".")[1]
    document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    entry = document["credentialStatus"]
    return entry["statusListCredential"], int(entry["statusListIndex"])


def test_two_bulk_runners_finish_a_605_row_job_completed_with_each_row_issued_once(
    client: TestClient,
) -> None:
    provider = create_provider(client)
    key = provider["api_key"]
    achievement_id = create_achievement(client, key)
    lines = ["email,name"] + [f"learner{i}@example.com,Learner {i}" for i in range(605)]
    # Upload with the app's own job worker stopped, so that only the two runners below run the job.
    services_of(client.app).get(JobWorker).stop()
    response = client.post(
        "/api/v1/credentials/bulk",
        data={"achievement_id": achievement_id, "format": "jwt"},
        files={"file": ("cohort.csv", ("\n".join(lines) + "\n").encode(), "text/csv")},
        headers=auth(key),
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    sessions = services_of(client.app).get(Database).sessions
    config = services_of(client.app).get(IssuerConfig)
    runners = [JobWorker(sessions, config) for _ in range(2)]
    together(2, lambda number: runners[number]._run(job_id))
    with transaction(sessions) as session:
        job = session.get(BulkJob, job_id)
        assert job is not None
        assert (job.state, job.done, job.error) == ("done", 605, None)
        rows = select(IssuedCredential.bulk_row).where(IssuedCredential.bulk_job_id == job_id)
        assert sorted(session.scalars(rows)) == list(range(1, 606))


def test_a_change_that_lost_to_a_change_undone_meanwhile_is_a_409_with_the_state_now() -> None:
    """On PostgreSQL a suspension can lose to another one, which a reinstatement undoes before the loser
    reads the row again: the loser says so, with the state it found."""
    conflict = lifecycle.StateConflict(lifecycle.SUSPEND, lifecycle.State.VALID)
    assert conflict.status == 409
    assert conflict.extensions == {"current_status": "valid"}
    assert "changed while the request ran" in conflict.detail
