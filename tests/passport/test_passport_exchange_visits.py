"""An educator's exchange-visit credential in their passport: a card on the home page (the host's
endorsement said as it is), the credential to download, and nobody else's."""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import assert_page_problem
from tests.issuers.conftest import create_provider
from tests.network.bursaries_helpers import REPORT, SESSION, create_award, create_fund, step, visited
from tests.passport.conftest import Browser


def _issue_to(client: TestClient, email: str) -> dict[str, str]:
    provider = create_provider(client)
    award = create_award(client, create_fund(client)["id"], provider["id"], email)
    visited(client, award["id"])
    assert step(client, award["id"], "dissemination", {**REPORT, **SESSION}).status_code == 200
    issued = step(client, award["id"], "issue")
    assert issued.status_code == 200, issued.text
    return issued.json()


def test_the_visit_credential_is_a_card_in_the_educators_passport(app: FastAPI, client: TestClient) -> None:
    award = _issue_to(client, "Ada@College.example")  # addresses are compared ignoring case
    ada = Browser.open(app)
    ada.sign_up("ada@college.example")
    home = ada.get("/passport")
    assert f'data-exchange-visit="{award["id"]}"' in home.text
    assert "WorldSkills national final abroad" in home.text
    assert "named by the issuer, not signed by the host" in home.text
    assert f'href="https://passport.test/exchange-visits/{award["id"]}"' in home.text
    download = ada.get(f"/passport/exchange-visits/{award['id']}.json")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vc+ld+json")
    assert json.loads(download.text) == award["credential"]

    bo = Browser.open(app)
    bo.sign_up("bo@college.example")
    assert "data-exchange-visit" not in bo.get("/passport").text
    assert_page_problem(bo.get(f"/passport/exchange-visits/{award['id']}.json"), 404, "not-found")
