"""jsonschema-rs answers "valid?" for `schema_errors`; jsonschema lists the errors. Both must agree on
validity for every document, or a credential jsonschema refuses could pass: a differential test over the
vectors, the validator fixtures and generated mutations of a credential."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.validation import SchemaName, _errors, _fast_validator, _validator

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
SAMPLE = json.loads((Path(__file__).resolve().parents[2] / "bench" / "sample-credential.json").read_text())
DOCUMENTS = sorted(path for path in VECTORS.rglob("*.json") if path.name not in ("fixtures.json",))
SCHEMAS = [SchemaName.ACHIEVEMENT_CREDENTIAL, SchemaName.ENDORSEMENT_CREDENTIAL]


def agree(document: Any, schema: SchemaName) -> None:
    slow_valid = _errors(_validator(schema.schema_id), document) == []
    assert _fast_validator(schema.schema_id).is_valid(document) == slow_valid


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: str(path.relative_to(VECTORS)))
@pytest.mark.parametrize("schema", SCHEMAS)
def test_vectors_and_fixtures(path: Path, schema: SchemaName) -> None:
    agree(json.loads(path.read_text(encoding="utf-8")), schema)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


PATHS = _paths(SAMPLE)
REPLACEMENTS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=5),
    st.sampled_from(["2025-13-01T00:00:00Z", "2025-06-30", "2025-06-30T09:00:00", "not a uri", "urn:x"]),
    st.just([]),
    st.just({}),
)


@given(st.lists(st.tuples(st.sampled_from(PATHS), st.one_of(st.just("delete"), REPLACEMENTS)), max_size=3))
def test_mutated_credentials(mutations: list[tuple[tuple[Any, ...], Any]]) -> None:
    document = copy.deepcopy(SAMPLE)
    for path, replacement in mutations:
        parent: Any = document
        try:
            for step in path[:-1]:
                parent = parent[step]
            if replacement == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = replacement
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed the path
    agree(document, SchemaName.ACHIEVEMENT_CREDENTIAL)
