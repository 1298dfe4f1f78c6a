"""Bounded parsing of untrusted input: JSON documents and compact JWS strings.

Every parser that sees input from outside goes through here, so the limits live in one place.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ParsingError

MAX_DOCUMENT_BYTES = 1024 * 1024  # 1 MiB: a rich OB 3.0 credential is ~10 KB, a CLR of 1,000 ~ MiBs
MAX_DEPTH = 64  # OB 3.0 nests ~8 deep; JSON-LD processing recurses per level
MAX_STATEMENTS = 20_000  # RDF statements of one canonicalised document; a rich credential has ~100
MAX_EXACT_INTEGER = 2**53 - 1  # I-JSON (RFC 7493 §2.2): beyond this, JSON parsers disagree on the value


@dataclass(frozen=True)
class Limits:
    """The bounds on what one untrusted document may make us do.

    The defaults hold for every credential. `vc.clr.CLR_LIMITS` is the one larger, still bounded, set:
    a Comprehensive Learner Record bundles up to thousands of credentials, and only a document whose
    ``type`` includes ``ClrCredential`` is verified under it (`vc.verify.verify_credential`).
    """

    max_document_bytes: int = MAX_DOCUMENT_BYTES
    max_statements: int = MAX_STATEMENTS


ORDINARY_LIMITS = Limits()


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two parsers that pick different duplicates would see different credentials.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ParsingError(f"duplicate JSON key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ParsingError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ParsingError(f"number {text[:20]} is out of range")
    return value


def parse_json(data: str | bytes, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    """Parse JSON text with a size limit, a depth limit and no duplicate keys."""
    size = len(data.encode("utf-8") if isinstance(data, str) else data)
    if size > max_bytes:
        raise ParsingError(f"document is {size} bytes; the limit is {max_bytes}")
    try:
        value = json.loads(
            data,
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
        )
    except RecursionError:
        raise ParsingError(f"JSON nesting is deeper than {MAX_DEPTH} levels") from None
    except UnicodeDecodeError:
        raise ParsingError("document is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise ParsingError(
            f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except ValueError as error:  # e.g. an integer longer than Python's digit limit
        raise ParsingError(f"not usable JSON: {error}") from None
    check_depth(value)
    return value


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """Refuse structures nested more than `limit` levels (iterative: no recursion to exhaust).

    Level by level: a value at level ``limit + 1`` (a member of a container at level ``limit``) fails.
    """
    level = [value]
    depth = 1
    while level:
        if depth > limit:
            raise ParsingError(f"JSON nesting is deeper than {limit} levels")
        children: list[Any] = []
        for node in level:
            if isinstance(node, dict):
                children.extend(node.values())
            elif isinstance(node, list):
                children.extend(node)
        level = children
        depth += 1


def check_json_value(value: Any, what: str = "the document") -> None:
    """Refuse a value that has no one interoperable JSON form (I-JSON, RFC 7493 §2), before it is signed.

    Only JSON's own types (objects with string keys, arrays, strings, finite numbers, booleans, null),
    no lone surrogates (UTF-8 cannot encode them), no integer beyond ±(2^53 - 1) (a JavaScript verifier
    would read another number), and no deeper than `MAX_DEPTH`. Iterative: no recursion to exhaust.
    """
    level = [value]
    depth = 1
    while level:
        if depth > MAX_DEPTH:
            raise ParsingError(f"{what} is nested deeper than {MAX_DEPTH} levels")
        children: list[Any] = []
        for node in level:
            if isinstance(node, Mapping):
                for key in node:
                    if not isinstance(key, str):
                        raise ParsingError(f"{what} has a member name that is not a string: {key!r:.40}")
                    _check_text(key, what)
                children.extend(node.values())
            elif isinstance(node, list):
                children.extend(node)
            elif isinstance(node, str):
                _check_text(node, what)
            elif isinstance(node, bool) or node is None:
                pass
            elif isinstance(node, int):
                if abs(node) > MAX_EXACT_INTEGER:
                    raise ParsingError(
                        f"{what} holds the integer {str(node)[:24]}, beyond the ±(2^53 - 1) every JSON "
                        "parser reads exactly (RFC 7493 §2.2); write it as a string"
                    )
            elif isinstance(node, float):
                if not math.isfinite(node):
                    raise ParsingError(f"{what} holds {node}, which JSON cannot express")
            else:
                raise ParsingError(f"{what} holds a {type(node).__name__}, which is not a JSON value")
        level = children
        depth += 1


def _check_text(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParsingError(f"{what} holds text with a lone surrogate, which UTF-8 cannot encode") from None
