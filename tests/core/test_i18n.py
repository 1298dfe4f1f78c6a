"""core.i18n: which language a request gets, translating with a count, dates in UK time, the headers
that say which language a page is in, and the link that switches it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from core.i18n import (
    COOKIE,
    LocaleMiddleware,
    choose_locale,
    format_date,
    format_datetime,
    format_number,
    get_locale,
    gettext,
    ngettext,
    switch_href,
    use_locale,
)
from core.problems import NotFound


@pytest.mark.parametrize(
    ("query", "cookie", "header", "expected"),
    [
        ("cy", "en", "en", ("cy", "query")),
        ("en", "cy", "cy", ("en", "query")),
        (None, "cy", "en", ("cy", "cookie")),
        ("fr", "cy", None, ("cy", "cookie")),  # an unknown ?lang= is ignored
        (None, "xx", "cy", ("cy", "header")),  # and so is an unknown cookie
        (None, None, "cy-GB", ("cy", "header")),
        (None, None, "en-US,cy;q=0.9", ("en", "header")),
        (None, None, "fr-FR, de;q=0.9, cy;q=0.5", ("cy", "header")),
        (None, None, "cy;q=0.2, en;q=0.8", ("en", "header")),  # the weights decide, not the order
        (None, None, "cy;q=0, fr", ("en", "default")),  # q=0: "not Welsh"
        (None, None, "cy;q=nonsense", ("en", "default")),
        (None, None, "*", ("en", "default")),
        (None, None, None, ("en", "default")),
    ],
)
def test_the_language_is_the_query_then_the_cookie_then_accept_language(
    query: str | None, cookie: str | None, header: str | None, expected: tuple[str, str]
) -> None:
    choice = choose_locale(query, cookie, header)
    assert (choice.locale, choice.source) == expected


def test_outside_a_request_the_service_speaks_english_unless_told() -> None:
    assert get_locale() == "en"
    assert gettext("Skills Passport") == "Skills Passport"
    with use_locale("cy"):
        assert gettext("Skills Passport") == "Pasbort Sgiliau"
        with use_locale(None):  # None: the language in force stays
            assert get_locale() == "cy"
    with use_locale("xx"):
        assert get_locale() == "en"
    assert get_locale() == "en"


def test_placeholders_are_filled_in_either_language() -> None:
    assert gettext("Confirm %(email)s", email="a@b.test") == "Confirm a@b.test"
    with use_locale("cy"):
        assert gettext("Confirm %(email)s", email="a@b.test") == "Cadarnhau a@b.test"


@pytest.mark.parametrize(
    ("count", "english", "welsh"),
    [
        (1, "Wait 1 minute and", "Arhoswch 1 munud a"),
        (2, "Wait 2 minutes and", "Arhoswch 2 funud a"),  # Welsh "two" takes the soft mutation
        (3, "Wait 3 minutes and", "Arhoswch 3 munud a"),
        (15, "Wait 15 minutes and", "Arhoswch 15 munud a"),
    ],
)
def test_counts_take_the_plural_form_of_each_language(count: int, english: str, welsh: str) -> None:
    singular = "Too many attempts to sign in. Wait %(num)d minute and try again."
    plural = "Too many attempts to sign in. Wait %(num)d minutes and try again."
    assert english in ngettext(singular, plural, count)
    with use_locale("cy"):
        assert welsh in ngettext(singular, plural, count)


def test_a_problem_title_is_translated_when_shown_and_its_type_never_is() -> None:
    problem = NotFound("x")
    with use_locale("cy"):
        body = problem.body("https://passport.test")
    assert body["title"] == "Heb ei ganfod"
    assert body["type"] == "https://passport.test/problems/not-found"
    assert problem.body("https://passport.test")["title"] == "Not found"


def test_dates_and_times_are_written_out_in_uk_time() -> None:
    late_on_30_june = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # already 1 July in London (BST)
    winter = datetime(2026, 12, 4, 9, 5, tzinfo=UTC)  # GMT: the same hour
    assert format_date(late_on_30_june, "en") == "1 July 2026"
    assert format_date(late_on_30_june, "cy") == "1 Gorffennaf 2026"
    assert format_datetime(late_on_30_june, "en") == "1 July 2026, 00:30"
    assert format_datetime(winter, "cy") == "4 Rhagfyr 2026, 09:05"
    assert format_date(date(2026, 2, 1), "cy") == "1 Chwefror 2026"
    with use_locale("cy"):
        assert format_date(winter) == "4 Rhagfyr 2026"
    assert format_date(winter) == "4 December 2026"  # British English, not CLDR's American default
    assert format_number(1234567.5, "cy") == "1,234,567.5"


def _request(path: str, query: str = "") -> Request:
    scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode(), "headers": []}
    return Request(scope)


def test_the_switch_keeps_the_path_and_the_query_and_replaces_only_the_language() -> None:
    assert switch_href(_request("/passport/sign-in", "next=%2Fpassport&lang=en"), "cy") == (
        "/passport/sign-in?next=%2Fpassport&lang=cy"
    )
    assert switch_href(_request("/verify"), "en") == "/verify?lang=en"
    # Relative, and the path quoted: nothing from the Host header, nothing that breaks out of the href.
    assert switch_href(_request('/a b/"x"'), "cy") == "/a%20b/%22x%22?lang=cy"


def _app() -> Starlette:
    def page(request: Request) -> Response:
        return HTMLResponse(f"<p>{gettext('Skills Passport')}</p>")

    def problem(request: Request) -> Response:
        return JSONResponse({"title": gettext("Not found")}, media_type="application/problem+json")

    def data(request: Request) -> Response:
        return JSONResponse({"locale": get_locale()})

    def text(request: Request) -> Response:
        return PlainTextResponse("x", headers={"Vary": "Accept"})

    routes = [Route("/page", page), Route("/problem", problem), Route("/data", data), Route("/text", text)]
    app = Starlette(routes=routes)
    app.add_middleware(LocaleMiddleware, secure_cookie=True)
    return app


def test_pages_and_problems_say_their_language_and_what_it_depends_on() -> None:
    client = TestClient(_app(), base_url="https://passport.test")
    page = client.get("/page", headers={"Accept-Language": "cy"})
    assert page.text == "<p>Pasbort Sgiliau</p>"
    assert page.headers["content-language"] == "cy"
    assert page.headers["vary"] == "Accept-Language, Cookie"
    assert "set-cookie" not in page.headers  # only an explicit choice is remembered
    problem = client.get("/problem")
    assert problem.json() == {"title": "Not found"}
    assert problem.headers["content-language"] == "en-GB"
    data = client.get("/data", headers={"Accept-Language": "cy"})
    assert data.json() == {"locale": "cy"}  # code in the request sees its language...
    assert "content-language" not in data.headers  # ...but data is not words for people
    assert "content-language" not in client.get("/text").headers


def test_lang_in_the_query_is_remembered_in_a_cookie() -> None:
    client = TestClient(_app(), base_url="https://passport.test")
    chosen = client.get("/page?lang=cy", headers={"Accept-Language": "en"})
    assert chosen.text == "<p>Pasbort Sgiliau</p>"
    cookie = chosen.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=cy;")
    for attribute in ("Path=/", "Max-Age=31536000", "HttpOnly", "SameSite=Lax", "Secure"):
        assert attribute in cookie
    assert client.get("/page", headers={"Accept-Language": "en"}).text == "<p>Pasbort Sgiliau</p>"
    assert client.get("/page?lang=en").text == "<p>Skills Passport</p>"
    assert client.get("/page", headers={"Accept-Language": "cy"}).text == "<p>Skills Passport</p>"


def test_an_existing_vary_header_is_kept() -> None:
    def page(request: Request) -> Response:
        return HTMLResponse("x", headers={"Vary": "Accept"})

    app = Starlette(routes=[Route("/", page)])
    app.add_middleware(LocaleMiddleware)
    response = TestClient(app).get("/")
    assert response.headers["vary"] == "Accept, Accept-Language, Cookie"
