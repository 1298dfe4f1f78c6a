"""The passport: every credential issued to a verified address, with its status now, in one query."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy import event

from core.services import Database, services_of
from issuers.recipients import RecipientCredential
from network.naming import IssuerName, NameSource
from passport.api_models import CredentialSummary, summaries_json
from passport.credentials import PassportItem, Status
from passport.holder_binding import Recipient
from tests.conftest import BASE_URL, assert_page_problem, assert_problem
from tests.passport.conftest import (
    Browser,
    Clock,
    auth,
    bearer,
    create_achievement,
    create_provider,
    issue_to,
)

SHORT_COURSE = {
    "kind": "course",
    "name": "First Aid at Work",
    "description": "Emergency first aid.",
    "criteria_narrative": "Practical assessment.",
    "validity_days": 30,
}


def _learner(app: FastAPI, email: str = "sam@example.com") -> tuple[Browser, str]:
    browser = Browser.open(app)
    browser.sign_up(email)
    return browser, browser.token(email)


def listing(client: TestClient, token: str) -> dict[str, dict[str, Any]]:
    response = client.get("/api/v1/passport/credentials", headers=bearer(token))
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()}


def test_listing_fields_and_statuses(client: TestClient, app: FastAPI, clock: Clock) -> None:
    _, token = _learner(app)
    provider = create_provider(client, "Midlands College")
    course = create_achievement(client, provider["api_key"])
    short = create_achievement(client, provider["api_key"], SHORT_COURSE)
    valid = issue_to(client, provider["api_key"], course, "sam@example.com", format="jwt")
    expiring = issue_to(client, provider["api_key"], short, "sam@example.com")
    revoked = issue_to(client, provider["api_key"], course, "sam@example.com")
    future = issue_to(
        client, provider["api_key"], course, "sam@example.com", valid_from="2027-01-01T00:00:00Z"
    )
    revoke = client.post(
        f"/api/v1/credentials/{revoked}/revoke",
        json={"reason": "Issued in error"},
        headers=auth(provider["api_key"]),
    )
    assert revoke.status_code == 200
    items = listing(client, token)
    assert {key: item["status"] for key, item in items.items()} == {
        valid: "valid",
        expiring: "valid",
        revoked: "revoked",
        future: "not_yet_valid",
    }
    item = items[valid]
    assert item["achievement_name"] == "Heat Pump Installation (Level 3)"
    assert item["issuer"] == {
        "id": f"did:web:passport.test:issuers:{provider['id']}",
        "name": "Midlands College",
        "name_source": "provider",
        "logo_url": None,
    }
    assert item["recipient"] == "holder"
    assert item["issued_at"] == "2026-11-24T09:00:00Z"
    assert item["format"] == "jwt"
    assert item["source"] == "issued"
    assert item["recipient_email"] == "sam@example.com"
    assert items[expiring]["valid_until"] == "2026-12-24T09:00:00Z"
    clock.advance(days=30)
    assert listing(client, token)[expiring]["status"] == "expired"


def test_one_credential_with_its_signed_document(client: TestClient, app: FastAPI) -> None:
    browser, token = _learner(app)
    provider = create_provider(client)
    course = create_achievement(client, provider["api_key"])
    ldp = issue_to(client, provider["api_key"], course, "sam@example.com")
    jwt = issue_to(client, provider["api_key"], course, "sam@example.com", format="jwt")
    detail = client.get(f"/api/v1/passport/credentials/{ldp}", headers=bearer(token)).json()
    assert detail["credential"]["id"].endswith(f"/credentials/{ldp}")
    assert "proof" in detail["credential"]
    compact = client.get(f"/api/v1/passport/credentials/{jwt}", headers=bearer(token)).json()["credential"]
    assert isinstance(compact, str)
    assert compact.count(".") == 2
    page = browser.get(f"/passport/credentials/{ldp}")
    assert page.status_code == 200
    assert "Heat Pump Installation (Level 3)" in page.text
    assert "DataIntegrityProof" in page.text
    assert "<dt>Kind</dt><dd>Course</dd>" in page.text
    public = detail["credential"]["id"]  # an issued credential's id is its public verification page
    assert f'<a href="{public}">public verification page</a>' in page.text
    assert client.get(public.removeprefix(BASE_URL)).status_code == 200


def test_pages_show_every_credential_in_one_place(client: TestClient, app: FastAPI) -> None:
    browser, _ = _learner(app)
    for name in ("Midlands College", "Northern Institute of Technology"):
        provider = create_provider(client, name)
        issue_to(
            client, provider["api_key"], create_achievement(client, provider["api_key"]), "sam@example.com"
        )
    page = browser.get("/passport")
    assert page.status_code == 200
    assert "2 credentials" in page.text
    assert "Midlands College" in page.text
    assert "Northern Institute of Technology" in page.text
    assert 'class="skip-link"' in page.text
    assert 'name="viewport"' in page.text
    assert "https://" not in page.text.split("<main")[0].replace("https://passport.test", "")  # no CDN


def test_nobody_sees_another_learners_credentials(client: TestClient, app: FastAPI) -> None:
    owner, _ = _learner(app, "owner@example.com")
    stranger, stranger_token = _learner(app, "stranger@example.com")
    provider = create_provider(client)
    credential = issue_to(
        client, provider["api_key"], create_achievement(client, provider["api_key"]), "owner@example.com"
    )
    assert listing(client, stranger_token) == {}
    assert_problem(
        client.get(f"/api/v1/passport/credentials/{credential}", headers=bearer(stranger_token)),
        404,
        "not-found",
    )
    page = stranger.get(f"/passport/credentials/{credential}")
    assert_page_problem(page, 404, "not-found")
    assert "owner@example.com" not in page.text
    assert "owner@example.com" not in stranger.get("/passport").text
    assert owner.get(f"/passport/credentials/{credential}").status_code == 200


def _count_queries(app: FastAPI) -> list[str]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # The background workers (cohort jobs, event claims) poll on their own threads.
        if threading.current_thread().name not in ("bulk-jobs", "claim-issuing"):
            statements.append(statement)

    event.listen(services_of(app).get(Database).engine, "before_cursor_execute", record)
    return statements


def test_the_page_and_the_listing_run_as_many_queries_for_30_credentials_as_for_3(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    """No N+1: each of GET /passport and GET /api/v1/passport/credentials runs a fixed set of queries
    (session or token, addresses, credentials with their issuers, imports), however many credentials
    the passport holds, from however many providers, in either format, revoked or not."""
    browser, token = _learner(app)
    browser.add_address("second@example.com")
    browser.verify_address("second@example.com")
    providers = [create_provider(client, f"Provider {n}") for n in range(3)]
    achievements = [create_achievement(client, p["api_key"]) for p in providers]
    issued: list[str] = []

    def issue(count: int) -> None:
        for _ in range(count):
            n = len(issued)
            provider, achievement = providers[n % 3], achievements[n % 3]
            email = ("sam@example.com", "second@example.com")[n % 2]
            issued.append(
                issue_to(client, provider["api_key"], achievement, email, format=("ldp", "jwt")[n % 2])
            )

    statements = _count_queries(app)

    def queries(path: str, **headers: str) -> tuple[int, str]:
        clock.advance(seconds=1)  # so the token's last use is written every time
        statements.clear()
        response = browser.get(path) if not headers else client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        return len(statements), response.text

    issue(3)
    revoke = client.post(
        f"/api/v1/credentials/{issued[0]}/revoke",
        json={"reason": "Error"},
        headers=auth(providers[0]["api_key"]),
    )
    assert revoke.status_code == 200
    page_3, page = queries("/passport")
    assert "3 credentials" in page
    listing_3, body = queries("/api/v1/passport/credentials", **bearer(token))
    assert body.count('"source"') == 3

    issue(27)
    page_30, page = queries("/passport")
    assert "30 credentials" in page
    assert page.count("status-revoked") == 1
    listing_30, body = queries("/api/v1/passport/credentials", **bearer(token))
    assert body.count('"source"') == 30
    assert (page_30, listing_30) == (page_3, listing_3)


def _item(
    status: Status, source: str, recipient: Recipient = Recipient.HOLDER, **fields: Any
) -> PassportItem:
    moment = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    values: dict[str, Any] = {
        "id": "c" * 32,
        "recipient_email": "Sam@Example.com",
        "issuer_id": "did:web:college.example",
        "issuer_name": 'Midlands "College" & <Partners> \u00e9\u2603',
        "achievement_name": "Heat Pump Installation (Level 3)",
        "achievement_type": "ext:InternationalSkillsExchange",
        "format": "ldp",
        "document": "{}",
        "issued_at": moment,
        "valid_from": moment,
        "valid_until": None,
        "revoked_at": None,
        "revocation_reason": None,
        "suspended_at": None,
    }
    credential = RecipientCredential(**{**values, **fields})
    source_of_name = NameSource.PROVIDER if source == "issued" else NameSource.SELF_ASSERTED
    issuer = IssuerName(
        credential.issuer_id, credential.issuer_name, source_of_name, "https://c.example/l.png"
    )
    return PassportItem(credential, status, issuer, recipient, source)


@pytest.mark.parametrize(
    "item",
    [
        _item(Status.VALID, "issued"),
        _item(
            Status.REVOKED,
            "issued",
            format="jwt",
            revoked_at=datetime(2026, 12, 1, 8, 30, 5, 123, tzinfo=UTC),
        ),
        _item(Status.EXPIRED, "issued", valid_until=datetime(2026, 12, 24, 9, 0, 0, 500000, tzinfo=UTC)),
        _item(
            Status.SUSPENDED, "issued", suspended_at=datetime(2026, 12, 1, tzinfo=UTC), achievement_type=None
        ),
        _item(
            Status.NOT_YET_VALID,
            "imported",
            recipient_email="",
            valid_from=datetime(2027, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=1))),
            valid_until=datetime(2028, 1, 1, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
        ),
        _item(Status.OUTSIDE_SCHEME, "imported", Recipient.NOT_HOLDER, recipient_email="", valid_from=None),
        _item(Status.NOT_VERIFIED, "imported", Recipient.UNKNOWN, recipient_email="", format="jwt"),
    ],
    ids=lambda item: f"{item.status.value}-{item.source}",
)
def test_the_listing_json_is_what_the_summary_model_writes(item: PassportItem) -> None:
    """The listing is written straight from the items (orjson), not through a model per item: the same
    bytes as `CredentialSummary` gives, for every status, source, format, time zone and missing value."""
    as_model = TypeAdapter(list[CredentialSummary]).dump_json([CredentialSummary.of(item)] * 2)
    assert summaries_json([item, item]) == as_model
    assert summaries_json([]) == b"[]"
