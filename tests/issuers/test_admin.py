"""The network operator reads and updates a provider: only the fields sent change; bad input is a 422
problem, an unknown provider 404, and a provider key is never enough (401)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.issuers.conftest import ADMIN_TOKEN, auth, create_provider
from tests.issuers.test_api import assert_problem

OPERATOR = auth(ADMIN_TOKEN)


def test_the_operator_reads_one_provider(client: TestClient) -> None:
    provider = create_provider(client)
    response = client.get(f"/api/v1/admin/issuers/{provider['id']}", headers=OPERATOR)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["did"], body["name"]) == (provider["id"], provider["did"], "Midlands College")
    assert "api_key" not in body


def test_the_operator_updates_every_field(client: TestClient) -> None:
    provider = create_provider(client)
    changes = {
        "name": "Midlands College Group",
        "url": "https://group.example.ac.uk/",
        "ukprn": "10001234",
        "logo_url": "https://group.example.ac.uk/logo.png",
        "contact_email": "Badges@Group.Example.ac.uk",
        "description": "Further education across the Midlands.",
        "suspension_enabled": True,
    }
    response = client.patch(f"/api/v1/admin/issuers/{provider['id']}", json=changes, headers=OPERATOR)
    assert response.status_code == 200, response.text
    expected = {**changes, "contact_email": "Badges@group.example.ac.uk"}
    assert {name: response.json()[name] for name in changes} == expected
    again = client.get(f"/api/v1/admin/issuers/{provider['id']}", headers=OPERATOR).json()
    assert {name: again[name] for name in changes} == expected
    profile = client.get(f"/issuers/{provider['id']}/profile").json()
    assert (profile["name"], profile["email"], profile["image"]["id"]) == (
        "Midlands College Group",
        "Badges@group.example.ac.uk",
        "https://group.example.ac.uk/logo.png",
    )


def test_only_the_fields_sent_change_and_null_clears_an_optional_one(client: TestClient) -> None:
    provider = create_provider(client)
    first = {"description": "About us", "ukprn": "10005678"}
    client.patch(f"/api/v1/admin/issuers/{provider['id']}", json=first, headers=OPERATOR)
    response = client.patch(
        f"/api/v1/admin/issuers/{provider['id']}", json={"description": None}, headers=OPERATOR
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["description"], body["ukprn"], body["name"]) == (None, "10005678", "Midlands College")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ukprn": "123"},
        {"url": "not a url"},
        {"logo_url": "ftp//x"},
        {"contact_email": "nobody"},
        {"name": ""},
        {"name": None},
        {"url": None},
        {"suspension_enabled": None},
        {"suspension_enabled": "perhaps"},
        {"description": "x" * 2001},
        {"api_key": "sk_mine"},
        {"id": "another"},
    ],
)
def test_bad_updates_are_422_and_change_nothing(client: TestClient, body: dict[str, Any]) -> None:
    provider = create_provider(client)
    response = client.patch(f"/api/v1/admin/issuers/{provider['id']}", json=body, headers=OPERATOR)
    assert_problem(response, 422, "validation-error")
    unchanged = client.get(f"/api/v1/admin/issuers/{provider['id']}", headers=OPERATOR).json()
    assert unchanged | {"created_at": None} == {
        **{key: value for key, value in provider.items() if key != "api_key"},
        "created_at": None,
    }


def test_unknown_provider_is_404(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/admin/issuers/nope", headers=OPERATOR), 404, "not-found")
    response = client.patch("/api/v1/admin/issuers/nope", json={"name": "X"}, headers=OPERATOR)
    assert_problem(response, 404, "not-found")


def test_a_provider_key_cannot_update_even_itself(client: TestClient) -> None:
    provider = create_provider(client)
    own_key = auth(provider["api_key"])
    response = client.patch(f"/api/v1/admin/issuers/{provider['id']}", json={"name": "Mine"}, headers=own_key)
    assert_problem(response, 401, "unauthorized")
    assert_problem(
        client.get(f"/api/v1/admin/issuers/{provider['id']}", headers=own_key), 401, "unauthorized"
    )
    assert client.get("/api/v1/issuer", headers=own_key).json()["name"] == "Midlands College"
