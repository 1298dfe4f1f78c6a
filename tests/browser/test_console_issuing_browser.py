"""The console's issuing sections in a real browser: an issuer issues to one person (the scope statement
shown before confirming), uploads a 50-row cohort, reads its preview, confirms, watches the progress and
downloads the results CSV; a cohort with bad rows shows them first; the same single issue with the
keyboard only; an administrator creates, revokes and rotates keys. Every page passes axe at phone and
desktop widths (screenshots in $PASSPORT_SHOTS when set, e.g. /tmp/shots/issuecon)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.browser.test_staff_journey import PASSWORD, check, emailed_link, tab_to
from tests.conftest import ADMIN_TOKEN

OPERATOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _provider_with_staff(live_server: str, page: Page, role: str) -> dict[str, Any]:
    """A provider with an achievement, and one staff member of `role` signed in in `page`."""
    email = f"{role}@college.example"
    with httpx.Client(base_url=live_server, timeout=30) as api:
        provider = api.post(
            "/api/v1/admin/issuers",
            json={"name": "Midlands College", "url": "https://college.example.ac.uk"},
            headers=OPERATOR,
        ).json()
        achievement = api.post(
            "/api/v1/achievements",
            json={
                "kind": "course",
                "name": "Heat Pump Installation (Level 3)",
                "description": "Install and commission heat pumps.",
                "criteria_narrative": "Assessed installation and written test.",
                "level": "RQF 3",
            },
            headers={"Authorization": f"Bearer {provider['api_key']}"},
        )
        assert achievement.status_code == 201, achievement.text
        provider["achievement_id"] = achievement.json()["id"]
        invited = api.post(
            f"/api/v1/admin/issuers/{provider['id']}/staff",
            json={"email": email, "name": role.title(), "role": role},
            headers=OPERATOR,
        )
        assert invited.status_code == 201, invited.text
    page.goto(emailed_link(live_server, email, "/console/invitations/"))
    page.fill("#password", PASSWORD)
    page.fill("#password_confirmation", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/console?done=welcome")
    return provider


def _cohort(rows: int, bad: dict[int, str] | None = None) -> bytes:
    lines = ["email,name,learner_id,result"]
    for number in range(1, rows + 1):
        lines.append(
            f"{(bad or {}).get(number, f'learner{number}@example.org')},Learner {number},L{number:04d},Pass"
        )
    return ("\n".join(lines) + "\n").encode()


def test_an_issuer_issues_one_and_a_cohort(live_server: str, page: Page) -> None:
    provider = _provider_with_staff(live_server, page, "issuer")
    page.click("nav.sections >> text=Issue")
    page.wait_for_url(f"{live_server}/console/issue")
    check(page, "issue-form")
    page.select_option("#achievement_id", provider["achievement_id"])
    page.fill("#email", "ada@example.org")
    page.fill("#name", "Ada Lovelace")
    page.fill("#result", "Merit")
    page.fill("#valid_until", "2029-12-31")
    page.click("text=Continue")
    page.wait_for_url(f"{live_server}/console/issue/check")
    statement = page.inner_text("#scope-statement")
    assert "inside your accreditation scope" in statement
    check(page, "issue-confirm")
    page.click("#issue-button")
    page.wait_for_url(re.compile(r".*/console/issue/issued/\w+$"))
    assert "Credential issued" in page.inner_text("h1")
    check(page, "issue-done")
    with page.expect_navigation():
        page.click("text=Open the credential's verification page")
    assert "/credentials/" in page.url

    # A file that is no cohort: refused on the form.
    page.goto(f"{live_server}/console/cohorts")
    check(page, "cohorts")
    page.set_input_files("#file", {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"})
    page.click("text=Check the file")
    assert "Choose a CSV file" in page.inner_text("#upload-error")
    check(page, "cohorts-error")

    # A cohort with bad rows: shown first, nothing to confirm.
    page.goto(f"{live_server}/console/cohorts")
    page.set_input_files(
        "#file", {"name": "bad.csv", "mimeType": "text/csv", "buffer": _cohort(50, {31: "not-an-address"})}
    )
    page.click("text=Check the file")
    page.wait_for_url(re.compile(r".*/console/cohorts/uploads/\w+$"))
    assert "1 row has a problem" in page.inner_text("#row-problems")
    assert page.inner_text("tbody tr >> nth=0").startswith("31")
    assert page.locator("text=Issue 50 credentials").count() == 0
    check(page, "cohort-preview-errors")

    # A good cohort: previewed, confirmed, its progress followed, its results downloaded.
    page.goto(f"{live_server}/console/cohorts")
    page.set_input_files("#file", {"name": "cohort.csv", "mimeType": "text/csv", "buffer": _cohort(50)})
    page.click("text=Check the file")
    page.wait_for_url(re.compile(r".*/console/cohorts/uploads/\w+$"))
    assert "50 rows: 50 ready, 0 with problems" in page.inner_text("main")
    assert page.locator("#scope-statement").is_visible()
    check(page, "cohort-preview")
    page.click("text=Issue 50 credentials")
    page.wait_for_url(re.compile(r".*/console/cohorts/jobs/\w+$"))
    assert page.locator("#job-status[role=status]").is_visible()
    # The page follows the job without reloading (live-page.js) and, once done, shows its results.
    expect(page.locator("#job-status")).to_contain_text("50 of 50", timeout=60_000)
    expect(page.locator("#results-heading")).to_be_visible()
    assert page.locator("[data-live]").count() == 0
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    check(page, "cohort-job")
    with page.expect_download() as download_info:
        page.click("text=Download the results (CSV)")
    path = download_info.value.path()
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) == 50
    assert rows[0]["email"] == "learner1@example.org"
    assert all(row["credential_id"] and row["status"] == "valid" for row in rows)
    page.goto(f"{live_server}/console/cohorts")
    assert "50 of 50" in page.inner_text("table")
    check(page, "cohorts-with-job")


def test_issuing_one_with_the_keyboard_only(live_server: str, page: Page) -> None:
    _provider_with_staff(live_server, page, "issuer")
    page.goto(f"{live_server}/console/issue")
    tab_to(page, "email")
    page.keyboard.press("Enter")  # nothing chosen: the form again, with its errors
    page.wait_for_url(f"{live_server}/console/issue/check")
    assert "Choose an achievement." in page.inner_text(".verdict.bad")
    check(page, "issue-form-errors")
    tab_to(page, "achievement_id")
    page.keyboard.press("ArrowDown")  # the first achievement
    page.keyboard.press("Tab")
    page.keyboard.type("grace@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("Grace Hopper")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server}/console/issue/check"
    assert page.locator("#scope-statement").is_visible()
    tab_to(page, "issue-button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/console/issue/issued/\w+$"))
    assert "grace@example.org" in page.inner_text("main")


def test_an_administrator_manages_keys(live_server: str, page: Page) -> None:
    _provider_with_staff(live_server, page, "admin")
    page.click("nav.sections >> text=Keys")
    page.wait_for_url(f"{live_server}/console/keys")
    check(page, "keys")
    page.fill("#label", "Student records")
    page.click("text=Create an API key")
    secret = page.input_value("#new-secret")
    assert secret.startswith("sk_")
    check(page, "keys-created")
    page.click("text=Revoke >> nth=1")
    check(page, "key-revoke")
    page.click("text=Revoke the key")
    page.wait_for_url(f"{live_server}/console/keys?done=revoked")
    with httpx.Client(base_url=live_server, timeout=30) as api:
        assert api.get("/api/v1/issuer", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    page.click("text=Rotate the Ed25519 key")
    assert "stay verifiable" in page.inner_text("main")
    check(page, "key-rotate")
    page.click("text=Rotate the key")
    page.wait_for_url(f"{live_server}/console/keys?done=rotated")
    assert "still published" in page.inner_text("table >> nth=1")
