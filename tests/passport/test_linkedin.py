"""LinkedIn "Add to profile" links (`passport.exports.linkedin`): LinkedIn's documented parameters, each
percent-encoded, months 1-12 in UK time, and absent values left out; the share text in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import parse_qsl, urlsplit

from core.i18n import use_locale
from passport.exports.linkedin import add_to_profile_url, share_text


def test_every_documented_parameter_is_filled_and_encoded() -> None:
    url = add_to_profile_url(
        name="Heat Pumps & Solar (Level 3) — 100% done",
        organization_name="Coleg Gŵyr Abertawe",
        issued=datetime(2026, 11, 24, 9, tzinfo=UTC),
        expires=date(2029, 1, 31),
        cert_url="https://passport.example/credentials/abc?x=1",
        cert_id="abc",
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    assert " " not in url
    assert "&name=Heat%20Pumps%20%26%20Solar" in url
    assert parse_qsl(parts.query) == [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", "Heat Pumps & Solar (Level 3) — 100% done"),
        ("organizationName", "Coleg Gŵyr Abertawe"),
        ("issueYear", "2026"),
        ("issueMonth", "11"),
        ("expirationYear", "2029"),
        ("expirationMonth", "1"),
        ("certUrl", "https://passport.example/credentials/abc?x=1"),
        ("certId", "abc"),
    ]


def test_the_month_is_the_uk_one_and_missing_values_are_left_out() -> None:
    # 23:30 UTC on 31 May is 00:30 on 1 June in London (BST).
    url = add_to_profile_url(
        name="Award", organization_name=None, issued=datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
    )
    assert dict(parse_qsl(urlsplit(url).query)) == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Award",
        "issueYear": "2026",
        "issueMonth": "6",
    }


def test_share_text_names_the_issuer_and_the_link_in_the_current_language() -> None:
    text = share_text("Welding (Level 2)", "Midlands College", "https://p.example/credentials/1")
    assert text == (
        "I have earned \u201cWelding (Level 2)\u201d from Midlands College. "
        "Anyone can check it is genuine: https://p.example/credentials/1"
    )
    assert share_text("Welding", None, None) == "I have earned \u201cWelding\u201d."
    with use_locale("cy"):
        welsh = share_text("Weldio", "Coleg", "https://p.example/c/1")
    assert welsh == (
        "Rwyf wedi ennill \u201cWeldio\u201d gan Coleg. Gall unrhyw un wirio ei fod yn wirioneddol: https://p.example/c/1"
    )
