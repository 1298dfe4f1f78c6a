"""The provider's lists: credentials filtered and paged by cursor, bulk jobs and each job's credentials."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.deps import get_now
from tests.issuers.conftest import COURSE, auth, create_achievement, create_provider
from tests.issuers.test_bulk import csv_rows, upload, wait_for

DAY1 = datetime(2026, 10, 1, 9, tzinfo=UTC)


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock(client: TestClient) -> Iterator[Clock]:
    clock = Clock(DAY1)
    client.app.dependency_overrides[get_now] = clock  # type: ignore[attr-defined]
    yield clock
    client.app.dependency_overrides.pop(get_now)  # type: ignore[attr-defined]


def issue(client: TestClient, key: str, achievement_id: str, email: str, **recipient: str) -> str:
    response = client.post(
        "/api/v1/credentials",
        json={"achievement_id": achievement_id, "recipient": {"email": email, **recipient}},
        headers=auth(key),
    )
    assert response.status_code == 201, response.text
    credential_id: str = response.json()["id"]
    return credential_id


def listed(client: TestClient, key: str, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/credentials", params=params, headers=auth(key))
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def ids(page: dict[str, Any]) -> list[str]:
    return [item["id"] for item in page["items"]]


@pytest.fixture
def provider(client: TestClient, clock: Clock) -> dict[str, Any]:
    """Five credentials: three on day 1 at the same moment (the id breaks the tie), two on later days."""
    provider = create_provider(client)
    key = provider["api_key"]
    course = create_achievement(client, key)
    other = create_achievement(client, key, COURSE | {"name": "Solar PV"})
    made = [
        issue(client, key, course, "Ann.Jones@Example.com", name="Ann Jones", learner_id="L-1"),
        issue(client, key, course, "bob@example.com", name="Bob O'Neill"),
        issue(client, key, other, "cat@example.com", name="Cat 100%"),
    ]
    clock.moment = DAY1 + timedelta(days=1)
    made.append(issue(client, key, course, "dan@example.com", name="Dan"))
    clock.moment = DAY1 + timedelta(days=2)
    made.append(issue(client, key, other, "ann.jones@example.com", name="Ann Jones", learner_id="L-1"))
    return provider | {"course": course, "other": other, "made": made}


def test_the_list_is_newest_first_with_ties_broken_by_id(
    client: TestClient, provider: dict[str, Any]
) -> None:
    made = provider["made"]
    page = listed(client, provider["api_key"])
    assert ids(page) == [made[4], made[3], *sorted(made[:3], reverse=True)]
    assert page["next_cursor"] is None
    first = page["items"][0]
    assert first["status"] == "valid"
    assert first["achievement_name"] == "Solar PV"
    assert first["achievement_version"] == 1
    assert first["recipient_email"] == "ann.jones@example.com"
    assert first["verification_url"].endswith(f"/credentials/{made[4]}")
    assert "credential" not in first
    assert "document" not in first


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5])
def test_cursor_pages_visit_every_credential_once(
    client: TestClient, provider: dict[str, Any], limit: int
) -> None:
    everything = ids(listed(client, provider["api_key"]))
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        page = listed(client, provider["api_key"], **params)
        assert len(page["items"]) <= limit
        seen += ids(page)
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything
    assert pages == -(-5 // limit)  # a full last page has no empty page after it


def test_a_credential_issued_while_paging_is_neither_repeated_nor_skipped(
    client: TestClient, provider: dict[str, Any], clock: Clock
) -> None:
    key = provider["api_key"]
    first = listed(client, key, limit=2)
    clock.moment = DAY1 + timedelta(days=3)
    newer = issue(client, key, provider["course"], "eve@example.com")
    rest = listed(client, key, limit=10, cursor=first["next_cursor"])
    assert newer not in ids(first) + ids(rest)
    assert ids(first) + ids(rest) == [i for i in ids(listed(client, key)) if i != newer]


def test_filters(client: TestClient, provider: dict[str, Any]) -> None:
    key, made = provider["api_key"], provider["made"]
    assert ids(listed(client, key, email="ANN.JONES@example.COM")) == [made[4], made[0]]
    assert ids(listed(client, key, email="ann")) == []  # an address is matched whole
    assert ids(listed(client, key, name="o'ne")) == [made[1]]
    assert ids(listed(client, key, name="100%")) == [made[2]]
    assert ids(listed(client, key, name="_")) == []  # LIKE wildcards are literal
    assert ids(listed(client, key, learner_id="L-1")) == [made[4], made[0]]
    assert ids(listed(client, key, achievement_id=provider["other"])) == [made[4], made[2]]
    assert ids(listed(client, key, issued_from="2026-10-02", issued_until="2026-10-03")) == [made[3]]
    assert ids(listed(client, key, issued_from="2026-10-02T00:00:00+01:00")) == [made[4], made[3]]
    both = listed(client, key, email="ann.jones@example.com", achievement_id=provider["course"])
    assert ids(both) == [made[0]]


def test_status_filter(client: TestClient, provider: dict[str, Any]) -> None:
    key, made = provider["api_key"], provider["made"]
    revoked = client.post(
        f"/api/v1/credentials/{made[3]}/revoke", json={"reason": "error"}, headers=auth(key)
    )
    assert revoked.status_code == 200
    assert ids(listed(client, key, status="revoked")) == [made[3]]
    assert made[3] not in ids(listed(client, key, status="valid"))
    assert len(ids(listed(client, key, status="valid"))) == 4
    assert ids(listed(client, key, status="suspended")) == []
    assert listed(client, key, status="revoked")["items"][0]["revoked_at"] is not None


def test_a_provider_lists_only_its_own(client: TestClient, provider: dict[str, Any]) -> None:
    stranger = create_provider(client, "Other College")
    assert listed(client, stranger["api_key"])["items"] == []
    assert listed(client, stranger["api_key"], email="bob@example.com")["items"] == []
    assert listed(client, stranger["api_key"], achievement_id=provider["course"])["items"] == []
    # Another provider's cursor names a position, not rows: it still shows only the caller's own.
    cursor = listed(client, provider["api_key"], limit=1)["next_cursor"]
    assert listed(client, stranger["api_key"], cursor=cursor)["items"] == []


@pytest.mark.parametrize(
    "cursor", ["nonsense", "W10", "WyJ4IiwgImEiXQ", "WyIyMDI2LTEwLTAxVDA5OjAwOjAwIiwiYSJd"]
)
def test_a_cursor_this_service_did_not_give_is_400(
    client: TestClient, provider: dict[str, Any], cursor: str
) -> None:
    response = client.get("/api/v1/credentials", params={"cursor": cursor}, headers=auth(provider["api_key"]))
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("bad-request")


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 201}, {"status": "lost"}, {"issued_from": "yesterday"}]
)
def test_bad_parameters_are_422(client: TestClient, provider: dict[str, Any], params: dict[str, Any]) -> None:
    response = client.get("/api/v1/credentials", params=params, headers=auth(provider["api_key"]))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_lists_need_a_key(client: TestClient) -> None:
    for path in ("/api/v1/credentials", "/api/v1/jobs", "/api/v1/jobs/x/credentials"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=auth("sk_unknown")).status_code == 401


def test_jobs_are_listed_and_a_jobs_credentials_have_ids(client: TestClient) -> None:
    provider = create_provider(client)
    key = provider["api_key"]
    achievement_id = create_achievement(client, key)
    first = upload(client, key, achievement_id, csv_rows(3)).json()["id"]
    second = upload(client, key, achievement_id, csv_rows(5)).json()["id"]
    for job_id in (first, second):
        assert wait_for(client, key, job_id)["state"] == "done"
    jobs = client.get("/api/v1/jobs", headers=auth(key)).json()
    assert {job["id"] for job in jobs["items"]} == {first, second}
    assert jobs["next_cursor"] is None
    one = client.get("/api/v1/jobs", params={"limit": 1}, headers=auth(key)).json()
    two = client.get(
        "/api/v1/jobs", params={"limit": 1, "cursor": one["next_cursor"]}, headers=auth(key)
    ).json()
    assert [one["items"][0]["id"], two["items"][0]["id"]] == [job["id"] for job in jobs["items"]]
    assert two["next_cursor"] is None

    page = client.get(f"/api/v1/jobs/{second}/credentials", params={"limit": 2}, headers=auth(key)).json()
    assert page["job"]["id"] == second
    assert [item["bulk_row"] for item in page["items"]] == [1, 2]
    assert page["next_after_row"] == 2
    rest = client.get(f"/api/v1/jobs/{second}/credentials", params={"after_row": 2}, headers=auth(key)).json()
    assert [item["bulk_row"] for item in rest["items"]] == [3, 4, 5]
    assert [item["recipient_email"] for item in rest["items"]] == [
        f"learner{i}@example.com" for i in (2, 3, 4)
    ]
    assert rest["next_after_row"] is None
    # The ids are the provider's handles: a credential issued in bulk can be revoked.
    target = rest["items"][0]["id"]
    revoked = client.post(f"/api/v1/credentials/{target}/revoke", json={"reason": "left"}, headers=auth(key))
    assert revoked.status_code == 200
    assert listed(client, key, status="revoked")["items"][0]["bulk_job_id"] == second


def test_another_providers_job_is_404(client: TestClient) -> None:
    owner = create_provider(client)
    achievement_id = create_achievement(client, owner["api_key"])
    job_id = upload(client, owner["api_key"], achievement_id, csv_rows(2)).json()["id"]
    wait_for(client, owner["api_key"], job_id)
    stranger = create_provider(client, "Other College")
    response = client.get(f"/api/v1/jobs/{job_id}/credentials", headers=auth(stranger["api_key"]))
    assert response.status_code == 404
    assert response.json()["type"].endswith("not-found")
    assert client.get("/api/v1/jobs", headers=auth(stranger["api_key"])).json()["items"] == []
