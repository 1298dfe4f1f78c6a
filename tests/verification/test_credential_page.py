"""The employer's pages through the app: each issued credential's live verification page (valid, revoked,
expired, outside the scheme), its QR codes decoded by a real reader and followed, the provider API's links,
content negotiation, and the public check form with good and bad input."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from core.i18n import format_date
from issuers.badges import badge_png
from tests.core.test_qr import decode
from tests.issuers.conftest import BASE_URL, create_achievement, create_provider
from tests.issuers.test_api import assert_problem, issue
from tests.network.test_trust_registry import COURSES, accredit
from vc.baking import bake

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
#: Small enough that its VC-JWT fits in an offline QR code (a typical course's does not).
FIRST_AID = {
    "kind": "course",
    "name": "First Aid",
    "description": "Emergency first aid.",
    "criteria_narrative": "Assessed.",
}


def verdict(html: str) -> str:
    found = re.search(r'data-verdict="([a-z_]+)"', html)
    assert found is not None, html
    return found.group(1)


def path_of(url: str) -> str:
    assert url.startswith(BASE_URL + "/"), url
    return urlsplit(url).path


@pytest.fixture
def provider(client: TestClient) -> dict[str, Any]:
    created = create_provider(client, "Midlands College")
    accredit(client, provider_id=created["id"], scope=COURSES)
    return created


@pytest.fixture
def achievement(client: TestClient, provider: dict[str, Any]) -> str:
    return create_achievement(client, provider["api_key"])


def page(client: TestClient, url: str) -> str:
    response = client.get(path_of(url), headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert not EMAIL.search(response.text), "an email address is on the page"
    return response.text


def test_a_valid_credential_page_says_who_was_awarded_what_by_whom(
    client: TestClient, provider: dict[str, Any], achievement: str
) -> None:
    issued = issue(client, provider["api_key"], achievement)
    assert issued["verification_url"] == f"{BASE_URL}/credentials/{issued['id']}"
    assert issued["credential"]["id"] == issued["verification_url"]
    html = page(client, issued["verification_url"])
    assert verdict(html) == "valid"
    assert "Sam" in html
    assert "Heat Pump Installation (Level 3)" in html
    assert "Midlands College" in html
    assert "Accredited" in html
    # No hashed identifier either: the salted email hash stays in the credential.
    identifier = issued["credential"]["credentialSubject"]["identifier"][0]["identityHash"]
    assert identifier not in html
    assert "sha256$" not in html


@pytest.mark.parametrize("image_format", ["png", "svg"])
def test_the_qr_code_decodes_to_the_verification_url_and_leads_to_the_page(
    client: TestClient, provider: dict[str, Any], achievement: str, image_format: str
) -> None:
    issued = issue(client, provider["api_key"], achievement)
    response = client.get(path_of(issued[f"qr_{image_format}_url"]))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(f"image/{image_format}")
    result = decode(response.content)
    assert result.text == issued["verification_url"]
    assert result.ec_level in ("Q", "H")
    assert verdict(page(client, result.text)) == "valid"


def test_a_revoked_credential_page_says_revoked(
    client: TestClient, provider: dict[str, Any], achievement: str
) -> None:
    issued = issue(client, provider["api_key"], achievement)
    revoked = client.post(
        f"/api/v1/credentials/{issued['id']}/revoke",
        json={"reason": "issued in error"},
        headers={"Authorization": f"Bearer {provider['api_key']}"},
    )
    assert revoked.status_code == 200, revoked.text
    html = page(client, issued["verification_url"])
    assert verdict(html) == "revoked"
    # The date is the provider's record of the revocation, in words.
    day = format_date(datetime.fromisoformat(revoked.json()["revoked_at"]))
    assert f"<dt>Revocation</dt><dd>Revoked on {day}</dd>" in html
    assert f"The issuer revoked it on {day}" in html


def test_an_expired_credential_page_says_expired(
    client: TestClient, provider: dict[str, Any], achievement: str
) -> None:
    issued = issue(
        client,
        provider["api_key"],
        achievement,
        valid_from="2025-10-01T00:00:00Z",
        valid_until="2025-12-31T00:00:00Z",
    )
    html = page(client, issued["verification_url"])
    assert verdict(html) == "expired"
    assert "31 December 2025" in html


def test_an_unaccredited_providers_credential_is_outside_the_scheme(client: TestClient) -> None:
    outsider = create_provider(client, "Unlisted Training Ltd")
    issued = issue(client, outsider["api_key"], create_achievement(client, outsider["api_key"]))
    html = page(client, issued["verification_url"])
    assert verdict(html) == "outside_scheme"
    assert "Unlisted Training Ltd" in html  # from the provider record, never from the credential


def test_a_pasted_credential_of_an_unaccredited_provider_names_it_from_its_record(client: TestClient) -> None:
    outsider = create_provider(client, "Unlisted Training Ltd")
    issued = issue(client, outsider["api_key"], create_achievement(client, outsider["api_key"]))
    response = client.post("/verify", data={"credential": json.dumps(issued["credential"])})
    assert verdict(response.text) == "outside_scheme"
    assert "Unlisted Training Ltd" in response.text


def test_the_issuer_name_on_the_page_is_never_the_credentials(
    client: TestClient, provider: dict[str, Any], achievement: str
) -> None:
    issued = issue(client, provider["api_key"], achievement)
    forged = copy.deepcopy(issued["credential"])
    forged["issuer"]["name"] = "Oxford University"
    response = client.post("/verify", data={"credential": json.dumps(forged)})
    assert response.status_code == 200
    assert verdict(response.text) == "not_valid"
    assert "Oxford University" not in response.text


def test_an_unknown_credential_id_is_a_404_page(client: TestClient) -> None:
    response = client.get("/credentials/0123456789abcdef0123456789abcdef", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert_problem(client.get("/credentials/0123456789abcdef0123456789abcdef/qr.png"), 404, "not-found")


def test_json_clients_get_the_report_and_never_the_credential(
    client: TestClient, provider: dict[str, Any], achievement: str
) -> None:
    issued = issue(client, provider["api_key"], achievement)
    path = path_of(issued["verification_url"])
    report = client.get(path, headers={"Accept": "application/json"})
    assert report.status_code == 200
    assert report.json()["verified"] is True
    assert report.json()["trust"] == "accredited"
    assert "proofValue" not in report.text
    assert "credentialSubject" not in report.text
    assert_problem(client.get(path, headers={"Accept": "application/vc+ld+json"}), 406, "not-acceptable")


def small_jwt(client: TestClient) -> dict[str, Any]:
    """A VC-JWT from a provider accredited for any course, small enough for an offline QR code."""
    provider = create_provider(client, "Midlands College")
    accredit(client, provider_id=provider["id"], scope={"kinds": ["course"]})
    small = create_achievement(client, provider["api_key"], FIRST_AID)
    return issue(client, provider["api_key"], small, format="jwt")


def test_the_offline_qr_code_carries_the_jwt_in_a_link_to_the_check_page(client: TestClient) -> None:
    issued = small_jwt(client)
    assert issued["offline_qr_url"] == issued["verification_url"] + "/offline-qr.png"
    response = client.get(path_of(issued["offline_qr_url"]))
    assert response.status_code == 200, response.text
    scanned = decode(response.content).text
    assert scanned == f"{BASE_URL}/verify#vc={issued['credential']}"
    # What verify.js does with the fragment: post it to the form.
    token = scanned.partition("#vc=")[2]
    answer = client.post("/verify", data={"credential": token})
    assert verdict(answer.text) == "valid"


@pytest.mark.parametrize("credential_format", ["ldp", "jwt"])
def test_no_offline_qr_code_for_a_json_credential_or_a_jwt_too_large(
    client: TestClient, provider: dict[str, Any], achievement: str, credential_format: str
) -> None:
    issued = issue(client, provider["api_key"], achievement, format=credential_format)
    assert issued["offline_qr_url"] is None
    offline = client.get(path_of(issued["verification_url"]) + "/offline-qr.png")
    assert_problem(offline, 409, "offline-qr-unavailable")
    assert ("VC-JWT" if credential_format == "ldp" else "bytes") in offline.json()["detail"]


def test_the_check_form_takes_a_pasted_credential_and_a_baked_badge(
    client: TestClient, provider: dict[str, Any], achievement: str
) -> None:
    form = client.get("/verify")
    assert form.status_code == 200
    assert '<script src="/static/verify.js"' in form.text
    assert client.get("/static/verify.js").status_code == 200
    issued = issue(client, provider["api_key"], achievement)
    pasted = client.post("/verify", data={"credential": json.dumps(issued["credential"])})
    assert verdict(pasted.text) == "valid"
    assert not EMAIL.search(pasted.text)
    baked = bake(badge_png(), issued["credential"])
    uploaded = client.post("/verify", files={"file": ("badge.png", baked, "image/png")})
    assert verdict(uploaded.text) == "valid"


@pytest.mark.parametrize(
    ("data", "files", "message"),
    [
        ({"credential": ""}, None, "Paste a credential or choose a file"),
        ({"credential": "hello"}, None, "pasted text"),
        ({"credential": "[1, 2]"}, None, "not an object"),
        ({}, {"file": ("badge.png", b"GIF89a not a png", "image/png")}, "named like a PNG image"),
    ],
)
def test_bad_input_is_explained_on_the_form(
    client: TestClient, data: dict[str, str], files: Any, message: str
) -> None:
    response = client.post("/verify", data=data, files=files)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert message in response.text


def test_an_oversized_form_is_a_page_not_json(client: TestClient, settings: Any) -> None:
    big = b"x" * (settings.max_body_bytes + 10)
    response = client.post(
        "/verify", files={"file": ("big.json", big, "application/json")}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "too large to be a credential" in response.text
