"""The official W3C suites, run whole (data and provenance: tests/vectors/SOURCES.md).

**RDFC-1.0** (w3c/rdf-canon): every evaluation test gives the expected canonical N-Quads byte for byte,
SHA-384 ones included; every map test the expected issued identifiers map; the negative test (a poison
graph) is refused. Inputs are read with pyoxigraph's N-Quads parser, which keeps the blank node labels
the maps name. The work bound follows each test's ``computationalComplexity`` (low 1, medium 2, high 3:
the work factor of rdf-canonize); the poison graph is refused even at the highest.

**JSON-LD 1.1 toRdf** (w3c/json-ld-api): each test runs through the production path (pyld expansion with
our speed-ups, `vc.jsonld_rdf`, `vc.rdfc`) with a test-only loader serving the suite's own files, the
test document's URL as base (credentials use none) and the credential policy off (the suite defines
contexts inline and names blank nodes). A test either yields exactly the expected dataset (compared as
canonical N-Quads, i.e. up to blank node labels), or is refused with a named `Refusal` (never a
different dataset), or needs a feature we do not support (counted with the reason). The counts below
are the ones the README states.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from cachetools import LRUCache
from pyld import jsonld as pyld_jsonld
from pyld.context_resolver import ContextResolver

from schemas.loader import OfflineDocumentLoader
from vc import jsonld_expansion, rdfc
from vc.errors import JsonLdError, Refusal
from vc.jsonld_rdf import to_rdf

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
RDF_CANON = VECTORS / "w3c-rdf-canon"
TO_RDF = VECTORS / "w3c-json-ld-toRdf"
SUITE_BASE = "https://w3c.github.io/json-ld-api/tests/"


def read_nquads(path: Path) -> list[rdfc.Quad]:
    return [
        (_term(q.subject), _term(q.predicate), _term(q.object), _term(q.graph_name))
        for q in pyoxigraph.parse(path.read_bytes(), pyoxigraph.RdfFormat.N_QUADS)
    ]


def _term(node: Any) -> str:
    if isinstance(node, pyoxigraph.NamedNode):
        return f"<{node.value}>"
    if isinstance(node, pyoxigraph.BlankNode):
        return f"_:{node.value}"
    if isinstance(node, pyoxigraph.DefaultGraph):
        return ""
    return rdfc.literal(node.value, node.datatype.value, node.language)


# -- RDFC-1.0 ------------------------------------------------------------------------------------

RDFC_TESTS = json.loads((RDF_CANON / "manifest.jsonld").read_text(encoding="utf-8"))["entries"]
WORK_FACTOR = {"low": 1, "medium": 2, "high": 3}


@pytest.mark.parametrize("test", RDFC_TESTS, ids=[test["id"].lstrip("#") for test in RDFC_TESTS])
def test_rdf_canon(test: dict[str, Any]) -> None:
    quads = read_nquads(RDF_CANON / test["action"])
    algorithm = test.get("hashAlgorithm", "SHA256")
    work_factor = WORK_FACTOR[test["computationalComplexity"]]
    if test["type"] == "rdfc:RDFC10NegativeEvalTest":
        with pytest.raises(rdfc.CanonicalizationError, match="too much work"):
            rdfc.canonicalize(quads, hash_algorithm=algorithm, work_factor=work_factor)
        return
    result = rdfc.canonicalize(quads, hash_algorithm=algorithm, work_factor=work_factor)
    expected = (RDF_CANON / test["result"]).read_text(encoding="utf-8")
    if test["type"] == "rdfc:RDFC10EvalTest":
        assert result.nquads == expected
    else:
        assert test["type"] == "rdfc:RDFC10MapTest"
        assert result.issued_identifiers == json.loads(expected)


def test_rdf_canon_suite_is_complete() -> None:
    kinds = Counter((test["type"], test.get("hashAlgorithm", "SHA256")) for test in RDFC_TESTS)
    assert kinds == {
        ("rdfc:RDFC10EvalTest", "SHA256"): 63,
        ("rdfc:RDFC10EvalTest", "SHA384"): 1,
        ("rdfc:RDFC10MapTest", "SHA256"): 20,
        ("rdfc:RDFC10MapTest", "SHA384"): 1,
        ("rdfc:RDFC10NegativeEvalTest", "SHA256"): 1,
    }


# -- JSON-LD 1.1 toRdf ----------------------------------------------------------------------------

TO_RDF_TESTS = json.loads((TO_RDF / "toRdf-manifest.jsonld").read_text(encoding="utf-8"))["sequence"]

# Features we do not support, on purpose, with the reason (README "Conformance").
NOT_APPLICABLE = {
    ("specVersion", "json-ld-1.0"): "a JSON-LD 1.0 processor's result; we are a JSON-LD 1.1 processor",
    ("processingMode", "json-ld-1.0"): "JSON-LD 1.0 processing mode",
    ("produceGeneralizedRdf", True): "generalized RDF (blank node predicates) cannot be canonicalised",
    ("rdfDirection", "i18n-datatype"): "@direction as RDF: refused, RDFC-1.0 input is RDF 1.1",
    ("rdfDirection", "compound-literal"): "@direction as RDF: refused, RDFC-1.0 input is RDF 1.1",
}

# The outcome of every test, by class; the README's Conformance section states these numbers.
EXPECTED = {
    "passes": 313,
    "refused as the suite expects (negative test)": 93,
    "refused by strict mode": 38,
    "not applicable": 23,
}


@cache
def suite_loader() -> OfflineDocumentLoader:
    """Test-only: the suite's own files at the URLs its tests name. Production loads bundled contexts only."""
    documents = {
        SUITE_BASE + path.relative_to(TO_RDF).as_posix(): json.loads(path.read_text(encoding="utf-8"))
        for path in TO_RDF.rglob("*.jsonld")
    }
    return OfflineDocumentLoader(extra=documents)


def not_applicable(test: dict[str, Any]) -> str | None:
    options = test.get("option", {})
    for (name, value), reason in NOT_APPLICABLE.items():
        if options.get(name) == value:
            return reason
    return None


def run_to_rdf(test: dict[str, Any]) -> tuple[str, str]:
    """(class, detail) of one toRdf test; raises AssertionError for a different dataset or a crash."""
    reason = not_applicable(test)
    if reason is not None:
        return "not applicable", reason
    options = test.get("option", {})
    url = SUITE_BASE + test["input"]
    expand_context = None
    if "expandContext" in options:
        expand_context = json.loads((TO_RDF / options["expandContext"]).read_text(encoding="utf-8"))
    negative = "jld:NegativeEvaluationTest" in test["@type"]
    try:
        document = json.loads((TO_RDF / test["input"]).read_text(encoding="utf-8"))
        expanded = jsonld_expansion.expand(
            document, suite_loader(), base=options.get("base", url), expand_context=expand_context
        )
        quads = to_rdf(expanded)
    except JsonLdError as error:
        if negative:
            return "refused as the suite expects (negative test)", test["expectErrorCode"]
        return "refused by strict mode", str(error.reason)
    assert not negative, f"{test['@id']} should fail with {test['expectErrorCode']}"
    if "jld:PositiveSyntaxTest" in test["@type"]:
        return "passes", "no error"
    expected = read_nquads(TO_RDF / test["expect"])
    canonical = rdfc.canonicalize(quads, work_factor=4).nquads
    assert canonical == rdfc.canonicalize(expected, work_factor=4).nquads, (
        f"{test['@id']}: a different dataset"
    )
    return "passes", "the expected dataset"


@pytest.mark.parametrize("test", TO_RDF_TESTS, ids=[test["@id"].lstrip("#") for test in TO_RDF_TESTS])
def test_json_ld_to_rdf(test: dict[str, Any]) -> None:
    outcome, _ = run_to_rdf(test)
    assert outcome in EXPECTED


def test_json_ld_to_rdf_counts_are_the_readmes() -> None:
    outcomes = [run_to_rdf(test) for test in TO_RDF_TESTS]
    assert Counter(outcome for outcome, _ in outcomes) == EXPECTED
    refusals = Counter(detail for outcome, detail in outcomes if outcome == "refused by strict mode")
    # Each is a test whose expected output leaves something out of the dataset: a term mapped to nothing
    # or to a keyword-like value, a key like "@foo", an IRI that is ill-formed or relative, a base
    # direction, an ill-formed language tag, a blank node predicate.
    assert refusals == {
        "undefined_term": 21,
        "ill_formed_iri": 8,
        "direction": 6,
        "relative_iri": 1,
        "blank_node_predicate": 1,
        "ill_formed_language_tag": 1,
    }


def test_the_expansion_speed_ups_equal_plain_pyld_on_every_suite_document() -> None:
    """`vc.jsonld_expansion` memoises pyld's context processing and node expansion; on the suite's
    documents (far more JSON-LD than credentials use) it expands exactly as plain pyld does, with a
    fresh resolver and cache, or refuses where plain pyld silently drops something."""
    compared = 0
    for test in TO_RDF_TESTS:
        if not_applicable(test):
            continue
        options = test.get("option", {})
        base = options.get("base", SUITE_BASE + test["input"])
        expand_context = None
        if "expandContext" in options:
            expand_context = json.loads((TO_RDF / options["expandContext"]).read_text(encoding="utf-8"))
        document = json.loads((TO_RDF / test["input"]).read_text(encoding="utf-8"))
        loader = suite_loader()
        settings = {
            "documentLoader": loader,
            "contextResolver": ContextResolver(LRUCache(100), loader),
            "base": base,
        }
        if expand_context is not None:
            settings["expandContext"] = expand_context
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SyntaxWarning)  # pyld's "reserved term" warnings
                plain: Any = pyld_jsonld.expand(copy.deepcopy(document), settings)
        except pyld_jsonld.JsonLdError:
            plain = None
        try:
            ours: Any = jsonld_expansion.expand(document, loader, base=base, expand_context=expand_context)
        except JsonLdError as error:
            refusal: Refusal | None = error.reason
        else:
            refusal = None
        if refusal is not None:  # plain pyld fails too, or drops what we refuse to drop
            assert plain is None or refusal is Refusal.UNDEFINED_TERM, test["@id"]
            continue
        assert json.dumps(ours, sort_keys=True) == json.dumps(plain, sort_keys=True), test["@id"]
        compared += 1
    assert compared > 300
