"""What a credential's JSON-LD may be, beyond what JSON-LD 1.1 allows: checked before expansion.

* ``@context`` is present, and every context, at the top and in embedded documents (a CLR's credentials,
  endorsements), is the URL of a bundled context: an inline context object could quietly redefine terms
  in a subtree, and an unknown URL is never fetched (`schemas.loader`).
* No ``"@value": null`` and no free-floating value in a top-level ``@graph``: JSON-LD drops them
  silently (jsonld.js's safe mode refuses them), and a dropped value is not signed.

Explicit blank node identifiers (``"id": "_:b0"``) are refused in the RDF step (`vc.jsonld_rdf`): without
them a JSON document can only produce a *tree* of blank nodes, which keeps RDFC-1.0 cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import JsonLdError, Refusal
from .iri import is_absolute_iri


def check_document(document: Mapping[str, Any]) -> None:
    """Refuse a credential that uses JSON-LD beyond the policy above (`JsonLdError` with its `Refusal`)."""
    context = document.get("@context")
    if context is None:
        raise JsonLdError("document has no @context", Refusal.NO_CONTEXT)
    _check_context(context)
    graph = document.get("@graph")
    if isinstance(graph, list) and any(not isinstance(item, dict) for item in graph):
        raise JsonLdError(
            "a value directly in the top-level @graph is dropped by JSON-LD", Refusal.INVALID_JSON_LD
        )
    stack: list[Any] = [value for key, value in document.items() if key != "@context"]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            nested = node.get("@context")
            if nested is not None:
                _check_context(nested)
            if "@value" in node and node["@value"] is None:
                raise JsonLdError(
                    '"@value": null is dropped by JSON-LD: it would not be signed', Refusal.INVALID_JSON_LD
                )
            stack.extend(value for key, value in node.items() if key != "@context")
        elif isinstance(node, list):
            stack.extend(node)


def _check_context(context: Any) -> None:
    for entry in context if isinstance(context, list) else [context]:
        if not isinstance(entry, str):
            raise JsonLdError(
                "inline @context objects are not accepted; use a published context URL",
                Refusal.INLINE_CONTEXT,
            )
        if not is_absolute_iri(entry):
            raise JsonLdError(f"@context entry {entry[:100]!r} is not a context URL", Refusal.UNKNOWN_CONTEXT)
