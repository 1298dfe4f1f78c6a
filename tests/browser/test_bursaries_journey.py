"""The operator's bursaries in a real browser: an operator administrator records an educator's visit
(WorldSkills national final abroad) and its dissemination, sees the fund's requirement refuse an early
credential, issues it, and the employer's page shows the evidence and the host as named, not signed.
Every page passes axe at phone and desktop widths (screenshots in PASSPORT_SHOTS when set)."""

from __future__ import annotations

import json

import httpx
from playwright.sync_api import Page

from tests.browser.test_staff_journey import OPERATOR, PASSWORD, emailed_link
from tests.browser.test_staff_journey import check as check_both_widths
from tests.network.bursaries_helpers import Host

FUND = {
    "name": "International Skills Exchange Fund 2026",
    "funder": "Midlands Skills Foundation",
    "amount": {"amount": 6000000, "currency": "GBP"},
    "criteria": "Afterwards, write a short report and deliver a session to colleagues.",
    "requires_report": True,
    "requires_session": True,
}


def check(page: Page, name: str) -> None:
    """axe at 390 and 1280 px (and screenshots), and nothing wider than a phone at 390 px: long DIDs and
    URLs wrap."""
    check_both_widths(page, name)
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    page.set_viewport_size({"width": 1280, "height": 900})


def test_operator_records_a_visit_and_issues_its_credential(live_server: str, page: Page) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as api:
        provider = api.post(
            "/api/v1/admin/issuers",
            json={"name": "Midlands College", "url": "https://college.example.ac.uk"},
            headers=OPERATOR,
        ).json()
        fund = api.post("/api/v1/bursaries/funds", json=FUND, headers=OPERATOR).json()
        award = api.post(
            f"/api/v1/bursaries/funds/{fund['id']}/awards",
            json={
                "educator_name": "Ada Lovelace",
                "educator_email": "ada@college.example",
                "provider_id": provider["id"],
                "amount": 180000,
            },
            headers=OPERATOR,
        ).json()
        assert api.post(f"/api/v1/bursaries/awards/{award['id']}/accept", headers=OPERATOR).status_code == 200
        invited = api.post(
            "/api/v1/admin/staff",
            json={"email": "olu@network.example", "name": "Olu Operator", "role": "operator_admin"},
            headers=OPERATOR,
        )
        assert invited.status_code == 201, invited.text
    page.goto(emailed_link(live_server, "olu@network.example", "/operator/invitations/"))
    page.fill("#password", PASSWORD)
    page.fill("#password_confirmation", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/operator?done=welcome")

    page.click("nav.sections >> text=Bursaries")
    page.wait_for_url(f"{live_server}/operator/bursaries")
    check(page, "bursaries-funds")
    page.click(f"text={FUND['name']}")
    check(page, "bursaries-fund")
    page.click("text=Ada Lovelace")
    award_url = f"{live_server}/operator/bursaries/awards/{award['id']}"
    page.wait_for_url(award_url)

    page.fill("#host_name", "Berufsbildungszentrum Bau Stuttgart")
    page.fill("#country", "Germany")
    page.fill("#start", "2026-09-14")
    page.fill("#end", "2026-09-19")
    page.fill("#focus", "WorldSkills national final abroad")
    page.get_by_role("button", name="Save the visit").click()
    page.wait_for_url(f"{award_url}?done=visit")
    page.fill("#report_summary", "How German training centres prepare competitors.")
    page.get_by_role("button", name="Save the dissemination").click()
    page.wait_for_url(f"{award_url}?done=dissemination")
    page.get_by_role("button", name="Issue the credential").click()
    assert "still missing: a session delivered to peers" in page.text_content("main")  # type: ignore[operator]
    check(page, "bursaries-award-refused")
    page.fill("#session_title", "Competition-standard practice in the workshop")
    page.fill("#session_date", "2026-10-07")
    page.fill("#session_audience", "23")
    page.get_by_role("button", name="Save the dissemination").click()
    page.wait_for_url(f"{award_url}?done=dissemination")
    page.get_by_role("button", name="Issue the credential").click()
    page.wait_for_url(f"{award_url}?done=issue")
    assert page.get_attribute("[data-state]", "data-state") == "credential_issued"
    check(page, "bursaries-award-issued")

    page.click("text=Its public verification page")
    page.wait_for_url(f"{live_server}/exchange-visits/{award['id']}")
    assert page.get_attribute("[data-verdict]", "data-verdict") == "valid"
    assert page.get_attribute("[data-endorsement]", "data-endorsement") == "named"
    main = page.text_content("main") or ""
    assert "Berufsbildungszentrum Bau Stuttgart: named by" in main
    assert "Competition-standard practice in the workshop" in main
    assert "Endorsed by" not in main
    check(page, "bursaries-employer")
    page.goto(f"{live_server}/exchange-visits/{award['id']}?lang=cy")
    check(page, "bursaries-employer-cy")


def test_operator_pastes_the_hosts_signed_endorsement(live_server: str, page: Page) -> None:
    host = Host("Skills Centre Lyon")
    with httpx.Client(base_url=live_server, timeout=30) as api:
        provider = api.post(
            "/api/v1/admin/issuers",
            json={"name": "Midlands College", "url": "https://college.example.ac.uk"},
            headers=OPERATOR,
        ).json()
        fund = api.post(
            "/api/v1/bursaries/funds", json={**FUND, "requires_session": False}, headers=OPERATOR
        ).json()
        award = api.post(
            f"/api/v1/bursaries/funds/{fund['id']}/awards",
            json={
                "educator_name": "Bo Builder",
                "educator_email": "bo@college.example",
                "provider_id": provider["id"],
                "amount": 120000,
            },
            headers=OPERATOR,
        ).json()
        for action, body in (
            ("accept", None),
            (
                "visit",
                {
                    "host_name": host.name,
                    "host_did": host.did,
                    "country": "France",
                    "start": "2026-09-01",
                    "end": "2026-09-05",
                    "focus": "WorldSkills national final abroad",
                },
            ),
            ("dissemination", {"report_summary": "Notes from Lyon."}),
        ):
            done = api.post(f"/api/v1/bursaries/awards/{award['id']}/{action}", json=body, headers=OPERATOR)
            assert done.status_code == 200, done.text
        api.post(
            "/api/v1/admin/staff",
            json={"email": "olu@network.example", "name": "Olu Operator", "role": "operator_admin"},
            headers=OPERATOR,
        )
    page.goto(emailed_link(live_server, "olu@network.example", "/operator/invitations/"))
    page.fill("#password", PASSWORD)
    page.fill("#password_confirmation", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/operator?done=welcome")
    award_url = f"{live_server}/operator/bursaries/awards/{award['id']}"
    page.goto(award_url)
    page.fill("#endorsement", json.dumps(host.endorse(award["credential_id"])))
    page.get_by_role("button", name="Check and accept").click()
    page.wait_for_url(f"{award_url}?done=host-endorsement")
    assert page.get_attribute("[data-host]", "data-host") == "signed"
    check(page, "bursaries-award-host-signed")
    page.get_by_role("button", name="Issue the credential").click()
    page.wait_for_url(f"{award_url}?done=issue")
    page.goto(f"{live_server}/exchange-visits/{award['id']}")
    assert page.get_attribute("[data-endorsement]", "data-endorsement") == "signed"
    assert "Endorsed by Skills Centre Lyon" in (page.text_content("main") or "")
    check(page, "bursaries-employer-signed")
    # Revoking: a reason, then a confirmation; the employer's page then says revoked.
    page.goto(award_url)
    page.fill("#reason", "The visit did not take place as recorded.")
    page.get_by_role("button", name="Revoke the credential").click()
    page.wait_for_selector("#revoke-confirm")
    check(page, "bursaries-award-revoke-confirm")
    page.get_by_role("button", name="Yes, revoke it").click()
    page.wait_for_url(f"{award_url}?done=revoke")
    assert page.get_attribute("[data-revoked]", "data-revoked") == "yes"
    check(page, "bursaries-award-revoked")
    page.goto(f"{live_server}/exchange-visits/{award['id']}")
    assert page.get_attribute("[data-verdict]", "data-verdict") == "revoked"
