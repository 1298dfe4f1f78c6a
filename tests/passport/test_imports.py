"""Importing credentials issued elsewhere: verified on import with the public verifier's report, a
forgery refused with it (nothing stored), idempotent, re-checked when shown, and the learner's own."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.services import Database, services_of
from issuers.badges import badge_png, badge_svg
from passport.models import ImportedCredential
from tests.conftest import assert_problem
from tests.passport.conftest import PASSWORD, Browser, Clock, bearer, csrf_of
from tests.verification.conftest import ExternalIssuer, FakeWeb
from vc.baking import bake

IMPORTS = "/api/v1/passport/imports"
CREDENTIALS = "/api/v1/passport/credentials"


@pytest.fixture
def college(web: FakeWeb) -> ExternalIssuer:
    issuer = ExternalIssuer(web)
    issuer.publish()
    return issuer


@pytest.fixture
def sam(app: FastAPI) -> tuple[Browser, str]:
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    return browser, browser.token("sam@example.com")


def stored(app: FastAPI) -> int:
    with services_of(app).get(Database).sessions() as session:
        return int(session.scalar(select(func.count()).select_from(ImportedCredential)) or 0)


def test_an_authentic_credential_is_imported_once_and_listed(
    client: TestClient, app: FastAPI, college: ExternalIssuer, sam: tuple[Browser, str]
) -> None:
    _, token = sam
    signed = college.sign(college.credential())
    first = client.post(IMPORTS, json={"credential": signed}, headers=bearer(token))
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["created"] is True
    assert body["report"]["verified"] is True
    assert body["report"]["trust"] == "outside_scheme"  # the college is not on the operator's register
    assert body["item"]["source"] == "imported"
    assert body["item"]["status"] == "outside_scheme"
    assert body["item"]["recipient_email"] is None
    assert body["item"]["issuer"] == {
        "id": college.did,
        "name": "Example University, School of Computing",
        "name_source": "self_asserted",  # the credential's own claim: the college is not on the register
        "logo_url": None,
    }
    assert body["item"]["recipient"] == "not_holder"  # issued to an address that is not Sam's
    again = client.post(IMPORTS, json={"credential": json.loads(json.dumps(signed))}, headers=bearer(token))
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["item"]["id"] == body["item"]["id"]
    listed = client.get(CREDENTIALS, headers=bearer(token)).json()
    assert [(item["id"], item["source"]) for item in listed] == [(body["item"]["id"], "imported")]
    detail = client.get(f"{CREDENTIALS}/{body['item']['id']}", headers=bearer(token)).json()
    assert detail["credential"] == signed
    assert stored(app) == 1
    page = sam[0].get(f"/passport/credentials/{body['item']['id']}")
    assert page.status_code == 200
    assert "Data Analysis Fundamentals" in page.text
    assert "public verification page" not in page.text  # its page, if any, is its own issuer's
    assert '<a href="/verify">Check a credential</a>' in page.text


def test_jwt_and_baked_badges_are_imported(
    client: TestClient, college: ExternalIssuer, sam: tuple[Browser, str]
) -> None:
    _, token = sam
    token_jwt = college.sign_jwt(college.credential(index=8))
    response = client.post(IMPORTS, json={"credential": token_jwt}, headers=bearer(token))
    assert response.status_code == 201, response.text
    assert response.json()["report"]["format"] == "jwt"
    png = bake(badge_png(), college.sign(college.credential(index=9)))
    response = client.post(
        f"{IMPORTS}/upload", files={"file": ("badge.png", png, "image/png")}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    svg = bake(badge_svg("Data").encode(), college.sign_jwt(college.credential(index=10)))
    response = client.post(
        f"{IMPORTS}/upload", files={"file": ("badge.svg", svg, "image/svg+xml")}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    assert len(client.get(CREDENTIALS, headers=bearer(token)).json()) == 3


def test_a_forgery_is_refused_with_the_report_and_nothing_is_stored(
    client: TestClient, app: FastAPI, college: ExternalIssuer, sam: tuple[Browser, str]
) -> None:
    _, token = sam
    forged = copy.deepcopy(college.sign(college.credential()))
    forged["name"] = "Doctorate in Everything"
    response = client.post(IMPORTS, json={"credential": forged}, headers=bearer(token))
    assert_problem(response, 422, "credential-not-authentic")
    report = response.json()["report"]
    assert report["verified"] is False
    assert {check["id"]: check["outcome"] for check in report["checks"]}["proof"] == "failed"
    # Signed by a key the issuer does not control: also not authentic.
    from vc.keys import KeyType, PrivateKey

    impostor = college.sign(college.credential(), key=PrivateKey.generate(KeyType.ED25519))
    assert_problem(
        client.post(IMPORTS, json={"credential": impostor}, headers=bearer(token)),
        422,
        "credential-not-authentic",
    )
    for bad in ("not a credential", "[1, 2]", ""):
        assert_problem(
            client.post(IMPORTS, json={"credential": bad}, headers=bearer(token)),
            422,
            "unreadable-credential",
        )
    assert stored(app) == 0
    assert client.get(CREDENTIALS, headers=bearer(token)).json() == []


def test_a_50_mb_upload_is_refused(client: TestClient, sam: tuple[Browser, str]) -> None:
    _, token = sam
    huge = b"\x89PNG\r\n\x1a\n" + bytes(50 * 1024 * 1024)
    response = client.post(
        f"{IMPORTS}/upload", files={"file": ("huge.png", huge, "image/png")}, headers=bearer(token)
    )
    assert_problem(response, 413, "payload-too-large")


def test_imported_credentials_are_rechecked_when_shown(
    client: TestClient, app: FastAPI, clock: Clock, college: ExternalIssuer, sam: tuple[Browser, str]
) -> None:
    browser, token = sam
    until = (clock.now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    signed = college.sign(college.credential(validUntil=until))
    item = client.post(IMPORTS, json={"credential": signed}, headers=bearer(token)).json()["item"]
    assert item["status"] == "outside_scheme"
    clock.advance(days=2)
    listed = client.get(CREDENTIALS, headers=bearer(token)).json()
    assert [entry["status"] for entry in listed] == ["expired"]
    assert browser.sign_in("sam@example.com").status_code == 303  # the session ran out meanwhile
    page = browser.get("/passport")
    assert "Expired" in page.text
    # A share link shows the same live status, and says the link itself is fine.
    share = client.post(
        "/api/v1/passport/shares",
        json={"credential_ids": [item["id"]], "shared_by": "Sam"},
        headers=bearer(token),
    ).json()
    public = TestClient(app).get(share["url"])
    assert public.status_code == 200
    assert 'data-status="expired"' in public.text
    assert "This credential has expired" in public.text


def test_imported_credentials_are_the_learners_own(
    client: TestClient, app: FastAPI, college: ExternalIssuer, sam: tuple[Browser, str]
) -> None:
    _, token = sam
    signed = college.sign(college.credential())
    item = client.post(IMPORTS, json={"credential": signed}, headers=bearer(token)).json()["item"]
    stranger = Browser.open(app)
    stranger.sign_up("stranger@example.com")
    other = stranger.token("stranger@example.com")
    assert_problem(client.get(f"{CREDENTIALS}/{item['id']}", headers=bearer(other)), 404, "not-found")
    assert_problem(client.delete(f"{IMPORTS}/{item['id']}", headers=bearer(other)), 404, "not-found")
    shared = client.post(
        "/api/v1/passport/shares",
        json={"credential_ids": [item["id"]], "shared_by": "Stranger"},
        headers=bearer(other),
    )
    assert_problem(shared, 404, "not-found")
    # The same credential imported by someone else is their own, separate item.
    theirs = client.post(IMPORTS, json={"credential": signed}, headers=bearer(other))
    assert theirs.status_code == 201
    assert theirs.json()["item"]["id"] != item["id"]

    export = client.get("/api/v1/passport/export", headers=bearer(token)).json()
    assert [entry["credential"] for entry in export["imported_credentials"]] == [signed]
    deleted = client.post(
        "/api/v1/passport/account/delete", json={"password": PASSWORD}, headers=bearer(token)
    )
    assert deleted.status_code == 204
    assert stored(app) == 1  # only the stranger's
    assert client.delete(f"{IMPORTS}/{theirs.json()['item']['id']}", headers=bearer(other)).status_code == 204
    assert stored(app) == 0


def test_importing_through_the_page(
    client: TestClient, app: FastAPI, college: ExternalIssuer, sam: tuple[Browser, str]
) -> None:
    browser, token = sam
    form = browser.get("/passport/import")
    assert form.status_code == 200
    forged = copy.deepcopy(college.sign(college.credential()))
    forged["name"] = "Forged"
    refused = browser.http.post(
        "/passport/import", data={"csrf_token": csrf_of(form.text), "pasted": json.dumps(forged)}
    )
    assert refused.status_code == 422
    assert "Not added" in refused.text
    assert stored(app) == 0
    png = bake(badge_png(), college.sign(college.credential(recipient="sam@example.com")))
    added = browser.http.post(
        "/passport/import",
        data={"csrf_token": csrf_of(form.text)},
        files={"file": ("badge.png", png, "image/png")},
    )
    assert added.status_code == 303, added.text
    assert added.headers["location"] == "/passport?done=imported"
    assert "Data Analysis Fundamentals" in browser.get("/passport").text
    assert len(client.get(CREDENTIALS, headers=bearer(token)).json()) == 1
    # Somebody else's credential is added too, and the answer says whose it is.
    theirs = college.sign(college.credential(index=8, recipient="alex@example.com"))
    other = browser.http.post(
        "/passport/import", data={"csrf_token": csrf_of(form.text), "pasted": json.dumps(theirs)}
    )
    assert other.status_code == 303, other.text
    assert other.headers["location"] == "/passport?done=imported-not-yours"
    told = browser.get(other.headers["location"]).text
    assert (
        '<div class="verdict warn" role="status"><p>The credential was verified and added, but it was issued'
        in told
    )
    unnamed = college.credential(index=9)
    del unnamed["credentialSubject"]["identifier"]
    unknown = browser.http.post(
        "/passport/import",
        data={"csrf_token": csrf_of(form.text), "pasted": json.dumps(college.sign(unnamed))},
    )
    assert unknown.headers["location"] == "/passport?done=imported-recipient-unknown"


def test_a_revoked_authentic_credential_is_kept_and_shown_revoked(
    client: TestClient, college: ExternalIssuer, sam: tuple[Browser, str]
) -> None:
    _, token = sam
    college.status[7] = True
    college.publish_status()
    response = client.post(
        IMPORTS, json={"credential": college.sign(college.credential(index=7))}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    assert response.json()["report"]["verified"] is False
    assert response.json()["item"]["status"] == "revoked"
    assert [item["status"] for item in client.get(CREDENTIALS, headers=bearer(token)).json()] == ["revoked"]


def test_a_bad_upload_is_explained_in_plain_words(
    client: TestClient, app: FastAPI, sam: tuple[Browser, str]
) -> None:
    """No parser jargon for the learner: what is wrong and what to do; the parser's reason stays in the
    problem's ``reason`` (English) for developers."""
    browser, token = sam
    from issuers.badges import badge_png

    cases = [
        (b'{"name": "half a credential', "This is not a credential we can read.", "line 1"),
        (b"\xff\xfe\x00garbage", "This is not a credential we can read.", "UTF-8"),
        (badge_png(), "This image has no credential inside it.", "no baked credential"),
        (b"\x89PNG\r\n\x1a\ntruncated", "This image could not be read as a badge", "PNG"),
        (b"[1, 2]", "This is not a credential we can read.", "not an object"),
    ]
    for content, words, reason in cases:
        response = client.post(
            f"{IMPORTS}/upload", files={"file": ("upload.bin", content)}, headers=bearer(token)
        )
        assert_problem(response, 422, "unreadable-credential")
        assert response.json()["detail"].startswith(words), response.json()
        assert reason in response.json()["reason"]
        page = browser.http.post(
            "/passport/import",
            data={"csrf_token": csrf_of(browser.get("/passport/import").text)},
            files={"file": ("upload.bin", content)},
        )
        assert page.status_code == 422
        assert words in page.text.replace("&#39;", "'")
        for jargon in ("iTXt", "IHDR", "Expecting", "char ", "UTF-8", "JSON object"):
            assert jargon not in page.text, jargon
    welsh = client.post(
        f"{IMPORTS}/upload",
        files={"file": ("upload.bin", badge_png())},
        headers={**bearer(token), "Accept-Language": "cy"},
    )
    assert welsh.json()["detail"].startswith("Does dim tystlythyr y tu mewn i\u2019r ddelwedd hon.")
