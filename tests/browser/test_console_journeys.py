"""The whole of a provider's job in the console, in one real browser session, as issue 13 tells it: an
administrator accepts the invitation, creates an achievement and designs its badge, uploads a 50-row
cohort (previewed, confirmed, followed to the end), finds one learner by email and revokes their
credential; an employer then opens that credential's verification page and reads that it is revoked.

Each section's own tests (tests/browser/test_console_*_browser.py, test_operator_console_journey.py)
cover its errors and keyboard-only use; this one checks that the sections join up. axe runs on every page
at 390 and 1280 px (screenshots in $PASSPORT_SHOTS when set)."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.browser.test_staff_journey import PASSWORD, check, emailed_link
from tests.conftest import ADMIN_TOKEN

OPERATOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
ACHIEVEMENT = "Retrofit Coordination (Level 4)"
LEARNER = "learner17@example.org"
REASON = "Assessment record was entered for the wrong learner."


def cohort_csv(rows: int) -> bytes:
    lines = ["email,name,learner_id,result"]
    lines += [f"learner{n}@example.org,Learner {n},L{n:04d},Pass" for n in range(1, rows + 1)]
    return ("\n".join(lines) + "\n").encode()


def test_a_providers_whole_job_in_the_console(live_server: str, page: Page) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as api:
        provider = api.post(
            "/api/v1/admin/issuers",
            json={"name": "Midlands College", "url": "https://college.example.ac.uk"},
            headers=OPERATOR,
        )
        assert provider.status_code == 201, provider.text
        invited = api.post(
            f"/api/v1/admin/issuers/{provider.json()['id']}/staff",
            json={"email": "ada@college.example", "name": "Ada Admin", "role": "admin"},
            headers=OPERATOR,
        )
        assert invited.status_code == 201, invited.text

    # Invited: the emailed link, a password, the console.
    page.goto(emailed_link(live_server, "ada@college.example", "/console/invitations/"))
    page.fill("#password", PASSWORD)
    page.fill("#password_confirmation", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/console?done=welcome")
    check(page, "journey-home-empty")

    # An achievement, and its badge designed in the browser.
    page.click("nav.sections >> text=Achievements")
    page.click("text=New achievement")
    page.check("#kind")  # a course
    page.fill("#name", ACHIEVEMENT)
    page.fill("#description", "Coordinate whole-house retrofit projects to PAS 2035.")
    page.fill("#level", "RQF 4")
    page.fill("#criteria_narrative", "Portfolio of two coordinated retrofit projects, assessed.")
    page.click("text=Create achievement")
    page.wait_for_url(re.compile(r".*/console/achievements/[A-Za-z0-9_-]+\?done=created$"))
    achievement_page = page.url.split("?")[0]
    page.click("text=Change the badge image")
    page.check("#shape-shield")
    page.check("#colours-navy")
    page.click("button[value=preview]")
    assert page.text_content(".designed-badge svg title") == ACHIEVEMENT
    check(page, "journey-badge-designer")
    page.click("button[value=use]")
    page.wait_for_url(f"{achievement_page}?done=image")
    assert page.locator(".badge-image img").is_visible()

    # A 50-row cohort: every row checked, confirmed, followed to the end.
    page.click("nav.sections >> text=Cohorts")
    page.select_option("#achievement_id", label=ACHIEVEMENT)
    page.set_input_files("#file", {"name": "cohort.csv", "mimeType": "text/csv", "buffer": cohort_csv(50)})
    page.click("text=Check the file")
    page.wait_for_url(re.compile(r".*/console/cohorts/uploads/\w+$"))
    assert "50 rows: 50 ready, 0 with problems" in page.inner_text("main")
    check(page, "journey-cohort-preview")
    page.click("text=Issue 50 credentials")
    expect(page.locator("#job-status")).to_contain_text("50 of 50", timeout=90_000)
    check(page, "journey-cohort-done")

    # One learner found by email; their credential revoked with a reason.
    page.click("nav.sections >> text=Credentials")
    page.fill("#email", LEARNER)
    page.click("form[role=search] button[type=submit]")
    rows = page.locator("table.stack tbody tr")
    expect(rows).to_have_count(1)
    assert ACHIEVEMENT in rows.first.inner_text()
    rows.first.locator("a").first.click()
    page.wait_for_selector("text=What was issued")
    page.fill("#revoke-reason", REASON)
    page.click("button.danger")
    page.click("text=Yes, revoke it")
    page.wait_for_url("**?done=revoked")
    assert f"Reason: {REASON}" in page.inner_text(".history")
    check(page, "journey-revoked")
    verification = page.get_attribute("a:has-text('Public verification page')", "href")
    assert verification

    # What an employer then reads.
    page.goto(verification if verification.startswith("http") else live_server + verification)
    assert page.get_attribute("[data-verdict]", "data-verdict") == "revoked"
    check(page, "journey-employer-revoked")

    # The figures count it all.
    page.goto(f"{live_server}/console")
    figures = page.inner_text("main")
    assert ACHIEVEMENT in figures
    check(page, "journey-home")
