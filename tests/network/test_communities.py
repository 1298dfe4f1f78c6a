"""Communities of practice are rows the network operator keeps: listed and added through the operator API,
and a community_of_practice achievement must name one of them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.issuers.conftest import ADMIN_TOKEN, COURSE, auth, create_provider
from tests.issuers.test_api import assert_problem

COMMUNITIES = "/api/v1/admin/communities"


def community_of_practice(community: str) -> dict[str, Any]:
    return {**COURSE, "kind": "community_of_practice", "community": community}


def names(client: TestClient) -> list[str]:
    response = client.get(COMMUNITIES, headers=auth(ADMIN_TOKEN))
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()]


def test_the_migration_lists_the_three_communities_the_api_accepted_before(client: TestClient) -> None:
    assert names(client) == ["Advanced Manufacturing", "Digital", "Net Zero"]


def test_a_community_the_operator_adds_can_be_named_by_an_achievement(client: TestClient) -> None:
    provider = create_provider(client)
    refused = client.post(
        "/api/v1/achievements", json=community_of_practice("Robotics"), headers=auth(provider["api_key"])
    )
    assert_problem(refused, 422, "validation-error")
    assert refused.json()["errors"][0]["loc"] == ["body", "community"]

    added = client.post(COMMUNITIES, json={"name": " Robotics "}, headers=auth(ADMIN_TOKEN))
    assert added.status_code == 201, added.text
    assert added.json()["name"] == "Robotics"
    assert names(client) == ["Advanced Manufacturing", "Digital", "Net Zero", "Robotics"]

    accepted = client.post(
        "/api/v1/achievements", json=community_of_practice("Robotics"), headers=auth(provider["api_key"])
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["definition"]["community"] == "Robotics"


@pytest.mark.parametrize("name", ["Net Zero", "net zero"])
def test_a_community_is_listed_once(client: TestClient, name: str) -> None:
    assert_problem(client.post(COMMUNITIES, json={"name": name}, headers=auth(ADMIN_TOKEN)), 409, "conflict")


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "x" * 101}, {"name": "Digital", "extra": 1}, {}])
def test_a_bad_community_is_refused(client: TestClient, body: dict[str, Any]) -> None:
    assert_problem(client.post(COMMUNITIES, json=body, headers=auth(ADMIN_TOKEN)), 422, "validation-error")


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer op_wrong"}])
def test_only_the_operator_manages_communities(client: TestClient, headers: dict[str, str]) -> None:
    provider = create_provider(client)
    for credentials in (headers, auth(provider["api_key"])):
        assert_problem(client.get(COMMUNITIES, headers=credentials), 401, "unauthorized")
        assert_problem(
            client.post(COMMUNITIES, json={"name": "Robotics"}, headers=credentials), 401, "unauthorized"
        )
