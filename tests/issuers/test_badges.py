"""Baked downloads: GET /api/v1/credentials/{id}/baked.png and .svg hold exactly the issued credential,
read back by us and by independent readers; another provider's credential is a 404."""

from __future__ import annotations

import io
import json
from xml.etree import ElementTree

import cairosvg
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from issuers.badges import badge_png, badge_svg
from tests.issuers.conftest import COURSE, auth, create_achievement, create_provider
from tests.issuers.test_api import assert_problem, issue
from vc.baking import OB_NAMESPACE, unbake
from vc.errors import BakingError


@pytest.mark.parametrize("credential_format", ["ldp", "jwt"])
@pytest.mark.parametrize("image_format", ["png", "svg"])
def test_baked_download_holds_the_issued_credential(
    client: TestClient, credential_format: str, image_format: str
) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    issued = issue(client, provider["api_key"], achievement_id, format=credential_format)
    response = client.get(
        f"/api/v1/credentials/{issued['id']}/baked.{image_format}", headers=auth(provider["api_key"])
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == {"png": "image/png", "svg": "image/svg+xml"}[image_format]
    assert response.headers["content-disposition"] == (
        f'attachment; filename="credential-{issued["id"]}.{image_format}"'
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert unbake(response.content) == issued["credential"]


def test_png_download_is_read_by_pillow(client: TestClient) -> None:
    provider = create_provider(client)
    issued = issue(client, provider["api_key"], create_achievement(client, provider["api_key"]))
    response = client.get(f"/api/v1/credentials/{issued['id']}/baked.png", headers=auth(provider["api_key"]))
    image = Image.open(io.BytesIO(response.content))
    image.load()
    assert image.size == (256, 256)
    assert json.loads(image.text["openbadgecredential"]) == issued["credential"]  # type: ignore[attr-defined]


def test_svg_download_shows_the_achievement_and_runs_nothing(client: TestClient) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(
        client, provider["api_key"], {**COURSE, "name": 'Welding <L2> & "more"'}
    )
    issued = issue(client, provider["api_key"], achievement_id, format="jwt")
    response = client.get(f"/api/v1/credentials/{issued['id']}/baked.svg", headers=auth(provider["api_key"]))
    assert response.headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    root = ElementTree.fromstring(response.content)
    assert root[0].tag == f"{{{OB_NAMESPACE}}}credential"
    assert root[0].get("verify") == issued["credential"]
    assert 'Welding <L2> & "more"' in "".join(root.itertext())
    assert cairosvg.svg2png(bytestring=response.content).startswith(b"\x89PNG")


@pytest.mark.parametrize("image_format", ["png", "svg"])
def test_another_providers_credential_is_not_found(client: TestClient, image_format: str) -> None:
    owner = create_provider(client, "Owner")
    stranger = create_provider(client, "Stranger")
    issued = issue(client, owner["api_key"], create_achievement(client, owner["api_key"]))
    url = f"/api/v1/credentials/{issued['id']}/baked.{image_format}"
    assert_problem(client.get(url, headers=auth(stranger["api_key"])), 404, "not-found")
    assert_problem(
        client.get(url.replace(issued["id"], "0" * 32), headers=auth(owner["api_key"])), 404, "not-found"
    )
    assert_problem(client.get(url), 401, "unauthorized")


def test_the_default_png_badge_is_small_and_holds_no_credential() -> None:
    image = Image.open(io.BytesIO(badge_png()))
    assert image.size == (256, 256)
    assert len(badge_png()) < 10_000
    with pytest.raises(BakingError, match="no baked credential"):
        unbake(badge_png())


@pytest.mark.parametrize(
    "name",
    ["</text><script>alert(1)</script>", 'A "quoted" & <odd> name', "x" * 300, "Ysgol Gymraeg — Lefel 3"],
)
def test_the_default_svg_badge_carries_any_name_as_text(name: str) -> None:
    svg = badge_svg(name, "course")
    root = ElementTree.fromstring(svg)
    assert not [element for element in root.iter() if "script" in element.tag]
    lines = [tspan.text or "" for tspan in root.iter("{http://www.w3.org/2000/svg}tspan")]
    assert 1 <= len(lines) <= 3
    shown, whole = "".join(lines).replace(" ", ""), name.replace(" ", "")
    if len(name) <= 40:
        assert shown == whole
    else:
        assert shown.endswith("…")
        assert whole.startswith(shown[:-1])
    assert root.get("aria-label") == f"{name} — Skills Passport badge"
