"""The console's issuing sections (issuers.console.issuing): issue to one person with the scope statement
first, cohort uploads previewed row by row and confirmed once into a job, its results as CSV, and the keys
page for administrators. Every refusal asserts its status and its problem type."""

from __future__ import annotations

import csv
import io
import re
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.services import Database, services_of
from issuers.console.issuing import cohorts
from issuers.models import ApiKey, BulkJob, IssuedCredential, IssuerKey
from issuers.staff.models import AuditEvent
from tests.conftest import assert_page_problem
from tests.issuers.conftest import auth, create_achievement, create_provider
from tests.issuers.staff.conftest import Browser, csrf_of, provider_staff
from tests.issuers.test_scope_and_preview import accredit
from tests.network.test_approvals import approve, submit


def _count(app: FastAPI, model: Any) -> int:
    with services_of(app).get(Database).sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _setup(app: FastAPI, client: TestClient, role: str = "issuer") -> tuple[Browser, str, dict[str, Any]]:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    browser = provider_staff(app, client, provider["id"], f"{role}@college.example", role)
    return browser, achievement_id, provider


def _cohort(rows: int, bad: dict[int, str] | None = None) -> bytes:
    lines = ["email,name,learner_id,result"]
    for number in range(1, rows + 1):
        email = (bad or {}).get(number, f"learner{number}@example.org")
        lines.append(f"{email},Learner {number},L{number:05d},Pass")
    return ("\n".join(lines) + "\n").encode()


def _upload(browser: Browser, achievement_id: str, content: bytes, filename: str = "cohort.csv") -> Any:
    csrf = browser.csrf("/console/cohorts")
    return browser.http.post(
        "/console/cohorts",
        data={"csrf_token": csrf, "achievement_id": achievement_id, "format": "ldp"},
        files={"file": (filename, content, "text/csv")},
    )


def _wait_done(browser: Browser, job_path: str) -> str:
    for _ in range(200):
        page = browser.get(job_path)
        assert page.status_code == 200, page.text
        if " data-live" not in page.text:  # the page no longer follows the job: it is done
            return str(page.text)
        time.sleep(0.05)
    raise AssertionError("the job did not finish")


# --- issue to one person ------------------------------------------------------------------------------------


def _issue_fields(achievement_id: str, **more: str) -> dict[str, str]:
    return {
        "achievement_id": achievement_id,
        "email": "ada@example.org",
        "name": "Ada Lovelace",
        "learner_id": "L0001",
        "result": "Merit",
        "format": "ldp",
        "valid_from": "",
        "valid_until": "",
    } | more


def test_issue_states_the_scope_before_issuing_and_once_however_often_confirmed(
    app: FastAPI, client: TestClient
) -> None:
    browser, achievement_id, _ = _setup(app, client)
    before = _count(app, IssuedCredential)
    confirm = browser.submit("/console/issue", "/console/issue/check", **_issue_fields(achievement_id))
    assert confirm.status_code == 200, confirm.text
    assert 'id="scope-statement"' in confirm.text
    # No scheme is wired in the tests' app: the statement says the credential will be outside it.
    assert "will NOT be inside your accreditation scope" in confirm.text
    assert "no approval under the scheme" in confirm.text
    assert _count(app, IssuedCredential) == before  # nothing issued by the check
    token = re.search(r'name="form_token" value="([^"]+)"', confirm.text)
    assert token
    data = {
        "csrf_token": csrf_of(confirm.text),
        "form_token": token.group(1),
        **_issue_fields(achievement_id),
    }
    first = browser.http.post("/console/issue", data=data)
    second = browser.http.post("/console/issue", data=data)  # a double submit
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert _count(app, IssuedCredential) == before + 1
    done = browser.get(first.headers["location"])
    assert done.status_code == 200
    credential_id = first.headers["location"].rsplit("/", 1)[1]
    assert f"/credentials/{credential_id}" in done.text
    assert "is NOT inside your accreditation scope" in done.text


def test_inside_the_scope_and_approved_is_stated_for_one_and_for_a_cohort(
    app: FastAPI, client: TestClient
) -> None:
    browser, achievement_id, provider = _setup(app, client)
    accredit(
        client,
        provider["id"],
        {"levels": ["RQF 2", "RQF 3"], "kinds": ["course"], "sectors": ["Building services"]},
    )
    approve(client, submit(client, provider["api_key"], achievement_id)["id"])
    confirm = browser.submit("/console/issue", "/console/issue/check", **_issue_fields(achievement_id))
    assert "This credential will be inside your accreditation scope" in confirm.text
    assert "The achievement is approved under the scheme" in confirm.text
    response = _upload(browser, achievement_id, _cohort(3))
    preview = browser.get(response.headers["location"])
    assert "These credentials will be inside your accreditation scope" in preview.text
    assert "approved under the scheme: the approval is part of each credential" in preview.text


def test_issue_form_errors_are_shown_on_the_form_with_the_values_kept(
    app: FastAPI, client: TestClient
) -> None:
    browser, achievement_id, _ = _setup(app, client)
    fields = _issue_fields(
        achievement_id, email="not-an-address", valid_from="2026-12-10", valid_until="2026-12-01"
    )
    response = browser.submit("/console/issue", "/console/issue/check", **fields)
    assert response.status_code == 422
    assert "The end date must be after the start date." in response.text
    assert 'value="not-an-address"' in response.text
    fields = _issue_fields(achievement_id, email="not-an-address")
    response = browser.submit("/console/issue", "/console/issue/check", **fields)
    assert response.status_code == 422
    assert "Enter an email address in the right form" in response.text


def test_a_viewer_cannot_issue(app: FastAPI, client: TestClient) -> None:
    browser, achievement_id, _ = _setup(app, client, "viewer")
    assert_page_problem(browser.get("/console/issue"), 403, "role-not-allowed")
    csrf = browser.csrf("/console/account")
    data = {"csrf_token": csrf, "form_token": "t" * 43, **_issue_fields(achievement_id)}
    assert_page_problem(browser.http.post("/console/issue", data=data), 403, "role-not-allowed")
    assert_page_problem(browser.get("/console/cohorts"), 403, "role-not-allowed")
    assert _count(app, IssuedCredential) == 0


def test_issuing_without_the_csrf_token_is_refused(app: FastAPI, client: TestClient) -> None:
    browser, achievement_id, _ = _setup(app, client)
    data = {"form_token": "t" * 43, **_issue_fields(achievement_id)}
    assert_page_problem(browser.http.post("/console/issue", data=data), 403, "csrf-token-invalid")
    upload = browser.http.post(
        "/console/cohorts",
        data={"achievement_id": achievement_id},
        files={"file": ("c.csv", _cohort(2), "text/csv")},
    )
    assert_page_problem(upload, 403, "csrf-token-invalid")
    assert _count(app, IssuedCredential) == 0


# --- cohorts ------------------------------------------------------------------------------------------------


def test_bad_rows_are_shown_row_by_row_first_and_nothing_is_issued(app: FastAPI, client: TestClient) -> None:
    browser, achievement_id, _ = _setup(app, client)
    response = _upload(browser, achievement_id, _cohort(150, {7: "not-an-email", 120: "=cmd@example.org"}))
    assert response.status_code == 303, response.text
    preview = browser.get(response.headers["location"])
    assert preview.status_code == 200
    assert "2 rows have problems" in preview.text
    assert "/confirm" not in preview.text  # no button to issue
    cells = re.findall(r'<th scope="row">(\d+)</th>', preview.text)
    assert cells[:2] == ["7", "120"]  # problems first, then every other row in order
    assert cells[2:5] == ["1", "2", "3"]
    assert "page 1 of 2" in preview.text
    assert "The email address is not valid." in preview.text  # row 7, in plain words
    assert "a spreadsheet would run it as a formula" in preview.text  # row 120
    second = browser.get(response.headers["location"] + "?page=2")
    assert len(re.findall(r'<th scope="row">', second.text)) == 50
    # Confirming anyway issues nothing: the job refuses the file whole.
    upload_id = response.headers["location"].rsplit("/", 1)[1]
    csrf = browser.csrf("/console/cohorts")
    refused = browser.http.post(f"/console/cohorts/uploads/{upload_id}/confirm", data={"csrf_token": csrf})
    assert_page_problem(refused, 422, "validation-error")
    assert _count(app, BulkJob) == 0
    assert _count(app, IssuedCredential) == 0


@pytest.mark.parametrize(
    ("filename", "content", "status", "slug"),
    [
        ("cohort.xlsx", b"PK\x03\x04 a spreadsheet", 415, "unsupported-file-type"),
        (
            "cohort.csv",
            b"email\n" + b"a@example.org\n" * (cohorts.MAX_UPLOAD_BYTES // 14 + 1),
            413,
            "payload-too-large",
        ),
        ("cohort.csv", b"\xff\xfe not utf-8", 400, "bad-request"),
        ("cohort.csv", b"mail,name\nx@example.org,X\n", 422, "validation-error"),
    ],
)
def test_a_file_that_is_no_cohort_is_refused_on_the_form(
    app: FastAPI, client: TestClient, filename: str, content: bytes, status: int, slug: str
) -> None:
    browser, achievement_id, _ = _setup(app, client)
    response = _upload(browser, achievement_id, content, filename)
    assert_page_problem(response, status, slug)
    assert "The file was not accepted" in response.text
    assert _count(app, BulkJob) == 0


def test_a_cohort_is_previewed_confirmed_once_and_its_results_downloaded(
    app: FastAPI, client: TestClient
) -> None:
    browser, achievement_id, _ = _setup(app, client)
    response = _upload(browser, achievement_id, _cohort(50))
    preview = browser.get(response.headers["location"])
    assert "50 rows: 50 ready, 0 with problems" in preview.text
    assert "Issue 50 credentials" in preview.text
    assert 'id="scope-statement"' in preview.text
    upload_id = response.headers["location"].rsplit("/", 1)[1]
    csrf = csrf_of(preview.text)
    first = browser.http.post(f"/console/cohorts/uploads/{upload_id}/confirm", data={"csrf_token": csrf})
    second = browser.http.post(f"/console/cohorts/uploads/{upload_id}/confirm", data={"csrf_token": csrf})
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert _count(app, BulkJob) == 1
    page = _wait_done(browser, first.headers["location"])
    assert "50 of 50 credentials issued." in page
    assert _count(app, IssuedCredential) == 50
    download = browser.get(first.headers["location"] + "/results.csv")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [int(row["row"]) for row in rows] == list(range(1, 51))
    assert rows[0]["email"] == "learner1@example.org"
    assert rows[0]["status"] == "valid"
    assert rows[0]["claimed"] == ""
    assert rows[0]["verification_url"].endswith(f"/credentials/{rows[0]['credential_id']}")
    # Each credential's history starts with its issue, in this cohort.
    credential = browser.get(f"/console/credentials/{rows[0]['credential_id']}").text
    assert f'<a href="{first.headers["location"]}">in a cohort</a>' in credential
    jobs = browser.get("/console/cohorts")
    assert first.headers["location"] in jobs.text
    # The preview of a confirmed upload sends to its job.
    again = browser.get(response.headers["location"])
    assert again.status_code == 303
    assert again.headers["location"] == first.headers["location"]


def test_the_template_downloads(app: FastAPI, client: TestClient) -> None:
    browser, _, _ = _setup(app, client)
    response = browser.get("/console/cohorts/template.csv")
    assert response.status_code == 200
    assert response.text.splitlines()[0] == "email,name,learner_id,result"


# --- keys ---------------------------------------------------------------------------------------------------


def test_an_issuer_cannot_open_or_change_keys(app: FastAPI, client: TestClient) -> None:
    browser, _, _ = _setup(app, client, "issuer")
    assert_page_problem(browser.get("/console/keys"), 403, "role-not-allowed")
    csrf = browser.csrf("/console/account")
    for path in ("/console/keys/api", "/console/keys/signing/rotate"):
        data = {"csrf_token": csrf, "key_type": "Ed25519"}
        assert_page_problem(browser.http.post(path, data=data), 403, "role-not-allowed")


def test_an_admin_creates_revokes_and_rotates_keys_audited(app: FastAPI, client: TestClient) -> None:
    browser, _, provider = _setup(app, client, "admin")
    keys = browser.get("/console/keys")
    assert keys.status_code == 200
    created = browser.submit("/console/keys", "/console/keys/api", label="Student records")
    assert created.status_code == 200
    secret = re.search(r'id="new-secret" type="text" readonly value="(sk_[^"]+)"', created.text)
    assert secret
    assert client.get("/api/v1/issuer", headers=auth(secret.group(1))).status_code == 200
    assert secret.group(1) not in browser.get("/console/keys").text  # shown once
    with services_of(app).get(Database).sessions() as session:
        key_id = session.scalar(select(ApiKey.id).where(ApiKey.label == "Student records"))
    confirm = browser.get(f"/console/keys/api/{key_id}/revoke")
    assert "cannot be undone" in confirm.text
    revoked = browser.http.post(
        f"/console/keys/api/{key_id}/revoke", data={"csrf_token": csrf_of(confirm.text)}
    )
    assert revoked.status_code == 303
    assert revoked.headers["location"] == "/console/keys?done=revoked"
    assert client.get("/api/v1/issuer", headers=auth(secret.group(1))).status_code == 401
    again = browser.http.post(
        f"/console/keys/api/{key_id}/revoke", data={"csrf_token": csrf_of(confirm.text)}
    )
    assert_page_problem(again, 409, "conflict")
    # Rotate: a credential issued before stays verifiable.
    achievement_id = create_achievement(client, provider["api_key"])
    issued = client.post(
        "/api/v1/credentials",
        json={"achievement_id": achievement_id, "recipient": {"email": "ada@example.org"}},
        headers=auth(provider["api_key"]),
    ).json()
    rotate = browser.get("/console/keys/signing/rotate?key_type=Ed25519")
    assert "Credentials already issued stay verifiable" in rotate.text
    rotated = browser.http.post(
        "/console/keys/signing/rotate", data={"csrf_token": csrf_of(rotate.text), "key_type": "Ed25519"}
    )
    assert rotated.status_code == 303
    with services_of(app).get(Database).sessions() as session:
        kinds = session.scalars(select(IssuerKey.retired_at).where(IssuerKey.key_type == "Ed25519")).all()
        actions = set(session.scalars(select(AuditEvent.action)))
    assert sorted(kind is None for kind in kinds) == [False, True]
    assert {"api_key.create", "api_key.revoke", "signing_key.rotate"} <= actions
    verified = client.post("/credentials/verify", json={"verifiableCredential": issued["credential"]})
    assert verified.status_code == 200, verified.text
    assert verified.json()["verified"] is True, verified.text
    assert_page_problem(browser.get("/console/keys/signing/rotate?key_type=nope"), 404, "not-found")


def test_another_providers_staff_cannot_see_an_upload_a_job_or_a_credential(
    app: FastAPI, client: TestClient
) -> None:
    owner, achievement_id, _ = _setup(app, client)
    response = _upload(owner, achievement_id, _cohort(2))
    upload_path = response.headers["location"]
    csrf = owner.csrf(upload_path)
    job_path = owner.http.post(f"{upload_path}/confirm", data={"csrf_token": csrf}).headers["location"]
    _wait_done(owner, job_path)
    credential_id = _results(owner, job_path)[0]["credential_id"]
    stranger_provider = create_provider(client, "Stranger College")
    stranger = provider_staff(app, client, stranger_provider["id"], "issuer@stranger.example", "issuer")
    for path in (upload_path, job_path, f"{job_path}/results.csv", f"/console/issue/issued/{credential_id}"):
        assert_page_problem(stranger.get(path), 404, "not-found")
    csrf = stranger.csrf("/console/cohorts")
    refused = stranger.http.post(f"{upload_path}/confirm", data={"csrf_token": csrf})
    assert_page_problem(refused, 404, "not-found")


def _results(browser: Browser, job_path: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(browser.get(f"{job_path}/results.csv").text)))
