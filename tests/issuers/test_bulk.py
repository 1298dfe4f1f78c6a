"""Bulk issuing: whole-file validation with row numbers, a job with progress, resume without duplicates."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from issuers import bulk, service
from issuers.models import IssuedCredential
from server.db import transaction
from tests.issuers.conftest import BASE_URL, auth, create_achievement, create_provider
from tests.issuers.test_api import ports_for
from vc.verify import verify_credential


def upload(
    client: TestClient, api_key: str, achievement_id: str, content: bytes, name: str = "cohort.csv"
) -> Any:
    return client.post(
        "/api/v1/credentials/bulk",
        data={"achievement_id": achievement_id, "format": "ldp"},
        files={"file": (name, content, "text/csv")},
        headers=auth(api_key),
    )


def csv_rows(count: int) -> bytes:
    lines = ["email,name,learner_id,result"] + [
        f"learner{i}@example.com,Learner {i},L{i},Pass" for i in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


def wait_for(client: TestClient, api_key: str, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}", headers=auth(api_key)).json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def issued_count(client: TestClient, job_id: str) -> int:
    with transaction(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        return session.scalar(select(func.count()).where(IssuedCredential.bulk_job_id == job_id)) or 0


def test_a_cohort_is_issued_as_a_job(client: TestClient) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    response = upload(client, provider["api_key"], achievement_id, csv_rows(12))
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/api/v1/jobs/{response.json()['id']}"
    job = wait_for(client, provider["api_key"], response.json()["id"])
    assert (job["state"], job["done"], job["total"]) == ("done", 12, 12)
    assert issued_count(client, job["id"]) == 12


def test_json_cohort_files_are_accepted(client: TestClient) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    content = b'[{"email": "a@example.com", "name": "A"}, {"email": "b@example.com"}]'
    response = upload(client, provider["api_key"], achievement_id, content, "cohort.json")
    assert response.status_code == 202, response.text
    assert wait_for(client, provider["api_key"], response.json()["id"])["done"] == 2


@pytest.mark.parametrize(
    ("content", "status", "rows"),
    [
        (b"email,name\nok@example.com,A\nnot-an-email,B\n=cmd|' /C calc'!A0@example.com,C\n", 422, {2, 3}),
        (b"mail,name\na@example.com,A\n", 422, {0}),
        (b"email,name,shoe_size\na@example.com,A,9\n", 422, {0}),
        (b"email,name\na@example.com,A\na@example.com,A again\n", 422, {2}),
        (b"email,name\na@example.com,A,extra\n", 422, {1}),
        (b"email\n", 422, {1}),
        ("email,name\ncaf\u00e9@example.com,Ren\u00e9e\n".encode("latin-1"), 400, set()),
    ],
)
def test_bad_files_report_every_bad_row_and_issue_nothing(
    client: TestClient, content: bytes, status: int, rows: set[int]
) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    response = upload(client, provider["api_key"], achievement_id, content)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    if rows:
        assert {error["row"] for error in response.json()["errors"]} == rows
    assert client.get("/api/v1/achievements", headers=auth(provider["api_key"])).status_code == 200
    with transaction(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 0


def test_too_many_rows(client: TestClient) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    response = upload(client, provider["api_key"], achievement_id, csv_rows(bulk.MAX_ROWS + 1))
    assert response.status_code == 422
    assert response.json()["errors"][0]["row"] == bulk.MAX_ROWS + 1


def test_a_killed_job_resumes_without_losing_or_duplicating(client: TestClient) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    app = client.app
    app.state.jobs.stop()  # type: ignore[attr-defined]  # drive the job by hand, as a restarted process would
    rows = bulk.CHUNK * 2 + 5
    with transaction(app.state.sessions) as session:  # type: ignore[attr-defined]
        issuer = service.get_issuer(session, provider["id"])
        job = bulk.create_job(
            session, issuer, achievement_id, "jwt", "c.csv", csv_rows(rows), datetime.now(UTC)
        )
    config = app.state.issuer_config  # type: ignore[attr-defined]
    bulk.run_job(app.state.sessions, config, job.id, stop_after_chunks=1)  # type: ignore[attr-defined]
    assert issued_count(client, job.id) == bulk.CHUNK
    progress = client.get(f"/api/v1/jobs/{job.id}", headers=auth(provider["api_key"])).json()
    assert (progress["state"], progress["done"]) == ("running", bulk.CHUNK)
    assert bulk.unfinished_jobs(app.state.sessions) == [job.id]  # type: ignore[attr-defined]
    bulk.run_job(app.state.sessions, config, job.id)  # type: ignore[attr-defined]
    assert issued_count(client, job.id) == rows
    final = client.get(f"/api/v1/jobs/{job.id}", headers=auth(provider["api_key"])).json()
    assert (final["state"], final["done"], final["total"]) == ("done", rows, rows)
    with transaction(app.state.sessions) as session:  # type: ignore[attr-defined]
        row_numbers = list(
            session.scalars(select(IssuedCredential.bulk_row).where(IssuedCredential.bulk_job_id == job.id))
        )
        document = session.scalars(
            select(IssuedCredential.document).where(IssuedCredential.bulk_job_id == job.id)
        ).first()
    assert sorted(row_numbers) == list(range(1, rows + 1))
    assert document is not None
    assert verify_credential(document, ports_for(client, provider["did"]), datetime.now(UTC)).verified


def test_another_providers_job_is_not_found(client: TestClient) -> None:
    owner = create_provider(client, "Owner")
    stranger = create_provider(client, "Stranger")
    achievement_id = create_achievement(client, owner["api_key"])
    job_id = upload(client, owner["api_key"], achievement_id, csv_rows(1)).json()["id"]
    response = client.get(f"/api/v1/jobs/{job_id}", headers=auth(stranger["api_key"]))
    assert response.status_code == 404
    response = upload(client, stranger["api_key"], achievement_id, csv_rows(1))
    assert response.status_code == 404
    assert BASE_URL in response.json()["type"]


def test_cli_bulk_upload_follows_the_job_to_the_end(client: TestClient, tmp_path: Any) -> None:
    from server.cli import follow_bulk_upload

    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    path = tmp_path / "cohort.csv"
    path.write_bytes(csv_rows(5))
    client.headers["Authorization"] = f"Bearer {provider['api_key']}"
    job = follow_bulk_upload(client, path, achievement_id, "jwt", poll_seconds=0.05)
    assert (job["state"], job["done"], job["total"]) == ("done", 5, 5)


def test_cli_bulk_upload_reports_bad_rows(client: TestClient, tmp_path: Any) -> None:
    from server.cli import UnusableInput, follow_bulk_upload

    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    path = tmp_path / "cohort.csv"
    path.write_bytes(b"email\nnope\n")
    client.headers["Authorization"] = f"Bearer {provider['api_key']}"
    with pytest.raises(UnusableInput, match="row 1"):
        follow_bulk_upload(client, path, achievement_id, "ldp")
