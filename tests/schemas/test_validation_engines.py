"""Differential test: the fast engine (jsonschema-rs) accepts exactly what python-jsonschema accepts.

`schema_errors` trusts the fast engine's "valid"; a document it accepts is never looked at again. So the two
must agree on every vector and fixture, and on generated mutations of a real credential (values replaced
with other JSON values, keys removed or added, anywhere in the tree).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import validation
from schemas.validation import SchemaName

VECTORS = Path(__file__).parents[1] / "vectors"


def _documents() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for path in sorted(VECTORS.rglob("*.json")):
        if path.name == "fixtures.json":
            continue
        name = str(path.relative_to(VECTORS))
        document = json.loads(path.read_text(encoding="utf-8"))
        for part in ("unsigned", "signed"):
            if isinstance(document, dict) and isinstance(document.get(part), dict):
                found.append((f"{name}:{part}", document[part]))
        found.append((name, document))
    return found


DOCUMENTS = _documents()
SCHEMAS = [SchemaName.ACHIEVEMENT_CREDENTIAL, SchemaName.CLR_CREDENTIAL, SchemaName.ENDORSEMENT_CREDENTIAL]


def python_accepts(document: Any, schema: SchemaName) -> bool:
    return validation._errors(validation._validator(schema.schema_id), document) == []


def fast_accepts(document: Any, schema: SchemaName) -> bool:
    return validation._fast_accepts(schema.schema_id, document)


@pytest.mark.parametrize(("name", "document"), DOCUMENTS, ids=[name for name, _ in DOCUMENTS])
@pytest.mark.parametrize("schema", SCHEMAS)
def test_engines_agree_on_every_vector(name: str, document: Any, schema: SchemaName) -> None:
    assert fast_accepts(document, schema) == python_accepts(document, schema), name


def test_vectors_include_both_outcomes() -> None:
    outcomes = {python_accepts(document, SchemaName.ACHIEVEMENT_CREDENTIAL) for _, document in DOCUMENTS}
    assert outcomes == {True, False}


BASE = json.loads((VECTORS / "1edtech" / "ob-v3p0-eddsa-rdfc-2022.json").read_text(encoding="utf-8"))[
    "unsigned"
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(
        [
            "",
            "2024-01-01T00:00:00Z",
            "2024-02-30T00:00:00Z",
            "2024-01-01",
            "2024-01-01T00:00:00",
            "https://example.org/x",
            "urn:uuid:1",
            "not a uri",
            "Profile",
            "Achievement",
            "AchievementSubject",
            "VerifiableCredential",
            "OpenBadgeCredential",
            "https://www.w3.org/ns/credentials/v2",
        ]
    )
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            paths.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            paths.extend(_paths(value, (*prefix, index)))
    return paths


PATHS = [path for path in _paths(BASE) if path]


def _mutate(document: Any, path: tuple[Any, ...], action: str, value: Any) -> Any:
    mutated = copy.deepcopy(document)
    parent = mutated
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = value
    elif isinstance(parent[last], dict):
        parent[last]["extra"] = value
    elif isinstance(parent[last], list):
        parent[last].append(value)
    else:
        parent[last] = [parent[last], value]
    return mutated


@settings(max_examples=300)
@given(
    mutations=st.lists(
        st.tuples(st.sampled_from(PATHS), st.sampled_from(["replace", "delete", "add"]), json_values),
        min_size=1,
        max_size=3,
    )
)
def test_engines_agree_on_mutated_credentials(mutations: list[tuple[tuple[Any, ...], str, Any]]) -> None:
    document: Any = BASE
    for path, action, value in mutations:
        try:
            document = _mutate(document, path, action, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or reshaped this path
    schema = SchemaName.ACHIEVEMENT_CREDENTIAL
    assert fast_accepts(document, schema) == python_accepts(document, schema)
