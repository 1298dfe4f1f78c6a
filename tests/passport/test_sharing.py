"""Share links: a chosen set of credentials, verified live on a public page, until the link expires or
is withdrawn; nothing outside the set, and never an email address, is shown."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import assert_page_problem, assert_problem
from tests.network.test_trust_registry import COURSES, accredit
from tests.passport.conftest import (
    BASE_URL,
    COURSE,
    Browser,
    Clock,
    auth,
    bearer,
    create_provider,
    csrf_of,
    issue_to,
)

SHARES = "/api/v1/passport/shares"


class Learner:
    """A learner with three credentials from an accredited provider, issued before sign-up."""

    def __init__(self, client: TestClient, app: FastAPI, email: str = "sam@example.com") -> None:
        self.provider = create_provider(client, "Midlands College")
        accredit(client, provider_id=self.provider["id"], scope=COURSES)
        key = self.provider["api_key"]
        self.names = ["Heat Pumps (Level 3)", "Solar Thermal (Level 3)", "Gas Safety (Level 2)"]
        self.ids = []
        for name in self.names:
            response = client.post("/api/v1/achievements", json={**COURSE, "name": name}, headers=auth(key))
            assert response.status_code == 201, response.text
            self.ids.append(issue_to(client, key, response.json()["id"], email))
        self.browser = Browser.open(app)
        self.browser.sign_up(email)
        self.email = email
        self.token = self.browser.token(email)

    def share(self, client: TestClient, ids: list[str], **body: Any) -> dict[str, Any]:
        response = client.post(
            SHARES, json={"credential_ids": ids, "shared_by": "Sam Jones", **body}, headers=bearer(self.token)
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


def path_of(url: str) -> str:
    assert url.startswith(BASE_URL + "/shared/")
    return url.removeprefix(BASE_URL)


def test_a_share_link_shows_exactly_the_chosen_credentials_verified_and_no_email(
    client: TestClient, app: FastAPI
) -> None:
    sam = Learner(client, app)
    created = sam.share(client, sam.ids[:2], label="Application to Acme Engineering")
    assert created["label"] == "Application to Acme Engineering"
    assert created["credential_ids"] == sam.ids[:2]
    assert created["state"] == "active"
    assert created["view_count"] == 0
    assert created["expires_at"].startswith("2026-12-24T09:00")  # 30 days by default

    viewer = TestClient(app, base_url=BASE_URL)  # no cookies: anyone holding the link
    page = viewer.get(path_of(created["url"]))
    assert page.status_code == 200, page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert sam.names[0] in page.text
    assert sam.names[1] in page.text
    assert sam.names[2] not in page.text
    assert sam.ids[2] not in page.text
    assert "@" not in page.text
    assert page.text.count('data-status="valid"') == 2
    assert "Application to Acme" not in page.text  # the label is the learner's own note

    viewer.get(path_of(created["url"]))
    shown = client.get(f"{SHARES}/{created['id']}", headers=bearer(sam.token)).json()
    assert shown["view_count"] == 2
    assert "url" not in shown  # the secret is shown once, at creation


def test_link_expired_is_told_apart_from_credential_expired(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    sam = Learner(client, app)
    created = sam.share(client, sam.ids[:1], expires_in_days=1)
    clock.advance(days=1, seconds=1)
    response = TestClient(app, base_url=BASE_URL).get(path_of(created["url"]))
    assert_page_problem(response, 410, "share-link-expired")
    assert "The credentials themselves may well still be valid" in response.text
    listed = client.get(SHARES, headers=bearer(sam.token)).json()
    assert [(s["state"], s["view_count"]) for s in listed] == [("expired", 0)]


def test_a_revoked_credential_shows_revoked_and_a_withdrawn_link_is_gone(
    client: TestClient, app: FastAPI
) -> None:
    sam = Learner(client, app)
    created = sam.share(client, sam.ids[:2])
    revoked = client.post(
        f"/api/v1/credentials/{sam.ids[0]}/revoke",
        json={"reason": "issued in error"},
        headers=auth(sam.provider["api_key"]),
    )
    assert revoked.status_code == 200, revoked.text
    viewer = TestClient(app, base_url=BASE_URL)
    page = viewer.get(path_of(created["url"]))
    assert page.status_code == 200
    assert 'data-status="revoked"' in page.text
    assert "Revoked by its issuer" in page.text
    assert 'data-status="valid"' in page.text

    withdrawn = client.post(f"{SHARES}/{created['id']}/revoke", headers=bearer(sam.token))
    assert withdrawn.status_code == 200
    assert withdrawn.json()["state"] == "revoked"
    assert_page_problem(viewer.get(path_of(created["url"])), 410, "share-link-revoked")
    assert_page_problem(viewer.get(path_of(created["url"]) + "/qr.png"), 410, "share-link-revoked")
    assert_page_problem(viewer.get("/shared/not-a-real-secret"), 404, "share-link-not-found")


def test_qr_codes_of_a_share_link(client: TestClient, app: FastAPI) -> None:
    sam = Learner(client, app)
    created = sam.share(client, sam.ids[:1])
    viewer = TestClient(app, base_url=BASE_URL)
    png = viewer.get(path_of(created["qr_png"]))
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = viewer.get(path_of(created["qr_svg"]))
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content
    assert "default-src 'none'" in svg.headers["content-security-policy"]
    shown = client.get(f"{SHARES}/{created['id']}", headers=bearer(sam.token)).json()
    assert shown["view_count"] == 0  # a QR code is not a view


def test_someone_elses_credential_cannot_be_shared_and_nothing_is_written(
    client: TestClient, app: FastAPI
) -> None:
    sam = Learner(client, app)
    stranger = Browser.open(app)
    stranger.sign_up("stranger@example.com")
    token = stranger.token("stranger@example.com")
    for ids in ([sam.ids[0]], ["no-such-credential"]):
        response = client.post(
            SHARES, json={"credential_ids": ids, "shared_by": "Stranger"}, headers=bearer(token)
        )
        assert_problem(response, 404, "not-found")
        assert sam.names[0] not in response.text
    assert client.get(SHARES, headers=bearer(token)).json() == []
    # Mixing one's own with another's is refused as a whole.
    mixed = {"credential_ids": [sam.ids[1], "x" * 32], "shared_by": "Sam Jones"}
    response = client.post(SHARES, json=mixed, headers=bearer(sam.token))
    assert_problem(response, 404, "not-found")
    assert client.get(SHARES, headers=bearer(sam.token)).json() == []
    # Another learner's share link is not found either.
    created = sam.share(client, sam.ids[:1])
    for method, path in (("GET", f"{SHARES}/{created['id']}"), ("POST", f"{SHARES}/{created['id']}/revoke")):
        assert_problem(client.request(method, path, headers=bearer(token)), 404, "not-found")
    assert client.get(f"{SHARES}/{created['id']}", headers=bearer(sam.token)).json()["state"] == "active"


def test_share_requests_are_bounded(client: TestClient, app: FastAPI) -> None:
    sam = Learner(client, app)
    for body in (
        {"credential_ids": sam.ids[:1], "expires_in_days": 0},
        {"credential_ids": sam.ids[:1], "expires_in_days": 366},
        {"credential_ids": []},
        {"credential_ids": [sam.ids[0], sam.ids[0]]},
        {"credential_ids": sam.ids[:1], "label": "x" * 201},
        {"credential_ids": sam.ids[:1], "expires_at": "2099-01-01T00:00:00Z"},
        {"credential_ids": sam.ids[:1], "shared_by": " \t "},
        {"credential_ids": sam.ids[:1], "shared_by": "x" * 101},
        {"credential_ids": sam.ids[:1], "shared_by": "Sam\u0000Jones"},
    ):
        named = {"shared_by": "Sam Jones", **body}
        assert_problem(client.post(SHARES, json=named, headers=bearer(sam.token)), 422, "validation-error")
    assert client.get(SHARES, headers=bearer(sam.token)).json() == []
    longest = sam.share(client, sam.ids[:1], expires_in_days=365)
    assert longest["expires_at"].startswith("2027-11-24T09:00")


def test_sharing_through_the_pages(client: TestClient, app: FastAPI) -> None:
    sam = Learner(client, app)
    form = sam.browser.get("/passport/shares")
    assert form.status_code == 200
    response = sam.browser.http.post(
        "/passport/shares",
        data={
            "csrf_token": csrf_of(form.text),
            "credential_id": sam.ids[1:],
            "label": "Acme",
            "expires_in_days": "7",
            "shared_by": "Sam Jones",
        },
    )
    assert response.status_code == 200, response.text
    found = re.search(r'id="share-url" href="([^"]+)"', response.text)
    assert found
    url = found.group(1)
    assert f'src="{url}/qr.svg"' in response.text
    public = TestClient(app, base_url=BASE_URL).get(path_of(url))
    assert public.status_code == 200
    assert sam.names[1] in public.text
    assert sam.names[2] in public.text
    assert sam.names[0] not in public.text

    listing = sam.browser.get("/passport/shares")
    assert "Acme" in listing.text
    assert url not in listing.text
    share_id = client.get(SHARES, headers=bearer(sam.token)).json()[0]["id"]
    empty = sam.browser.http.post("/passport/shares", data={"csrf_token": csrf_of(listing.text)})
    assert empty.status_code == 422
    assert "Choose at least one credential" in empty.text
    revoked = sam.browser.submit("/passport/shares", f"/passport/shares/{share_id}/revoke")
    assert revoked.status_code == 303
    assert_page_problem(TestClient(app, base_url=BASE_URL).get(path_of(url)), 410, "share-link-revoked")


def test_deleting_the_account_deletes_its_share_links(client: TestClient, app: FastAPI) -> None:
    sam = Learner(client, app)
    created = sam.share(client, sam.ids[:1])
    export = client.get("/api/v1/passport/export", headers=bearer(sam.token)).json()
    assert [link["id"] for link in export["share_links"]] == [created["id"]]
    assert "secret" not in str(export["share_links"])
    assert created["url"] not in str(export)
    deleted = client.post(
        "/api/v1/passport/account/delete",
        json={"password": "correct horse battery"},
        headers=bearer(sam.token),
    )
    assert deleted.status_code == 204
    assert_page_problem(
        TestClient(app, base_url=BASE_URL).get(path_of(created["url"])), 404, "share-link-not-found"
    )


def _share_id(browser: Browser) -> str:
    found = re.search(r'href="/passport/shares/(\w+)"', browser.get("/passport/shares").text)
    assert found is not None
    return found.group(1)


def test_a_links_page_shows_its_credentials_and_makes_a_new_link(client: TestClient, app: FastAPI) -> None:
    """The secret is never stored, so a link cannot be shown again: its page offers a fresh one instead."""
    sam = Learner(client, app)
    old = sam.share(client, sam.ids[:2], label="Acme application")
    share_id = _share_id(sam.browser)
    page = sam.browser.get(f"/passport/shares/{share_id}")
    assert page.status_code == 200
    assert "Heat Pumps (Level 3)" in page.text
    assert "Solar Thermal (Level 3)" in page.text
    assert "Gas Safety (Level 2)" not in page.text
    assert old["url"] not in page.text
    assert "/shared/" not in page.text

    renewed = sam.browser.submit(
        f"/passport/shares/{share_id}",
        f"/passport/shares/{share_id}/renew",
        shared_by="Sam Jones",
        expires_in_days="7",
    )
    assert renewed.status_code == 200, renewed.text
    new_url = re.search(r'id="share-url" href="([^"]+)"', renewed.text)
    assert new_url is not None
    assert new_url.group(1) != old["url"]
    assert "It shows 2 credentials" in renewed.text
    viewer = TestClient(app, base_url=BASE_URL)
    shown = viewer.get(path_of(new_url.group(1)))
    assert shown.status_code == 200
    assert shown.text.count('class="card shared-credential"') == 2
    assert viewer.get(path_of(old["url"])).status_code == 200  # the old link still works...

    again = sam.browser.submit(
        f"/passport/shares/{share_id}",
        f"/passport/shares/{share_id}/renew",
        shared_by="Sam Jones",
        expires_in_days="7",
        withdraw_old="true",
    )
    assert again.status_code == 200
    assert viewer.get(path_of(old["url"])).status_code == 410  # ...unless the learner withdraws it
    listed = client.get(SHARES, headers=bearer(sam.token)).json()
    assert len(listed) == 3


def test_a_links_page_and_its_new_link_are_its_learners_only(client: TestClient, app: FastAPI) -> None:
    sam = Learner(client, app)
    sam.share(client, sam.ids[:1])
    share_id = _share_id(sam.browser)
    alex = Browser.open(app)
    alex.sign_up("alex@example.com")
    assert_page_problem(alex.get(f"/passport/shares/{share_id}"), 404, "not-found")
    refused = alex.submit(
        "/passport/shares", f"/passport/shares/{share_id}/renew", shared_by="Alex", expires_in_days="7"
    )
    assert_page_problem(refused, 404, "not-found")
    assert len(client.get(SHARES, headers=bearer(sam.token)).json()) == 1  # nothing was made
    signed_out = Browser.open(app).get(f"/passport/shares/{share_id}")
    assert signed_out.status_code == 303
    forged = Browser.open(app).http.post(
        f"/passport/shares/{share_id}/renew", data={"shared_by": "X", "expires_in_days": "7"}
    )
    assert forged.status_code == 403


def test_a_new_link_needs_a_name_and_a_valid_duration(client: TestClient, app: FastAPI) -> None:
    sam = Learner(client, app)
    sam.share(client, sam.ids[:1])
    share_id = _share_id(sam.browser)
    for fields, words in (
        ({"shared_by": "  ", "expires_in_days": "7"}, "Enter your name as the link should show it."),
        ({"shared_by": "Sam", "expires_in_days": "999"}, "A link lasts between 1 and 365 days."),
    ):
        shown = sam.browser.submit(
            f"/passport/shares/{share_id}", f"/passport/shares/{share_id}/renew", **fields
        )
        assert shown.status_code == 422
        assert words in shown.text
    assert len(client.get(SHARES, headers=bearer(sam.token)).json()) == 1


def test_the_sharing_pages_are_in_welsh(client: TestClient, app: FastAPI) -> None:
    sam = Learner(client, app)
    share = sam.share(client, sam.ids[:1])
    chooser = sam.browser.get("/passport/shares?lang=cy").text
    assert "Rhannu eich tystlythyrau" in chooser
    assert "Share your credentials" not in chooser
    # Each checkbox sits in one row with its own label.
    assert re.search(
        r'<div class="checkbox">\s*<input type="checkbox" id="(credential-\w+)"[^>]*>\s*<label for="\1">',
        chooser,
    )
    public = TestClient(app, base_url=BASE_URL).get(path_of(share["url"]) + "?lang=cy").text
    assert 'Mae <strong class="shared-by">Sam Jones</strong> wedi rhannu 1 tystlythyr gyda chi.' in public
    assert "Wedi&#39;i ddyroddi i&#39;r person hwn" in public or "Wedi'i ddyroddi i'r person hwn" in public
    assert "Issued to this person" not in public
