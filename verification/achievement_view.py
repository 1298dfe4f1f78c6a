"""What a credential says was achieved, as an employer reads it (OB 3.0 §B.1.1 Achievement, §B.1.2
AchievementSubject, §B.1.15 Result, §B.1.10 Evidence, §B.1.3 Alignment).

Only ever built from a credential whose proof verified (`verification.report_view`): every value here is
what the issuer signed, bounded in length, with no identifier of the recipient. Links are kept only when
they are http(s) URLs; an image is shown only when the page may load it under the site's
Content-Security-Policy (``img-src 'self' data:``), otherwise it is offered as a link.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .achievement_types import achievement_type_name

__all__ = ["AchievementView", "Link", "achievement_view", "image_of", "web_link"]

_TEXT_LIMIT = 2000
_SHORT_LIMIT = 300
_ITEMS_LIMIT = 20
#: Alignments to one of these frameworks state the achievement's level (RQF, SCQF, CQFW, FHEQ...).
_LEVEL_FRAMEWORKS = ("qualifications framework", "qualification framework", "credit and qualifications")


@dataclass(frozen=True)
class Link:
    text: str
    url: str | None = None  # an http(s) URL, or None: the text alone
    note: str | None = None  # a narrative or description that goes with it


@dataclass(frozen=True)
class Image:
    src: str | None  # loadable by the page (same site, or a data: image)
    url: str | None  # elsewhere: offered as a link instead
    alt: str


@dataclass
class AchievementView:
    name: str | None = None
    kind: str | None = None  # achievementType by name, e.g. "Certificate"
    description: str | None = None
    criteria: str | None = None
    criteria_url: str | None = None
    levels: list[str] = field(default_factory=list)
    credits: str | None = None  # creditsEarned of creditsAvailable, as text
    field_of_study: str | None = None
    results: list[str] = field(default_factory=list)
    evidence: list[Link] = field(default_factory=list)
    alignments: list[Link] = field(default_factory=list)
    image: Image | None = None

    @property
    def has_details(self) -> bool:
        return any(
            (
                self.criteria,
                self.criteria_url,
                self.levels,
                self.credits,
                self.field_of_study,
                self.results,
                self.evidence,
                self.alignments,
            )
        )


def _text(value: Any, limit: int = _SHORT_LIMIT) -> str | None:
    if not isinstance(value, str):
        return None
    cleaned = value.strip()
    return cleaned[:limit] if cleaned else None


def _items(value: Any) -> list[Any]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    return items[:_ITEMS_LIMIT]


def _number(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return f"{value:g}"


def web_link(value: Any) -> str | None:
    """`value` when it is an absolute http(s) URL (never javascript:, data: or a DID)."""
    url = _text(value, _TEXT_LIMIT)
    if url is None:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("https", "http") and parts.netloc else None


def image_of(value: Any, alt: str, base_url: str) -> Image | None:
    """An OB 3.0 Image (an object with ``id``, or a bare URI) as the page can show it."""
    url = value.get("id") if isinstance(value, Mapping) else value
    if not isinstance(url, str) or len(url) > 1_000_000:
        return None
    caption = _text(value.get("caption")) if isinstance(value, Mapping) else None
    if url.startswith(("data:image/png;", "data:image/jpeg;", "data:image/gif;", "data:image/svg+xml;")):
        return Image(url, None, caption or alt)
    link = web_link(url)
    if link is None:
        return None
    if link.startswith(base_url.rstrip("/") + "/"):
        return Image(link, None, caption or alt)
    return Image(None, link, caption or alt)


def _levels_and_alignments(achievement: Mapping[str, Any]) -> tuple[list[str], list[Link]]:
    levels: list[str] = []
    alignments: list[Link] = []
    for alignment in _items(achievement.get("alignment")):
        if not isinstance(alignment, Mapping):
            continue
        name = _text(alignment.get("targetName"))
        if name is None:
            continue
        framework = (_text(alignment.get("targetFramework")) or "").lower()
        if any(words in framework for words in _LEVEL_FRAMEWORKS):
            levels.append(name)
            continue
        code = _text(alignment.get("targetCode"))
        text = f"{name} ({code})" if code and code not in name else name
        note = _text(alignment.get("targetDescription"))
        alignments.append(Link(text, web_link(alignment.get("targetUrl")), note))
    return levels, alignments


def _results(subject: Mapping[str, Any], achievement: Mapping[str, Any]) -> list[str]:
    """Each Result's value (or its status), named by its ResultDescription when it has a name of its own."""
    names = {
        item.get("id"): _text(item.get("name"))
        for item in _items(achievement.get("resultDescription"))
        if isinstance(item, Mapping)
    }
    results = []
    for result in _items(subject.get("result")):
        if not isinstance(result, Mapping):
            continue
        value = _text(result.get("value")) or _text(result.get("status"))
        if value is None:
            continue
        name = names.get(result.get("resultDescription"))
        results.append(f"{name}: {value}" if name and name.lower() != "result" else value)
    return results


def _evidence(credential: Mapping[str, Any]) -> list[Link]:
    found = []
    for item in _items(credential.get("evidence")):
        if not isinstance(item, Mapping):
            continue
        url = web_link(item.get("id"))
        name = _text(item.get("name")) or _text(item.get("description"))
        note = _text(item.get("narrative"), _TEXT_LIMIT)
        if name or url or note:
            found.append(Link(name or url or "", url, note if note != name else None))
    return found


def achievement_view(credential: Mapping[str, Any], base_url: str = "") -> AchievementView:
    """The achievement of a verified credential (its first subject's), or an empty view."""
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    subject = subject if isinstance(subject, Mapping) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, Mapping) else {}
    criteria = achievement.get("criteria")
    criteria = criteria if isinstance(criteria, Mapping) else {}
    levels, alignments = _levels_and_alignments(achievement)
    earned, available = _number(subject.get("creditsEarned")), _number(achievement.get("creditsAvailable"))
    name = _text(achievement.get("name"))
    return AchievementView(
        name=name,
        kind=achievement_type_name(_text(achievement.get("achievementType"))),
        description=_text(achievement.get("description"), _TEXT_LIMIT),
        criteria=_text(criteria.get("narrative"), _TEXT_LIMIT),
        criteria_url=web_link(criteria.get("id")),
        levels=levels,
        credits=earned or available,
        field_of_study=_text(achievement.get("fieldOfStudy")),
        results=_results(subject, achievement),
        evidence=_evidence(credential),
        alignments=alignments,
        image=image_of(achievement.get("image"), name or "", base_url),
    )
