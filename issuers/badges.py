"""Baked badge downloads (OB 3.0 §Baking): an issued credential inside a badge image, PNG or SVG.

The image is our default badge: an SVG drawn here with the achievement's name and kind, or a PNG of the
same design without them (``issuers/data/badge.png``, 256 x 256, 4.6 KB: ``badge_svg(None)`` rendered
once by cairosvg and quantised to 64 colours by Pillow, so neither is needed at run time). An achievement's
own ``image_url`` is never used: we bake only images we hold, and never fetch a remote one. An image the
provider uploaded or designed (`issuers.images`) is used, the one of the version the credential was issued
with: for a PNG download, the image's PNG (an SVG's rendering, made when it was stored); for an SVG
download, an SVG image (a PNG image has no SVG, so the default SVG is used). An SVG stored before
renderings were kept has no PNG: its PNG download uses the default PNG.
"""

from __future__ import annotations

import textwrap
from functools import cache
from importlib.resources import files
from typing import Literal
from xml.sax.saxutils import escape

from sqlalchemy.orm import Session

from core.problems import NotFound
from vc.baking import bake

from . import achievements, images, issuing, service
from .models import Achievement, AchievementImage, Issuer

ImageFormat = Literal["png", "svg"]
MEDIA_TYPES: dict[ImageFormat, str] = {"png": "image/png", "svg": "image/svg+xml"}

_NAME_LINE = 18  # characters per line of the name, three lines at most
_TICK = (
    '<path d="M92 130l24 24 48-52" fill="none" stroke="#f2c14e" stroke-width="14" stroke-linecap="round"/>'
)


def badge_svg(name: str | None, kind: str | None = None) -> str:
    """Our default badge as SVG: the name in three lines at most, or a tick when there is none."""
    if name:
        lines = textwrap.wrap(name, _NAME_LINE, max_lines=3, placeholder="…") or [name[:_NAME_LINE]]
        first_y = 136 - 11 * (len(lines) - 1)
        middle = (
            '<text x="128" text-anchor="middle" font-family="DejaVu Sans, Verdana, sans-serif" '
            'font-size="18" font-weight="bold" fill="#ffffff">'
            + "".join(
                f'<tspan x="128" y="{first_y + 22 * i}">{escape(line)}</tspan>'
                for i, line in enumerate(lines)
            )
            + "</text>"
        )
    else:
        middle = _TICK
    label = f"{name} — Skills Passport badge" if name else "Skills Passport badge"
    footer = escape(kind.replace("_", " ").upper()) if kind else "OPEN BADGE"
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256" role="img" '
        f'aria-label="{escape(label, {chr(34): "&quot;"})}">'
        f"<title>{escape(label)}</title>"
        '<circle cx="128" cy="128" r="124" fill="#1d6f72"/>'
        '<circle cx="128" cy="128" r="108" fill="none" stroke="#f2c14e" stroke-width="5"/>'
        '<text x="128" y="72" text-anchor="middle" font-family="DejaVu Sans, Verdana, sans-serif" '
        'font-size="12" font-weight="bold" letter-spacing="2" fill="#f2c14e">SKILLS PASSPORT</text>'
        f"{middle}"
        '<text x="128" y="194" text-anchor="middle" font-family="DejaVu Sans, Verdana, sans-serif" '
        f'font-size="10" letter-spacing="1" fill="#f2c14e">{footer}</text>'
        "</svg>\n"
    )


@cache
def badge_png() -> bytes:
    return (files("issuers") / "data" / "badge.png").read_bytes()


def baked_credential(
    session: Session, issuer: Issuer, credential_id: str, image_format: ImageFormat
) -> bytes:
    """The provider's own credential baked into the default badge image; another's is a 404."""
    row = issuing.get_credential(session, issuer, credential_id)
    achievement = achievements.at_version(
        session, service.get_achievement(session, issuer, row.achievement_id), row.achievement_version
    )
    own = own_image(session, achievement)
    image = _in_format(own, image_format) if own is not None else None
    if image is None:
        image = (
            badge_png()
            if image_format == "png"
            else badge_svg(achievement.definition["name"], achievement.kind).encode()
        )
    return bake(image, issuing.signed_document(row))


def _in_format(image: AchievementImage, image_format: ImageFormat) -> bytes | None:
    if image_format == "png":
        return images.png_of(image)
    return image.content if images.image_format(image) == "svg" else None


def own_image(session: Session, achievement: Achievement) -> AchievementImage | None:
    """The badge image the achievement (at its version) names, if it names one of ours."""
    sha256 = achievement.definition.get("image")
    return images.get_image(session, achievement.issuer_id, sha256) if sha256 else None


def own_badge(session: Session, credential_id: str, image_format: ImageFormat) -> bytes | None:
    """For one of our issued credentials (the passport's downloads): the provider's own badge image of
    the version it was issued with, in that format (a PNG: an SVG's rendering); None if there is none
    (the default is used)."""
    try:
        row = issuing.find_credential(session, credential_id)
        current = achievements.find_public(session, row.achievement_id)
        image = own_image(session, achievements.at_version(session, current, row.achievement_version))
    except NotFound:
        return None
    return _in_format(image, image_format) if image is not None else None
