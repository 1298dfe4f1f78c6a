"""Bulk issuing: whole-file validation with row numbers, a job with progress, resume without duplicates."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from core.services import Database, services_of
from issuers import bulk, service
from issuers import status as status_module
from issuers.bulk import JobWorker
from issuers.models import IssuedCredential, StatusListRow
from issuers.service import IssuerConfig
from issuers.signing import BulkSigner
from schemas.identity import matches_identity_hash
from tests.issuers.conftest import BASE_URL, auth, create_achievement, create_provider
from tests.issuers.test_api import ports_for
from vc.report import CheckId
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
    with transaction(services_of(client.app).get(Database).sessions) as session:
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
    with transaction(services_of(client.app).get(Database).sessions) as session:
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
    services_of(app).get(JobWorker).stop()  # drive the job by hand, as a restarted process would
    rows = bulk.CHUNK * 2 + 5
    with transaction(services_of(app).get(Database).sessions) as session:
        issuer = service.get_issuer(session, provider["id"])
        job = bulk.create_job(
            session,
            services_of(client.app).get(IssuerConfig),
            issuer,
            achievement_id,
            "jwt",
            "c.csv",
            csv_rows(rows),
            datetime.now(UTC),
        )
    config = services_of(app).get(IssuerConfig)
    bulk.run_job(services_of(app).get(Database).sessions, config, job.id, stop_after_chunks=1)
    assert issued_count(client, job.id) == bulk.CHUNK
    progress = client.get(f"/api/v1/jobs/{job.id}", headers=auth(provider["api_key"])).json()
    assert (progress["state"], progress["done"]) == ("running", bulk.CHUNK)
    assert bulk.unfinished_jobs(services_of(app).get(Database).sessions) == [job.id]
    bulk.run_job(services_of(app).get(Database).sessions, config, job.id)
    assert issued_count(client, job.id) == rows
    final = client.get(f"/api/v1/jobs/{job.id}", headers=auth(provider["api_key"])).json()
    assert (final["state"], final["done"], final["total"]) == ("done", rows, rows)
    with transaction(services_of(app).get(Database).sessions) as session:
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


def _job(client: TestClient, provider: dict[str, Any], rows: int, credential_format: str) -> str:
    achievement_id = create_achievement(client, provider["api_key"])
    services_of(client.app).get(JobWorker).stop()  # drive the job by hand
    with transaction(services_of(client.app).get(Database).sessions) as session:
        issuer = service.get_issuer(session, provider["id"])
        job = bulk.create_job(
            session,
            services_of(client.app).get(IssuerConfig),
            issuer,
            achievement_id,
            credential_format,
            "c.csv",
            csv_rows(rows),
            datetime.now(UTC),
        )
    return job.id


def _issued(client: TestClient, job_id: str) -> list[IssuedCredential]:
    with transaction(services_of(client.app).get(Database).sessions) as session:
        return list(
            session.scalars(
                select(IssuedCredential)
                .where(IssuedCredential.bulk_job_id == job_id)
                .order_by(IssuedCredential.bulk_row)
            )
        )


@pytest.mark.parametrize("credential_format", ["ldp", "jwt"])
def test_a_pool_of_signing_processes_issues_verifiable_credentials_and_resumes(
    client: TestClient, credential_format: str
) -> None:
    provider = create_provider(client)
    rows = bulk.CHUNK + 7
    job_id = _job(client, provider, rows, credential_format)
    app = client.app
    signer = BulkSigner(2)
    try:
        bulk.run_job(
            services_of(app).get(Database).sessions,
            services_of(app).get(IssuerConfig),
            job_id,
            signer=signer,
            stop_after_chunks=1,
        )
        assert issued_count(client, job_id) == bulk.CHUNK
        bulk.run_job(
            services_of(app).get(Database).sessions, services_of(app).get(IssuerConfig), job_id, signer=signer
        )
    finally:
        signer.close()
    issued = _issued(client, job_id)
    assert [row.bulk_row for row in issued] == list(range(1, rows + 1))
    ports = ports_for(client, provider["did"])
    for row in (issued[0], issued[bulk.CHUNK - 1], issued[-1]):
        document = row.document if credential_format == "jwt" else json.loads(row.document)
        report = verify_credential(document, ports, datetime.now(UTC))
        assert report.verified, report.to_json()
        credential = report.credential
        assert credential is not None
        assert credential["id"].endswith(row.id)
        assert credential["credentialStatus"]["statusListIndex"] == str(row.revocation_index)
        # Each row's own recipient, not a neighbour's (results come back in order).
        identity = credential["credentialSubject"]["identifier"][0]
        assert matches_identity_hash(row.recipient_email, identity["salt"], identity["identityHash"])


def test_status_indexes_are_distinct_and_counted_and_a_full_list_is_followed_by_a_new_one(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(status_module, "_CLOSE_AT", bulk.CHUNK + 50)  # room for one chunk per list
    provider = create_provider(client)
    rows = 2 * bulk.CHUNK + 3
    job_id = _job(client, provider, rows, "jwt")
    bulk.run_job(
        services_of(client.app).get(Database).sessions, services_of(client.app).get(IssuerConfig), job_id
    )
    issued = _issued(client, job_id)
    positions = {(row.revocation_list_id, row.revocation_index) for row in issued}
    assert len(positions) == rows
    with transaction(services_of(client.app).get(Database).sessions) as session:
        lists = list(session.scalars(select(StatusListRow).where(StatusListRow.issuer_id == provider["id"])))
    # A chunk on the first list; the next chunk does not fit, so a second list; the last 3 rows fit there.
    assert sorted(row.allocated for row in lists) == [bulk.CHUNK, bulk.CHUNK + 3]
    for status_list in lists:
        on_list = [row.revocation_index for row in issued if row.revocation_list_id == status_list.id]
        assert len(on_list) == status_list.allocated
    # Random, not sequential: a chunk's indexes are spread over the list.
    first = sorted(row.revocation_index for row in issued[: bulk.CHUNK])
    assert first[-1] - first[0] > 100 * bulk.CHUNK


def test_bulk_credentials_of_a_suspending_provider_carry_a_message_entry(client: TestClient) -> None:
    from tests.issuers.test_suspension import create_suspending_provider

    provider = create_suspending_provider(client)
    job_id = _job(client, provider, 3, "ldp")
    bulk.run_job(
        services_of(client.app).get(Database).sessions, services_of(client.app).get(IssuerConfig), job_id
    )
    issued = _issued(client, job_id)
    entry = json.loads(issued[0].document)["credentialStatus"]
    assert (entry["statusPurpose"], entry["statusSize"]) == ("message", 2)
    suspended = client.post(
        f"/api/v1/credentials/{issued[1].id}/suspend", json={"reason": "x"}, headers=auth(provider["api_key"])
    )
    assert suspended.status_code == 200, suspended.text
    report = verify_credential(
        json.loads(issued[1].document), ports_for(client, provider["did"]), datetime.now(UTC)
    )
    assert report.check(CheckId.STATUS).message == "The credential has been suspended."  # type: ignore[union-attr]


def test_signing_workers_exit_when_the_service_is_gone() -> None:
    """A killed service must not leave signing processes behind (its forkserver exits with it)."""
    import multiprocessing.forkserver
    import os
    import signal

    from vc.keys import KeyType, PrivateKey

    signer = BulkSigner(2)
    try:
        key = signing_key(PrivateKey.generate(KeyType.RSA))
        credential = {"not": "a credential"}
        outcomes = signer.check_and_sign_all([credential, credential], key, datetime.now(UTC), "jwt")
        assert all(isinstance(outcome, list) for outcome in outcomes)  # refused: schema problems
        workers = list(signer._pool._processes)  # type: ignore[union-attr]
        assert workers
        os.kill(multiprocessing.forkserver._forkserver._forkserver_pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers)
    finally:
        signer._pool = None  # its processes are gone; nothing left to shut down


def _alive(pid: int) -> bool:
    import os

    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # not our child (a forkserver's): ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    return finished == 0


def signing_key(private: Any) -> Any:
    from issuers.signing import SigningKey

    return SigningKey("k-test", private, "did:web:passport.test:issuers:x#key-1")


def sessions_and_config(app: object) -> tuple[sessionmaker[Session], IssuerConfig]:
    services = services_of(app)
    return services.get(Database).sessions, services.get(IssuerConfig)
