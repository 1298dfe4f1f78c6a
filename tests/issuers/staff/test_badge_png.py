"""A designed (or uploaded) SVG badge is rendered once, when it is stored, to a 256 px PNG
(`issuers.images.render_png`): the PNG decodes, looks like the design, is served at the image's PNG URL
and is what a baked PNG download holds, which unbakes and verifies. Rendering fetches nothing."""

from __future__ import annotations

import io
import sys
import types
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from core.services import Database, services_of
from issuers import images
from issuers.badge_design import COLOUR_SCHEMES, Design, design_svg
from issuers.badges import badge_png
from issuers.models import AchievementImage
from tests.issuers.conftest import auth, create_provider
from tests.issuers.staff.conftest import Browser, provider_staff
from tests.issuers.staff.test_console_achievements import api_achievement, create, design
from tests.issuers.test_api import assert_problem, issue
from vc.baking import unbake

NAVY = Design("square", "navy", "book", "First Aid")
#: The rounded square's background at (12, 128) and its accent outline (x = 20, 5 px wide) at (20, 128).
BACKGROUND, OUTLINE = (12, 128), (20, 128)


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def assert_looks_like_navy(png: bytes) -> None:
    image = decoded(png)
    assert image.format == "PNG"
    assert image.size == (256, 256)
    _, background, accent, _ = COLOUR_SCHEMES["navy"]
    pixels = image.convert("RGBA")
    assert pixels.getpixel(BACKGROUND) == (*rgb(background), 255)
    assert pixels.getpixel(OUTLINE) == (*rgb(accent), 255)
    assert pixels.getpixel((0, 0))[3] == 0  # outside the rounded corner: transparent


@pytest.fixture
def provider(client: TestClient) -> dict[str, Any]:
    return create_provider(client)


@pytest.fixture
def issuer(app: FastAPI, client: TestClient, provider: dict[str, Any]) -> Browser:
    return provider_staff(app, client, provider["id"], "issuer@college.example", "issuer")


@pytest.mark.parametrize("colours", sorted(COLOUR_SCHEMES))
def test_a_designed_badge_renders_to_a_256_px_png_in_its_colours(colours: str) -> None:
    checked = images.checked_image(design_svg(Design("square", colours, "star", "Welding")).encode())
    png = images.render_png(checked.content, checked.width, checked.height)
    assert png is not None
    image = decoded(png).convert("RGBA")
    assert image.size == (256, 256)
    _, background, accent, _ = COLOUR_SCHEMES[colours]
    assert image.getpixel(BACKGROUND) == (*rgb(background), 255)
    assert image.getpixel(OUTLINE) == (*rgb(accent), 255)


def test_a_wide_svg_renders_256_px_on_its_longer_side() -> None:
    wide = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">'
        b'<rect width="400" height="200" fill="#123456"/></svg>'
    )
    checked = images.checked_image(wide)
    png = images.render_png(checked.content, checked.width, checked.height)
    assert png is not None
    image = decoded(png).convert("RGB")
    assert image.size == (256, 128)
    assert image.getpixel((200, 100)) == (0x12, 0x34, 0x56)


@pytest.mark.parametrize(
    "body",
    [
        '<image href="file:///etc/passwd" width="9" height="9"/>',
        '<use href="http://127.0.0.1:9/sprite.svg#a"/>',
        '<use href="file:///etc/hostname"/>',
    ],
)
def test_rendering_fetches_nothing_and_refuses_a_reference_elsewhere(body: str) -> None:
    # Never reached through checked_image (which refuses these); the renderer refuses them on its own too.
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">{body}</svg>'.encode()
    with pytest.raises(images.UnsafeImage) as caught:
        images.render_png(svg, 64, 64)
    assert (caught.value.status, caught.value.slug) == (422, "image-unsafe")


def test_a_designed_badge_is_baked_as_its_png_and_verifies(
    client: TestClient, provider: dict[str, Any], issuer: Browser
) -> None:
    achievement_id = create(issuer)
    used = design(issuer, achievement_id, "use", shape="square", colours="navy", icon="book")
    assert used.status_code == 303, used.text
    sha256 = api_achievement(client, provider, achievement_id)["definition"]["image"]
    issued = issue(client, provider["api_key"], achievement_id)

    served = client.get(f"/achievements/{achievement_id}/images/{sha256}.png")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert "immutable" in served.headers["cache-control"]
    assert_looks_like_navy(served.content)
    assert client.get(f"/achievements/{achievement_id}/images/{sha256}").headers["content-type"] == (
        "image/svg+xml"  # the SVG stays where SVG is used
    )

    baked = client.get(f"/api/v1/credentials/{issued['id']}/baked.png", headers=auth(provider["api_key"]))
    assert baked.status_code == 200
    assert baked.headers["content-type"] == "image/png"
    assert_looks_like_navy(baked.content)
    assert unbake(baked.content) == issued["credential"]
    checked = client.post(
        "/credentials/verify/upload", files={"file": ("badge.png", baked.content, "image/png")}
    )
    assert checked.status_code == 200, checked.text
    assert checked.json()["verified"] is True


def test_an_svg_stored_before_renderings_has_no_png_until_stored_again(
    app: FastAPI, client: TestClient, provider: dict[str, Any], issuer: Browser
) -> None:
    achievement_id = create(issuer)
    design(issuer, achievement_id, "use", shape="square", colours="navy", icon="book")
    sha256 = api_achievement(client, provider, achievement_id)["definition"]["image"]
    database = services_of(app).get(Database)
    with database.sessions() as session:
        row = session.get(AchievementImage, (provider["id"], sha256))
        assert row is not None
        assert row.png is not None
        row.png = None  # as migration 0025 leaves an SVG stored before it
        session.commit()
    png_url = f"/achievements/{achievement_id}/images/{sha256}.png"
    assert_problem(client.get(png_url, headers={"Accept": "application/json"}), 404, "not-found")
    issued = issue(client, provider["api_key"], achievement_id)
    baked = client.get(f"/api/v1/credentials/{issued['id']}/baked.png", headers=auth(provider["api_key"]))
    assert decoded(baked.content).size == decoded(badge_png()).size
    assert decoded(baked.content).convert("RGBA").getpixel(BACKGROUND) != (*rgb("#1b2a4a"), 255)
    assert unbake(baked.content) == issued["credential"]

    design(issuer, achievement_id, "use", shape="square", colours="navy", icon="book")  # the same SVG again
    assert_looks_like_navy(client.get(png_url).content)


def test_an_uploaded_png_is_its_own_png_url(
    app: FastAPI, client: TestClient, provider: dict[str, Any], issuer: Browser
) -> None:
    out = io.BytesIO()
    Image.new("RGBA", (64, 64), (29, 111, 114, 255)).save(out, "PNG")
    with services_of(app).get(Database).sessions() as session:
        row = images.store(session, provider["id"], images.checked_image(out.getvalue()), datetime.now(UTC))
        assert row.png is None
        sha256 = row.sha256
        session.commit()
    achievement_id = create(issuer)
    assert (
        client.patch(
            f"/api/v1/achievements/{achievement_id}",
            json={"image": sha256},
            headers=auth(provider["api_key"]),
        ).status_code
        == 200
    )
    served = client.get(f"/achievements/{achievement_id}/images/{sha256}.png")
    assert served.status_code == 200
    assert served.content == out.getvalue()
    missing = f"/achievements/{achievement_id}/images/{'0' * 64}.png"
    assert_problem(client.get(missing, headers={"Accept": "application/json"}), 404, "not-found")


def laughs(depth: int) -> bytes:
    """Each level uses the next twice: 2 ** depth rectangles drawn from 3 * depth elements."""
    levels = "".join(f'<g id="l{i}"><use href="#l{i + 1}"/><use href="#l{i + 1}"/></g>' for i in range(depth))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><defs>'
        f'{levels}<rect id="l{depth}" width="1" height="1" fill="#123456"/></defs><use href="#l0"/></svg>'
    ).encode()


SMALL = b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'


def test_an_svg_that_would_draw_too_much_or_refers_to_itself_gets_no_png() -> None:
    assert 2**16 < images.MAX_DRAWN < 2**17
    assert images.render_png(images.checked_image(laughs(10)).content, 64, 64) is not None
    for svg in (
        laughs(17),
        SMALL + b'<g id="a"><use href="#a"/></g></svg>',
        SMALL
        + b'<pattern id="p" width="4" height="4"><rect width="4" height="4" fill="url(#p)"/></pattern></svg>',
    ):
        assert images.render_png(images.checked_image(svg).content, 64, 64) is None


def test_without_libcairo_the_service_runs_on_with_the_default_png(monkeypatch: pytest.MonkeyPatch) -> None:
    """cairocffi loads libcairo2 when cairosvg is imported; a machine without it gets no PNG, not a 500."""

    class NoCairo(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            raise OSError("no library called 'cairo-2' was found")

    monkeypatch.setitem(sys.modules, "cairosvg.surface", NoCairo("cairosvg.surface"))
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64"/>'
    svg += b"</svg>"
    assert images.render_png(svg, 64, 64) is None
