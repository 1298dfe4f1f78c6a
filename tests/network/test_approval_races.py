"""Approval requests that arrive at the same moment (threads released together), on SQLite and, with
PASSPORT_TEST_DATABASE_URL, PostgreSQL: one achievement submitted ten times at once is one submission;
ten approvals (and a refusal) of one submission at once make one decision, one endorsement and one
status index."""

from __future__ import annotations

from collections import Counter

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.services import Database, services_of
from network.models import OperatorStatusList, SchemeApproval
from tests.issuers.conftest import auth, create_achievement, create_provider
from tests.issuers.test_races import together, warm
from tests.network.test_approvals import OPERATOR, STATEMENT


def test_one_achievement_submitted_ten_times_at_once_is_one_submission(client: TestClient) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    warm(client, provider["api_key"])
    body = {"achievement_id": achievement_id, "quality_statement": STATEMENT}
    statuses = together(
        10,
        lambda _: client.post("/api/v1/approvals", json=body, headers=auth(provider["api_key"])).status_code,
    )
    assert Counter(statuses) == Counter({201: 1, 409: 9})
    with services_of(client.app).get(Database).sessions() as session:
        assert session.scalar(select(func.count()).select_from(SchemeApproval)) == 1


def test_concurrent_decisions_on_one_submission_make_one_decision(client: TestClient) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    submitted = client.post(
        "/api/v1/approvals",
        json={"achievement_id": achievement_id, "quality_statement": STATEMENT},
        headers=auth(provider["api_key"]),
    ).json()
    warm(client, provider["api_key"])

    def decide(number: int) -> tuple[str, int]:
        if number == 0:
            reasons = {"reasons": [{"criterion": "other", "reason": "Refused in the race"}]}
            path, body = "refuse", reasons
        else:
            path, body = "approve", None
        url = f"/api/v1/admin/approvals/{submitted['id']}/{path}"
        return path, client.post(url, json=body, headers=OPERATOR).status_code

    results = together(10, decide)
    winners = [path for path, status in results if status == 200]
    assert len(winners) == 1, results
    assert all(status == 409 for _, status in results if status != 200)
    final = client.get(f"/api/v1/admin/approvals/{submitted['id']}", headers=OPERATOR).json()
    assert final["state"] == ("approved" if winners == ["approve"] else "refused")
    with services_of(client.app).get(Database).sessions() as session:
        allocated = session.scalar(select(func.coalesce(func.sum(OperatorStatusList.allocated), 0)))
        assert allocated == (1 if winners == ["approve"] else 0)  # the losers drew nothing
