"""Passport cards show a provider's own badge image when it is one this service serves (a path on our
origin), and never an image at the same path on another host."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from core.services import Database, services_of
from issuers import images
from passport.listing import inline_image
from tests.passport.conftest import Browser, Clock, bearer, create_achievement, create_provider, issue_to
from tests.passport.test_exports import CREDENTIALS
from tests.passport.test_passport_listing import _item, _with_image
from vc.baking import unbake

BASE = "https://passport.test"
OWN = "/achievements/abc123/images/" + "a" * 64


def test_our_own_badge_image_is_shown_by_its_path() -> None:
    assert inline_image(_item(_with_image({"id": BASE + OWN, "type": "Image"})), BASE) == OWN


def test_an_image_elsewhere_or_not_a_badge_path_is_not_shown() -> None:
    for url in (
        "https://evil.example" + OWN,
        BASE + "/achievements/abc123/images/not-a-hash",
        BASE + "/passport/account",
        BASE + OWN + "?x=1",
        BASE + "." + OWN,
    ):
        assert inline_image(_item(_with_image({"id": url})), BASE) is None, url
    assert inline_image(_item(_with_image({"id": BASE + OWN}))) is None  # without our base URL: nothing


OURS_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128"><title>Ours</title>'
    b'<rect width="128" height="128" fill="#654321"/></svg>'
)


def test_a_providers_own_badge_is_on_the_card_and_in_the_baked_downloads(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    clock.now = datetime.now(UTC) - timedelta(hours=1)
    provider = create_provider(client)
    key = provider["api_key"]
    achievement = create_achievement(client, key)
    with services_of(app).get(Database).sessions() as session:
        stored = images.store(session, provider["id"], images.checked_image(OURS_SVG), clock.now)
        sha256 = stored.sha256
        session.commit()
    patched = client.patch(f"/api/v1/achievements/{achievement}", json={"image": sha256}, headers=bearer(key))
    assert patched.status_code == 200, patched.text
    credential_id = issue_to(client, key, achievement, "sam@example.com")
    browser = Browser.open(app)
    browser.sign_up("sam@example.com")
    token = browser.token("sam@example.com")

    home = browser.get("/passport").text
    assert f'src="/achievements/{achievement}/images/{sha256}"' in home
    svg = client.get(f"{CREDENTIALS}/{credential_id}/baked.svg", headers=bearer(token))
    assert svg.status_code == 200
    assert b'fill="#654321"' in svg.content
    document = client.get(f"/api/v1/credentials/{credential_id}", headers=bearer(key)).json()["credential"]
    assert unbake(svg.content) == document
    png = client.get(f"{CREDENTIALS}/{credential_id}/baked.png", headers=bearer(token))
    shown = Image.open(io.BytesIO(png.content))  # the SVG's 256 px rendering, made when it was stored
    assert shown.size == (256, 256)
    assert shown.convert("RGB").getpixel((128, 128)) == (0x65, 0x43, 0x21)
    assert unbake(png.content) == document
