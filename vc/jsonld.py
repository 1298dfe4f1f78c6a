"""Strict JSON-LD to canonical N-Quads: the one canonicalisation path of the credential core.

    document ─► policy (vc.jsonld_policy) ─► expansion (vc.jsonld_expansion, pyld)
             ─► JSON-LD to RDF (vc.jsonld_rdf) ─► RDFC-1.0 (vc.rdfc) ─► canonical N-Quads

Every statement of a document is in its canonical form, or the document is refused with a `JsonLdError`
whose ``reason`` (a `vc.errors.Refusal`) says why: a context that is not bundled or is inline, a term no
context defines, an ill-formed or relative IRI, an explicit blank node identifier, a base direction, an
ill-formed language tag, text that is not Unicode, and, when signing, a number or text whose RDF form
implementations disagree on (see `vc.jsonld_rdf`). Verifying applies the same rules, except that it
follows JSON-LD 1.1 and RDFC-1.0 exactly where signing refuses to rely on them.

RDFC-1.0 is `vc.rdfc`, conformant to the whole W3C test suite (tests/vc/test_w3c_suites.py). When
signing, the result must not depend on the order in which strings are sorted: RDFC-1.0 sorts by code
point, rdf-canonize (jsonld.js) by UTF-16 code unit, which differ only between astral characters and
U+E000-U+FFFF; a document where that changes the result is refused rather than signed.

Bounding the work: RDFC-1.0 is only expensive when blank nodes cannot be told apart; `vc.rdfc` stops
past rdf-canonize's own bound, and with no explicit blank node identifiers a JSON document can only
produce a tree of blank nodes. Statements are capped (`vc.parsing.MAX_STATEMENTS`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

import orjson

from schemas.loader import OfflineDocumentLoader, default_loader

from . import jsonld_expansion, jsonld_policy, rdfc
from .errors import JsonLdError, Refusal
from .jsonld_rdf import to_rdf
from .parsing import MAX_STATEMENTS
from .rdfc import Quad

__all__ = ["canonicalize", "canonicalize_expanded", "dataset", "expand"]


def expand(document: Mapping[str, Any], loader: OfflineDocumentLoader | None = None) -> list[Any]:
    """JSON-LD 1.1 Expansion of a credential under the policy and safe mode (nothing dropped)."""
    jsonld_policy.check_document(document)
    return jsonld_expansion.expand(document, loader or default_loader())


def dataset(
    document: Mapping[str, Any],
    loader: OfflineDocumentLoader | None = None,
    *,
    signing: bool = False,
    max_statements: int = MAX_STATEMENTS,
) -> list[Quad]:
    """The RDF dataset of a credential: every statement, or a `JsonLdError`."""
    return _dataset(expand(document, loader), signing=signing, max_statements=max_statements)


def _dataset(
    expanded: list[Any], *, signing: bool, max_statements: int, blank_node_ids: bool = False
) -> list[Quad]:
    quads = to_rdf(expanded, signing=signing, blank_node_identifiers=blank_node_ids)
    if len(quads) > max_statements:
        raise JsonLdError(
            f"document produces {len(quads)} statements; the limit is {max_statements}",
            Refusal.TOO_MANY_STATEMENTS,
        )
    return quads


def canonicalize(
    document: Mapping[str, Any],
    loader: OfflineDocumentLoader | None = None,
    *,
    signing: bool = False,
    max_statements: int = MAX_STATEMENTS,
) -> str:
    """Canonical N-Quads (RDFC-1.0) of a compacted JSON-LD credential; ``signing`` adds the interop rules.

    Remembered per loader for byte-identical documents (the result is a pure function of the document's
    JSON, the loader's contexts, the rules and the bound); only successes are remembered, so every error
    is raised again. Results under a bound larger than the ordinary one (a CLR's: megabytes each) are
    not kept.
    """
    loader = loader or default_loader()
    state = jsonld_expansion.state_for(loader)
    key = _cache_key(document, signing, max_statements)
    if key is not None:
        with state.lock:
            remembered = state.canonical.get(key)
        if remembered is not None:
            return remembered
    canonical = _canonical(dataset(document, loader, signing=signing, max_statements=max_statements), signing)
    if key is not None:
        with state.lock:
            state.canonical[key] = canonical
    return canonical


def canonicalize_expanded(
    expanded: list[Any], *, signing: bool = False, max_statements: int = MAX_STATEMENTS
) -> str:
    """Canonical N-Quads of an already expanded document (JSON-LD to RDF, then RDFC-1.0)."""
    return _canonical(_dataset(expanded, signing=signing, max_statements=max_statements), signing)


def _canonical(quads: list[Quad], signing: bool) -> str:
    try:
        canonical = rdfc.canonical_nquads(quads)
        if (
            signing
            and _ASTRAL.search(canonical)
            and _BMP_UPPER.search(canonical)
            and rdfc.canonicalize(quads, sort_key=_utf16).nquads != canonical
        ):
            raise JsonLdError(
                "the canonical form of this text depends on how strings are sorted (RDFC-1.0: by code "
                "point; jsonld.js: by UTF-16 unit) because it mixes characters beyond U+FFFF with "
                "U+E000-U+FFFF: it would not verify everywhere",
                Refusal.CODE_POINT_ORDER,
            )
    except rdfc.CanonicalizationError as error:
        raise JsonLdError(str(error), Refusal.TOO_COMPLEX) from None
    return canonical


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_BMP_UPPER = re.compile("[\ue000-\uffff]")


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-be")


def _cache_key(document: Mapping[str, Any], signing: bool, max_statements: int) -> bytes | None:
    """SHA-256 of the document's exact JSON (key order kept) with the rules and bound; None when orjson
    cannot write it (an integer beyond 64 bits, a lone surrogate) or for a bound above the ordinary one."""
    if max_statements > MAX_STATEMENTS:
        return None
    try:
        digest = hashlib.sha256(orjson.dumps(document)).digest()
    except TypeError:  # orjson.JSONEncodeError
        return None
    return digest + bytes([signing]) + max_statements.to_bytes(4, "big")
