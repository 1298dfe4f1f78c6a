"""Walk every passport route as someone else: a learner sees and changes only their own passport.

The API routes come from the OpenAPI document, the pages from the app's routes, so a new route is
walked without anyone remembering to add it. Every state-changing form refuses a missing or wrong CSRF
token.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from passport.web import PageRoute
from tests.conftest import assert_page_problem, assert_problem
from tests.network.bursaries_helpers import REPORT, SESSION, create_award, create_fund, step, visited
from tests.passport.conftest import (
    ADMIN_TOKEN,
    PASSWORD,
    Browser,
    Clock,
    bearer,
    create_achievement,
    create_provider,
    csrf_of,
    issue_to,
    last_link,
)


class Owner:
    """A learner with something behind every route: a credential, a second address, a pending link."""

    def __init__(self, client: TestClient, app: FastAPI, clock: Clock) -> None:
        self.browser = Browser.open(app)
        self.browser.sign_up("owner@example.com")
        self.token = self.browser.token("owner@example.com")
        provider = create_provider(client)
        achievement = create_achievement(client, provider["api_key"])
        pathway = client.post(
            "/api/v1/admin/pathways",
            json={
                "title": "One step",
                "region": "Wales",
                "steps": [{"title": "It", "options": [{"achievement": achievement}]}],
            },
            headers=bearer(ADMIN_TOKEN),
        )
        assert pathway.status_code == 201, pathway.text
        self.pathway_id = pathway.json()["id"]
        self.credential_id = issue_to(client, provider["api_key"], achievement, "owner@example.com")
        progress = client.get(f"/api/v1/passport/pathways/{self.pathway_id}", headers=bearer(self.token))
        self.milestone_id = progress.json()["milestone"]["id"]  # completed by that credential
        self.browser.add_address("owner.work@example.com")
        self.verify_secret = last_link(client, "owner.work@example.com", "/passport/verify/").rsplit("/", 1)[
            1
        ]
        emails = client.get("/api/v1/passport/emails", headers=bearer(self.token)).json()
        self.address_id = next(e["id"] for e in emails if e["email"] == "owner.work@example.com")
        self.token_id = client.get("/api/v1/passport/tokens", headers=bearer(self.token)).json()[0]["id"]
        share = client.post(
            "/api/v1/passport/shares",
            json={
                "credential_ids": [self.credential_id],
                "label": "Owner's application",
                "shared_by": "Owner",
            },
            headers=bearer(self.token),
        )
        assert share.status_code == 201, share.text
        self.share_id = share.json()["id"]
        self.share_secret = share.json()["url"].rsplit("/", 1)[1]
        self.secrets = [self.credential_id, self.address_id, self.token_id, "owner@example.com", "owner.work"]
        self.secrets += [self.share_id, self.share_secret, "Owner's application", self.milestone_id]
        self.award_id = exchange_visit_to(client, provider["id"], "owner@example.com")  # network.bursaries
        self.secrets.append(self.award_id)

    def assert_untouched(self, client: TestClient) -> None:
        items = client.get("/api/v1/passport/credentials", headers=bearer(self.token)).json()
        assert [item["id"] for item in items] == [self.credential_id]
        emails = client.get("/api/v1/passport/emails", headers=bearer(self.token)).json()
        assert {(e["email"], e["verified"], e["primary"]) for e in emails} == {
            ("owner@example.com", True, True),
            ("owner.work@example.com", False, False),
        }
        assert client.get("/api/v1/passport/tokens", headers=bearer(self.token)).status_code == 200
        shares = client.get("/api/v1/passport/shares", headers=bearer(self.token)).json()
        assert [(s["id"], s["state"], s["credential_ids"]) for s in shares] == [
            (self.share_id, "active", [self.credential_id])
        ]
        assert self.browser.get("/passport").status_code == 200


def exchange_visit_to(client: TestClient, provider_id: str, email: str) -> str:
    """An exchange-visit credential issued to `email` (`network.bursaries`): the award's id."""
    award = create_award(client, create_fund(client)["id"], provider_id, email)
    visited(client, award["id"])
    assert step(client, award["id"], "dissemination", {**REPORT, **SESSION}).status_code == 200
    assert step(client, award["id"], "issue").status_code == 200
    return str(award["id"])


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda match: ids[match.group(1)], path)


def test_every_api_route_needs_a_learner_token_and_reaches_only_its_own_passport(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    owner = Owner(client, app, clock)
    stranger = Browser.open(app)
    stranger.sign_up("stranger@example.com")
    stranger_token = stranger.token("stranger@example.com")
    provider_key = create_provider(client, "Another provider")["api_key"]
    ids = {
        "credential_id": owner.credential_id,
        "address_id": owner.address_id,
        "token_id": owner.token_id,
        "share_id": owner.share_id,
        "pathway_id": owner.pathway_id,
    }
    bodies: dict[str, Any] = {
        "/api/v1/passport/tokens": {"email": "owner@example.com", "password": "a guess"},
        "/api/v1/passport/emails": {"email": "someone.else@example.com"},
        "/api/v1/passport/account/delete": {"password": PASSWORD + " (the owner's, not mine)"},
        # Sharing the owner's credential: "not found", and nothing is made.
        "/api/v1/passport/shares": {"credential_ids": [owner.credential_id], "shared_by": "Stranger"},
        "/api/v1/passport/imports": {"credential": "not a credential"},
        "/api/v1/passport/presentations": {"credential_ids": [owner.credential_id], "challenge": "n"},
        "/api/v1/passport/clr": {"credential_ids": [owner.credential_id]},
    }
    # Routes that refuse the stranger's request for a reason other than whose the thing is.
    refused: dict[tuple[str, str], tuple[int, str | None]] = {
        ("POST", "/api/v1/passport/shares"): (404, "not-found"),
        ("POST", "/api/v1/passport/presentations"): (404, "not-found"),
        ("POST", "/api/v1/passport/clr"): (404, "not-found"),
        ("GET", "/api/v1/passport/clr"): (422, "validation-error"),  # the stranger's passport is empty
        ("POST", "/api/v1/passport/imports"): (422, "unreadable-credential"),
        ("POST", "/api/v1/passport/imports/upload"): (422, "validation-error"),  # no file was sent
        # A published pathway is public: the answer is about the stranger's own passport.
        ("GET", "/api/v1/passport/pathways/{pathway_id}"): (200, None),
        ("POST", "/api/v1/passport/pathways/{pathway_id}/milestone"): (
            409,
            "conflict",
        ),  # not theirs to claim
    }
    walked = 0
    paths = client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        if not path.startswith("/api/v1/passport/"):
            continue
        for method in (name.upper() for name in operations):
            url = _fill(path, ids)
            body = bodies.get(path) if method == "POST" else None
            where = f"{method} {path}"
            walked += 1
            if path == "/api/v1/passport/tokens" and method == "POST":
                assert_problem(client.post(url, json=body), 401, "sign-in-failed")
                continue
            for key in (None, provider_key, ADMIN_TOKEN, "lt_forged"):
                headers = bearer(key) if key else {}
                assert_problem(client.request(method, url, json=body, headers=headers), 401, "unauthorized")
            response = client.request(method, url, json=body, headers=bearer(stranger_token))
            text = response.text
            for secret in owner.secrets:
                if secret not in url:  # a 404 may repeat what was asked for
                    assert secret not in text, f"{where} shows the owner's {secret}: {text[:300]}"
            if (method, path) in refused:
                status, slug = refused[(method, path)]
                if slug is None:
                    assert response.status_code == status, f"{where}: {response.status_code} {text[:300]}"
                else:
                    assert_problem(response, status, slug)
            elif "{" in path:
                assert_problem(response, 404, "not-found")
            elif path == "/api/v1/passport/account/delete":
                assert_problem(response, 401, "sign-in-failed")
            else:
                assert response.status_code in (200, 201), f"{where}: {response.status_code} {text[:300]}"
    assert walked >= 26
    owner.assert_untouched(client)


# Pages that act on the owner's things, by id or by the owner's link: a stranger gets "not found".
OWNER_PAGES = {
    "/passport/credentials/{credential_id}",
    "/passport/verify/{secret}",
    "/passport/emails/{address_id}/resend",
    "/passport/emails/{address_id}/primary",
    "/passport/emails/{address_id}/remove",
    "/passport/shares/{share_id}/revoke",
    "/passport/credentials/{credential_id}/download",
    "/passport/credentials/{credential_id}/baked.png",
    "/passport/credentials/{credential_id}/baked.svg",
    "/passport/credentials/{credential_id}/badge.svg",
    "/passport/credentials/{credential_id}/presentation",
    "/passport/credentials/{credential_id}/clr",
    "/passport/shares/{share_id}",
    "/passport/shares/{share_id}/renew",
    "/passport/pathways/{pathway_id}/milestone.json",
    "/passport/credentials/{credential_id}/certificate.pdf",
    "/passport/exchange-visits/{award_id}.json",
}
# Pages that refuse the stranger for another reason than whose the thing is.
REFUSED_PAGES = {("GET", "/passport/clr/download"): (422, "validation-error")}  # an empty passport
# Links whose holder is authorised by holding them (they were emailed to that address), and forms a
# stranger may legitimately post (acting on themselves).
NOT_OWNERS = {"/passport/confirm/{secret}", "/passport/claim/{secret}", "/passport/claim/{secret}/create"}
NOT_OWNERS |= {"/passport/claim/{secret}/sign-in", "/passport/claim/{secret}/add"}
NOT_OWNERS |= {"/passport/reset-password/{secret}"}  # tested in test_passwords
NOT_OWNERS |= {"/passport/communities/join/{secret}"}  # the invited address only: test_communities_join
# A share link's page and QR codes: whoever holds the link may see them (tested in test_sharing).
NOT_OWNERS |= {"/shared/{secret}", "/shared/{secret}/qr.png", "/shared/{secret}/qr.svg"}
# A shared credential's PDF certificate: the link's holder, for what it includes (test_certificate).
NOT_OWNERS |= {"/shared/{secret}/credentials/{credential_id}/certificate.pdf"}
# An event's claim code: whoever holds it may open it, and its confirmation link was emailed to the
# address that claims (tested in test_claim_codes).
NOT_OWNERS |= {"/c/{code}", "/c/{code}/confirm/{secret}", "/c/{code}/confirm/{secret}/keep"}
NOT_OWNERS |= {"/c/{code}/qr.svg", "/c/{code}/qr.png"}
SIGNED_OUT_PAGES = {"/passport/sign-in", "/passport/sign-up", "/passport/forgot-password"}
# Forms that act on the visitor themselves (they are walked for CSRF below).
ACTS_ON_SELF = SIGNED_OUT_PAGES | {"/passport/sign-out", "/passport/account/delete", "/passport/emails"}
ACTS_ON_SELF |= {"/passport/shares", "/passport/import"}
ACTS_ON_SELF |= {"/passport/account/password", "/passport/account/reminders"}


def _routes(routes: list[Any]) -> list[Any]:
    """Every route, including those of included routers (FastAPI keeps those lazily)."""
    flat: list[Any] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        flat.extend(_routes(included.routes) if included is not None else [route])
    return flat


def _page_routes(app: FastAPI) -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for route in _routes(app.routes)
        if isinstance(route, PageRoute) and not route.path.startswith("/dev/")
        for method in route.methods
        if method != "HEAD"
    )


def test_every_page_is_the_visitors_own(client: TestClient, app: FastAPI, clock: Clock) -> None:
    owner = Owner(client, app, clock)
    stranger = Browser.open(app)
    stranger.sign_up("stranger@example.com")
    csrf = csrf_of(stranger.get("/passport/emails").text)
    signed_out = Browser.open(app)
    ids = {
        "credential_id": owner.credential_id,
        "address_id": owner.address_id,
        "secret": owner.verify_secret,
        "share_id": owner.share_id,
        "pathway_id": owner.pathway_id,  # a public pathway: its page shows the stranger's own progress
        "award_id": owner.award_id,
    }
    walked = 0
    for method, path in _page_routes(app):
        if path in NOT_OWNERS or (method == "POST" and path in ACTS_ON_SELF):
            continue
        url = _fill(path, ids)
        walked += 1
        if method == "GET" and path not in SIGNED_OUT_PAGES:
            response = signed_out.get(url)
            assert response.status_code == 303, f"GET {path} signed out: {response.status_code}"
            assert response.headers["location"].startswith("/passport/sign-in?next=/passport")
        data = {"csrf_token": csrf} if method == "POST" else None
        response = stranger.http.request(method, url, data=data)
        for secret in owner.secrets:
            if secret not in url:
                assert secret not in response.text, f"{method} {path} shows the owner's {secret}"
        if path in OWNER_PAGES:
            assert_page_problem(response, 404, "link-not-found" if "/verify/" in path else "not-found")
        elif (method, path) in REFUSED_PAGES:
            assert_page_problem(response, *REFUSED_PAGES[(method, path)])
        else:
            assert response.status_code in (200, 303), f"{method} {path}: {response.status_code}"
    assert walked >= 19
    owner.assert_untouched(client)


def test_every_form_refuses_a_missing_or_wrong_csrf_token(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    owner = Owner(client, app, clock)
    key = create_provider(client, "Claims")["api_key"]
    issue_to(client, key, create_achievement(client, key), "claimer@example.com")
    claim_secret = last_link(client, "claimer@example.com", "/passport/claim/").rsplit("/", 1)[1]
    ids = {"address_id": owner.address_id, "secret": owner.verify_secret, "share_id": owner.share_id}
    ids["credential_id"] = owner.credential_id
    ids["code"] = "NOSUCHCODE"  # the form is refused for its token before the code is looked up
    posts = [path for method, path in _page_routes(app) if method == "POST"]
    assert len(posts) >= 16
    other_session_token = csrf_of(Browser.open(app).get("/passport/sign-in").text)
    for path in posts:
        url = _fill(path, {**ids, "secret": claim_secret if "/claim/" in path else ids["secret"]})
        fields = {"email": "owner@example.com", "password": PASSWORD, "password_confirmation": PASSWORD}
        for who in (owner.browser, Browser.open(app)):
            who.get("/passport/sign-in")  # a signed-out visitor has its own anonymous token by now
            for token in (None, "wrong", other_session_token):
                data = fields if token is None else {**fields, "csrf_token": token}
                response = who.http.post(url, data=data)
                assert_page_problem(response, 403, "csrf-token-invalid")
    owner.assert_untouched(client)
