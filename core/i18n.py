"""Welsh and English: the request's language, the gettext catalogues, dates and numbers per locale.

English is the source language: every message id is the English text, so English needs no catalogue.
Welsh is ``core/locales/cy/LC_MESSAGES/messages.po``, compiled in memory the first time it is used (no
``.mo`` file to build or commit). ``make messages`` extracts the message ids into ``messages.pot`` and
merges them into each ``.po`` (README, "Translations").

The language of a request is chosen, in order, by ``?lang=cy|en`` (which also sets a cookie, so the
choice is remembered), that cookie, the ``Accept-Language`` header (RFC 9110 §12.5.4, negotiated by
Babel), and then English. `LocaleMiddleware` puts the choice in a context variable for the whole
request, so that any code, a service as much as a page, translates with `gettext` and needs no request;
code outside a request (the CLI, workers) speaks English unless it says otherwise with `use_locale`.

Python code translates with ``gettext("...")`` (``%(name)s`` placeholders filled from keyword
arguments), ``ngettext`` for a count, and marks text translated later with ``N_("...")`` (a problem's
``title``, a table of messages). Templates get ``_()``, ``ngettext`` and ``{% trans %}`` (Jinja's
i18n extension, "newstyle": values are escaped, the translation is not), and the ``date``,
``datetime`` and ``number`` filters.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from gettext import NullTranslations
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from babel.core import negotiate_locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.dates import get_datetime_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "N_",
    "Choice",
    "LocaleMiddleware",
    "choose_locale",
    "format_date",
    "format_datetime",
    "format_number",
    "get_choice",
    "get_locale",
    "gettext",
    "install",
    "language_tag",
    "ngettext",
    "remember_language",
    "use_locale",
]

LOCALES = ("en", "cy")
DEFAULT_LOCALE = "en"
#: The BCP 47 tag of each language, for ``<html lang>`` and ``Content-Language``.
LANGUAGE_TAGS = {"en": "en-GB", "cy": "cy"}
#: The CLDR locale each language formats dates and numbers with (British English, not CLDR's "en").
CLDR_LOCALES = {"en": "en_GB", "cy": "cy_GB"}
#: Each language's name in itself, for the switch that offers it.
NATIVE_NAMES = {"en": "English", "cy": "Cymraeg"}
QUERY_PARAMETER = "lang"
COOKIE = "passport_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
#: Dates and times are shown as in the UK, whatever the server's zone.
TIME_ZONE = ZoneInfo("Europe/London")
LOCALES_DIR = Path(__file__).resolve().parent / "locales"

Source = Literal["query", "cookie", "header", "default", "chosen"]


@dataclass(frozen=True)
class Choice:
    """A language and how it was chosen: ``query`` (``?lang=``), ``cookie``, ``header``
    (Accept-Language), ``default``, or ``chosen`` by code (`use_locale`)."""

    locale: str
    source: Source

    @property
    def explicit(self) -> bool:
        """The visitor picked this language (the switch now, or before: its cookie)."""
        return self.source in ("query", "cookie")


_NO_CHOICE = Choice(DEFAULT_LOCALE, "default")
_choice: ContextVar[Choice | None] = ContextVar("passport_locale", default=None)


def get_choice() -> Choice:
    return _choice.get() or _NO_CHOICE


def get_locale() -> str:
    """The language of the current request (or `use_locale` block); English outside any."""
    return get_choice().locale


def language_tag(locale: str | None = None) -> str:
    locale = locale or get_locale()
    return LANGUAGE_TAGS.get(locale, locale)


@contextmanager
def use_locale(locale: str | None) -> Iterator[None]:
    """Speak ``locale`` inside the block (an email in its recipient's language); None keeps the current
    one. An unknown code falls back to English."""
    if locale is None:
        yield
        return
    token = _choice.set(Choice(locale if locale in LOCALES else DEFAULT_LOCALE, "chosen"))
    try:
        yield
    finally:
        _choice.reset(token)


# --- choosing the language ----------------------------------------------------------------------------------


def _accepted(header: str) -> list[str]:
    """Accept-Language's language ranges, best first (RFC 9110 §12.5.4; ``q=0`` means "not this")."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):  # a hostile header is bounded
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def choose_locale(query: str | None, cookie: str | None, accept_language: str | None) -> Choice:
    """``?lang=``, then the cookie, then Accept-Language, then English; unknown values are ignored."""
    if query in LOCALES:
        return Choice(query, "query")
    if cookie in LOCALES:
        return Choice(cookie, "cookie")
    if accept_language:
        negotiated = negotiate_locale(_accepted(accept_language), list(LOCALES), sep="-")
        if negotiated is not None:
            return Choice(negotiated, "header")
    return Choice(DEFAULT_LOCALE, "default")


def _words_for_people(content_type: str) -> bool:
    return content_type.startswith(("text/html", "application/problem+json"))


class LocaleMiddleware:
    """Chooses each request's language (`choose_locale`), and says which one a page or problem is in:
    ``Content-Language``, ``Vary: Accept-Language, Cookie`` (RFC 9110 §12.5.5: the answer depends on
    them). ``?lang=`` also sets the cookie that remembers the choice (a year, this site only)."""

    def __init__(self, app: ASGIApp, secure_cookie: bool = False) -> None:
        self.app = app
        self.cookie_attributes = f"Path=/; Max-Age={COOKIE_MAX_AGE}; HttpOnly; SameSite=Lax" + (
            "; Secure" if secure_cookie else ""
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        choice = choose_locale(
            request.query_params.get(QUERY_PARAMETER),
            request.cookies.get(COOKIE),
            Headers(scope=scope).get("accept-language"),
        )

        async def send_in_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if _words_for_people(headers.get("content-type", "")):
                    headers["Content-Language"] = LANGUAGE_TAGS[choice.locale]
                    headers.add_vary_header("Accept-Language")
                    headers.add_vary_header("Cookie")
                if choice.source == "query":
                    headers.append("Set-Cookie", f"{COOKIE}={choice.locale}; {self.cookie_attributes}")
            await send(message)

        token = _choice.set(choice)
        try:
            await self.app(scope, receive, send_in_language)
        finally:
            _choice.reset(token)


def remember_language(response: Response, locale: str, secure: bool) -> None:
    """Set the cookie that keeps ``locale`` for this browser (a learner's choice, at sign-in), unless the
    visitor has chosen one here (the switch, or its cookie)."""
    if locale in LOCALES and not get_choice().explicit:
        response.set_cookie(
            COOKIE, locale, max_age=COOKIE_MAX_AGE, path="/", secure=secure, httponly=True, samesite="lax"
        )


# --- translating --------------------------------------------------------------------------------------------


@functools.cache
def _translations(locale: str) -> NullTranslations:
    """The locale's catalogue, compiled from its ``.po`` in memory (fuzzy entries left out, as msgfmt
    does); English, the source language, translates nothing."""
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == DEFAULT_LOCALE or not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown (with `gettext`)."""
    return message


def gettext(message: str, **variables: Any) -> str:
    """``message`` in the current language, its ``%(name)s`` placeholders filled from ``variables``."""
    text = _translations(get_locale()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """The form for ``num`` (Welsh has six: CLDR plural rules), with ``%(num)d`` and ``variables``."""
    return _translations(get_locale()).ngettext(singular, plural, num) % {"num": num, **variables}


# --- dates and numbers --------------------------------------------------------------------------------------


def _local(value: date) -> date:
    """A datetime as the UK's calendar date (a naive one is taken as UTC); a date as it is."""
    if isinstance(value, datetime):
        return value.astimezone(TIME_ZONE).date() if value.tzinfo else value.date()
    return value


@functools.lru_cache(maxsize=4096)
def _long_date(day: date, locale: str) -> str:
    # Cached: a passport page shows a date per card, and Babel takes ~20 µs to format one.
    return babel_format_date(day, "long", locale=locale)


def _cldr(locale: str | None) -> str:
    return CLDR_LOCALES.get(locale or get_locale(), CLDR_LOCALES[DEFAULT_LOCALE])


def format_date(value: date, locale: str | None = None) -> str:
    """A date in words, as in the UK: "4 December 2025", "4 Rhagfyr 2025"."""
    return _long_date(_local(value), _cldr(locale))


def format_datetime(value: datetime, locale: str | None = None) -> str:
    """A date and time of day, UK time: "4 December 2025, 14:30", "4 Rhagfyr 2025, 14:30"."""
    cldr = _cldr(locale)
    time = babel_format_time(value, "HH:mm", tzinfo=TIME_ZONE, locale=cldr)
    pattern = str(get_datetime_format("long", locale=cldr)).replace("'", "")  # "{1}, {0}"
    return pattern.replace("{1}", _long_date(_local(value), cldr)).replace("{0}", time)


def format_number(value: float, locale: str | None = None) -> str:
    """12,345.5 in both languages (CLDR's British English and Welsh agree)."""
    return format_decimal(value, locale=_cldr(locale))


# --- templates ----------------------------------------------------------------------------------------------


def switch_href(request: Request, locale: str) -> str:
    """This page again in ``locale``: the same path and query, ``lang`` replaced (relative, so the Host
    header never makes the link)."""
    query = [(key, value) for key, value in request.query_params.multi_items() if key != QUERY_PARAMETER]
    return f"{quote(request.url.path)}?{urlencode([*query, (QUERY_PARAMETER, locale)])}"


def language_switch(request: Request) -> dict[str, str]:
    """The other language, for the page header's switch: its code, tag, name in itself and link."""
    other = "en" if get_locale() == "cy" else "cy"
    return {
        "code": other,
        "tag": LANGUAGE_TAGS[other],
        "name": NATIVE_NAMES[other],
        "href": switch_href(request, other),
    }


def _template_gettext(message: str) -> str:
    return _translations(get_locale()).gettext(message)


def _template_ngettext(singular: str, plural: str, num: int) -> str:
    return _translations(get_locale()).ngettext(singular, plural, num)


def install(environment: Environment) -> None:
    """Give a template environment ``_()``, ``ngettext``, ``{% trans %}`` (whitespace trimmed), the
    ``date``/``datetime``/``number`` filters and the language helpers ``base.html`` uses."""
    environment.add_extension("jinja2.ext.i18n")
    environment.policies["ext.i18n.trimmed"] = True
    environment.install_gettext_callables(  # type: ignore[attr-defined]  # added by the extension
        _template_gettext, _template_ngettext, newstyle=True
    )
    environment.filters.update(date=format_date, datetime=format_datetime, number=format_number)
    environment.globals.update(
        current_locale=get_locale, language_tag=language_tag, language_switch=language_switch
    )
