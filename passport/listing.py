"""Finding credentials in a large passport: search, filter and sort, driven by the query string.

``/passport?q=welding&provider=…&kind=Course&status=valid&sort=name`` works without JavaScript: the page's
form is a plain ``GET``. Everything is decided on the server from the items `passport.credentials` gives
(their status already computed), so what is filtered is exactly what the cards show. Unknown values are
ignored, never an error: a stale bookmark still opens the passport.

Images on cards come only from what the passport holds or was proven (`network.naming` for issuer logos):
an achievement's own image only when the credential carries it inline as a ``data:`` raster image (a
remote image is never fetched, and the pages' Content-Security-Policy would refuse it anyway); otherwise
the service draws the default badge with the achievement's name (`issuers.badges.badge_svg`).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.i18n import N_, gettext
from passport.credentials import PassportItem, Status, status_words

MAX_TEXT = 200
SORTS = {"newest": N_("Newest first"), "oldest": N_("Oldest first"), "name": N_("Name (A to Z)")}
#: Inline images shown on cards: rasters only (an SVG may carry script or remote references).
#: A badge image of this service's own (`issuers.images`): served from our origin, so a card may show it.
_OWN_IMAGE = re.compile(r"^/achievements/[A-Za-z0-9_-]{1,32}/images/[0-9a-f]{64}$")
_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=\s]+)$")
MAX_INLINE_IMAGE = 256 * 1024


@dataclass(frozen=True)
class ListQuery:
    """What the learner asked the list for; every field empty means "everything, newest first"."""

    text: str = ""
    provider: str = ""
    kind: str = ""
    status: str = ""
    sort: str = "newest"

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ListQuery:
        sort = params.get("sort", "newest")
        status = params.get("status", "")
        return cls(
            text=" ".join(params.get("q", "").split())[:MAX_TEXT],
            provider=params.get("provider", "")[:2000],
            kind=params.get("kind", "")[:200],
            status=status if status in {s.value for s in Status} else "",
            sort=sort if sort in SORTS else "newest",
        )

    @property
    def narrowed(self) -> bool:
        return bool(self.text or self.provider or self.kind or self.status)


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Facets:
    """The choices the filter offers: only values some credential of this passport has."""

    providers: list[Option]
    kinds: list[Option]
    statuses: list[Option]
    sorts: list[Option]


def provider_key(item: PassportItem) -> str:
    """The issuer a card is filtered by: the issuer id the credential names (what was proven)."""
    return item.issuer.id or ""


def facets(items: Sequence[PassportItem]) -> Facets:
    providers: dict[str, str] = {}
    kinds: dict[str, str] = {}
    statuses: set[Status] = set()
    for item in items:
        if item.issuer.id:
            providers.setdefault(item.issuer.id, item.issuer.shown)
        if item.credential.achievement_type and item.kind:
            kinds.setdefault(item.credential.achievement_type, item.kind)
        statuses.add(item.status)
    words = status_words()
    return Facets(
        providers=sorted((Option(k, v) for k, v in providers.items()), key=lambda o: o.label.casefold()),
        kinds=sorted((Option(k, v) for k, v in kinds.items()), key=lambda o: o.label.casefold()),
        statuses=[Option(s.value, words[s]) for s in Status if s in statuses],
        sorts=[Option(key, gettext(label)) for key, label in SORTS.items()],
    )


def _matches(item: PassportItem, query: ListQuery, words: Sequence[str]) -> bool:
    if query.provider and provider_key(item) != query.provider:
        return False
    if query.kind and item.credential.achievement_type != query.kind:
        return False
    if query.status and item.status.value != query.status:
        return False
    if words:
        haystack = " ".join(
            (item.credential.achievement_name, item.issuer.shown, item.kind or "", item.issued_on)
        ).casefold()
        return all(word in haystack for word in words)
    return True


def choose(items: Sequence[PassportItem], query: ListQuery) -> list[PassportItem]:
    """The items the query asks for, in its order. Text matches every word, in any order, in the
    achievement's name, the issuer's name as shown, the kind and the issue date, ignoring case."""
    words = query.text.casefold().split()
    chosen = [item for item in items if _matches(item, query, words)]
    if query.sort == "name":
        chosen.sort(key=lambda item: (item.credential.achievement_name.casefold(), item.id))
    else:
        chosen.sort(key=lambda item: item.credential.issued_at, reverse=query.sort == "newest")
    return chosen


def inline_image(item: PassportItem, base_url: str = "") -> str | None:
    """The achievement's own image when the credential carries it inline as a raster ``data:`` URI
    (checked to decode, at most 256 KiB), or when it is a badge image this service serves (a provider's
    uploaded or designed badge, at ``{base_url}/achievements/{id}/images/{sha256}``: its path); None
    otherwise."""
    text = item.credential.document
    ours = bool(base_url) and ("/images/" in text or not text.lstrip().startswith("{"))  # or a VC-JWT
    if "data:image/" not in text and not ours:  # most credentials: no parsing at all
        return None
    try:
        document = _payload(item)
        subject = document.get("credentialSubject") or {}
        if isinstance(subject, list):
            subject = subject[0] if subject else {}
        image: Any = (subject.get("achievement") or {}).get("image")
    except (ValueError, AttributeError, TypeError):
        return None
    url = image.get("id") if isinstance(image, dict) else image
    if not isinstance(url, str) or len(url) > MAX_INLINE_IMAGE * 4 // 3 + 64:
        return None
    if base_url and url.startswith(base_url + "/"):
        path = url.removeprefix(base_url)
        return path if _OWN_IMAGE.match(path) else None
    found = _IMAGE.match(url)
    if found is None:
        return None
    try:
        base64.b64decode("".join(found.group(2).split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return url


def inline_logo(url: str | None) -> str | None:
    """An issuer logo (from the registry or the provider table only) that a page can show without
    loading anything from elsewhere: an inline raster image, or a path on this site."""
    if not url:
        return None
    if _IMAGE.match(url) and len(url) <= MAX_INLINE_IMAGE * 4 // 3 + 64:
        return url
    if url.startswith("/") and not url.startswith("//"):
        return url
    return None


def _payload(item: PassportItem) -> dict[str, Any]:
    document = item.credential.signed_document()
    if isinstance(document, dict):
        return document
    parts = document.split(".")
    payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    credential = payload.get("vc", payload) if isinstance(payload, dict) else {}
    return credential if isinstance(credential, dict) else {}
