"""CLR 2.0 export: the whole passport or a selection (``partial``), signed by the network operator; it
passes the 1EdTech CLR schema and verifies, the CLR and each bundled credential."""

from __future__ import annotations

import dataclasses

from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.services import Database, services_of
from network.operator import operator_did, operator_resolver
from network.trust import TrustConfig
from tests.conftest import assert_problem
from tests.passport.conftest import Browser, Clock, bearer, create_achievement, create_provider, issue_to
from vc.clr import validate_clr, verify_clr
from vc.ports import ChainResolver
from verification.service import Verifier

CLR = "/api/v1/passport/clr"


def test_the_passport_as_a_clr_passes_the_schema_and_verifies(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    key = create_provider(client)["api_key"]
    achievement = create_achievement(client, key)
    ids = [issue_to(client, key, achievement, "sam@example.com") for _ in range(2)]
    jwt_id = issue_to(client, key, achievement, "sam@example.com", format="jwt")
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    token = browser.token("sam@example.com")

    whole = client.get(CLR, headers=bearer(token))
    assert whole.status_code == 200, whole.text
    clr = whole.json()
    assert "ClrCredential" in clr["type"]
    assert validate_clr(clr) == []
    assert clr["issuer"]["id"] == operator_did("https://passport.test")
    assert clr["partial"] is True  # the VC-JWT credential cannot be embedded, so it was left out
    assert len(clr["credentialSubject"]["verifiableCredential"]) == 2
    assert "sam@example.com" not in whole.text

    with services_of(app).get(Database).sessions() as session:
        ports = services_of(app).get(Verifier).ports(session, clock.now)
        did = operator_did(services_of(app).get(TrustConfig).base_url)
        resolver = ChainResolver(
            {did: operator_resolver(session, services_of(app).get(TrustConfig)), "": ports.resolver}
        )
        report = verify_clr(clr, dataclasses.replace(ports, resolver=resolver), clock.now)
    assert report.verified, report.to_json()
    assert report.all_credentials_verified

    selected = client.post(CLR, json={"credential_ids": ids[:1]}, headers=bearer(token))
    assert selected.status_code == 200
    assert selected.json()["partial"] is True
    assert len(selected.json()["credentialSubject"]["verifiableCredential"]) == 1
    only_jwt = client.post(CLR, json={"credential_ids": [jwt_id]}, headers=bearer(token))
    assert_problem(only_jwt, 422, "validation-error")

    stranger = Browser.open(app)
    stranger.sign_up("stranger@example.com")
    other = stranger.token("stranger@example.com")
    assert_problem(
        client.post(CLR, json={"credential_ids": ids[:1]}, headers=bearer(other)), 404, "not-found"
    )


def test_the_whole_passport_clr_says_what_it_left_out_and_why(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    """Before, a VC-JWT credential was silently left out (``partial: true``) and the learner not told."""
    key = create_provider(client)["api_key"]
    achievement = create_achievement(client, key)
    kept = issue_to(client, key, achievement, "sam@example.com")
    jwt_id = issue_to(client, key, achievement, "sam@example.com", format="jwt")
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    token = browser.token("sam@example.com")

    whole = client.get(CLR, headers=bearer(token))
    assert whole.status_code == 200
    assert whole.headers["clr-left-out"] == "1"
    assert '</api/v1/passport/clr/contents>; rel="describedby"' in whole.headers["link"]
    contents = client.get(CLR + "/contents", headers=bearer(token))
    assert contents.status_code == 200
    body = contents.json()
    assert body["partial"] is True
    assert [entry["id"] for entry in body["included"]] == [kept]
    assert [(entry["id"], entry["reason"]) for entry in body["left_out"]] == [(jwt_id, "vc_jwt_only")]
    assert "VC-JWT" in body["left_out"][0]["detail"]
    assert "cannot be embedded" in body["left_out"][0]["technical_detail"]
    assert client.get(CLR + "/contents").status_code == 401

    page = browser.get("/passport/clr")
    assert page.status_code == 200
    assert "Left out: 1 credential" in page.text
    assert f'<li data-reason="vc_jwt_only"><a href="/passport/credentials/{jwt_id}">' in page.text
    welsh = browser.get("/passport/clr?lang=cy").text
    assert "Wedi\u2019u gadael allan: 1 tystlythyr" in welsh
    download = browser.get("/passport/clr/download")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment")
    assert len(download.json()["credentialSubject"]["verifiableCredential"]) == 1


def test_a_credential_page_offers_every_export(client: TestClient, app: FastAPI, clock: Clock) -> None:
    key = create_provider(client)["api_key"]
    achievement = create_achievement(client, key)
    credential = issue_to(client, key, achievement, "sam@example.com")
    jwt_id = issue_to(client, key, achievement, "sam@example.com", format="jwt")
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    page = browser.get(f"/passport/credentials/{credential}").text
    for link in ("download", "baked.png", "baked.svg"):
        assert f'href="/passport/credentials/{credential}/{link}"' in page
    assert f'action="/passport/credentials/{credential}/presentation"' in page
    assert f'action="/passport/credentials/{credential}/clr"' in page

    presented = browser.submit(
        f"/passport/credentials/{credential}", f"/passport/credentials/{credential}/presentation"
    )
    assert presented.status_code == 200
    assert presented.headers["content-type"].startswith("application/vp")
    assert "VerifiablePresentation" in presented.json()["type"]
    assert presented.json()["holder"].startswith("did:key:")
    one = browser.submit(f"/passport/credentials/{credential}", f"/passport/credentials/{credential}/clr")
    assert one.status_code == 200
    assert one.json()["partial"] is True
    refused = browser.submit(f"/passport/credentials/{jwt_id}", f"/passport/credentials/{jwt_id}/clr")
    assert refused.status_code == 422
    assert "download it on its own instead" in refused.text
    assert "ClrSubject" not in refused.text  # no schema jargon for the learner
