"""RDF Dataset Canonicalization, RDFC-1.0 (W3C Recommendation, https://www.w3.org/TR/rdf-canon/).

A dataset is a collection of `Quad`: four terms already written in *canonical n-quads form* (§A): an IRI
as ``<iri>``, a blank node as ``_:label``, a literal as `literal` writes it, and the graph name ``""`` for
the default graph. Writing terms once, when the dataset is built, is what makes the hashing cheap: the
first degree hash (§4.6) of a blank node only swaps its blank node labels for ``_:a`` and ``_:z``.

The algorithm follows the specification step by step (the step numbers are in the comments). Where the
specification leaves an order open (a permutation's order, equal N-degree hashes) the choices are those
of the reference implementation, rdf-canonize (blank nodes in order of first appearance, permutations in
Steinhaus-Johnson-Trotter order of the sorted list, a stable sort), so that the issued identifiers map
(§4.4.3 step 7) is the one the W3C test suite expects.

Poison graphs (§6.1): like rdf-canonize, the number of Hash N-Degree Quads calls is bounded by the number
of blank nodes whose first degree hash is shared, raised to ``work_factor`` (default 1, rdf-canonize's),
and the permutations examined are bounded too; past either bound `CanonicalizationError` is raised.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

Quad = tuple[str, str, str, str]  # subject, predicate, object, graph name ("" = the default graph)

HASH_ALGORITHMS: dict[str, Callable[[bytes], Any]] = {"SHA256": hashlib.sha256, "SHA384": hashlib.sha384}
MAX_PERMUTATIONS = 100_000  # per canonicalisation; far beyond any dataset the work factor lets through

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class CanonicalizationError(Exception):
    """The dataset needs more work than the bounds allow (RDFC-1.0 §6.1, dataset poisoning)."""


# -- canonical n-quads form (§A) ------------------------------------------------------------------

# ECHAR for BS, HT, LF, FF, CR, " and \; UCHAR for the other characters U+0000-U+001F, for U+007F, and for
# the characters outside the XML 1.1 Char production that a Python string can hold: U+FFFE and U+FFFF.
# (Lone surrogates are not Unicode scalar values; `literal` refuses them.)
_ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_NEEDS_ESCAPE = re.compile('[\x00-\x1f\x7f"\\\\\ufffe\uffff]')


def _escape_character(match: re.Match[str]) -> str:
    char = match.group()
    return _ECHAR.get(char) or f"\\u{ord(char):04X}"


def escape_string(value: str) -> str:
    """The content of a STRING_LITERAL_QUOTE in canonical n-quads form (§A)."""
    return _NEEDS_ESCAPE.sub(_escape_character, value) if _NEEDS_ESCAPE.search(value) else value


def literal(value: str, datatype: str = XSD_STRING, language: str | None = None) -> str:
    """A literal term in canonical n-quads form: ``"value"``, ``"value"@lang`` or ``"value"^^<datatype>``."""
    quoted = f'"{escape_string(value)}"'
    if language is not None:
        return f"{quoted}@{language}"
    if datatype == XSD_STRING:
        return quoted
    return f"{quoted}^^<{datatype}>"


def nquad(quad: Quad) -> str:
    """One quad in canonical n-quads form, ending in LF."""
    subject, predicate, object_, graph = quad
    if graph:
        return f"{subject} {predicate} {object_} {graph} .\n"
    return f"{subject} {predicate} {object_} .\n"


def _is_blank(term: str) -> bool:
    return term.startswith("_:")


# -- the algorithm ----------------------------------------------------------------------------------


class _IdentifierIssuer:
    """§4.5 Issue Identifier: ``prefix`` + counter, remembering the order of issue."""

    __slots__ = ("issued", "prefix")

    def __init__(self, prefix: str, issued: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.issued: dict[str, str] = {} if issued is None else issued  # dicts keep the order of issue

    def issue(self, existing: str) -> str:
        identifier = self.issued.get(existing)
        if identifier is None:
            identifier = self.issued[existing] = f"{self.prefix}{len(self.issued)}"
        return identifier

    def copy(self) -> _IdentifierIssuer:
        return _IdentifierIssuer(self.prefix, dict(self.issued))


@dataclass(frozen=True)
class CanonicalDataset:
    """The result of §4.4: the canonical n-quads (sorted, one per line) and the issued identifiers map."""

    nquads: str
    issued_identifiers: dict[str, str]  # input blank node label (no "_:") -> canonical label ("c14n0", ...)


def canonicalize(
    quads: Iterable[Quad],
    *,
    hash_algorithm: str = "SHA256",
    work_factor: int = 1,
    sort_key: Callable[[str], Any] | None = None,
) -> CanonicalDataset:
    """§4.4 The canonicalization algorithm, on a dataset (duplicate quads count once).

    ``sort_key`` orders strings wherever RDFC-1.0 sorts n-quads (§4.6 step 4 and the final sort); the
    default is Unicode code point order, as the specification says. A caller may pass another order only
    to find out whether the result depends on it.
    """
    state = _Canonicalization(list(dict.fromkeys(quads)), hash_algorithm, work_factor, sort_key)
    return state.run()


class _Canonicalization:
    def __init__(
        self,
        quads: list[Quad],
        hash_algorithm: str,
        work_factor: int,
        sort_key: Callable[[str], Any] | None,
    ) -> None:
        try:
            self._hash = HASH_ALGORITHMS[hash_algorithm]
        except KeyError:
            raise ValueError(f"hash algorithm {hash_algorithm!r} is not SHA256 or SHA384") from None
        self.quads = quads
        self.work_factor = work_factor
        self.sort_key = sort_key
        self.canonical_issuer = _IdentifierIssuer("c14n")
        # §4.4.3 step 2: the blank node to quads map, blank nodes in order of first appearance.
        self.blank_node_quads: dict[str, list[Quad]] = {}
        self.first_degree: dict[str, str] = {}
        self.remaining_calls = 0
        self.remaining_permutations = MAX_PERMUTATIONS

    def digest(self, text: str) -> str:
        digest: str = self._hash(text.encode("utf-8")).hexdigest()
        return digest

    def sorted(self, strings: list[str]) -> list[str]:
        return sorted(strings, key=self.sort_key) if self.sort_key else sorted(strings)

    def run(self) -> CanonicalDataset:
        # Step 2: every blank node mentioned as subject, object or graph name (a quad once per node).
        for quad in self.quads:
            subject, _, object_, graph = quad
            for term in (subject, object_, graph):
                if _is_blank(term):
                    mentions = self.blank_node_quads.setdefault(term, [])
                    if not mentions or mentions[-1] is not quad:
                        mentions.append(quad)
        # Step 3: first degree hashes.
        hash_to_blank_nodes: dict[str, list[str]] = {}
        for node in self.blank_node_quads:
            first = self.first_degree[node] = self.hash_first_degree_quads(node)
            hash_to_blank_nodes.setdefault(first, []).append(node)
        # Step 4: a canonical identifier for each unique first degree hash, in code point order of hashes.
        shared: list[list[str]] = []
        for first in sorted(hash_to_blank_nodes):
            nodes = hash_to_blank_nodes[first]
            if len(nodes) > 1:
                shared.append(nodes)
            else:
                self.canonical_issuer.issue(nodes[0])
        # The work bound of rdf-canonize: Hash N-Degree Quads calls <= (nodes sharing a hash) ** work_factor.
        self.remaining_calls = sum(len(nodes) for nodes in shared) ** self.work_factor
        # Step 5: the shared first degree hashes, in code point order of hashes.
        for nodes in shared:
            hash_path_list: list[tuple[str, _IdentifierIssuer]] = []
            for node in nodes:
                if node in self.canonical_issuer.issued:  # 5.2.1
                    continue
                temporary_issuer = _IdentifierIssuer("b")  # 5.2.2
                temporary_issuer.issue(node)  # 5.2.3
                hash_path_list.append(self.hash_n_degree_quads(node, temporary_issuer))  # 5.2.4
            hash_path_list.sort(key=lambda result: result[0])  # 5.3 (stable: ties keep their order)
            for _, issuer in hash_path_list:
                for existing in issuer.issued:  # 5.3.1
                    self.canonical_issuer.issue(existing)
        # Step 6: replace every blank node label with its canonical one; the n-quads, sorted.
        labels = {node: "_:" + label for node, label in self.canonical_issuer.issued.items()}
        lines = [
            nquad(
                (
                    labels.get(subject, subject),
                    predicate,
                    labels.get(object_, object_),
                    labels.get(graph, graph),
                )
            )
            for subject, predicate, object_, graph in self.quads
        ]
        issued = {node[2:]: label for node, label in self.canonical_issuer.issued.items()}
        return CanonicalDataset(nquads="".join(self.sorted(lines)), issued_identifiers=issued)

    def hash_first_degree_quads(self, reference: str) -> str:
        """§4.6 Hash First Degree Quads."""
        nquads = []
        for subject, predicate, object_, graph in self.blank_node_quads[reference]:
            nquads.append(
                nquad(
                    (
                        _placeholder(subject, reference),
                        predicate,
                        _placeholder(object_, reference),
                        _placeholder(graph, reference),
                    )
                )
            )
        return self.digest("".join(self.sorted(nquads)))

    def hash_related_blank_node(
        self, related: str, quad: Quad, issuer: _IdentifierIssuer, position: str
    ) -> str:
        """§4.7 Hash Related Blank Node."""
        identifier = self.canonical_issuer.issued.get(related) or issuer.issued.get(related)
        identifier = "_:" + identifier if identifier else self.first_degree[related]
        predicate = quad[1] if position != "g" else ""  # step 2: <predicate>, except for a graph name
        return self.digest(position + predicate + identifier)

    def hash_n_degree_quads(
        self, identifier: str, issuer: _IdentifierIssuer
    ) -> tuple[str, _IdentifierIssuer]:
        """§4.8 Hash N-Degree Quads; returns the hash and the issuer that produced it."""
        if self.remaining_calls <= 0:
            raise CanonicalizationError(
                "RDF canonicalization needs too much work: blank nodes that cannot be told apart "
                "(RDFC-1.0 §6.1; give the objects ids or make them different)"
            )
        self.remaining_calls -= 1
        # Steps 1-3: hash to related blank nodes map.
        hash_to_related: dict[str, list[str]] = {}
        for quad in self.blank_node_quads[identifier]:
            subject, _, object_, graph = quad
            for term, position in ((subject, "s"), (object_, "o"), (graph, "g")):
                if _is_blank(term) and term != identifier:
                    related_hash = self.hash_related_blank_node(term, quad, issuer, position)
                    hash_to_related.setdefault(related_hash, []).append(term)
        data_to_hash = []  # step 4
        for related_hash in sorted(hash_to_related):  # step 5
            data_to_hash.append(related_hash)  # 5.1
            chosen_path = ""  # 5.2
            chosen_issuer: _IdentifierIssuer | None = None  # 5.3
            for permutation in _permutations(hash_to_related[related_hash]):  # 5.4
                self.remaining_permutations -= 1
                if self.remaining_permutations < 0:
                    raise CanonicalizationError(
                        "RDF canonicalization needs too much work: too many permutations of blank nodes "
                        "(RDFC-1.0 §6.1)"
                    )
                issuer_copy = issuer.copy()  # 5.4.1
                path = ""  # 5.4.2
                recursion_list: list[str] = []  # 5.4.3
                skip = False
                for related in permutation:  # 5.4.4
                    canonical = self.canonical_issuer.issued.get(related)
                    if canonical is not None:  # 5.4.4.1
                        path += "_:" + canonical
                    else:  # 5.4.4.2
                        if related not in issuer_copy.issued:
                            recursion_list.append(related)
                        path += "_:" + issuer_copy.issue(related)
                    # 5.4.4.3 (a path only grows, so "longer and greater" is "greater")
                    if chosen_path and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                for related in recursion_list:  # 5.4.5
                    result_hash, result_issuer = self.hash_n_degree_quads(related, issuer_copy)
                    path += "_:" + issuer_copy.issue(related)  # 5.4.5.2
                    path += f"<{result_hash}>"  # 5.4.5.3
                    issuer_copy = result_issuer  # 5.4.5.4
                    if chosen_path and path > chosen_path:  # 5.4.5.5
                        skip = True
                        break
                if skip:
                    continue
                if not chosen_path or path < chosen_path:  # 5.4.6
                    chosen_path, chosen_issuer = path, issuer_copy
            data_to_hash.append(chosen_path)  # 5.5
            assert chosen_issuer is not None  # the first permutation is never skipped
            issuer = chosen_issuer  # 5.6
        return self.digest("".join(data_to_hash)), issuer  # step 6


def _placeholder(term: str, reference: str) -> str:
    """§4.6 step 3.1.1: a blank node becomes ``_:a`` (the reference node) or ``_:z`` (any other)."""
    if not _is_blank(term):
        return term
    return "_:a" if term == reference else "_:z"


def _permutations(items: Sequence[str]) -> Iterator[list[str]]:
    """Every permutation of ``items`` in Steinhaus-Johnson-Trotter order from the sorted list.

    The order rdf-canonize uses; it decides which of several equal paths is chosen, hence the issued
    identifiers map the test suite expects. Equal items are never swapped past each other.
    """
    current = sorted(items)
    left = dict.fromkeys(current, True)  # the direction each item moves in
    while True:
        yield list(current)
        mobile: str | None = None
        position = 0
        for index, item in enumerate(current):
            if (mobile is None or item > mobile) and (
                (left[item] and index > 0 and item > current[index - 1])
                or (not left[item] and index < len(current) - 1 and item > current[index + 1])
            ):
                mobile, position = item, index
        if mobile is None:
            return
        swap = position - 1 if left[mobile] else position + 1
        current[position], current[swap] = current[swap], mobile
        for item in current:
            if item > mobile:
                left[item] = not left[item]


def canonical_nquads(quads: Iterable[Quad]) -> str:
    """The canonical n-quads of a dataset (RDFC-1.0 with SHA-256)."""
    return canonicalize(quads).nquads
