"""The employer's journey in headless Chromium, in English and in Welsh (issue 14, item 7): every public page
an employer meets (the check form, its error, the results for a valid, revoked, expired, outside-the-scheme
and tampered credential, a self-signed one named by a bare key, a share link and a withdrawn one) reflows at
320 CSS px (WCAG 2.2 SC 1.4.10: no horizontal scrolling, measured as
``document.scrollingElement.scrollWidth <= innerWidth``) and passes axe-core; the check form works with the
keyboard alone. ``PASSPORT_SCREENSHOTS=<folder>`` keeps a screenshot of each page at 320, 390 and 1280 px.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.test_shared_recipients import sign_up
from tests.conftest import ADMIN_TOKEN
from tests.issuers.conftest import COURSE
from tests.passport.test_trust_shown import self_signed_without_recipient

OPERATOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PERIOD = {"valid_from": "2025-09-01T00:00:00Z", "valid_until": "2027-08-31T23:59:59Z"}
LEARNER = "sam.jones@example.com"
LANGUAGES = ("en", "cy")
#: The verdict's heading in each language.
HEADLINES = {
    "valid": ("Valid", "Dilys"),
    "revoked": ("Revoked", "Wedi'i ddirymu"),
    "expired": ("Expired", "Wedi dod i ben"),
    "outside_scheme": (
        "Genuine, but outside the quality-assurance scheme",
        "Gwirioneddol, ond y tu allan i'r cynllun sicrhau ansawdd",
    ),
    "not_valid": ("Not valid", "Ddim yn ddilys"),
}


@dataclass(frozen=True)
class PublicPage:
    name: str
    url: str  # opened with ?lang=
    pasted: str | None = None  # pasted into the form at `url` and submitted
    verdict: str | None = None  # the data-verdict the page shows


@pytest.fixture
def api(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30) as client:
        yield client


def _provider(api: httpx.Client, name: str, accredited: bool) -> dict[str, str]:
    created = api.post(
        "/api/v1/admin/issuers", json={"name": name, "url": "https://college.example.ac.uk"}, headers=OPERATOR
    )
    assert created.status_code == 201, created.text
    if accredited:
        scope = {"provider_id": created.json()["id"], "scope": {"kinds": ["course"]}}
        answer = api.post("/api/v1/admin/accreditations", json={**PERIOD, **scope}, headers=OPERATOR)
        assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {created.json()['api_key']}"}


def _issue(api: httpx.Client, key: dict[str, str], **extra: Any) -> dict[str, Any]:
    achievement = api.post("/api/v1/achievements", json=COURSE, headers=key)
    assert achievement.status_code == 201, achievement.text
    body = {"achievement_id": achievement.json()["id"], "recipient": {"email": LEARNER, "name": "Sam Jones"}}
    issued = api.post("/api/v1/credentials", json={**body, **extra}, headers=key)
    assert issued.status_code == 201, issued.text
    result: dict[str, Any] = issued.json()
    return result


@pytest.fixture
def public_pages(live_server: str, api: httpx.Client) -> list[PublicPage]:
    college = _provider(api, "Midlands College of Further Education and Skills", accredited=True)
    outsider = _provider(api, "Unlisted Training Ltd", accredited=False)
    evidence = [{"url": "https://portfolio.example.org/sam/heat-pump-installation-log", "name": "Log"}]
    valid = _issue(api, college, result="Merit", evidence=evidence)
    revoked = _issue(api, college)
    revoke = api.post(
        f"/api/v1/credentials/{revoked['id']}/revoke", json={"reason": "error"}, headers=college
    )
    assert revoke.status_code == 200, revoke.text
    expired = _issue(api, college, valid_from="2025-01-01T00:00:00Z", valid_until="2025-06-30T00:00:00Z")
    outside = _issue(api, outsider)
    tampered = dict(valid["credential"])
    tampered["name"] = "Nuclear Reactor Design (Level 8)"
    token = {"Authorization": f"Bearer {sign_up(api)}"}
    imported = api.post(
        "/api/v1/passport/imports", json={"credential": self_signed_without_recipient()}, headers=token
    )
    assert imported.status_code == 201, imported.text
    ids = [valid["id"], imported.json()["item"]["id"]]
    shares = [
        api.post(
            "/api/v1/passport/shares", json={"credential_ids": ids, "shared_by": "Sam"}, headers=token
        ).json()
        for _ in range(2)
    ]
    withdrawn = api.post(f"/api/v1/passport/shares/{shares[1]['id']}/revoke", headers=token)
    assert withdrawn.status_code == 200, withdrawn.text
    form = f"{live_server}/verify"
    return [
        PublicPage("verify-form", form),
        PublicPage("verify-error", form, pasted="this is not a credential"),
        PublicPage("valid", valid["verification_url"], verdict="valid"),
        PublicPage("revoked", revoked["verification_url"], verdict="revoked"),
        PublicPage("expired", expired["verification_url"], verdict="expired"),
        PublicPage("outside-scheme", outside["verification_url"], verdict="outside_scheme"),
        PublicPage("tampered", form, pasted=json.dumps(tampered), verdict="not_valid"),
        PublicPage("bare-key-issuer", form, pasted=json.dumps(self_signed_without_recipient())),
        PublicPage("share", shares[0]["url"]),
        PublicPage("share-withdrawn", shares[1]["url"]),
    ]


def _open(page: Page, public: PublicPage, language: str) -> None:
    page.goto(f"{public.url}?lang={language}")
    if public.pasted is not None:
        page.locator("#credential").fill(public.pasted)
        page.locator("#verify-form button[type=submit]").click()
        page.wait_for_load_state()


def _overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0 or less: it reflows)."""
    overflow: int = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    return overflow


def _screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("PASSPORT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_every_public_page_reflows_at_320_px_and_passes_axe_in_both_languages(
    page: Page, public_pages: list[PublicPage]
) -> None:
    for language in LANGUAGES:
        for width in (320, 390, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            for public in public_pages:
                _open(page, public, language)
                where = f"{public.name} in {language} at {width} px"
                assert page.get_attribute("html", "lang") == ("cy" if language == "cy" else "en-GB"), where
                _screenshot(page, f"{public.name}-{language}-{width}")
                assert _overflow(page) <= 0, f"{where} scrolls sideways by {_overflow(page)} px"
                if public.verdict is not None:
                    verdict = page.locator("[data-verdict]")
                    assert verdict.get_attribute("data-verdict") == public.verdict, where
                    headline = HEADLINES[public.verdict][LANGUAGES.index(language)]
                    expect(page.locator("#verdict-heading")).to_have_text(headline)
                if width == 320:
                    assert_accessible(page)


def test_the_employers_journey_reads_in_each_language(page: Page, public_pages: list[PublicPage]) -> None:
    pages = {public.name: public for public in public_pages}
    for language, words in (
        (
            "en",
            {"revoked": r"The issuer revoked it on \d{1,2} \w+ \d{4}", "expired": "expired on 30 June 2025"},
        ),
        (
            "cy",
            {
                "revoked": r"Dirymodd y dyroddwr ef ar \d{1,2} \w+ \d{4}",
                "expired": "daeth i ben ar 30 Mehefin 2025",
            },
        ),
    ):
        for name, pattern in words.items():
            _open(page, pages[name], language)
            assert re.search(pattern, page.locator(".verdict").inner_text()), (name, language)
        page.set_viewport_size({"width": 320, "height": 800})
        _open(page, pages["valid"], language)
        details = page.locator("details.technical")
        expect(details.locator("dd").first).not_to_be_visible()  # closed until asked for
        details.locator("summary").click()
        expect(details.locator("dd").first).to_be_visible()
        _screenshot(page, f"technical-details-{language}-320")
        assert _overflow(page) <= 0, "the technical details scroll sideways"  # identifiers wrap
        assert_accessible(page)
        assert "did:web:" in details.inner_text()
        assert "did:" not in page.locator("main").inner_text().replace(details.inner_text(), "")
        _open(page, pages["share-withdrawn"], language)
        assert page.locator("a[href='/passport']").count() == 0  # no "go to your passport" for an employer
        expect(page.locator("main a[href='/verify']")).to_have_count(1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_check_form_by_keyboard_alone(page: Page, public_pages: list[PublicPage], language: str) -> None:
    """Tab from the top of the page to the text box, type a verification link, Tab to the button, Enter."""
    valid = next(public for public in public_pages if public.name == "valid")
    page.goto(f"{valid.url.split('/credentials/')[0]}/verify?lang={language}")
    visited = []
    for _ in range(10):
        page.keyboard.press("Tab")
        visited.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
        if visited[-1] == "credential":
            break
    assert visited[-1] == "credential", visited
    assert visited[0] == "A"  # the skip link comes first
    page.keyboard.type(valid.url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "file"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_url(valid.url)
    expect(page.locator("#verdict-heading")).to_have_text(HEADLINES["valid"][LANGUAGES.index(language)])
    assert_accessible(page)
