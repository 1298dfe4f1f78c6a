"""The operator revokes an exchange-visit credential from its award page: a reason, then a confirmation;
without a reason the page says so; an assessor sees no revoke form and is refused (403)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import assert_page_problem
from tests.issuers.conftest import create_provider
from tests.issuers.staff.conftest import (  # app, client, clock: the staff tests' fixtures
    app,
    client,
    clock,
    csrf_of,
    operator_staff,
)
from tests.network.bursaries_helpers import REPORT, SESSION, create_award, create_fund, step, visited

__all__ = ["app", "client", "clock"]


def _issued(client: TestClient) -> str:
    provider = create_provider(client)
    award = create_award(client, create_fund(client)["id"], provider["id"])
    visited(client, award["id"])
    assert step(client, award["id"], "dissemination", {**REPORT, **SESSION}).status_code == 200
    assert step(client, award["id"], "issue").status_code == 200
    return str(award["id"])


def test_operator_revokes_with_a_reason_and_a_confirmation(app: FastAPI, client: TestClient) -> None:
    award_id = _issued(client)
    olu = operator_staff(app, client, "olu@network.example")
    page = f"/operator/bursaries/awards/{award_id}"
    shown = olu.get(page)
    assert f'action="/operator/bursaries/awards/{award_id}/revoke"' in shown.text

    no_reason = olu.submit(page, f"{page}/revoke", reason="  ")
    assert no_reason.status_code == 422
    assert "Say why the credential is revoked." in no_reason.text

    asked = olu.submit(page, f"{page}/revoke", reason="The visit was not made.")
    assert asked.status_code == 200
    assert 'id="revoke-confirm"' in asked.text
    assert 'name="confirmed" value="yes"' in asked.text
    assert 'data-revoked="yes"' not in olu.get(page).text  # nothing revoked before the confirmation
    assert client.get(f"/exchange-visits/{award_id}").text.count('data-verdict="revoked"') == 0

    done = olu.http.post(
        f"{page}/revoke",
        data={"csrf_token": csrf_of(asked.text), "reason": "The visit was not made.", "confirmed": "yes"},
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"{page}?done=revoke"
    after = olu.get(page)
    assert 'data-revoked="yes"' in after.text
    assert "The visit was not made." in after.text
    assert f'action="/operator/bursaries/awards/{award_id}/revoke"' not in after.text
    assert 'data-verdict="revoked"' in client.get(f"/exchange-visits/{award_id}").text

    again = olu.http.post(
        f"{page}/revoke",
        data={"csrf_token": csrf_of(after.text), "reason": "Again", "confirmed": "yes"},
    )
    assert again.status_code == 409
    assert "already revoked" in again.text
    assert "Statws y tystlythyr" in olu.get(f"{page}?lang=cy").text


def test_an_assessor_cannot_revoke(app: FastAPI, client: TestClient) -> None:
    award_id = _issued(client)
    assessor = operator_staff(app, client, "ana@network.example", "assessor")
    page = f"/operator/bursaries/awards/{award_id}"
    shown = assessor.get(page)
    assert shown.status_code == 200
    assert "/revoke" not in shown.text
    response = assessor.http.post(
        f"{page}/revoke", data={"csrf_token": csrf_of(shown.text), "reason": "x", "confirmed": "yes"}
    )
    assert_page_problem(response, 403, "role-not-allowed")
    assert 'data-verdict="revoked"' not in client.get(f"/exchange-visits/{award_id}").text
