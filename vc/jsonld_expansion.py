"""JSON-LD 1.1 Expansion (https://www.w3.org/TR/json-ld11-api/#expansion-algorithm) with pyld, offline.

Contexts come only from the loader (`schemas.loader.OfflineDocumentLoader`). Expansion drops what no
context defines; `expand` turns each drop into a `JsonLdError` (`Refusal.UNDEFINED_TERM`), the first
half of the safe mode that `vc.jsonld_rdf` completes for the RDF step.

Speed: pyld re-processes every type-scoped context (OB 3.0 has one per class) at every node, and
deep-copies and re-canonicalises context objects as it goes. `_Processor` and `_Resolver` remember
those results between documents, per loader, keyed so that a hit is exactly what plain pyld would
compute. Each is kept because differential tests prove it equal to the reference: plain pyld
(tests/vc/test_jsonld.py, on generated credentials, shared nodes and loaders), the official JSON-LD
1.1 toRdf suite (tests/vc/test_w3c_suites.py, which runs through this code) and jsonld.js
(tests/interop/test_differential.py).
"""

from __future__ import annotations

import json
import re
import threading
import weakref
from collections.abc import Mapping
from typing import Any

import orjson
from c14n.Canonicalize import canonicalize as jcs_canonicalize  # type: ignore[import-untyped]
from cachetools import LRUCache
from frozendict import frozendict
from pyld import jsonld as pyld_jsonld
from pyld.context_resolver import ContextResolver

from schemas.loader import OfflineDocumentLoader, UnknownContextError

from .errors import JsonLdError, Refusal

_KEYWORD_FORM = re.compile(pyld_jsonld.KEYWORD_PATTERN)
_MAX_IRIS = 20_000
_MAX_SUBTREES = 512
_JSON = json.JSONEncoder(check_circular=False, separators=(",", ":"))


def _compact_json(value: Any) -> bytes:
    """The exact JSON of a value, as a key: orjson (several times faster) unless it cannot write it (an
    integer beyond 64 bits, a lone surrogate)."""
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
    parallelism; the RDF step and RDFC-1.0 run outside it.
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
        # `vc.jsonld.canonicalize` results by SHA-256 of the document's JSON: a verifier sees the same
        # status list credential (and proof configuration) again and again; a hit is the very string it
        # would compute.
        self.canonical: LRUCache[bytes, str] = LRUCache(maxsize=256)
        # `_Processor._expand` of identified nodes: (frozen active context, ..., the node's exact JSON)
        # -> (active context, type-scoped context, expanded node). Emptied when full.
        self.subtrees: dict[tuple[Any, ...], tuple[Any, Any, Any]] = {}


_states: weakref.WeakKeyDictionary[OfflineDocumentLoader, _LoaderState] = weakref.WeakKeyDictionary()
_states_lock = threading.Lock()


def state_for(loader: OfflineDocumentLoader) -> _LoaderState:
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

    def _create_term_definition(
        self,
        active_ctx: Any,
        local_ctx: Any,
        term: Any,
        defined: Any,
        options: Any,
        override_protected: bool = False,
        validate_scoped: bool = True,
    ) -> Any:
        """Safe mode: a term, ``@id`` or ``@reverse`` in the form of a keyword (``@foo``) is an error.

        pyld ignores such a definition with a warning, which drops the data it would have mapped
        (jsonld.js's safe mode refuses it as a "reserved term"). Only refuses; the result is pyld's.
        """
        value = local_ctx.get(term) if isinstance(local_ctx, dict) else None
        mapped: list[Any] = [value] if isinstance(value, str) else []
        if isinstance(value, dict):
            mapped = [value.get("@id"), value.get("@reverse")]
        for name in [term, *mapped]:
            if isinstance(name, str) and _KEYWORD_FORM.match(name) and name not in pyld_jsonld.KEYWORDS:
                raise JsonLdError(
                    f"the context maps {term!r} to {name!r}, in the form of a keyword, which JSON-LD "
                    "ignores: it would not be signed",
                    Refusal.UNDEFINED_TERM,
                )
        return super()._create_term_definition(
            active_ctx, local_ctx, term, defined, options, override_protected, validate_scoped
        )

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


def expand(
    document: Mapping[str, Any] | list[Any],
    loader: OfflineDocumentLoader,
    *,
    base: str | None = None,
    expand_context: Any = None,
) -> list[Any]:
    """JSON-LD 1.1 Expansion in processing mode json-ld-1.1, refusing any dropped property.

    ``base`` stays None for credentials (a relative IRI stays relative and the RDF step refuses it);
    the W3C test suite passes the test document's URL, and ``expand_context`` where a test names one.
    """
    dropped: list[str | None] = []
    state = state_for(loader)
    options: dict[str, Any] = {
        "documentLoader": loader,
        "contextResolver": _Resolver(state, loader),
        "base": base,
    }
    if expand_context is not None:
        options["expandContext"] = expand_context
    try:
        with state.lock:
            processor = _Processor(state, on_property_dropped=dropped.append)
            # A top-level array (the test suite has some) is copied here; pyld would deep-copy it.
            own = _Document(document) if isinstance(document, Mapping) else _json_copy(document)
            expanded: list[Any] = processor.expand(own, options)
    except pyld_jsonld.JsonLdError as error:
        raise _refusal(error) from None
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        # pyld raises plain errors on some malformed input (e.g. an empty @id, a non-string @type).
        raise JsonLdError(f"JSON-LD expansion failed: {error}", Refusal.INVALID_JSON_LD) from None
    if dropped:
        raise _dropped(dropped)
    return expanded


def _dropped(terms: list[str | None]) -> JsonLdError:
    names = sorted({term for term in terms if term is not None})
    if not names:  # pyld reports a key that looks like a keyword ("@foo") as None
        return JsonLdError(
            "a key that looks like a keyword (@...) but is none is ignored by JSON-LD: it would not be "
            "signed",
            Refusal.UNDEFINED_TERM,
        )
    return JsonLdError(f"term(s) not defined by any context: {', '.join(names)}", Refusal.UNDEFINED_TERM)


def _refusal(error: BaseException) -> JsonLdError:
    """pyld wraps a loader error in JsonLdErrors (as ``__cause__``); report the innermost one plainly."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, UnknownContextError):
            return JsonLdError(str(cause), Refusal.UNKNOWN_CONTEXT)
        cause = cause.__cause__ or cause.__context__
    message = error.args[0] if error.args else type(error).__name__
    code = getattr(error, "code", None)
    detail = f"{message} ({code})" if code else str(message)
    return JsonLdError(f"JSON-LD expansion failed: {detail}", Refusal.INVALID_JSON_LD)
