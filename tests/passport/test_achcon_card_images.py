"""Passport cards show a provider's own badge image when it is one this service serves (a path on our
origin), and never an image at the same path on another host."""

from __future__ import annotations

from passport.listing import inline_image
from tests.passport.test_passport_listing import _item, _with_image

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
