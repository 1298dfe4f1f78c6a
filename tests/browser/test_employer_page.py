"""The employer's verification page in headless Chromium: the visible verdict for a valid, revoked,
expired, tampered and outside-the-scheme credential; the offline QR link handled by verify.js under the
site's CSP; keyboard use; no email address anywhere in the HTML."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.conftest import ADMIN_TOKEN
from tests.core.test_qr import decode
from tests.issuers.conftest import COURSE
from tests.verification.test_credential_page import FIRST_AID

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PERIOD = {"valid_from": "2025-09-01T00:00:00Z", "valid_until": "2027-08-31T23:59:59Z"}


@pytest.fixture
def api(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30) as client:
        yield client


def provider(api: httpx.Client, name: str, scope: dict[str, Any] | None) -> dict[str, Any]:
    operator = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    created = api.post(
        "/api/v1/admin/issuers", json={"name": name, "url": "https://college.example.ac.uk"}, headers=operator
    )
    assert created.status_code == 201, created.text
    data: dict[str, Any] = created.json()
    if scope is not None:
        accredited = api.post(
            "/api/v1/admin/accreditations",
            json={**PERIOD, "provider_id": data["id"], "scope": scope},
            headers=operator,
        )
        assert accredited.status_code == 201, accredited.text
    return data


def issue(
    api: httpx.Client, issuer: dict[str, Any], achievement: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    key = {"Authorization": f"Bearer {issuer['api_key']}"}
    created = api.post("/api/v1/achievements", json=achievement, headers=key)
    assert created.status_code == 201, created.text
    body = {
        "achievement_id": created.json()["id"],
        "recipient": {"email": "sam@example.com", "name": "Sam Jones"},
    }
    issued = api.post("/api/v1/credentials", json={**body, **extra}, headers=key)
    assert issued.status_code == 201, issued.text
    result: dict[str, Any] = issued.json()
    return result


@pytest.fixture
def college(api: httpx.Client) -> dict[str, Any]:
    return provider(api, "Midlands College", {"kinds": ["course"]})


def visible_verdict(page: Page) -> str:
    heading = page.locator(".verdict h2")
    expect(heading).to_be_visible()
    text: str = heading.inner_text()
    html = page.content()
    assert not EMAIL.search(html), "an email address is in the page"
    return text


def test_a_valid_credential(live_server: str, page: Page, api: httpx.Client, college: dict[str, Any]) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    issued = issue(api, college, COURSE)
    scanned = decode(api.get(issued["qr_png_url"]).content).text  # what a phone camera reads
    assert scanned == issued["verification_url"]
    page.goto(scanned)
    assert visible_verdict(page) == "Valid"
    facts = page.locator(".facts").inner_text()
    for fact in ("Sam Jones", "Heat Pump Installation (Level 3)", "Midlands College", "Not revoked"):
        assert fact in facts
    assert "Accredited" in facts
    # The QR image loads from the site and is labelled.
    qr = page.get_by_role("img", name="QR code linking to this page")
    expect(qr).to_be_visible()
    assert page.evaluate("document.querySelector('.qr img').naturalWidth") > 0
    assert errors == []
    assert_accessible(page)


def test_a_revoked_credential(page: Page, api: httpx.Client, college: dict[str, Any]) -> None:
    issued = issue(api, college, COURSE)
    revoked = api.post(
        f"/api/v1/credentials/{issued['id']}/revoke",
        json={"reason": "issued in error"},
        headers={"Authorization": f"Bearer {college['api_key']}"},
    )
    assert revoked.status_code == 200, revoked.text
    page.goto(issued["verification_url"])
    assert visible_verdict(page) == "Revoked"
    assert_accessible(page)


def test_an_expired_credential(page: Page, api: httpx.Client, college: dict[str, Any]) -> None:
    issued = issue(
        api, college, COURSE, valid_from="2025-01-01T00:00:00Z", valid_until="2025-06-30T00:00:00Z"
    )
    page.goto(issued["verification_url"])
    assert visible_verdict(page) == "Expired"
    assert_accessible(page)


def test_an_unaccredited_providers_credential(page: Page, api: httpx.Client) -> None:
    outsider = provider(api, "Unlisted Training Ltd", None)
    issued = issue(api, outsider, COURSE)
    page.goto(issued["verification_url"])
    assert visible_verdict(page) == "Genuine, but outside the quality-assurance scheme"
    assert "Outside the quality-assurance scheme" in page.locator(".facts").inner_text()
    assert_accessible(page)


def test_a_tampered_credential_pasted_into_the_form_by_keyboard(
    live_server: str, page: Page, api: httpx.Client, college: dict[str, Any]
) -> None:
    issued = issue(api, college, COURSE)
    tampered = issued["credential"]
    tampered["credentialSubject"]["achievement"]["name"] = "Nuclear Reactor Design (Level 8)"
    page.goto(live_server + "/")
    page.get_by_role("link", name="Check a credential").first.click()
    page.get_by_label("Credential text").fill(json.dumps(tampered))
    page.get_by_label("Credential text").focus()
    page.keyboard.press("Tab")  # to the file input
    page.keyboard.press("Tab")  # to the Check button
    assert page.evaluate("document.activeElement.textContent") == "Check"
    page.keyboard.press("Enter")
    assert visible_verdict(page) == "Not valid"
    assert "Nuclear Reactor Design" not in page.locator(".facts").inner_text()
    assert_accessible(page)


def test_bad_input_is_explained_on_the_page(live_server: str, page: Page) -> None:
    page.goto(live_server + "/verify")
    page.get_by_label("Or a file").set_input_files(
        {"name": "badge.png", "mimeType": "image/png", "buffer": b"GIF89a this is not a PNG"}
    )
    page.get_by_role("button", name="Check").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("named like a PNG image")
    assert_accessible(page)


def test_the_offline_qr_link_is_verified_by_the_page_script(
    live_server: str, page: Page, api: httpx.Client, college: dict[str, Any]
) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    issued = issue(api, college, FIRST_AID, format="jwt")
    assert issued["offline_qr_url"] is not None
    page.goto(f"{live_server}/verify#vc={issued['credential']}")
    page.wait_for_url(f"{live_server}/verify")  # submitted as a POST; the fragment is gone
    assert visible_verdict(page) == "Valid"
    assert "#vc=" not in page.url
    assert errors == []
