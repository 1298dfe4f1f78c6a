"""CLR 2.0 export: the whole passport or a selection (``partial``), signed by the network operator; it
passes the 1EdTech CLR schema and verifies, the CLR and each bundled credential."""

from __future__ import annotations

import dataclasses

from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.services import Database, services_of
from network.operator import operator_did, operator_resolver
from network.trust import TrustConfig
from tests.passport.conftest import (
    Browser,
    Clock,
    assert_problem,
    bearer,
    create_achievement,
    create_provider,
    issue_to,
)
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
