"""Exports: each credential as signed (JSON or VC-JWT) and baked (PNG, SVG), and a selection as a
Verifiable Presentation signed by the learner's holder key, verified end to end by the service's own
``POST /presentations/verify`` with challenge and domain."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.services import Database, services_of
from passport.models import HolderKey
from tests.conftest import assert_page_problem, assert_problem
from tests.passport.conftest import Browser, Clock, bearer, create_achievement, create_provider, issue_to
from vc.baking import unbake

CREDENTIALS = "/api/v1/passport/credentials"


def learner_with_credentials(
    client: TestClient, app: FastAPI, clock: Clock
) -> tuple[Browser, str, list[str], list[object]]:
    # The public verify routes read the real clock: issue an hour before it, so it is valid then too.
    clock.now = datetime.now(UTC) - timedelta(hours=1)
    provider = create_provider(client)
    key = provider["api_key"]
    achievement = create_achievement(client, key)
    ids = [
        issue_to(client, key, achievement, "sam@example.com"),
        issue_to(client, key, achievement, "sam@example.com", format="jwt"),
    ]
    documents = [
        client.get(f"/api/v1/credentials/{credential_id}", headers=bearer(key)).json()["credential"]
        for credential_id in ids
    ]
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    return browser, browser.token("sam@example.com"), ids, documents


def test_each_credential_downloads_as_signed_and_baked(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    browser, token, ids, documents = learner_with_credentials(client, app, clock)
    ldp = client.get(f"{CREDENTIALS}/{ids[0]}/download", headers=bearer(token))
    assert ldp.status_code == 200
    assert ldp.headers["content-type"] == "application/vc"
    assert "attachment" in ldp.headers["content-disposition"]
    assert json.loads(ldp.content) == documents[0]
    jwt = client.get(f"{CREDENTIALS}/{ids[1]}/download", headers=bearer(token))
    assert jwt.headers["content-type"] == "application/vc+jwt"
    assert jwt.text == documents[1]
    for credential_id, document in zip(ids, documents, strict=True):
        png = client.get(f"{CREDENTIALS}/{credential_id}/baked.png", headers=bearer(token))
        assert png.headers["content-type"] == "image/png"
        assert unbake(png.content) == document
        svg = client.get(f"{CREDENTIALS}/{credential_id}/baked.svg", headers=bearer(token))
        assert svg.headers["content-type"].startswith("image/svg+xml")
        assert unbake(svg.content) == document
        # The baked badge verifies with the public verifier's upload route.
        report = client.post(
            "/credentials/verify/upload", files={"file": ("b.png", png.content, "image/png")}
        )
        assert report.json()["verified"] is True, report.json()["errors"]
    page = browser.get(f"/passport/credentials/{ids[0]}/baked.png")
    assert page.status_code == 200
    assert unbake(page.content) == documents[0]

    stranger = Browser.open(app)
    stranger.sign_up("stranger@example.com")
    other = stranger.token("stranger@example.com")
    for suffix in ("download", "baked.png", "baked.svg"):
        assert_problem(
            client.get(f"{CREDENTIALS}/{ids[0]}/{suffix}", headers=bearer(other)), 404, "not-found"
        )
        assert_page_problem(stranger.get(f"/passport/credentials/{ids[0]}/{suffix}"), 404, "not-found")


def test_a_presentation_signed_by_the_holder_key_verifies_end_to_end(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    _, token, ids, _ = learner_with_credentials(client, app, clock)
    body = {"credential_ids": ids, "challenge": "n-0S6_WzA2Mj", "domain": "employer.example"}
    created = client.post("/api/v1/passport/presentations", json=body, headers=bearer(token))
    assert created.status_code == 201, created.text
    vp = created.json()
    assert vp["holder"].startswith("did:key:z6Mk")
    assert vp["proof"]["challenge"] == "n-0S6_WzA2Mj"
    assert vp["verifiableCredential"][1]["type"] == "EnvelopedVerifiableCredential"

    options = {"challenge": "n-0S6_WzA2Mj", "domain": "employer.example"}
    report = client.post(
        "/presentations/verify", json={"verifiablePresentation": vp, "options": options}
    ).json()
    assert report["verified"] is True, report
    assert report["holder"] == vp["holder"]
    assert len(report["credentialResults"]) == 2
    replayed = {"challenge": "another-nonce", "domain": "employer.example"}
    report = client.post(
        "/presentations/verify", json={"verifiablePresentation": vp, "options": replayed}
    ).json()
    assert report["verified"] is False

    # The same holder every time; its private key is stored encrypted, bound to the learner.
    again = client.post(
        "/api/v1/passport/presentations", json={"credential_ids": ids[:1]}, headers=bearer(token)
    )
    assert again.json()["holder"] == vp["holder"]
    with services_of(app).get(Database).sessions() as session:
        row = session.scalars(select(HolderKey)).one()
        assert row.did == vp["holder"]
        assert b'"d"' not in row.encrypted_private_key
        assert b"OKP" not in row.encrypted_private_key

    stranger = Browser.open(app)
    stranger.sign_up("stranger@example.com")
    other = stranger.token("stranger@example.com")
    refused = client.post(
        "/api/v1/passport/presentations", json={"credential_ids": ids[:1]}, headers=bearer(other)
    )
    assert_problem(refused, 404, "not-found")
    with services_of(app).get(Database).sessions() as session:
        assert len(session.scalars(select(HolderKey)).all()) == 1  # nothing was made for the stranger
