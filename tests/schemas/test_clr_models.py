"""The CLR 2.0 models: what they refuse while building, and that embedded credentials stay untouched."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.clr import ASSOCIATION_TYPES, CLR_V2P0_CONTEXT, Association, ClrCredential, ClrSubject
from schemas.models import OB_EXTENSIONS_CONTEXT, OB_V3P0_CONTEXT, VC_V2_CONTEXT, CredentialSchema
from schemas.validation import SchemaName, schema_errors
from tests.conftest import load_vector

NOW = datetime(2026, 8, 1, tzinfo=UTC)


def _embedded() -> dict[str, Any]:
    credential: dict[str, Any] = load_vector("1edtech/clr-v2p0-eddsa-rdfc-2022.json")["signed"][
        "credentialSubject"
    ]["verifiableCredential"][0]
    return credential


def _clr(**changes: Any) -> ClrCredential:
    fields: dict[str, Any] = {
        "id": "urn:uuid:5b0e3c52-3f4e-4f57-9c0e-8a0f5d1c2b7a",
        "name": "Record",
        "issuer": {"id": "https://passport.example.ac.uk/", "type": ["Profile"]},
        "valid_from": NOW,
        "credential_subject": ClrSubject(id="did:example:sam", verifiable_credential=[_embedded()]),
    }
    return ClrCredential(**{**fields, **changes})


def test_defaults_follow_the_1edtech_example_and_pass_the_schema() -> None:
    document = _clr(partial=False).to_json()
    assert document["@context"] == [VC_V2_CONTEXT, CLR_V2P0_CONTEXT, OB_V3P0_CONTEXT, OB_EXTENSIONS_CONTEXT]
    assert document["credentialSchema"] == [
        {"id": SchemaName.CLR_CREDENTIAL.schema_id, "type": "1EdTechJsonSchemaValidator2019"}
    ]
    assert document["partial"] is False
    assert schema_errors(document, SchemaName.CLR_CREDENTIAL) == []


def test_embedded_credentials_keep_their_nulls_and_empty_arrays() -> None:
    embedded = {**_embedded(), "evidence": [], "description": None}
    document = _clr(credential_subject=ClrSubject(id="did:x:1", verifiable_credential=[embedded])).to_json()
    assert document["credentialSubject"]["verifiableCredential"] == [embedded]
    assert "achievement" not in document["credentialSubject"]  # the model's own empty array is omitted


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"context": [VC_V2_CONTEXT, OB_V3P0_CONTEXT, CLR_V2P0_CONTEXT]}, "a CLR 2.0 context"),
        ({"context": [VC_V2_CONTEXT, CLR_V2P0_CONTEXT, OB_V3P0_CONTEXT]}, "1EdTechJsonSchemaValidator2019"),
        ({"type": ["VerifiableCredential"]}, "'ClrCredential'"),
        ({"valid_until": NOW}, "after valid_from"),
        ({"name": None}, "name"),
    ],
)
def test_the_envelope_is_checked(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _clr(**changes)


def test_without_a_credential_schema_the_extensions_context_may_go() -> None:
    document = _clr(
        context=[VC_V2_CONTEXT, CLR_V2P0_CONTEXT, OB_V3P0_CONTEXT], credential_schema=[]
    ).to_json()
    assert "credentialSchema" not in document
    assert schema_errors(document, SchemaName.CLR_CREDENTIAL) == []


def test_a_schema_entry_of_another_type_needs_no_extensions_context() -> None:
    entry = CredentialSchema(id="https://example.org/schema.json", type="JsonSchema")
    assert _clr(context=[VC_V2_CONTEXT, CLR_V2P0_CONTEXT, OB_V3P0_CONTEXT], credential_schema=[entry])


def test_the_subject_is_identified_and_bundles_something() -> None:
    with pytest.raises(ValidationError, match="'id' or at least one 'identifier'"):
        ClrSubject(verifiable_credential=[_embedded()])
    with pytest.raises(ValidationError, match="at least 1 item"):
        ClrSubject(id="did:example:sam", verifiable_credential=[])
    with pytest.raises(ValidationError, match="'ClrSubject'"):
        ClrSubject(id="did:example:sam", type=["Person"], verifiable_credential=[_embedded()])


def test_association_types_are_the_clr_vocabulary() -> None:
    assert "isChildOf" in ASSOCIATION_TYPES
    assert len(ASSOCIATION_TYPES) == 8
    with pytest.raises(ValidationError):
        Association(association_type="isCousinOf", source_id="urn:a", target_id="urn:b")  # type: ignore[arg-type]
    association = Association(association_type="precedes", source_id="urn:a", target_id="urn:b")
    assert association.to_json() == {
        "type": "Association",
        "associationType": "precedes",
        "sourceId": "urn:a",
        "targetId": "urn:b",
    }
