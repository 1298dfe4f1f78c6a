"""What the access log redaction relies on: no route's own words look like a secret."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.testclient import TestClient

from core.redaction import MIN_SECRET_LENGTH, REDACTED, redact


def test_secrets_and_ids_are_redacted_and_words_are_kept() -> None:
    assert redact("/shared/" + "a" * 43 + "/qr.png") == f"/shared/{REDACTED}/qr.png"
    assert redact("/credentials/verify") == "/credentials/verify"
    assert redact("/x?next=/passport/claim/" + "b_-" * 10) == f"/x?next=/passport/claim/{REDACTED}"


def route_paths(routes: Iterable[Any]) -> Iterator[str]:
    """Every route's path, through the routers included in others."""
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's record of an included router
        if included is not None:
            yield from route_paths(included.routes)
        elif isinstance(getattr(route, "path", None), str):
            yield route.path


def test_no_route_has_a_word_as_long_as_a_secret(client: TestClient) -> None:
    paths = list(route_paths(client.app.router.routes))  # type: ignore[attr-defined]
    assert len(paths) > 100
    assert "/shared/{secret}" in paths
    words = {word for path in paths for word in re.split(r"[/{}.]", path)}
    long = [word for word in words if len(word) >= MIN_SECRET_LENGTH and redact(word) != word]
    assert long == []
