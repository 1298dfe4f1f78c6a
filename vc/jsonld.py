"""Strict JSON-LD expansion and RDF Dataset Canonicalization (RDFC-1.0), offline and bounded.

`expand` applies the document's contexts with pyld, served only by the offline loader, and then
enforces a *safe mode* like the JavaScript stack's: a term that no context defines, a relative IRI as
an ``@id`` or ``@type``, an inline context, or an explicit blank-node identifier is an error, never
silently dropped or resolved against an invented base. Dropped or rewritten data would be
unsigned data that still "verifies".

`canonicalize` turns the expanded document into canonical N-Quads with pyoxigraph's native RDFC-1.0
implementation (https://www.w3.org/TR/rdf-canon/), which escapes literals exactly as RDFC-1.0 says
(pyld's serialiser differs for control characters).

Bounding the work: canonicalisation is only expensive when blank nodes form cycles or cliques that
first-degree hashes cannot tell apart. Without explicit blank-node identifiers a JSON document can
only produce a *tree* of blank nodes (each has one parent), so refusing ``_:`` identifiers, together
with the size and depth limits in `vc.parsing`, bounds the work.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox
from cachetools import LRUCache
from pyld import jsonld as pyld_jsonld
from pyld.context_resolver import ContextResolver

from schemas.loader import OfflineDocumentLoader, UnknownContextError, default_loader

from .errors import JsonLdError

# pyld keeps processed contexts here between operations; one per loader, so that a loader with
# extra (test) contexts never shares processed state with the production loader.
_context_caches: dict[int, LRUCache[str, Any]] = {}

_MAX_QUADS = 20_000


def _options(loader: OfflineDocumentLoader) -> dict[str, Any]:
    cache = _context_caches.setdefault(id(loader), LRUCache(maxsize=256))
    return {
        "documentLoader": loader,
        "contextResolver": ContextResolver(cache, loader),
        # No base: a relative IRI stays relative, and `_check_absolute` refuses it.
        "base": None,
    }


def expand(document: Mapping[str, Any], loader: OfflineDocumentLoader | None = None) -> list[Any]:
    """JSON-LD 1.1 Expansion (https://www.w3.org/TR/json-ld11-api/#expansion-algorithm) in safe mode."""
    loader = loader or default_loader()
    _check_contexts(document)
    dropped: list[str | None] = []
    try:
        expanded: list[Any] = pyld_jsonld.expand(
            dict(document), _options(loader), on_property_dropped=dropped.append
        )
    except pyld_jsonld.JsonLdError as error:
        raise JsonLdError(f"JSON-LD expansion failed: {_root_cause(error)}") from None
    if dropped:
        names = ", ".join(sorted({str(term) for term in dropped}))
        raise JsonLdError(f"term(s) not defined by any context: {names}")
    _check_absolute(expanded)
    return expanded


def canonicalize(document: Mapping[str, Any], loader: OfflineDocumentLoader | None = None) -> str:
    """Canonical N-Quads of a compacted JSON-LD document (expand, then RDFC-1.0)."""
    return canonicalize_expanded(expand(document, loader))


def canonicalize_expanded(expanded: list[Any]) -> str:
    """RDFC-1.0 canonical N-Quads (sorted, one per line, each ending in a newline)."""
    try:
        quads = list(ox.parse(json.dumps(expanded), ox.RdfFormat.JSON_LD))
    except (SyntaxError, ValueError) as error:
        raise JsonLdError(f"cannot convert the document to RDF: {error}") from None
    if len(quads) > _MAX_QUADS:
        raise JsonLdError(f"document produces {len(quads)} statements; the limit is {_MAX_QUADS}")
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    serialized = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS)
    assert isinstance(serialized, bytes)
    lines = sorted(serialized.decode("utf-8").splitlines(keepends=True))
    return "".join(lines)


def _check_contexts(document: Mapping[str, Any]) -> None:
    context = document.get("@context")
    if context is None:
        raise JsonLdError("document has no @context")
    for entry in context if isinstance(context, list) else [context]:
        if not isinstance(entry, str):
            raise JsonLdError("inline @context objects are not accepted; use a published context URL")


def _root_cause(error: BaseException) -> str:
    """pyld wraps a loader error in JsonLdErrors (as ``__cause__``); report the innermost one plainly."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, UnknownContextError):
            return str(cause)
        cause = cause.__cause__ or cause.__context__
    message = error.args[0] if error.args else type(error).__name__
    code = getattr(error, "code", None)
    return f"{message} ({code})" if code else str(message)


def _is_absolute_iri(value: str) -> bool:
    scheme, colon, _ = value.partition(":")
    return bool(colon) and scheme[:1].isalpha() and all(c.isalnum() or c in "+-." for c in scheme)


def _check_absolute(node: Any) -> None:
    """Every @id and @type in the expanded form must be an absolute IRI (safe mode)."""
    if isinstance(node, list):
        for item in node:
            _check_absolute(item)
        return
    if not isinstance(node, dict):
        return
    if "@value" in node:
        datatype = node.get("@type")
        if isinstance(datatype, str) and datatype != "@json" and not _is_absolute_iri(datatype):
            raise JsonLdError(f"relative datatype IRI {datatype!r}")
        return  # a literal's value is data, not IRIs
    node_id = node.get("@id")
    if isinstance(node_id, str):
        if node_id.startswith("_:"):
            raise JsonLdError(f"explicit blank node identifier {node_id!r} is not accepted")
        if not _is_absolute_iri(node_id):
            raise JsonLdError(f"relative IRI reference {node_id!r} used as an id")
    for type_ in node.get("@type", []):
        if not _is_absolute_iri(type_) or type_.startswith("_:"):
            raise JsonLdError(f"relative @type reference {type_!r}: no context defines it")
    for key, value in node.items():
        if not key.startswith("@") and not _is_absolute_iri(key):
            raise JsonLdError(f"relative property {key!r}")
        if key != "@type":
            _check_absolute(value)
