"""The passport's exchange-visit card says "Revoked" once the operator revokes the credential."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.network.bursaries_helpers import step
from tests.passport.conftest import Browser
from tests.passport.test_passport_exchange_visits import _issue_to


def test_the_card_says_revoked(app: FastAPI, client: TestClient) -> None:
    award = _issue_to(client, "ada@college.example")
    ada = Browser.open(app)
    ada.sign_up("ada@college.example")
    assert "status-revoked" not in ada.get("/passport").text
    assert step(client, award["id"], "revoke", {"reason": "Not made"}).status_code == 200
    home = ada.get("/passport")
    assert f'data-exchange-visit="{award["id"]}"' in home.text
    assert 'class="tag status-revoked">Revoked<' in home.text
    assert "The network operator revoked this credential" in home.text
