"""Badges designed in the console: a shape, a colour scheme, an icon from a small built-in set and a text
(usually the achievement's name), drawn as SVG by our code (256 x 256). Stored like an uploaded image
(`issuers.images`), so they are checked by the same SVG allow-list.

Colours come in fixed schemes, each with at least 4.5:1 contrast between the background and the text and
the accent, rather than free colour pickers, so every badge stays legible. Its 256 px PNG is rendered when
it is stored (`issuers.images.render_png`)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from core.i18n import N_, gettext

__all__ = ["COLOUR_SCHEMES", "ICONS", "MAX_TEXT", "SHAPES", "Design", "design_svg"]

MAX_TEXT = 60
SVG_NS = "http://www.w3.org/2000/svg"

SHAPES = {
    "circle": N_("Circle"),
    "shield": N_("Shield"),
    "hexagon": N_("Hexagon"),
    "square": N_("Rounded square"),
}
#: name: (label, background, accent, text)
COLOUR_SCHEMES = {
    "teal": (N_("Teal and gold"), "#1d6f72", "#f2c14e", "#ffffff"),
    "navy": (N_("Navy and sky blue"), "#1b2a4a", "#8fd3ff", "#ffffff"),
    "plum": (N_("Plum and pink"), "#5b2159", "#ffb3d9", "#ffffff"),
    "forest": (N_("Forest green and lime"), "#1e4d2b", "#c6f28f", "#ffffff"),
    "charcoal": (N_("Charcoal and amber"), "#2b2b2b", "#ffbf47", "#ffffff"),
    "cream": (N_("Cream and crimson"), "#fff6e0", "#a4161a", "#1b1b1b"),
}
_OUTLINE = 'fill="none" stroke="{accent}" stroke-width="5"'
_SHAPES = {
    "circle": '<circle cx="128" cy="128" r="124" fill="{bg}"/>'
    f'<circle cx="128" cy="128" r="110" {_OUTLINE}/>',
    "shield": '<path d="M128 4 L240 40 V120 C240 186 194 230 128 252 C62 230 16 186 16 120 V40 Z" '
    'fill="{bg}"/>'
    '<path d="M128 20 L226 51 V120 C226 178 186 216 128 236 C70 216 30 178 30 120 V51 Z" '
    f"{_OUTLINE}/>",
    "hexagon": '<path d="M128 4 L235 66 V190 L128 252 L21 190 V66 Z" fill="{bg}"/>'
    f'<path d="M128 20 L221 74 V182 L128 236 L35 182 V74 Z" {_OUTLINE}/>',
    "square": '<rect x="6" y="6" width="244" height="244" rx="36" fill="{bg}"/>'
    f'<rect x="20" y="20" width="216" height="216" rx="26" {_OUTLINE}/>',
}
_LINE = 'fill="none" stroke="{accent}" stroke-linecap="round" stroke-linejoin="round"'
#: name: (label, SVG drawn in the badge's upper half)
ICONS = {
    "star": (
        N_("Star"),
        '<path d="M128 40 L139 68 L169 69 L146 88 L154 117 L128 101 L102 117 L110 88 L87 69 L117 68 Z" '
        'fill="{accent}"/>',
    ),
    "tick": (N_("Tick"), f'<path d="M96 80 L118 102 L162 56" {_LINE} stroke-width="12"/>'),
    "book": (
        N_("Book"),
        '<path d="M86 56 Q107 48 128 60 Q149 48 170 56 V110 Q149 102 128 114 Q107 102 86 110 Z M128 60 V114" '
        f'{_LINE} stroke-width="7"/>',
    ),
    "people": (
        N_("People"),
        '<circle cx="108" cy="68" r="13" fill="{accent}"/><circle cx="148" cy="68" r="13" fill="{accent}"/>'
        '<path d="M82 112 Q82 86 108 86 Q134 86 134 112 Z M122 112 Q122 86 148 86 Q174 86 174 112 Z" '
        'fill="{accent}"/>',
    ),
    "globe": (
        N_("Globe"),
        '<circle cx="128" cy="82" r="32" fill="none" stroke="{accent}" stroke-width="6"/>'
        f'<path d="M96 82 H160 M128 50 Q108 82 128 114 Q148 82 128 50" {_LINE} stroke-width="5"/>',
    ),
    "trophy": (
        N_("Trophy"),
        '<path d="M104 50 H152 V74 Q152 100 128 102 Q104 100 104 74 Z M104 58 H88 Q88 84 106 86 '
        f'M152 58 H168 Q168 84 150 86 M128 102 V112 M110 118 H146" {_LINE} stroke-width="6"/>',
    ),
    "none": (N_("No icon"), ""),
}


@dataclass(frozen=True)
class Design:
    shape: str = "circle"
    colours: str = "teal"
    icon: str = "star"
    text: str = ""

    def problems(self) -> dict[str, str]:
        """What is wrong with the choices, by field (empty when nothing)."""
        wrong = {}
        for name, options in (("shape", SHAPES), ("colours", COLOUR_SCHEMES), ("icon", ICONS)):
            if getattr(self, name) not in options:
                wrong[name] = gettext("Choose one of the options.")
        if not self.text.strip():
            wrong["text"] = gettext("Give the text to show on the badge.")
        elif len(self.text) > MAX_TEXT:
            wrong["text"] = gettext("At most %(num)d characters.", num=MAX_TEXT)
        return wrong


def design_svg(design: Design) -> str:
    """The badge as SVG: the shape in the scheme's colours, the icon, the text in three lines at most."""
    _, background, accent, ink = COLOUR_SCHEMES[design.colours]
    text = " ".join(design.text.split())
    lines = textwrap.wrap(text, 16, max_lines=3, placeholder="…") or [text[:16]]
    icon = ICONS[design.icon][1].replace("{accent}", accent)
    top = 150 if icon else 128
    first_y = top - 12 * (len(lines) - 1)
    size = 22 if max(len(line) for line in lines) <= 12 else 18
    words = "".join(
        f'<tspan x="128" y="{first_y + 26 * i}">{escape(line)}</tspan>' for i, line in enumerate(lines)
    )
    shape = _SHAPES[design.shape].replace("{bg}", background).replace("{accent}", accent)
    return (
        f'<svg xmlns="{SVG_NS}" width="256" height="256" viewBox="0 0 256 256" role="img" '
        f"aria-label={quoteattr(text)}><title>{escape(text)}</title>{shape}{icon}"
        '<text text-anchor="middle" font-family="DejaVu Sans, Verdana, sans-serif" '
        f'font-size="{size}" font-weight="bold" fill="{ink}">{words}</text></svg>\n'
    )
