"""Welsh and English through the service: the switch (``?lang=``, then its cookie) and the browser's
Accept-Language choose the language of every area's pages and of problem details; a learner's email is
in the language they chose; dates are written the way each language writes them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import transaction
from core.i18n import COOKIE
from core.services import Database, services_of
from passport.accounts.mail import as_email
from passport.models import Learner, OutboxMessage
from tests.conftest import assert_page_problem, assert_problem
from tests.passport.conftest import (
    ADMIN_TOKEN,
    BASE_URL,
    Browser,
    auth,
    create_achievement,
    create_provider,
    issue_to,
    outbox,
)

#: A page of each area, and words each shows in Welsh (from the kernel's base template or its own).
PAGES = {
    "/": "Dyroddwch dystlythyrau Open Badges 3.0",  # the home page (server)
    "/passport/sign-in": "Mewngofnodi i'ch pasbort",  # the passport
    "/passport/sign-up": "Creu eich Pasbort Sgiliau",
    "/verify": "Gwirio tystlythyr",  # verification: the header the kernel gives every page
}


def _is_welsh(response: Any, words: str) -> bool:
    assert response.status_code == 200, response.text
    welsh = '<html lang="cy">' in response.text
    assert welsh == (words in response.text) == (response.headers["content-language"] == "cy")
    if not welsh:
        assert '<html lang="en-GB">' in response.text
        assert response.headers["content-language"] == "en-GB"
    assert response.headers["vary"].endswith("Accept-Language, Cookie")
    return welsh


@pytest.mark.parametrize(("path", "words"), PAGES.items())
def test_the_switch_chooses_welsh_and_is_remembered(app: FastAPI, path: str, words: str) -> None:
    browser = Browser.open(app)
    assert not _is_welsh(browser.get(path), words)
    chosen = browser.get(f"{path}?lang=cy")
    assert _is_welsh(chosen, words)
    assert f"{COOKIE}=cy" in chosen.headers["set-cookie"]
    assert _is_welsh(browser.get(path), words)  # the cookie remembers the choice...
    assert not _is_welsh(browser.get(f"{path}?lang=en"), words)  # ...until the other is chosen
    assert not _is_welsh(browser.get(path), words)


@pytest.mark.parametrize(("path", "words"), PAGES.items())
def test_the_browsers_language_chooses_until_a_choice_is_made(app: FastAPI, path: str, words: str) -> None:
    browser = Browser.open(app)
    assert _is_welsh(browser.http.get(path, headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}), words)
    assert not _is_welsh(browser.http.get(path, headers={"Accept-Language": "en-GB,cy;q=0.5"}), words)
    browser.http.cookies.set(COOKIE, "en")
    assert not _is_welsh(browser.http.get(path, headers={"Accept-Language": "cy"}), words)


def test_a_cookie_alone_chooses_welsh(app: FastAPI) -> None:
    browser = Browser.open(app)
    browser.http.cookies.set(COOKIE, "cy")
    assert _is_welsh(browser.get("/passport/sign-in"), PAGES["/passport/sign-in"])


def test_every_page_offers_the_other_language_on_the_same_address(app: FastAPI) -> None:
    browser = Browser.open(app)
    english = browser.get("/passport/sign-in?next=/passport/emails")
    assert (
        '<a class="language-switch" href="/passport/sign-in?next=%2Fpassport%2Femails&amp;lang=cy" '
        'lang="cy" hreflang="cy">Cymraeg</a>'
    ) in english.text
    welsh = browser.get("/verify?lang=cy")
    assert 'href="/verify?lang=en" lang="en-GB" hreflang="en-GB">English</a>' in welsh.text


def test_problem_details_are_in_the_language_the_client_accepts(client: TestClient) -> None:
    welsh = {"Accept-Language": "cy"}
    cases = [
        (client.get("/api/v1/issuer", headers=welsh), 401, "unauthorized"),  # issuers
        (client.get("/api/v1/admin/accreditations", headers=welsh), 401, "unauthorized"),  # network
        (client.get("/api/v1/passport/credentials", headers=welsh), 401, "unauthorized"),  # passport
        (client.get("/nowhere", headers=welsh), 404, "not-found"),
    ]
    for response, status, slug in cases:
        assert_problem(response, status, slug)  # the type is the same in every language
        assert response.headers["content-language"] == "cy"
        assert response.json()["title"] in ("Mae angen dilysu pwy ydych chi", "Heb ei ganfod")
    provider = create_provider(client)
    invalid = client.post(
        "/api/v1/achievements", json={"kind": "course"}, headers={**auth(provider["api_key"]), **welsh}
    )
    assert_problem(invalid, 422, "validation-error")
    assert invalid.json()["title"] == "Nid yw'r cais yn ddilys"
    assert invalid.json()["detail"] == "Nid yw'r cais yn ddilys: gweler y gwallau (errors)."
    english = client.get("/api/v1/issuer", headers={"Accept-Language": "en"})
    assert english.json()["title"] == "Authentication required"
    assert english.headers["content-language"] == "en-GB"


def test_a_problem_shown_as_a_page_is_in_welsh(app: FastAPI) -> None:
    browser = Browser.open(app)
    response = browser.get("/passport/confirm/not-a-real-link?lang=cy")
    assert_page_problem(response, 404, "link-not-found")
    assert "<h1>Nid yw&#39;r ddolen hon yn ddilys</h1>" in response.text
    assert "Gwiriwch eich bod wedi agor y ddolen gyfan o&#39;r e-bost." in response.text


def _messages_to(client: TestClient, email: str) -> list[dict[str, Any]]:
    return [message for message in outbox(client) if message["to"] == email]


def _learner_language(app: FastAPI) -> str | None:
    with transaction(services_of(app).get(Database).sessions) as session:
        language: str | None = session.scalars(select(Learner.language)).one()
        return language


def test_a_learner_who_signs_up_in_welsh_gets_welsh_email_from_then_on(
    app: FastAPI, client: TestClient
) -> None:
    browser = Browser.open(app)
    browser.get("/passport/sign-up?lang=cy")
    browser.sign_up("sam@example.com")
    confirmation = _messages_to(client, "sam@example.com")[0]
    assert confirmation["subject"] == "Cadarnhewch eich cyfeiriad i greu eich Pasbort Sgiliau"
    assert (
        "Mae'r ddolen yn gweithio unwaith, tan 25 Tachwedd 2026, 09:00 (amser y DU)."
        in (confirmation["body"])
    )
    assert confirmation["language"] == "cy"
    assert _learner_language(app) == "cy"
    # A provider's API call (in English) issues to the learner: the notice is in the learner's Welsh.
    provider = create_provider(client)
    achievement = create_achievement(client, provider["api_key"])
    issue_to(client, provider["api_key"], achievement, "sam@example.com")
    (notice,) = [m for m in _messages_to(client, "sam@example.com") if m["subject"].startswith("Newydd")]
    assert notice["subject"] == "Newydd yn eich Pasbort Sgiliau: Heat Pump Installation (Level 3)"
    assert notice["body"].startswith("Mae Midlands College wedi dyroddi tystlythyr digidol i chi")
    assert notice["language"] == "cy"


def test_a_learner_who_switches_to_english_gets_english_email(app: FastAPI, client: TestClient) -> None:
    browser = Browser.open(app)
    browser.get("/passport/sign-up?lang=cy")
    browser.sign_up("sam@example.com")
    browser.get("/passport?lang=en")  # the switch, signed in: the learner's choice now
    assert _learner_language(app) == "en"
    provider = create_provider(client)
    achievement = create_achievement(client, provider["api_key"])
    issue_to(client, provider["api_key"], achievement, "sam@example.com", format="ldp")
    with_welsh_request = client.post(  # the API request is Welsh; the learner's choice wins
        "/api/v1/credentials",
        json={"achievement_id": achievement, "recipient": {"email": "sam@example.com"}},
        headers={**auth(provider["api_key"]), "Accept-Language": "cy"},
    )
    assert with_welsh_request.status_code == 201
    notices = [m for m in _messages_to(client, "sam@example.com") if "Cadarnhewch" not in m["subject"]]
    assert len(notices) == 2
    for notice in notices:
        assert notice["subject"].startswith("New in your Skills Passport: ")
        assert notice["language"] == "en"


def test_email_to_an_address_without_a_passport_is_in_the_language_of_the_request(
    client: TestClient,
) -> None:
    provider = create_provider(client)
    achievement = create_achievement(client, provider["api_key"])
    client.post(
        "/api/v1/credentials",
        json={"achievement_id": achievement, "recipient": {"email": "new@example.com", "name": "Cerys"}},
        headers={**auth(provider["api_key"]), "Accept-Language": "cy"},
    )
    issue_to(client, provider["api_key"], achievement, "other@example.com")
    welsh, english = _messages_to(client, "new@example.com")[0], _messages_to(client, "other@example.com")[0]
    course = "Heat Pump Installation (Level 3)"
    assert welsh["subject"] == f"Mae Midlands College wedi dyroddi tystlythyr i chi: {course}"
    assert welsh["body"].startswith("Helo Cerys,\n\nMae Midlands College wedi dyroddi")
    assert english["subject"] == f"Midlands College has issued you a credential: {course}"
    assert english["language"] == "en"


def test_a_sent_email_says_its_language(app: FastAPI) -> None:
    row = OutboxMessage(id="m1", to_email="a@b.test", subject="Helo", body="Helo,", language="cy")
    assert as_email(row, "Skills Passport <no-reply@passport.test>")["Content-Language"] == "cy"
    row.language = None
    assert "Content-Language" not in as_email(row, "x@passport.test")


def test_signing_in_brings_the_learners_language_to_a_new_browser(app: FastAPI) -> None:
    first = Browser.open(app)
    first.get("/passport/sign-up?lang=cy")
    first.sign_up("sam@example.com")
    elsewhere = Browser.open(app)  # another device, no cookie, an English browser
    signed_in = elsewhere.sign_in("sam@example.com")
    assert signed_in.status_code == 303
    assert f"{COOKIE}=cy" in signed_in.headers["set-cookie"]
    assert '<html lang="cy">' in elsewhere.get("/passport").text
    chose_english = Browser.open(app)  # a browser that has chosen keeps its choice
    chose_english.get("/passport/sign-in?lang=en")
    assert f"{COOKIE}=" not in chose_english.sign_in("sam@example.com").headers.get("set-cookie", "")


def test_dates_are_written_in_the_language_of_the_page(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    achievement = create_achievement(client, provider["api_key"])
    credential_id = issue_to(client, provider["api_key"], achievement, "sam@example.com")
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    english = browser.get(f"/passport/credentials/{credential_id}")
    assert re.search(r'<time datetime="2026-11-24T09:00:00\+00:00">24 November 2026</time>', english.text)
    welsh = browser.get(f"/passport/credentials/{credential_id}?lang=cy")
    assert re.search(r'<time datetime="2026-11-24T09:00:00\+00:00">24 Tachwedd 2026</time>', welsh.text)
    assert "<dt>Dyroddwyd gan</dt><dd>Midlands College</dd>" in welsh.text
    home = browser.get("/passport")
    assert "1 tystlythyr, gan bob darparwr" in home.text
    assert '<span class="tag status-valid">Dilys</span>' in home.text


def test_the_operator_api_answers_in_welsh_too(client: TestClient) -> None:
    response = client.get(
        "/api/v1/admin/accreditations/nope", headers={**auth(ADMIN_TOKEN), "Accept-Language": "cy"}
    )
    assert_problem(response, 404, "not-found")
    assert response.json()["detail"] == "dim achrediad 'nope'"
    assert response.json()["instance"] == "/api/v1/admin/accreditations/nope"
    assert BASE_URL in response.json()["type"]


NOT_YET_WELSH = "Nid yw'r dudalen hon ar gael yn Gymraeg eto"


def test_every_page_is_in_welsh_with_nothing_marked_english(app: FastAPI) -> None:
    """The verifier's and the sharing pages are translated now: a Welsh reader gets Welsh, with no
    notice and nothing marked as English (`english_only` in `core.web.Templates` stays for a page
    added before its words are translated)."""
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    verify = browser.get("/verify?lang=cy").text
    assert "<h1>Gwirio tystlythyr</h1>" in verify
    for path in ("/verify", "/passport/emails", "/passport/shares"):
        translated = browser.get(f"{path}?lang=cy").text
        assert '<main id="main" tabindex="-1">' in translated
        assert "translation-notice" not in translated
        assert NOT_YET_WELSH not in translated
