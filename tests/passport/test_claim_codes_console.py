"""The console's claim codes section (``/console/claim-codes``): issuers open a code, see its QR code and
short link and the claims so far, and close it early; viewers may not, and another provider's code is not
found."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.issuers.staff.conftest import provider_staff
from tests.passport.conftest import BASE_URL, Clock, assert_page_problem, create_achievement, create_provider


def test_an_issuer_opens_a_code_sees_it_and_closes_it(app: FastAPI, client: TestClient, clock: Clock) -> None:
    provider = create_provider(client)
    achievement = create_achievement(client, provider["api_key"])
    issuer = provider_staff(app, client, provider["id"], "ivy@college.example", "issuer")
    listed = issuer.get("/console/claim-codes")
    assert listed.status_code == 200
    assert "No claim codes yet." in listed.text
    opened = issuer.submit(
        "/console/claim-codes",
        "/console/claim-codes",
        achievement_id=achievement,
        event_name="Heat pump open day",
        opens_at="2026-11-24T08:00",
        closes_at="2026-11-24T17:00",
        capacity="40",
    )
    assert opened.status_code == 303, opened.text
    detail_path = opened.headers["location"].split("?")[0]
    detail = issuer.get(opened.headers["location"])
    assert detail.status_code == 200
    code = re.search(r"<code>([2-9A-Z]{10})</code>", detail.text)
    assert code is not None
    assert f"{BASE_URL}/c/{code.group(1)}" in detail.text
    assert f'src="/c/{code.group(1)}/qr.svg"' in detail.text
    assert "0 of 40 places" in detail.text
    assert detail.text.count("Claim code opened.") == 1
    assert "Heat pump open day" in issuer.get("/console/claim-codes").text
    closed = issuer.submit(detail_path, f"{detail_path}/close")
    assert closed.status_code == 303
    assert "Nobody more can claim through it." in issuer.get(closed.headers["location"]).text


def test_a_bad_form_is_shown_again_with_its_values(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    achievement = create_achievement(client, provider["api_key"])
    issuer = provider_staff(app, client, provider["id"], "ivy@college.example", "issuer")
    again = issuer.submit(
        "/console/claim-codes",
        "/console/claim-codes",
        achievement_id=achievement,
        event_name="Backwards day",
        opens_at="2026-11-24T17:00",
        closes_at="2026-11-24T08:00",
        capacity="many",
    )
    assert again.status_code == 422
    assert "Enter a whole number" in again.text
    assert 'value="Backwards day"' in again.text


def test_viewers_may_not_and_another_providers_code_is_not_found(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    achievement = create_achievement(client, provider["api_key"])
    issuer = provider_staff(app, client, provider["id"], "ivy@college.example", "issuer")
    opened = issuer.submit(
        "/console/claim-codes",
        "/console/claim-codes",
        achievement_id=achievement,
        event_name="Open day",
        opens_at="2026-11-24T08:00",
        closes_at="2026-11-24T17:00",
        capacity="",
    )
    detail_path = opened.headers["location"].split("?")[0]
    viewer = provider_staff(app, client, provider["id"], "vic@college.example", "viewer")
    assert_page_problem(viewer.get("/console/claim-codes"), 403, "role-not-allowed")
    assert_page_problem(viewer.get(detail_path), 403, "role-not-allowed")
    other = create_provider(client, "Northern Training")
    stranger = provider_staff(app, client, other["id"], "sol@northern.example", "admin")
    assert_page_problem(stranger.get(detail_path), 404, "claim-code-not-found")
    token = re.search(r'name="csrf_token" value="([^"]+)"', stranger.get("/console/claim-codes").text)
    assert token is not None
    refused = stranger.http.post(f"{detail_path}/close", data={"csrf_token": token.group(1)})
    assert_page_problem(refused, 404, "claim-code-not-found")
    signed_out = TestClient(app, base_url=BASE_URL, follow_redirects=False).get("/console/claim-codes")
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/console/sign-in")
