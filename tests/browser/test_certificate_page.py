"""The credential page's "Show it" section in a real browser, in English and Welsh: the PDF certificate
downloads and its QR code reads back to the verification page; the LinkedIn link is there, and the share
text's button copies it; axe-core finds nothing serious; nothing scrolls sideways on a phone. With
``SHOTS_DIR`` set, screenshots at 390 and 1280 px and the PDF's page image are written there (to look
at, never committed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.test_passport_journey import (
    EMAIL,
    NAMES,
    PASSWORD,
    confirmation_link,
    issue_before_sign_up,
)
from tests.passport.test_certificate import qr_codes_on_page

SHOTS = os.environ.get("SHOTS_DIR")


def sign_up(page: Page, live_server: str) -> None:
    page.goto(live_server + "/passport/sign-up")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirmation", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(confirmation_link(live_server))
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(live_server + "/passport?done=welcome")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_credential_page_offers_the_certificate_linkedin_and_a_share_text(
    live_server: str, page: Page, browser: Browser, lang: str
) -> None:
    issue_before_sign_up(live_server)
    sign_up(page, live_server)
    page.get_by_role("link", name=NAMES[0]).click()
    page.wait_for_load_state()
    credential_url = page.url
    credential_id = credential_url.rsplit("/", 1)[1]
    page.goto(f"{credential_url}?lang={lang}")
    download_words = {"en": "Download PDF certificate", "cy": "Lawrlwytho tystysgrif PDF"}[lang]
    linkedin = page.locator("a[href^='https://www.linkedin.com/profile/add?']")
    assert linkedin.count() == 1
    assert f"certId={credential_id}" in (linkedin.get_attribute("href") or "")
    share_text = page.locator("#share-text").input_value()
    assert NAMES[0] in share_text
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name={"en": "Copy the text", "cy": "Copïo'r testun"}[lang]).click()
    # The page says so once the clipboard's promise resolves: wait for it (Playwright's expect retries).
    expect(page.locator("#share-text-copied")).to_have_text({"en": "Copied.", "cy": "Wedi'i gopïo."}[lang])
    assert page.evaluate("navigator.clipboard.readText()") == share_text
    assert_accessible(page)
    for width in (320, 390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (width, overflow)
        if SHOTS and width != 320:
            page.screenshot(path=f"{SHOTS}/credential-{lang}-{width}.png", full_page=True)

    with page.expect_download() as waiting:
        page.get_by_role("link", name=download_words).click()
    download = waiting.value
    assert download.suggested_filename == f"certificate-{credential_id}.pdf"
    pdf = Path(download.path()).read_bytes()
    assert qr_codes_on_page(pdf) == [f"{live_server}/credentials/{credential_id}"]
    if SHOTS:
        import pypdfium2

        pypdfium2.PdfDocument(pdf)[0].render(scale=110 / 72).to_pil().save(f"{SHOTS}/certificate-{lang}.png")
