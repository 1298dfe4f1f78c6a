"""The offline JSON-LD document loader: bundled contexts only, never the network.

VC Data Model 2.0 §B.1 says the base context MUST be treated as already retrieved; we do the same for
every context we know. Any other URL is refused (fail closed) — fetching contexts at run time would be
both a security hole (a context rewrites what a signature means) and an outage.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"


class UnknownContextError(LookupError):
    """A context URL that is not bundled: we never fetch it."""

    def __init__(self, url: str) -> None:
        super().__init__(f"JSON-LD context {url!r} is not one of the bundled contexts; it is never fetched")
        self.url = url


def _data_text(relative: str) -> str:
    return resources.files("schemas").joinpath("data", relative).read_text(encoding="utf-8")


@cache
def bundled_contexts() -> Mapping[str, Any]:
    """Every bundled context, parsed once: URL -> JSON document."""
    index: dict[str, str] = json.loads(_data_text("contexts.json"))
    return MappingProxyType({url: json.loads(_data_text(path)) for url, path in index.items()})


class OfflineDocumentLoader:
    """A pyld-compatible document loader that serves only the given documents.

    Pass ``extra`` to serve more documents (tests, or a vetted extension context); the bundled set is
    always included.
    """

    def __init__(self, extra: Mapping[str, Any] | None = None) -> None:
        self._documents: dict[str, Any] = dict(bundled_contexts())
        if extra:
            self._documents.update(extra)

    def __contains__(self, url: object) -> bool:
        return url in self._documents

    def __call__(self, url: str, options: Any = None) -> dict[str, Any]:
        try:
            document = self._documents[url]
        except KeyError:
            raise UnknownContextError(url) from None
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": document,
            # "static" lets pyld keep the processed context in its shared cache across operations.
            "tag": "static",
        }


@cache
def default_loader() -> OfflineDocumentLoader:
    """The process-wide loader over the bundled contexts."""
    return OfflineDocumentLoader()
