"""Finding credentials in a passport of many: search, filter and sort from the query string (no script),
and the images on the cards (only what the passport holds: nothing is fetched)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from issuers.recipients import RecipientCredential
from network.naming import IssuerName, NameSource
from passport.credentials import PassportItem, Status
from passport.holder_binding import Recipient
from passport.listing import ListQuery, choose, inline_image, inline_logo
from tests.passport.conftest import COURSE, Browser, Clock, auth, create_provider, issue_to
from tests.passport.test_passport import SHORT_COURSE

PNG_1PX = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def _achievement(client: TestClient, key: str, **body: object) -> str:
    response = client.post("/api/v1/achievements", json={**COURSE, **body}, headers=auth(key))
    assert response.status_code == 201, response.text
    achievement_id: str = response.json()["id"]
    return achievement_id


def titles(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/passport/credentials/\w+">([^<]+)</a></h2>', html)


def test_search_filter_and_sort_come_from_the_query_string(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    college = create_provider(client, "Midlands College")
    university = create_provider(client, "Severn University")
    welding = _achievement(client, college["api_key"], name="Welding (Level 2)")
    heat = _achievement(client, college["api_key"], name="Heat Pumps (Level 3)")
    first_aid = _achievement(client, university["api_key"], **SHORT_COURSE)
    event = _achievement(
        client,
        university["api_key"],
        kind="event",
        name="Net Zero Summit",
        description="A day.",
        credits=None,
    )
    issue_to(client, college["api_key"], welding, "sam@example.com")
    clock.advance(days=1)
    revoked = issue_to(client, college["api_key"], heat, "sam@example.com")
    clock.advance(days=1)
    issue_to(client, university["api_key"], first_aid, "sam@example.com")
    clock.advance(days=1)
    issue_to(client, university["api_key"], event, "sam@example.com")
    response = client.post(
        f"/api/v1/credentials/{revoked}/revoke",
        json={"reason": "issued in error"},
        headers=auth(college["api_key"]),
    )
    assert response.status_code == 200, response.text
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")

    everything = browser.get("/passport").text
    assert titles(everything) == [
        "Net Zero Summit",
        "First Aid at Work",
        "Heat Pumps (Level 3)",
        "Welding (Level 2)",
    ]
    assert 'role="search"' in everything
    assert 'method="get"' in everything
    assert titles(browser.get("/passport?sort=oldest").text)[0] == "Welding (Level 2)"
    assert titles(browser.get("/passport?sort=name").text) == [
        "First Aid at Work",
        "Heat Pumps (Level 3)",
        "Net Zero Summit",
        "Welding (Level 2)",
    ]
    # Text: every word, any order, any case, in the name, the issuer or the kind.
    assert titles(browser.get("/passport?q=level+WELD").text) == ["Welding (Level 2)"]
    assert titles(browser.get("/passport?q=severn").text) == ["Net Zero Summit", "First Aid at Work"]
    found = browser.get("/passport?q=nothing+like+this").text
    assert titles(found) == []
    assert "No credential matches" in found
    assert "Showing 0 of 4." in found
    # Filters: the options are what the passport holds, and each narrows the list.
    options = re.findall(r'<option value="(did:web:[^"]+)"[^>]*>([^<]+)</option>', everything)
    assert sorted(name for _, name in options) == ["Midlands College", "Severn University"]
    college_did = next(value for value, name in options if name == "Midlands College")
    by_college = browser.get(f"/passport?provider={college_did}&sort=name").text
    assert titles(by_college) == ["Heat Pumps (Level 3)", "Welding (Level 2)"]
    assert f'<option value="{college_did}" selected>' in by_college
    assert titles(browser.get("/passport?status=revoked").text) == ["Heat Pumps (Level 3)"]
    assert titles(browser.get("/passport?kind=ext:EventParticipation").text) == ["Net Zero Summit"]
    both = browser.get(f"/passport?provider={college_did}&status=valid").text
    assert titles(both) == ["Welding (Level 2)"]
    # Unknown values are ignored, never an error: an old bookmark still opens the passport.
    odd = browser.get("/passport?status=lost&sort=sideways&kind=").text
    assert titles(odd) == titles(everything)
    # Each card shows its badge: the service's own drawing, from this site.
    assert everything.count('src="/passport/credentials/') == 4
    badge_path = re.search(r'src="(/passport/credentials/\w+/badge\.svg)"', everything)
    assert badge_path is not None
    badge = browser.get(badge_path.group(1))
    assert badge.status_code == 200
    assert badge.headers["content-type"].startswith("image/svg+xml")
    assert "default-src 'none'" in badge.headers["content-security-policy"]


def test_a_badge_is_its_learners_only(client: TestClient, app: FastAPI) -> None:
    college = create_provider(client, "Midlands College")
    credential = issue_to(
        client, college["api_key"], _achievement(client, college["api_key"]), "sam@example.com"
    )
    sam, alex = Browser.open(app), Browser.open(app)
    sam.sign_up("sam@example.com")
    alex.sign_up("alex@example.com")
    assert sam.get(f"/passport/credentials/{credential}/badge.svg").status_code == 200
    assert alex.get(f"/passport/credentials/{credential}/badge.svg").status_code == 404
    signed_out = Browser.open(app).get(f"/passport/credentials/{credential}/badge.svg")
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/passport/sign-in")


def _item(document: str, *, name: str = "Welding", issued: int = 1, logo: str | None = None) -> PassportItem:
    credential = RecipientCredential(
        id=f"c{issued}",
        recipient_email="sam@example.com",
        issuer_id="i",
        issuer_name="College",
        achievement_name=name,
        achievement_type="Course",
        format="ldp",
        document=document,
        issued_at=datetime(2026, 1, issued, tzinfo=UTC),
        valid_from=None,
        valid_until=None,
        revoked_at=None,
        revocation_reason=None,
        suspended_at=None,
    )
    issuer = IssuerName("did:web:college", "College", NameSource.PROVIDER, logo)
    return PassportItem(credential, Status.VALID, issuer, Recipient.HOLDER)


def _with_image(image: object) -> str:
    import json

    return json.dumps({"credentialSubject": {"achievement": {"image": image}}})


def test_only_an_inline_raster_image_is_shown_never_a_remote_or_scriptable_one() -> None:
    assert inline_image(_item(_with_image({"id": PNG_1PX, "type": "Image"}))) == PNG_1PX
    assert inline_image(_item(_with_image(PNG_1PX))) == PNG_1PX
    for refused in (
        "https://tracker.example/badge.png",
        "data:image/svg+xml;base64,PHN2Zz48c2NyaXB0Lz48L3N2Zz4=",
        "data:image/png;base64,not base64!",
        "data:text/html;base64,PGgxPg==",
    ):
        assert inline_image(_item(_with_image({"id": refused}))) is None, refused
    assert inline_image(_item("{}")) is None
    # Logos come from the registry or the provider table; shown only when nothing is loaded from elsewhere.
    assert inline_logo(PNG_1PX) == PNG_1PX
    assert inline_logo("/static/logo.png") == "/static/logo.png"
    assert inline_logo("//evil.example/logo.png") is None
    assert inline_logo("https://college.example/logo.png") is None
    assert inline_logo(None) is None


def test_sorting_by_name_ignores_case_and_ties_are_stable() -> None:
    items = [
        _item("{}", name="beta", issued=1),
        _item("{}", name="Alpha", issued=2),
        _item("{}", name="alpha", issued=3),
    ]
    assert [i.id for i in choose(items, ListQuery(sort="name"))] == ["c2", "c3", "c1"]
    assert [i.id for i in choose(items, ListQuery())] == ["c3", "c2", "c1"]
    assert ListQuery.from_params({"q": "  a   b  ", "status": "nope", "sort": "nope"}) == ListQuery(
        text="a b"
    )
    assert replace(ListQuery(), status="valid").narrowed
