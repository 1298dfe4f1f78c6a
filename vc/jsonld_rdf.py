"""JSON-LD 1.1 Deserialize JSON-LD to RDF (https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm),
from an expanded document to a dataset of `vc.rdfc.Quad`, refusing what the algorithm would drop.

Where §8.1-§8.5 say to skip a statement (a subject, predicate, object, datatype or graph name that is
not a well-formed IRI, an ill-formed language tag, a blank node predicate) or a base direction
(``rdfDirection`` unset), a signature over the rest would not cover it: such a document is refused with
a `Refusal`, never silently shortened. The dataset is built directly from the expanded tree, which gives
the same statements as going through the node map (§7.2): a node's properties land in the graph where it
appears, ``@reverse`` flips subject and object, ``@included`` nodes join their graph, and each list or
node without ``@id`` is a fresh blank node.

Numbers (§8.6 Data Round Tripping) follow the specification when verifying. When *signing*
(``signing=True``), a number or text whose RDF form the JSON-LD implementations in use disagree on is
refused, so that every credential we sign canonicalises identically elsewhere (README "Conformance"):

* an integer beyond ±2^53 (a JSON parser that reads IEEE doubles, as jsonld.js does, changes it);
* a non-integral double whose shortest JavaScript form has no ".", e.g. ``1e-7`` (jsonld.js writes
  ``"0"^^xsd:integer``), and a double exactly halfway between two 16-digit mantissas (jsonld.js rounds
  the tie away from zero, pyld to even);
* a string typed ``xsd:double`` (jsonld.js and pyld rewrite it as a number; §8.6 keeps it);
* an integer beyond ±2^53 inside a JSON literal (JCS writes it as the nearest double);
* U+FFFE or U+FFFF in a literal (RDFC-1.0 writes ``\\uFFFE``; rdf-canonize and pyld write the character);
* one node given twice with the same empty list (a dataset holds the statement once; jsonld.js and pyld
  canonicalise it twice).
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from c14n.Canonicalize import canonicalize as json_canonicalization  # type: ignore[import-untyped]

from .errors import JsonLdError, Refusal
from .iri import is_absolute_iri, is_well_formed_language_tag
from .rdfc import RDF_LANG_STRING, XSD_STRING, Quad, literal

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = f"<{RDF}type>"
RDF_FIRST = f"<{RDF}first>"
RDF_REST = f"<{RDF}rest>"
RDF_NIL = f"<{RDF}nil>"
RDF_JSON = f"{RDF}JSON"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_BOOLEAN = f"{XSD}boolean"
XSD_INTEGER = f"{XSD}integer"
XSD_DOUBLE = f"{XSD}double"

SAFE_INTEGER = 2**53
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_NONCHARACTER = re.compile("[\ufffe\uffff]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*:")


def to_rdf(expanded: list[Any], *, signing: bool = False, blank_node_identifiers: bool = True) -> list[Quad]:
    """The dataset of an expanded JSON-LD document (§8.1), each quad once, in order of appearance.

    ``blank_node_identifiers=False`` refuses the document's own ``_:`` identifiers (`vc.jsonld_policy`).
    """
    converter = _Converter(signing, blank_node_identifiers)
    for element in expanded:
        if isinstance(element, dict) and "@value" not in element and "@list" not in element:
            converter.node(element, "")
    if signing and converter.empty_lists:
        _check_no_repeated_empty_list(converter.quads, converter.empty_lists)
    return list(dict.fromkeys(converter.quads))


class _Converter:
    def __init__(self, signing: bool, blank_node_identifiers: bool) -> None:
        self.signing = signing
        self.blank_node_identifiers = blank_node_identifiers
        self.quads: list[Quad] = []
        self.blank_nodes: dict[str, str] = {}  # the document's own blank node identifiers -> ours
        self.issued = 0
        self.indexes: dict[str, Any] = {}  # @index of each identified node (§7.2 "conflicting indexes")
        self.empty_lists: list[Quad] = []  # statements whose object is an empty list (rdf:nil)

    def blank_node(self, label: str | None = None) -> str:
        """A fresh blank node, or the one already issued for the document's identifier ``label``."""
        if label is not None and label in self.blank_nodes:
            return self.blank_nodes[label]
        issued = f"_:b{self.issued}"
        self.issued += 1
        if label is not None:
            self.blank_nodes[label] = issued
        return issued

    def identifier(self, value: str, what: str) -> str:
        """A node identifier as a term: a blank node identifier or an absolute IRI (§8.1 "well-formed")."""
        if value.startswith("_:"):
            if not self.blank_node_identifiers:
                raise JsonLdError(
                    f"explicit blank node identifier {_shown(value)} is not accepted",
                    Refusal.BLANK_NODE_IDENTIFIER,
                )
            return self.blank_node(value)
        return f"<{self.iri(value, what)}>"

    def iri(self, value: str, what: str) -> str:
        if is_absolute_iri(value):
            return value
        if _SCHEME.match(value) is None:
            raise JsonLdError(
                f"{what} {_shown(value)} is a relative IRI reference; an absolute IRI is needed",
                Refusal.RELATIVE_IRI,
            )
        raise JsonLdError(
            f'{what} {_shown(value)} is not a well-formed IRI (RFC 3987): a space, one of <>"{{}}|\\^`, '
            "a bad %-escape or a character IRIs do not allow",
            Refusal.ILL_FORMED_IRI,
        )

    def node(self, node: dict[str, Any], graph: str) -> str:
        """Emit a node object's statements into ``graph``; return its subject term."""
        node_id = node.get("@id")
        if node_id is None and "@id" in node:
            raise JsonLdError(
                "an id in the form of a keyword (@...) is ignored by JSON-LD: it would not be signed",
                Refusal.ILL_FORMED_IRI,
            )
        subject = self.identifier(node_id, "the id") if isinstance(node_id, str) else self.blank_node()
        if (
            "@index" in node
            and isinstance(node_id, str)
            and self.indexes.setdefault(node_id, node["@index"]) != node["@index"]
        ):
            raise JsonLdError(f"conflicting @index values for {_shown(node_id)}", Refusal.INVALID_JSON_LD)
        for key, values in node.items():
            if key == "@type":
                for type_ in values:
                    self.quads.append((subject, RDF_TYPE, self.identifier(type_, "the type"), graph))
            elif key == "@reverse":
                for property_, items in values.items():
                    predicate = self.predicate(property_)
                    for item in items:
                        self.quads.append((self.node(item, graph), predicate, subject, graph))
            elif key == "@graph":
                for item in values:
                    if isinstance(item, dict) and "@value" not in item and "@list" not in item:
                        self.node(item, subject)
            elif key == "@included":
                for item in values:
                    self.node(item, graph)
            elif not key.startswith("@"):
                predicate = self.predicate(key)
                for item in values:
                    quad = (subject, predicate, self.object(item, graph), graph)
                    self.quads.append(quad)
                    if quad[2] == RDF_NIL and "@list" in item:
                        self.empty_lists.append(quad)
        return subject

    def predicate(self, property_: str) -> str:
        if property_.startswith("_:"):
            raise JsonLdError(
                f"the property {_shown(property_)} is a blank node (generalized RDF)",
                Refusal.BLANK_NODE_PREDICATE,
            )
        return f"<{self.iri(property_, 'the property')}>"

    def object(self, item: dict[str, Any], graph: str) -> str:
        """§8.2 Object to RDF Conversion (and §8.3 List Conversion)."""
        if "@value" in item:
            return self.literal(item)
        if "@list" in item:
            return self.list(item["@list"], graph)
        return self.node(item, graph)

    def list(self, items: list[Any], graph: str) -> str:
        """§8.3 List Conversion: rdf:first/rdf:rest through fresh blank nodes, ending in rdf:nil."""
        if not items:
            return RDF_NIL
        heads = [self.blank_node() for _ in items]
        for index, item in enumerate(items):
            self.quads.append((heads[index], RDF_FIRST, self.object(item, graph), graph))
            rest = heads[index + 1] if index + 1 < len(heads) else RDF_NIL
            self.quads.append((heads[index], RDF_REST, rest, graph))
        return heads[0]

    def literal(self, item: dict[str, Any]) -> str:
        """§8.2 steps 4-13 for a value object, refusing what they would drop or lose."""
        value = item["@value"]
        datatype = item.get("@type")
        language = item.get("@language")
        if "@direction" in item:
            raise JsonLdError(
                f"the value {_shown(str(value))} has a base direction (@direction), which RDF 1.1 and "
                "RDFC-1.0 cannot express: it would not be signed",
                Refusal.DIRECTION,
            )
        if datatype is not None and datatype != "@json":
            datatype = self.iri(datatype, "the datatype")
        if language is not None and not is_well_formed_language_tag(language):
            raise JsonLdError(
                f"the language tag {_shown(language)} is not well-formed (BCP 47)",
                Refusal.ILL_FORMED_LANGUAGE_TAG,
            )
        if datatype == "@json":
            if self.signing:
                _check_json_literal_numbers(value)
            return literal(self.text(_json_literal(value)), RDF_JSON)
        if isinstance(value, bool):
            return literal("true" if value else "false", datatype or XSD_BOOLEAN)
        if isinstance(value, int | float):
            return self.number(value, datatype)
        if self.signing and datatype == XSD_DOUBLE:
            raise JsonLdError(
                f"the text {_shown(value)} is typed xsd:double: JSON-LD 1.1 §8.6 keeps it as written, "
                "jsonld.js and pyld rewrite it; write the number as a JSON number",
                Refusal.NUMBER_NOT_INTEROPERABLE,
            )
        value = self.text(value)
        if language is not None:
            return literal(value, RDF_LANG_STRING, language)
        return literal(value, datatype or XSD_STRING)

    def text(self, value: str) -> str:
        if _LONE_SURROGATE.search(value):
            raise JsonLdError(
                f"the text {_shown(value)} holds a lone surrogate, which is not Unicode text",
                Refusal.NOT_UNICODE,
            )
        if self.signing and _NONCHARACTER.search(value):
            raise JsonLdError(
                f"the text {_shown(value)} holds U+FFFE or U+FFFF, which RDFC-1.0 escapes and other "
                "implementations (jsonld.js, pyld) do not: it would not verify everywhere",
                Refusal.NONCHARACTER,
            )
        return value

    def number(self, value: float, datatype: str | None) -> str:
        """§8.2 steps 10-11 with §8.6: xsd:double for a non-integral number, one of at least 10^21, or
        one typed xsd:double; otherwise the canonical xsd:integer."""
        if self.signing:
            _check_interoperable(value, datatype)
        integral = isinstance(value, int) or value.is_integer()
        if not integral or abs(value) >= 1e21 or datatype == XSD_DOUBLE:
            return literal(canonical_double(float(value)), datatype or XSD_DOUBLE)
        return literal(str(int(value)), datatype or XSD_INTEGER)


def canonical_double(value: float) -> str:
    """The canonical lexical form of an xsd:double, as JSON-LD 1.1 §8.6 gives it.

    The mantissa is rounded to 15 digits after the decimal point, a tie away from zero (the behaviour of
    the ``toExponential(15)`` the specification's sample uses), then written without trailing zeros:
    0.1 is ``1.0E-1``, 2.5e21 is ``2.5E21``, 0 is ``0.0E0``.
    """
    if value == 0:
        return "0.0E0"
    exact = Decimal(abs(value))  # the double's exact value
    exponent = exact.adjusted()
    mantissa = exact.scaleb(-exponent).quantize(Decimal("1.000000000000000"), rounding=ROUND_HALF_UP)
    if mantissa >= 10:  # 9.9999999999999995 rounds up to 10.000000000000000
        exponent += 1
        mantissa = (mantissa / 10).quantize(Decimal("1.000000000000000"), rounding=ROUND_HALF_UP)
    digits = str(mantissa).rstrip("0")
    if digits.endswith("."):
        digits += "0"
    return f"{'-' if value < 0 else ''}{digits}E{exponent}"


def _check_interoperable(value: float, datatype: str | None) -> None:
    """Refuse, when signing, a number whose RDF form jsonld.js and pyld (or JSON parsers) disagree on."""
    integral = isinstance(value, int) or value.is_integer()
    if integral and abs(value) > SAFE_INTEGER and (isinstance(value, int) or abs(value) < 1e21):
        raise JsonLdError(
            f"the integer {_shown(str(value))} is beyond ±2^53: JSON parsers that read IEEE doubles "
            "(jsonld.js) change it, so the signature would not cover what the document says; write it "
            "as a string",
            Refusal.NUMBER_NOT_INTEROPERABLE,
        )
    if integral and abs(value) < 1e21 and datatype != XSD_DOUBLE:
        return  # an xsd:integer every implementation writes alike
    if not integral and abs(value) < 1e-6 and len(repr(float(value)).split("e")[0].lstrip("-")) == 1:
        raise JsonLdError(
            f"the number {value!r} has no interoperable RDF form (jsonld.js writes it as the integer 0); "
            "write it as a string",
            Refusal.NUMBER_NOT_INTEROPERABLE,
        )
    digits = Decimal(float(value)).normalize().as_tuple().digits
    if len(digits) == 17 and digits[-1] == 5:
        raise JsonLdError(
            f"the number {value!r} lies exactly halfway between two 16-digit mantissas, which "
            "implementations round differently; write it as a string",
            Refusal.NUMBER_NOT_INTEROPERABLE,
        )


def _check_no_repeated_empty_list(quads: list[Quad], empty_lists: list[Quad]) -> None:
    """An empty list stated twice for one node (the node appears twice, each time with ``[]``) is one
    statement of the dataset; jsonld.js and pyld write it twice into the canonical form."""
    statements = Counter(quad for quad in quads if quad[2] == RDF_NIL)
    for quad in set(empty_lists):
        if statements[quad] > 1:
            raise JsonLdError(
                f"the empty list {quad[1]} of {quad[0]} is given twice, which jsonld.js and pyld "
                "canonicalise as two statements where RDF has one: it would not verify everywhere",
                Refusal.REPEATED_EMPTY_LIST,
            )


def _check_json_literal_numbers(value: Any) -> None:
    """JCS (RFC 8785 §3.2.2.3) writes every number as an IEEE double: an integer beyond ±2^53 in a JSON
    literal would be signed as a different number than the document holds."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > SAFE_INTEGER:
            raise JsonLdError(
                f"the integer {_shown(str(item))} in a JSON literal is beyond ±2^53: JSON Canonicalization "
                "writes it as the nearest double, so the signature would not cover what the document says",
                Refusal.NUMBER_NOT_INTEROPERABLE,
            )


def _json_literal(value: Any) -> str:
    """§8.2 step 8: the JSON Canonicalization Scheme (RFC 8785) form of a JSON literal."""
    return str(json_canonicalization(value).decode("utf-8"))


def _shown(value: str) -> str:
    """A value from the document, bounded, for a message."""
    return repr(value if len(value) <= 120 else value[:117] + "...")
