"""The provider's and the network's figures, recorded where they happen: issued, claimed (the address
verified by a passport, before or after issuing), shared, viewed on a share link, verified on the public
page, revoked; per achievement and month; counts only, and each provider sees only its own."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.passport.conftest import (
    ADMIN_TOKEN,
    BASE_URL,
    COURSE,
    Clock,
    auth,
    create_achievement,
    create_provider,
    issue_to,
)
from tests.passport.test_sharing import Learner, path_of

ZERO = {"issued": 0, "claimed": 0, "shared": 0, "viewed": 0, "verified": 0, "revoked": 0}


def figures(entry: dict[str, Any]) -> dict[str, int]:
    return {name: entry[name] for name in ZERO}


def stats(client: TestClient, key: str, **params: str) -> dict[str, Any]:
    response = client.get("/api/v1/statistics", params=params, headers=auth(key))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def test_every_figure_is_counted_where_it_happens(client: TestClient, app: FastAPI, clock: Clock) -> None:
    sam = Learner(client, app)  # three credentials, issued in November before Sam signed up: claimed then
    key = sam.provider["api_key"]
    november = clock.now.strftime("%Y-%m")
    share = sam.share(client, sam.ids[:2])
    viewer = TestClient(app, base_url=BASE_URL)
    viewer.get(path_of(share["url"]))
    viewer.get(path_of(share["url"]))
    viewer.get(f"/credentials/{sam.ids[0]}")  # the employer's verification page

    clock.advance(days=10)  # December
    december = clock.now.strftime("%Y-%m")
    first_achievement = client.get("/api/v1/achievements", headers=auth(key)).json()[0]["id"]
    issue_to(client, key, first_achievement, "kim@example.com")  # nobody's passport: not claimed
    issue_to(client, key, first_achievement, "sam@example.com")  # Sam's passport has it at once
    revoked = client.post(f"/api/v1/credentials/{sam.ids[2]}/revoke", json={"reason": "x"}, headers=auth(key))
    assert revoked.status_code == 200

    answer = stats(client, key)
    assert figures(answer["totals"]) == {
        "issued": 5,
        "claimed": 4,
        "shared": 2,
        "viewed": 4,
        "verified": 1,
        "revoked": 1,
    }
    months = {month["month"]: figures(month) for month in answer["months"]}
    assert months == {
        november: ZERO | {"issued": 3, "claimed": 3, "shared": 2, "viewed": 4, "verified": 1},
        december: ZERO | {"issued": 2, "claimed": 1, "revoked": 1},
    }
    by_name = {entry["achievement_name"]: entry for entry in answer["achievements"]}
    assert set(by_name) == set(sam.names)
    heat_pumps = by_name[sam.names[0]]
    assert figures(heat_pumps) == ZERO | {"issued": 3, "claimed": 2, "shared": 1, "viewed": 2, "verified": 1}
    assert [month["month"] for month in heat_pumps["months"]] == [november, december]
    assert "@" not in str(answer)

    only_december = stats(client, key, since=december)
    assert figures(only_december["totals"]) == ZERO | {"issued": 2, "claimed": 1, "revoked": 1}
    assert stats(client, key, until=november)["totals"]["issued"] == 3


def test_claimed_when_the_address_is_verified_later(client: TestClient, app: FastAPI, clock: Clock) -> None:
    provider = create_provider(client, "Coastal College")
    key = provider["api_key"]
    issue_to(client, key, create_achievement(client, key), "late@example.com")
    assert stats(client, key)["totals"]["claimed"] == 0
    clock.advance(days=40)
    from tests.passport.conftest import Browser

    Browser.open(app).sign_up("late@example.com")
    months = {month["month"]: month["claimed"] for month in stats(client, key)["months"]}
    assert months[clock.now.strftime("%Y-%m")] == 1
    assert stats(client, key)["totals"]["claimed"] == 1


def test_a_provider_sees_only_its_own_figures(client: TestClient, app: FastAPI) -> None:
    sam = Learner(client, app)
    stranger = create_provider(client, "Other College")["api_key"]
    assert stats(client, stranger) == {"totals": ZERO, "months": [], "achievements": []}
    assert client.get("/api/v1/statistics").status_code == 401
    assert client.get("/api/v1/statistics", headers=auth(sam.token)).status_code == 401  # a learner's token


def test_the_network_figures_are_counts_for_the_operator_only(client: TestClient, app: FastAPI) -> None:
    sam = Learner(client, app)
    other = create_provider(client, "Other College")["api_key"]
    issue_to(
        client, other, create_achievement(client, other, COURSE | {"sector": "Digital"}), "x@example.com"
    )
    response = client.get("/api/v1/admin/statistics", headers=auth(ADMIN_TOKEN))
    assert response.status_code == 200, response.text
    network = response.json()
    assert network["providers"] == 2
    assert network["providers_issuing"] == 2
    assert network["totals"]["issued"] == 4
    assert {
        (row["kind"], row["sector"], row["issued"]) for row in network["issued_by_kind_sector_month"]
    } == {
        ("course", COURSE["sector"], 3),
        ("course", "Digital", 1),
    }
    text = response.text
    assert "@" not in text
    assert sam.provider["id"] not in text
    for key in (sam.provider["api_key"], None):
        headers = auth(key) if key else {}
        assert client.get("/api/v1/admin/statistics", headers=headers).status_code == 401


def test_bad_months_are_422(client: TestClient) -> None:
    key = create_provider(client)["api_key"]
    for params in ({"since": "2026-13"}, {"until": "December"}, {"since": "2026-1"}):
        response = client.get("/api/v1/statistics", params=params, headers=auth(key))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
