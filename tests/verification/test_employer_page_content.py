"""The employer's page as an employer reads it (issue 14, item 2): what was achieved, dates in words and no
raw identifier outside the technical details, revocation and suspension dates, a configuration fault told
apart from tampering, both languages; and ``/verify`` taking a pasted link or id as well as a credential."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import datetime
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.i18n import format_date
from core.services import Database, services_of
from server.app import create_app
from server.settings import Settings
from tests.issuers.conftest import ADMIN_TOKEN, BASE_URL, COURSE, auth, create_achievement, create_provider
from tests.issuers.test_api import issue
from tests.network.test_trust_registry import COURSES, accredit
from tests.verification.test_credential_page import FIRST_AID, page, path_of, verdict

ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
TECHNICAL = re.compile(r'<details class="technical">.*?</details>', re.S)
EVIDENCE = [
    {
        "url": "https://portfolio.example.org/sam/heat-pump",
        "name": "Installation log",
        "narrative": "Six weeks.",
    }
]


def prose(html: str) -> str:
    """The page without its technical details section."""
    return TECHNICAL.sub("", html)


def technical(html: str) -> str:
    found = TECHNICAL.search(html)
    assert found is not None, "no technical details section"
    return found.group(0)


@pytest.fixture
def college(client: TestClient) -> dict[str, Any]:
    created = create_provider(client, "Midlands College")
    accredit(client, provider_id=created["id"], scope=COURSES)
    created["achievement_id"] = create_achievement(client, created["api_key"], COURSE)
    return created


def test_the_page_shows_what_was_achieved_with_links(client: TestClient, college: dict[str, Any]) -> None:
    issued = issue(client, college["api_key"], college["achievement_id"], result="Merit", evidence=EVIDENCE)
    html = page(client, issued["verification_url"])
    assert verdict(html) == "valid"
    for shown in (
        "<dt>Level</dt><dd>RQF Level 3</dd>",
        "<dt>Credits</dt><dd>6</dd>",
        "<dt>Type</dt><dd>Course</dd>",
        "<dt>Result</dt><dd>Merit</dd>",
        "<dt>Subject area</dt><dd>Building services</dd>",
        "Assessed installation and written test.",
        f'<a href="{EVIDENCE[0]["url"]}" rel="noopener noreferrer">Installation log</a>: Six weeks.',
        '<a href="https://example.org/standards/st1" rel="noopener noreferrer">Low carbon heating</a>',
        "<dt>Quality assured by</dt><dd>National Skills Network</dd>",
    ):
        assert shown in html, shown


def test_identifiers_and_iso_times_only_in_the_technical_details(
    client: TestClient, college: dict[str, Any]
) -> None:
    """Before, prose carried the issuer's DID and "expired on 2025-12-31T00:00:00+00:00 (validUntil)"."""
    issued = issue(
        client,
        college["api_key"],
        college["achievement_id"],
        valid_from="2025-10-01T00:00:00Z",
        valid_until="2025-12-31T00:00:00Z",
    )
    html = page(client, issued["verification_url"])
    assert verdict(html) == "expired"
    assert "It is genuine, but it expired on 31 December 2025." in html
    assert "did:" not in prose(html)
    assert not ISO_MOMENT.search(prose(html))
    details = technical(html)
    assert college["did"] in details
    assert "2025-12-31T00:00:00Z" in details
    assert issued["verification_url"] in details


def test_the_page_in_welsh(client: TestClient, college: dict[str, Any]) -> None:
    issued = issue(
        client,
        college["api_key"],
        college["achievement_id"],
        valid_from="2025-10-01T00:00:00Z",
        valid_until="2025-12-31T00:00:00Z",
    )
    html = unescape(client.get(path_of(issued["verification_url"]) + "?lang=cy").text)
    assert '<html lang="cy">' in html
    assert "translation-notice" not in html
    assert '<h2 id="verdict-heading">Wedi dod i ben</h2>' in html
    assert "Mae'n wirioneddol, ond daeth i ben ar 31 Rhagfyr 2025." in html
    assert "<dt>Lefel</dt><dd>RQF Level 3</dd>" in html
    assert "<dt>Math</dt><dd>Cwrs</dd>" in html  # the achievementType by its name, not OB 3.0's term
    form = client.get("/verify?lang=cy").text
    assert "<h1>Gwirio tystlythyr</h1>" in form


def test_a_suspension_is_dated_from_the_providers_record(client: TestClient) -> None:
    operator = auth(ADMIN_TOKEN)
    created = client.post(
        "/api/v1/admin/issuers",
        json={"name": "Pausing College", "url": "https://pausing.example.ac.uk", "suspension_enabled": True},
        headers=operator,
    ).json()
    accredit(client, provider_id=created["id"], scope=COURSES)
    issued = issue(client, created["api_key"], create_achievement(client, created["api_key"], COURSE))
    suspended = client.post(
        f"/api/v1/credentials/{issued['id']}/suspend",
        json={"reason": "appeal"},
        headers=auth(created["api_key"]),
    )
    assert suspended.status_code == 200, suspended.text
    day = format_date(datetime.fromisoformat(suspended.json()["suspended_at"]))
    html = page(client, issued["verification_url"])
    assert verdict(html) == "suspended"
    assert f"The issuer suspended it on {day}: do not rely on it for now." in html
    assert f"<dt>Revocation</dt><dd>Suspended on {day}</dd>" in html


def test_a_pasted_revoked_credential_of_ours_is_dated_too(
    client: TestClient, college: dict[str, Any]
) -> None:
    issued = issue(client, college["api_key"], college["achievement_id"])
    revoked = client.post(
        f"/api/v1/credentials/{issued['id']}/revoke",
        json={"reason": "error"},
        headers=auth(college["api_key"]),
    )
    day = format_date(datetime.fromisoformat(revoked.json()["revoked_at"]))
    html = client.post("/verify", data={"credential": json.dumps(issued["credential"])}).text
    assert verdict(html) == "revoked"
    assert f"The issuer revoked it on {day}" in html
    assert "Sam" not in prose(html).split("<h2>What it says</h2>")[1].split("</dl>")[0]  # no name when pasted


@pytest.fixture
def moved_client(settings: Settings) -> Iterator[TestClient]:
    """The same database served under another base URL: the did:web identities its credentials name
    are no longer this service's, and their old address cannot be reached."""
    moved = settings.model_copy(update={"base_url": "https://passport.example.org"})

    def unreachable(host: str, port: int) -> list[str]:
        raise OSError(f"unknown host {host}")

    app = create_app(moved, resolve_host=unreachable)
    with TestClient(app, base_url="https://passport.example.org") as test_client:
        yield test_client
    services_of(app).get(Database).engine.dispose()


def test_a_changed_base_url_is_a_configuration_fault_not_tampering(
    client: TestClient, college: dict[str, Any], moved_client: TestClient
) -> None:
    issued = issue(client, college["api_key"], college["achievement_id"])
    html = moved_client.get(path_of(issued["verification_url"]), headers={"Accept": "text/html"}).text
    assert verdict(html) == "keys_unavailable"
    assert "Could not be checked: the issuer&#39;s keys could not be fetched" in html
    assert "not that the credential was altered" in html
    assert "Heat Pump Installation" not in html  # not proven: nothing it says is shown
    assert "did:" not in prose(html)
    # Tampering is still tampering, wherever the service runs.
    tampered = copy.deepcopy(issued["credential"])
    tampered["credentialSubject"]["achievement"]["name"] = "Nuclear Reactor Design"
    assert verdict(client.post("/verify", data={"credential": json.dumps(tampered)}).text) == "not_valid"


@pytest.mark.parametrize("form", ["url", "id", "url-with-slash", "url-with-lang"])
def test_a_pasted_verification_link_or_id_opens_the_credentials_page(
    client: TestClient, college: dict[str, Any], form: str
) -> None:
    issued = issue(client, college["api_key"], college["achievement_id"])
    pasted = {
        "url": issued["verification_url"],
        "id": issued["id"],
        "url-with-slash": issued["verification_url"] + "/",
        "url-with-lang": issued["verification_url"] + "?lang=cy",
    }[form]
    response = client.post("/verify", data={"credential": f"  {pasted}\n"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == issued["verification_url"]
    assert verdict(client.get(path_of(response.headers["location"])).text) == "valid"


def test_a_pasted_share_link_of_this_site_opens_its_page(client: TestClient) -> None:
    """The share page says whether the link exists (404), has been withdrawn or expired (410)."""
    link = f"{BASE_URL}/shared/Abc-_0123456789abcdefghijklmnopqrstuvwxyzABCD"
    response = client.post("/verify", data={"credential": link}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == link
    assert client.get(path_of(link), headers={"Accept": "text/html"}).status_code == 404


def test_a_pasted_offline_qr_link_is_verified(client: TestClient, college: dict[str, Any]) -> None:
    small = create_achievement(client, college["api_key"], FIRST_AID)
    issued = issue(client, college["api_key"], small, format="jwt")
    link = f"{BASE_URL}/verify#vc={issued['credential']}"
    html = client.post("/verify", data={"credential": link}).text
    assert verdict(html) == "outside_scheme"  # verified (First Aid has no level in the accredited scope)
    assert "<dt>Achievement</dt><dd>First Aid</dd>" in html


@pytest.mark.parametrize(
    ("pasted", "message"),
    [
        (
            f"{BASE_URL}/credentials/0123456789abcdef0123456789abcdef",
            "No credential here has that link or ID.",
        ),
        ("0123456789abcdef0123456789abcdef", "No credential here has that link or ID."),
        ("https://elsewhere.example.org/credentials/0123456789abcdef0123456789abcdef", "not a credential"),
        (f"{BASE_URL}/passport", "not a credential&#39;s verification link on this site"),
    ],
)
def test_a_pasted_link_to_nothing_is_explained_and_nothing_is_fetched(
    client: TestClient, pasted: str, message: str
) -> None:
    response = client.post("/verify", data={"credential": pasted}, follow_redirects=False)
    assert response.status_code == 422
    assert message in response.text
    welsh = client.post("/verify?lang=cy", data={"credential": pasted})
    assert welsh.status_code == 422
    assert "Nid" in welsh.text.split('class="error-message">')[1][:40]


@pytest.mark.parametrize(
    ("pasted", "english", "welsh"),
    [
        ("hello", "pasted text is not a credential: a credential is JSON", "nid yw'n dystlythyr"),
        (
            '{"type": ["VerifiableCredential"],',
            "has a mistake at line 1, column 35: was all",
            "llinell 1, colofn 35",
        ),
    ],
)
def test_unreadable_text_is_explained_in_words_not_the_parsers(
    client: TestClient, pasted: str, english: str, welsh: str
) -> None:
    """Before, the form said "pasted text: not valid JSON: Expecting value at line 1 column 1"."""
    response = client.post("/verify", data={"credential": pasted})
    assert response.status_code == 422
    assert english in unescape(response.text)
    assert "Expecting" not in response.text
    assert welsh in unescape(client.post("/verify?lang=cy", data={"credential": pasted}).text)
