"""Strict JSON-LD expansion and RDF Dataset Canonicalization (RDFC-1.0), offline and bounded.

`expand` applies the document's contexts with pyld, served only by the offline loader, and then
enforces a *safe mode* like the JavaScript stack's: a term that no context defines, a relative IRI as
an ``@id`` or ``@type``, an inline context, or an explicit blank-node identifier is an error, never
silently dropped or resolved against an invented base. Dropped or rewritten data would be
unsigned data that still "verifies".

`canonicalize` turns the expanded document into canonical N-Quads with pyoxigraph's native RDFC-1.0
implementation (https://www.w3.org/TR/rdf-canon/), which escapes literals exactly as RDFC-1.0 says
(pyld's serialiser differs for control characters).

Speed: pyld re-processes every type-scoped context (OB 3.0 has one per class) at every node, and
deep-copies and re-canonicalises context objects as it goes. `_Processor` and `_Resolver` remember
those results between documents, per loader, keyed so that a hit is exactly what plain pyld would
compute; tests/vc/test_jsonld.py checks that against plain pyld on generated credentials.

Bounding the work: canonicalisation is only expensive when blank nodes form cycles or cliques that
first-degree hashes cannot tell apart. Without explicit blank-node identifiers a JSON document can
only produce a *tree* of blank nodes (each has one parent), so refusing ``_:`` identifiers, together
with the size and depth limits in `vc.parsing`, bounds the work.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
import weakref
from collections.abc import Mapping
from typing import Any

import orjson
import pyoxigraph as ox
from c14n.Canonicalize import canonicalize as jcs_canonicalize  # type: ignore[import-untyped]
from cachetools import LRUCache
from frozendict import frozendict
from pyld import jsonld as pyld_jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from schemas.loader import OfflineDocumentLoader, UnknownContextError, default_loader

from .errors import JsonLdError
from .parsing import MAX_STATEMENTS

_MAX_IRIS = 20_000
_MAX_SUBTREES = 512
# The expanded form is built by pyld from parsed JSON, so it has no cycles to check for. ASCII output
# stays: a lone surrogate must reach pyoxigraph as an escape (a SyntaxError), not as a str it cannot take.
_JSON = json.JSONEncoder(check_circular=False, separators=(",", ":"))


def _compact_json(value: Any) -> bytes:
    """The JSON of a value, with orjson (several times faster) unless it holds an integer beyond 64 bits:
    for keys of remembered expansions, not for what pyoxigraph reads (see `_canonical_nquads`)."""
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError
        return _JSON.encode(value).encode("utf-8")


class _LoaderState:
    """What is remembered between expansions for one loader, so that no two loaders share processed state.

    Each cached result is a pure function of its key, and the keys pin down every input that matters
    (frozen active contexts and context objects by identity, URLs by value), so an entry made while
    expanding one document is exactly what plain pyld would compute for the next (see `_Processor`).
    pyld mutates its caches without locking (cachetools is not thread-safe), so every expansion with
    this state holds `lock`. Expansion is pure-Python CPU work under the GIL, so the lock costs no
    parallelism; RDFC-1.0 in pyoxigraph runs outside it.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        # pyld's remote-context cache: URL -> {"static": ResolvedContext} (the loader tags all "static").
        self.resolved: LRUCache[str, Any] = LRUCache(maxsize=256)
        # `_Processor._process_context` results; see there.
        self.processed: LRUCache[tuple[Any, ...], tuple[Any, Any, Any]] = LRUCache(maxsize=512)
        # `_Resolver`: JCS keys of context objects, by identity.
        self.context_keys: LRUCache[int, tuple[Any, str]] = LRUCache(maxsize=512)
        # `_Processor._expand_iri`: (id(active context), value, base, vocab) -> (active context, IRI).
        # A plain dict, emptied when full: it is hit ~250 times per credential, and an LRU's
        # bookkeeping would cost more than the lookups it saves.
        self.iris: dict[tuple[Any, ...], tuple[Any, Any]] = {}
        # `canonicalize` results by SHA-256 of the document's JSON: a verifier sees the same status list
        # credential (and proof configuration) again and again; a hit is the very string it would compute.
        self.canonical: LRUCache[bytes, str] = LRUCache(maxsize=256)
        # `_Processor._expand` of identified nodes: (frozen active context, ..., the node's exact JSON)
        # -> (active context, type-scoped context, expanded node). Emptied when full.
        self.subtrees: dict[tuple[Any, ...], tuple[Any, Any, Any]] = {}


_states: weakref.WeakKeyDictionary[OfflineDocumentLoader, _LoaderState] = weakref.WeakKeyDictionary()
_states_lock = threading.Lock()


def _state_for(loader: OfflineDocumentLoader) -> _LoaderState:
    # Keyed weakly by the loader object itself (not its id(), which a later loader could reuse).
    with _states_lock:
        state = _states.get(loader)
        if state is None:
            state = _states[loader] = _LoaderState()
        return state


class _Resolver(ContextResolver):  # type: ignore[misc]  # pyld is untyped
    """pyld's resolver, minus the cost of re-canonicalising the same context object on every call.

    For an inline (scoped) context object pyld computes a cache key with JSON Canonicalization (JCS)
    each time it applies it: most of the context-processing time. The objects are those of the bundled
    context documents, which nothing mutates, so their key is remembered by identity. The entry holds
    the object itself, so its id() cannot be reused while the entry lives, and is checked on each hit.
    """

    def __init__(self, state: _LoaderState, loader: OfflineDocumentLoader) -> None:
        super().__init__(state.resolved, loader)
        self._keys = state.context_keys

    def resolve(self, active_ctx: Any, context: Any, base: Any, cycles: Any = None) -> Any:
        if isinstance(context, dict) and "@context" not in context:
            entry = self._keys.get(id(context))
            if entry is not None and entry[0] is context:
                resolved = self._get(entry[1])
                if resolved:
                    return [resolved]
            key = _jcs(context)
            resolved = self._get(key)
            if resolved:
                self._keys[id(context)] = (context, key)
                return [resolved]
        return super().resolve(active_ctx, context, base, cycles)


def _jcs(context: Mapping[str, Any]) -> str:
    """The key pyld's resolver files an inline context under (its own JCS, so the keys agree)."""
    key: str = jcs_canonicalize(dict(context)).decode("utf-8")
    return key


class _Processor(pyld_jsonld.JsonLdProcessor):  # type: ignore[misc]  # pyld is untyped
    """pyld's processor with context processing memoised; expansion itself is pyld's, unchanged.

    Why: pyld caches a processed context under the ``_uuid`` of the active context it was applied to,
    but a type-scoped context (``@propagate: false``) is applied to a fresh clone with a fresh uuid,
    so for OB 3.0 every typed node re-processes its scoped context (hundreds of term definitions per
    credential). Here ``_process_context(active, local, flags)`` is remembered when

    * ``active`` is a frozen (immutable) active context, held by the entry and matched by identity;
    * ``local`` is a context URL or list of URLs (matched by value: the loader's documents are fixed),
      or an object matched by identity and held by the entry (in practice the scoped contexts of the
      bundled documents; objects from the document itself are deep-copied by pyld per call, so they
      never match and are processed afresh);
    * the result is frozen, and ``cycles`` is not in play (scoped-context validation inside pyld).

    pyld's ``_process_context`` is a function of exactly these inputs, the loader (one cache per
    loader) and ``options`` base/processingMode (in the key); it has no other effect than its result.
    A hit returns the very object a miss returned before, so a node sees the same term definitions and
    the same ``previousContext`` as with plain pyld. Errors are never cached: a context that fails
    fails every time.
    """

    def __init__(self, state: _LoaderState, on_property_dropped: Any) -> None:
        self._dropped = 0

        def counting(term: Any) -> None:
            self._dropped += 1
            on_property_dropped(term)

        super().__init__(on_property_dropped=counting)
        self._processed = state.processed
        self._iris = state.iris
        self._subtrees = state.subtrees

    def _expand(
        self,
        active_ctx: Any,
        active_property: Any,
        element: Any,
        options: Any,
        inside_list: bool = False,
        inside_index: bool = False,
        type_scoped_ctx: Any = None,
    ) -> Any:
        """pyld's expansion of an element, remembered for identified nodes below the top.

        A credential's issuer Profile and its Achievement (with criteria, alignments, result
        descriptions and creator) are the same in every credential of a cohort, and are most of the
        expansion work. pyld's ``_expand`` is a function of exactly its arguments: the active and
        type-scoped contexts (frozen, matched by identity and held by the entry), the active property,
        the two flags, ``options`` base/processingMode/isFrame, and the element, keyed by its exact JSON.
        It has no effect besides its result and the dropped-property callback, so a result is remembered
        only when nothing was dropped, and every hit returns a fresh copy (the caller rewrites numbers in
        place). tests/vc/test_jsonld.py compares credentials sharing nodes with the reference path.
        """
        if (
            active_property is None
            or not isinstance(element, dict)
            or not ("id" in element or "@id" in element)
            or not isinstance(active_ctx, frozendict)
            or not (type_scoped_ctx is None or isinstance(type_scoped_ctx, frozendict))
        ):
            return super()._expand(
                active_ctx, active_property, element, options, inside_list, inside_index, type_scoped_ctx
            )
        key = (
            id(active_ctx),
            id(type_scoped_ctx),
            active_property,
            inside_list,
            inside_index,
            options.get("base"),
            options.get("processingMode"),
            options.get("isFrame"),
            _compact_json(element),
        )
        entry = self._subtrees.get(key)
        if entry is not None and entry[0] is active_ctx and entry[1] is type_scoped_ctx:
            return _json_copy(entry[2])
        dropped = self._dropped
        expanded = super()._expand(
            active_ctx, active_property, element, options, inside_list, inside_index, type_scoped_ctx
        )
        if self._dropped == dropped:
            if len(self._subtrees) >= _MAX_SUBTREES:
                self._subtrees.clear()
            self._subtrees[key] = (active_ctx, type_scoped_ctx, _json_copy(expanded))
        return expanded

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        """pyld's IRI expansion, remembered per frozen active context (about a third of expansion).

        Outside context processing (no ``local_ctx``) the result depends only on the active context's
        mappings, @vocab and @base, the value, ``base`` and ``vocab``, and the call has no side effect.
        The table is bounded, as values come from documents. Each entry holds its active context, so
        an id() in a key cannot be reused by another object while the entry lives.
        """
        if local_ctx is not None or not isinstance(value, str):
            return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        key = (id(active_ctx), value, base, vocab)
        entry = self._iris.get(key)
        if entry is not None and entry[0] is active_ctx:  # only frozen contexts are ever stored
            return entry[1]
        if not isinstance(active_ctx, frozendict):
            return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        iri = super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        if len(self._iris) >= _MAX_IRIS:
            self._iris.clear()
        self._iris[key] = (active_ctx, iri)
        return iri

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        local_key = _local_context_key(local_ctx)
        if cycles or local_key is None or not isinstance(active_ctx, frozendict):
            return super()._process_context(
                active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
            )
        key = (
            id(active_ctx),
            local_key,
            override_protected,
            propagate,
            validate_scoped,
            options.get("base"),
            options.get("processingMode"),
        )
        entry = self._processed.get(key)
        if entry is not None and entry[0] is active_ctx and (local_key[0] != "id" or entry[1] is local_ctx):
            return entry[2]
        result = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )
        if isinstance(result, frozendict):
            self._processed[key] = (active_ctx, local_ctx, result)
        return result


def _local_context_key(local_ctx: Any) -> tuple[str, Any] | None:
    if isinstance(local_ctx, str):
        return ("url", local_ctx)
    if isinstance(local_ctx, list) and all(isinstance(item, str) for item in local_ctx):
        return ("urls", tuple(local_ctx))
    if isinstance(local_ctx, (dict, list)):
        return ("id", id(local_ctx))
    return None  # null / invalid: leave to pyld


class _Document(dict[str, Any]):
    """The caller's document as pyld gets it. pyld deep-copies its input before expanding it, so that
    the caller's document is never modified; `copy.deepcopy` is general and three times slower than
    copying JSON by structure, which is all a parsed JSON document needs."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        copied: dict[str, Any] = _json_copy(self)
        return copied


def _json_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    return value  # str, numbers, bool, None: immutable


def _options(loader: OfflineDocumentLoader, state: _LoaderState) -> dict[str, Any]:
    return {
        "documentLoader": loader,
        "contextResolver": _Resolver(state, loader),
        # No base: a relative IRI stays relative, and `_check_absolute` refuses it.
        "base": None,
    }


def expand(document: Mapping[str, Any], loader: OfflineDocumentLoader | None = None) -> list[Any]:
    """JSON-LD 1.1 Expansion (https://www.w3.org/TR/json-ld11-api/#expansion-algorithm) in safe mode."""
    return _expand(document, loader, [])


def _expand(
    document: Mapping[str, Any], loader: OfflineDocumentLoader | None, numbers: list[dict[str, Any]]
) -> list[Any]:
    """`expand`, also collecting into ``numbers`` the value objects `_lexical_number` may rewrite."""
    loader = loader or default_loader()
    _check_contexts(document)
    dropped: list[str | None] = []
    state = _state_for(loader)
    try:
        with state.lock:
            processor = _Processor(state, on_property_dropped=dropped.append)
            expanded: list[Any] = processor.expand(_Document(document), _options(loader, state))
    except pyld_jsonld.JsonLdError as error:
        raise JsonLdError(f"JSON-LD expansion failed: {_root_cause(error)}") from None
    except (ValueError, TypeError) as error:
        # pyld's IRI resolver raises plain errors on some malformed input (e.g. an empty @id).
        raise JsonLdError(f"JSON-LD expansion failed: {error}") from None
    if dropped:
        names = ", ".join(sorted({str(term) for term in dropped}))
        raise JsonLdError(f"term(s) not defined by any context: {names}")
    _check_absolute(expanded, numbers)
    _check_blank_node_ties(expanded)
    return expanded


def canonicalize(
    document: Mapping[str, Any],
    loader: OfflineDocumentLoader | None = None,
    *,
    max_statements: int = MAX_STATEMENTS,
) -> str:
    """Canonical N-Quads of a compacted JSON-LD document (expand, then RDFC-1.0).

    A document that produces more than ``max_statements`` RDF statements is refused (`JsonLdError`).
    Remembered per loader for byte-identical documents (the result is a pure function of the document's
    JSON, the loader's contexts and the bound); only successes are remembered, so every error is raised
    again. Results under a bound larger than the ordinary one (a CLR's: megabytes each) are not kept.
    """
    loader = loader or default_loader()
    state = _state_for(loader)
    digest = _document_digest(document) if max_statements <= MAX_STATEMENTS else None
    key = None if digest is None else digest + max_statements.to_bytes(4, "big")
    if key is not None:
        with state.lock:
            remembered = state.canonical.get(key)
        if remembered is not None:
            return remembered
    numbers: list[dict[str, Any]] = []
    expanded = _expand(document, loader, numbers)
    # The expanded form is ours alone (pyld built it for this call): rewrite its few numbers in place
    # instead of walking it again in `_with_lexical_numbers`.
    for value_object in numbers:
        value_object.update(_lexical_number(value_object))
    canonical = _canonical_nquads(expanded, max_statements)
    if key is not None:
        with state.lock:
            state.canonical[key] = canonical
    return canonical


def _document_digest(document: Mapping[str, Any]) -> bytes | None:
    """SHA-256 of the document's exact JSON (key order kept), or None when orjson cannot write it."""
    try:
        return hashlib.sha256(orjson.dumps(document)).digest()
    except TypeError:  # orjson.JSONEncodeError: e.g. an integer beyond 64 bits, a non-dict mapping
        return None


def canonicalize_expanded(expanded: list[Any], *, max_statements: int = MAX_STATEMENTS) -> str:
    """RDFC-1.0 canonical N-Quads (sorted, one per line, each ending in a newline)."""
    return _canonical_nquads(_with_lexical_numbers(expanded), max_statements)


def _canonical_nquads(expanded: list[Any], max_statements: int) -> str:
    """RDFC-1.0 of an expanded form whose numbers are already lexical (see `_with_lexical_numbers`)."""
    try:
        text = _compact_json(expanded)
        quads = list(ox.parse(text, ox.RdfFormat.JSON_LD))
    except (SyntaxError, ValueError) as error:
        raise JsonLdError(f"cannot convert the document to RDF: {error}") from None
    if len(quads) > max_statements:
        raise JsonLdError(f"document produces {len(quads)} statements; the limit is {max_statements}")
    if _NONCHARACTERS.search(text) or any(isinstance(quad.graph_name, ox.BlankNode) for quad in quads):
        return _canonical_nquads_with_pyld_labels(quads)
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    serialized = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS)
    assert isinstance(serialized, bytes)
    # Only LF ends a quad: str.splitlines() would also split inside literals at U+0085, U+2028 and
    # the other characters canonical N-Quads writes unescaped, and sorting would scramble them.
    lines = sorted(line + "\n" for line in serialized.decode("utf-8").split("\n")[:-1])
    return "".join(lines)


def _canonical_nquads_with_pyld_labels(quads: list[ox.Quad]) -> str:
    """RDFC-1.0 with pyld's URDNA2015 blank-node labels, written by pyoxigraph.

    pyoxigraph 0.5.13 labels blank nodes differently from pyld and jsonld.js when blank nodes name
    graphs (embedded proofs: signed endorsements inside a credential, the credentials nested in a
    CLR): the 1EdTech validator's complete.json fixture verifies only with pyld's labels. pyld's own
    N-Quads escaping differs from RDFC-1.0 for control characters, so each quad is written by
    pyoxigraph.

    Only pyld's labelling runs, and only on the quads that hold a blank node: URDNA2015 §4.4 steps 2-6
    read nothing else (the blank node to quads map), so the labels are exactly those pyld's
    ``normalize`` issues for the whole dataset. ``normalize`` itself would also re-expand the document
    and read its own output back with a pairwise duplicate check, quadratic in the size of a graph
    (20 s for a CLR of 100 credentials); the dataset here is pyoxigraph's, already a set.
    """
    dataset = list(dict.fromkeys(quads))  # a dataset is a set (pyoxigraph's Dataset is 10x slower here)
    per_graph: dict[str, list[dict[str, Any]]] = {}
    for quad in dataset:
        if not (
            isinstance(quad.subject, ox.BlankNode)
            or isinstance(quad.object, ox.BlankNode)
            or isinstance(quad.graph_name, ox.BlankNode)
        ):
            continue
        graph = "@default" if isinstance(quad.graph_name, ox.DefaultGraph) else _pyld_name(quad.graph_name)
        per_graph.setdefault(graph, []).append(
            {
                "subject": _pyld_node(quad.subject),
                "predicate": {"type": "IRI", "value": quad.predicate.value},
                "object": _pyld_object(quad.object),
            }
        )
    canon = _Urdna2015()
    canon.main(per_graph, {"format": "application/n-quads"})
    labels: dict[str, str] = canon.canonical_issuer.existing  # "_:<pyoxigraph id>" -> "_:c14n<n>"

    def term(node: Any) -> str:  # pyoxigraph writes each term as canonical N-Quads does
        return labels["_:" + node.value] if isinstance(node, ox.BlankNode) else str(node)

    lines = [
        f"{term(quad.subject)} {quad.predicate} {term(quad.object)} .\n"
        if isinstance(quad.graph_name, ox.DefaultGraph)
        else f"{term(quad.subject)} {quad.predicate} {term(quad.object)} {term(quad.graph_name)} .\n"
        for quad in dataset
    ]
    return "".join(sorted(_NONCHARACTER_ESCAPE.sub(_unescaped, line) for line in lines))


# pyoxigraph writes U+FFFE and U+FFFF in literals as \uFFFE and \uFFFF; pyld and jsonld.js write them as
# themselves, and RDFC-1.0 escapes only U+0000-U+001F, U+007F, " and \. Documents with either go the way
# above (pyld's labels: pyoxigraph's would hash the escaped form), and the escape is undone here. A
# backslash of the text itself is always written doubled, so an escape follows an even run of them.
_NONCHARACTER_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u(FFF[EF])")
# U+FFFE or U+FFFF in JSON: as UTF-8 (orjson) or escaped (the stdlib, for integers beyond 64 bits). A
# false positive (the text "\\ufffe" itself) only takes the slower way.
_NONCHARACTERS = re.compile(rb"\xef\xbf[\xbe\xbf]|\\u[fF]{3}[eEfF]")


def _unescaped(match: re.Match[str]) -> str:
    return match.group(1) + chr(int(match.group(2), 16))


class _Urdna2015(URDNA2015):  # type: ignore[misc]  # pyld is untyped
    """pyld's URDNA2015, minus a deep copy per blank node per quad (a third of its time on a large CLR).

    §4.6 Hash First Degree Quads writes each quad with ``_:a`` / ``_:z`` in place of blank nodes; pyld
    deep-copies the component to do so. A component is a flat dict of strings, so a new dict with the
    new ``value`` is the same copy.
    """

    def modify_first_degree_component(self, id_: str, component: dict[str, str], key: str) -> dict[str, str]:
        if component["type"] != "blank node":
            return component
        return {**component, "value": "_:a" if component["value"] == id_ else "_:z"}


def _pyld_name(term: Any) -> str:
    return "_:" + term.value if isinstance(term, ox.BlankNode) else str(term.value)


def _pyld_node(term: Any) -> dict[str, str]:
    """A subject or object node as pyld's RDF dataset holds it."""
    if isinstance(term, ox.BlankNode):
        return {"type": "blank node", "value": "_:" + term.value}
    return {"type": "IRI", "value": term.value}


def _pyld_object(term: Any) -> dict[str, str]:
    if not isinstance(term, ox.Literal):
        return _pyld_node(term)
    literal = {"type": "literal", "value": term.value, "datatype": term.datatype.value}
    if term.language is not None:
        literal["language"] = term.language
    return literal


def _with_lexical_numbers(node: Any) -> Any:
    """The expanded form with every number already written as its RDF literal, as pyld writes it.

    JSON-LD 1.1 Deserialize JSON-LD to RDF §8.6 turns a JSON number into a literal. pyoxigraph does
    it differently from pyld and jsonld.js for doubles that need 17 significant digits
    (0.30000000000000004: "3.0000000000000004E-1", not "3.0E-1") and for integral floats written with
    an exponent (2.5e20: "2.5E20", not "250000000000000000000"), so a credential holding such a number
    would not verify elsewhere. Handing pyoxigraph the lexical form pyld computes, with pyld's own
    helpers, removes the difference. Copy-on-write: the caller's expanded form is not modified.
    """
    if isinstance(node, list):
        copied: list[Any] | None = None
        for index, item in enumerate(node):
            new = _with_lexical_numbers(item)
            if new is not item:
                copied = copied or list(node)
                copied[index] = new
        return node if copied is None else copied
    if not isinstance(node, dict):
        return node
    if "@value" in node:
        return _lexical_number(node) if _may_be_number(node) else node
    changed: dict[str, Any] | None = None
    for key, value in node.items():
        if key != "@id" and key != "@type" and isinstance(value, list | dict):  # @id, @type: IRIs only
            new = _with_lexical_numbers(value)
            if new is not value:
                changed = changed or dict(node)
                changed[key] = new
    return node if changed is None else changed


def _may_be_number(value_object: dict[str, Any]) -> bool:
    return not isinstance(value_object["@value"], str) or value_object.get("@type") == pyld_jsonld.XSD_DOUBLE


def _lexical_number(value_object: dict[str, Any]) -> dict[str, Any]:
    """pyld's `_object_to_rdf` number rules (processing mode json-ld-1.1), branch for branch."""
    value = value_object["@value"]
    datatype = value_object.get("@type")
    if datatype == "@json" or isinstance(value, bool):
        return value_object  # pyoxigraph writes these as pyld does
    if pyld_jsonld._is_double(value):
        lexical, datatype = pyld_jsonld._canonicalize_double(value), datatype or pyld_jsonld.XSD_DOUBLE
    elif datatype == pyld_jsonld.XSD_DOUBLE:
        try:
            lexical = pyld_jsonld._canonicalize_double(float(value))
        except (TypeError, ValueError):
            return value_object
    elif pyld_jsonld._is_integer(value) and abs(value) >= 1e21:
        lexical, datatype = pyld_jsonld._canonicalize_double(value), datatype or pyld_jsonld.XSD_DOUBLE
    elif pyld_jsonld._is_integer(value):
        lexical, datatype = str(int(value)), datatype or pyld_jsonld.XSD_INTEGER
    else:
        return value_object
    return {**value_object, "@value": lexical, "@type": datatype}


def _check_contexts(document: Mapping[str, Any]) -> None:
    context = document.get("@context")
    if context is None:
        raise JsonLdError("document has no @context")
    for entry in context if isinstance(context, list) else [context]:
        if not isinstance(entry, str):
            raise JsonLdError("inline @context objects are not accepted; use a published context URL")
        if not _is_absolute_iri(entry):
            raise JsonLdError(f"@context entry {entry[:100]!r} is not a context URL")
    # Embedded credentials (CLR, endorsements) carry their own @context: URLs of bundled contexts
    # only, like the top level; an inline object could quietly redefine terms inside a subtree.
    stack: list[Any] = [value for key, value in document.items() if key != "@context"]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            nested = node.get("@context")
            if nested is not None and not all(
                isinstance(e, str) for e in (nested if isinstance(nested, list) else [nested])
            ):
                raise JsonLdError("inline @context objects are not accepted; use a published context URL")
            stack.extend(value for key, value in node.items() if key != "@context")
        elif isinstance(node, list):
            stack.extend(node)


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


@functools.lru_cache(maxsize=4096)
@functools.lru_cache(maxsize=4096)  # the same property and type IRIs come back in every document
def _is_absolute_iri(value: str) -> bool:
    scheme, colon, _ = value.partition(":")
    return bool(colon) and scheme[:1].isalpha() and all(c.isalnum() or c in "+-." for c in scheme)


def _check_absolute(node: Any, numbers: list[dict[str, Any]]) -> None:
    """Every @id and @type in the expanded form must be an absolute IRI (safe mode).

    On the way, value objects that may hold a number are collected into ``numbers``.
    """
    if isinstance(node, list):
        for item in node:
            _check_absolute(item, numbers)
        return
    if not isinstance(node, dict):
        return
    if "@value" in node:
        datatype = node.get("@type")
        if isinstance(datatype, str) and datatype != "@json" and not _is_absolute_iri(datatype):
            raise JsonLdError(f"relative datatype IRI {datatype!r}")
        if _may_be_number(node):
            numbers.append(node)
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
            _check_absolute(value, numbers)


# At most this many blank nodes may look alike (same content, same kind of parent). RDFC-1.0 tries every
# permutation of blank nodes that first-degree hashes cannot tell apart, so a few nested groups of
# identical objects (e.g. two identical subjects each with eight identical results) cost minutes.
MAX_INDISTINGUISHABLE_BLANK_NODES = 4


def _check_blank_node_ties(expanded: list[Any]) -> None:
    """Bound canonicalisation work: refuse documents with large groups of look-alike blank nodes.

    A blank node's signature approximates its RDFC-1.0 first-degree hash: its own literal and IRI
    values, the predicates to its children, and its parent (an IRI, or ``_:z`` for another blank node)
    with the predicate from it. Look-alikes share their parent and predicate, so signatures are only
    worked out where more than the allowed number of blank nodes hang from one parent and predicate.
    """
    siblings: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def visit(node: Any, parent: str, predicate: str) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item, parent, predicate)
            return
        if not isinstance(node, dict) or "@value" in node:
            return
        if "@list" in node:
            visit(node["@list"], parent, predicate)
            return
        node_id = node.get("@id")
        if node_id is None:
            siblings.setdefault((parent, predicate), []).append(node)
        here = node_id if isinstance(node_id, str) else "_:z"
        for key, value in node.items():
            if _has_nodes(value):
                visit(value, here, key)

    visit(expanded, "", "")
    for (parent, predicate), nodes in siblings.items():
        if len(nodes) <= MAX_INDISTINGUISHABLE_BLANK_NODES:
            continue
        groups: dict[str, int] = {}
        for node in nodes:
            own = {key: value for key, value in node.items() if not _has_nodes(value)}
            children = sorted(key for key, value in node.items() if _has_nodes(value))
            signature = _JSON.encode([parent, predicate, own, children])
            groups[signature] = groups.get(signature, 0) + 1
            if groups[signature] > MAX_INDISTINGUISHABLE_BLANK_NODES:
                raise JsonLdError(
                    f"more than {MAX_INDISTINGUISHABLE_BLANK_NODES} identical objects without an id under "
                    f"{predicate!r}: give them ids or make them different"
                )


def _has_nodes(value: Any) -> bool:
    """Whether a property's values include node objects (or lists/graphs of them), not only literals."""
    items = value if isinstance(value, list) else [value]
    return any(isinstance(item, dict) and "@value" not in item for item in items)
