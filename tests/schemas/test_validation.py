"""Offline JSON Schema validation and OB 3.0 conformance rules.

Vectors: tests/vectors/1edtech/*.json (1EdTech spec examples) and tests/vectors/1edtech-validator/ (1EdTech
public validator fixtures; expected schema outcomes in fixtures.json). Provenance: tests/vectors/SOURCES.md.
"""

from __future__ import annotations

import copy
import json
import socket
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from schemas.validation import (
    CLR_CLR_CREDENTIAL_SCHEMA_ID,
    OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_ID,
    SchemaName,
    SchemaValidationError,
    conformance_errors,
    custom_schema_errors,
    schema_errors,
    schema_for,
    validate,
)

VECTORS = Path(__file__).parents[1] / "vectors"
VALIDATOR = VECTORS / "1edtech-validator"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


OB_VECTOR = _load(VECTORS / "1edtech" / "ob-v3p0-eddsa-rdfc-2022.json")
CLR_VECTOR = _load(VECTORS / "1edtech" / "clr-v2p0-eddsa-rdfc-2022.json")
FIXTURES: list[dict[str, Any]] = _load(VALIDATOR / "fixtures.json")["fixtures"]
SCHEMA_VALID = [f["file"] for f in FIXTURES if f["schema"] == "valid"]
SCHEMA_INVALID = [f["file"] for f in FIXTURES if f["schema"].startswith("invalid")]


@pytest.fixture
def unsigned() -> dict[str, Any]:
    return copy.deepcopy(OB_VECTOR["unsigned"])


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any attempt to reach the network fail loudly."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


# --- the bundled schemas ------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["unsigned", "signed"])
def test_ob_vector_passes_achievement_credential_schema(which: str) -> None:
    credential = OB_VECTOR[which]
    assert schema_for(credential) is SchemaName.ACHIEVEMENT_CREDENTIAL
    assert schema_errors(credential, SchemaName.ACHIEVEMENT_CREDENTIAL) == []
    validate(credential, OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_ID)  # by $id
    validate(credential, "ob_v3p0_achievementcredential_schema")  # by name
    assert conformance_errors(credential) == []


@pytest.mark.parametrize("which", ["unsigned", "signed"])
def test_clr_vector_passes_clr_schema(which: str) -> None:
    credential = CLR_VECTOR[which]
    assert schema_for(credential) is SchemaName.CLR_CREDENTIAL
    assert schema_errors(credential, CLR_CLR_CREDENTIAL_SCHEMA_ID) == []
    assert conformance_errors(credential) == []


@pytest.mark.parametrize("file", SCHEMA_VALID)
def test_validator_fixture_marked_valid_passes(file: str) -> None:
    credential = _load(VALIDATOR / file)
    assert schema_errors(credential, schema_for(credential)) == []
    assert conformance_errors(credential) == []


@pytest.mark.parametrize("file", SCHEMA_INVALID)
def test_validator_fixture_marked_invalid_fails(file: str) -> None:
    credential = _load(VALIDATOR / file)
    with pytest.raises(SchemaValidationError) as caught:
        validate(credential, SchemaName.ACHIEVEMENT_CREDENTIAL)
    assert caught.value.errors
    assert all(error.startswith("$") and ": " in error for error in caught.value.errors)


def test_fixture_expectations_cover_both_outcomes() -> None:
    assert len(SCHEMA_VALID) >= 8
    assert len(SCHEMA_INVALID) >= 5


def test_missing_valid_from_fails(unsigned: dict[str, Any]) -> None:
    del unsigned["validFrom"]
    assert schema_errors(unsigned, SchemaName.ACHIEVEMENT_CREDENTIAL) == [
        "$: 'validFrom' is a required property"
    ]


def test_valid_from_without_time_zone_fails(unsigned: dict[str, Any]) -> None:
    unsigned["validFrom"] = "2010-01-01T00:00:00"
    assert schema_errors(unsigned, SchemaName.ACHIEVEMENT_CREDENTIAL) == [
        "$.validFrom: '2010-01-01T00:00:00' is not a 'date-time'"
    ]


@pytest.mark.parametrize(
    "value", ["2010-01-01T00:00:00+01:00", "2010-01-01T00:00:00.123Z", "2016-12-31T23:59:60Z"]
)
def test_rfc3339_date_times_pass(unsigned: dict[str, Any], value: str) -> None:
    unsigned["validFrom"] = value
    assert schema_errors(unsigned, SchemaName.ACHIEVEMENT_CREDENTIAL) == []


@pytest.mark.parametrize("value", ["2010-13-01T00:00:00Z", "2010-01-01 00:00:00Z", "2010-01-01", "yesterday"])
def test_malformed_date_times_fail(unsigned: dict[str, Any], value: str) -> None:
    unsigned["validFrom"] = value
    assert schema_errors(unsigned, SchemaName.ACHIEVEMENT_CREDENTIAL) == [
        f"$.validFrom: {value!r} is not a 'date-time'"
    ]


def test_vc_1_1_shaped_credential_fails(unsigned: dict[str, Any]) -> None:
    unsigned["@context"][0] = "https://www.w3.org/2018/credentials/v1"
    unsigned["issuanceDate"] = unsigned.pop("validFrom")
    errors = schema_errors(unsigned, SchemaName.ACHIEVEMENT_CREDENTIAL)
    assert "$: 'validFrom' is a required property" in errors
    assert any("https://www.w3.org/2018/credentials/v1" in error for error in errors)


def test_string_image_fails(unsigned: dict[str, Any]) -> None:
    unsigned["image"] = "https://example.com/badge.png"
    assert schema_errors(unsigned, SchemaName.ACHIEVEMENT_CREDENTIAL) == [
        "$.image: 'https://example.com/badge.png' is not of type 'object'"
    ]


def test_oneof_failures_name_the_offending_item(unsigned: dict[str, Any]) -> None:
    unsigned["@context"] = ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    (error,) = schema_errors(unsigned, SchemaName.ACHIEVEMENT_CREDENTIAL)
    assert (
        "$['@context'][0]: 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json' is not one of"
        in error
    )


def test_errors_are_sorted_and_stable(unsigned: dict[str, Any]) -> None:
    del unsigned["validFrom"]
    del unsigned["credentialSubject"]["achievement"]
    unsigned["image"] = "x"
    first = schema_errors(unsigned, SchemaName.ACHIEVEMENT_CREDENTIAL)
    assert first == sorted(first)
    assert len(first) == 3
    assert schema_errors(unsigned, SchemaName.ACHIEVEMENT_CREDENTIAL) == first


def test_validate_raises_with_every_error(unsigned: dict[str, Any]) -> None:
    del unsigned["validFrom"]
    del unsigned["issuer"]
    with pytest.raises(SchemaValidationError) as caught:
        validate(unsigned, SchemaName.ACHIEVEMENT_CREDENTIAL)
    assert caught.value.errors == [
        "$: 'issuer' is a required property",
        "$: 'validFrom' is a required property",
    ]
    assert isinstance(caught.value, ValueError)
    assert "validFrom" in str(caught.value)


def test_endorsement_fixture_fails_achievement_schema_but_passes_its_own() -> None:
    endorsement = _load(VALIDATOR / "endorsement-valid.json")
    assert schema_for(endorsement) is SchemaName.ENDORSEMENT_CREDENTIAL
    assert schema_errors(endorsement, SchemaName.ENDORSEMENT_CREDENTIAL) == []
    assert schema_errors(endorsement, SchemaName.ACHIEVEMENT_CREDENTIAL) != []


@pytest.mark.parametrize("name", list(SchemaName))
def test_every_bundled_schema_loads(name: SchemaName) -> None:
    assert name.schema_id.endswith(f"/{name.value}.json")
    assert isinstance(schema_errors({}, name), list)
    assert schema_errors({}, name.schema_id) == schema_errors({}, name)


@pytest.mark.parametrize(
    "unknown",
    ["https://example.com/x.json", "ob_v3p0_nosuch_schema", "https://purl.imsglobal.org/spec/ob/v3p0/x.json"],
)
def test_unknown_schema_is_an_error_not_a_fetch(no_network: None, unknown: str) -> None:
    with pytest.raises(SchemaValidationError, match="unknown schema"):
        schema_errors({}, unknown)


def test_remote_ref_is_never_fetched(no_network: None) -> None:
    schema = {"$schema": "https://json-schema.org/draft/2019-09/schema", "$ref": "https://example.com/x.json"}
    with pytest.raises(SchemaValidationError) as caught:
        custom_schema_errors({"anything": 1}, schema)
    assert caught.value.errors == [
        "$ref: cannot resolve 'https://example.com/x.json' offline (remote schemas are never retrieved)"
    ]


def test_custom_schema_may_reference_bundled_definitions(no_network: None) -> None:
    image = {"$ref": f"{OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_ID}#/$defs/Image"}
    assert custom_schema_errors({"id": "https://example.com/i.png", "type": "Image"}, image) == []
    assert custom_schema_errors({"id": "https://example.com/i.png"}, image) == [
        "$: 'type' is a required property"
    ]


def test_validation_works_with_the_network_blocked(no_network: None, unsigned: dict[str, Any]) -> None:
    assert schema_errors(unsigned, SchemaName.ACHIEVEMENT_CREDENTIAL) == []
    assert schema_errors(CLR_VECTOR["signed"], SchemaName.CLR_CREDENTIAL) == []


# --- schema_for ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["VerifiableCredential", "OpenBadgeCredential"], SchemaName.ACHIEVEMENT_CREDENTIAL),
        (["VerifiableCredential", "AchievementCredential"], SchemaName.ACHIEVEMENT_CREDENTIAL),
        ("AchievementCredential", SchemaName.ACHIEVEMENT_CREDENTIAL),
        (["VerifiableCredential", "EndorsementCredential"], SchemaName.ENDORSEMENT_CREDENTIAL),
        (["VerifiableCredential", "ClrCredential"], SchemaName.CLR_CREDENTIAL),
    ],
)
def test_schema_for_picks_by_type(types: Any, expected: SchemaName) -> None:
    assert schema_for({"type": types}) is expected


@pytest.mark.parametrize("types", [["VerifiableCredential"], None, 7, ["BitstringStatusListCredential"]])
def test_schema_for_unknown_type_raises(types: Any) -> None:
    with pytest.raises(SchemaValidationError, match=r"\$\.type"):
        schema_for({"type": types})


# --- conformance (what the schema cannot say) ---------------------------------------------------------------


def test_subject_without_id_or_identifier_is_flagged(unsigned: dict[str, Any]) -> None:
    del unsigned["credentialSubject"]["id"]
    assert schema_errors(unsigned, SchemaName.ACHIEVEMENT_CREDENTIAL) == []  # the schema allows it
    assert conformance_errors(unsigned) == [
        "$.credentialSubject: must have an 'id' or at least one 'identifier' (OB 3.0 §9.1)"
    ]


def test_subject_with_identifier_passes(unsigned: dict[str, Any]) -> None:
    del unsigned["credentialSubject"]["id"]
    unsigned["credentialSubject"]["identifier"] = [
        _load(VECTORS / "1edtech" / "identity-hash.json")["vectors"][0]["identityObject"]
    ]
    assert schema_errors(unsigned, SchemaName.ACHIEVEMENT_CREDENTIAL) == []
    assert conformance_errors(unsigned) == []


def test_empty_identifier_list_does_not_count(unsigned: dict[str, Any]) -> None:
    del unsigned["credentialSubject"]["id"]
    unsigned["credentialSubject"]["identifier"] = []
    assert len(conformance_errors(unsigned)) == 1


def test_each_subject_of_a_list_is_checked(unsigned: dict[str, Any]) -> None:
    anonymous = copy.deepcopy(unsigned["credentialSubject"])
    del anonymous["id"]
    unsigned["credentialSubject"] = [unsigned["credentialSubject"], anonymous]
    assert conformance_errors(unsigned) == [
        "$.credentialSubject[1]: must have an 'id' or at least one 'identifier' (OB 3.0 §9.1)"
    ]


def test_missing_subject_is_flagged() -> None:
    assert conformance_errors({}) == ["$.credentialSubject: missing"]
    assert conformance_errors({"credentialSubject": "did:example:1"}) == [
        "$.credentialSubject: must be an object"
    ]


def _with_results(unsigned: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    unsigned["credentialSubject"]["achievement"]["resultDescription"] = [
        {"id": "urn:uuid:grade", "type": ["ResultDescription"], "name": "Grade", "resultType": "LetterGrade"},
        {"id": "urn:uuid:status", "type": ["ResultDescription"], "name": "Status", "resultType": "Status"},
        {
            "id": "urn:uuid:rubric",
            "type": ["ResultDescription"],
            "name": "Rubric",
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": [
                {"id": "urn:uuid:mastery", "type": ["RubricCriterionLevel"], "name": "M"}
            ],
        },
    ]
    unsigned["credentialSubject"]["result"] = results
    assert schema_errors(unsigned, SchemaName.ACHIEVEMENT_CREDENTIAL) == []
    return unsigned


def test_linked_results_pass(unsigned: dict[str, Any]) -> None:
    credential = _with_results(
        unsigned,
        [
            {"type": ["Result"], "resultDescription": "urn:uuid:grade", "value": "A"},
            {"type": ["Result"], "resultDescription": "urn:uuid:status", "status": "Completed"},
            {"type": ["Result"], "resultDescription": "urn:uuid:rubric", "achievedLevel": "urn:uuid:mastery"},
        ],
    )
    assert conformance_errors(credential) == []


def test_result_description_must_exist_in_the_same_achievement(unsigned: dict[str, Any]) -> None:
    credential = _with_results(unsigned, [{"type": ["Result"], "resultDescription": "urn:uuid:elsewhere"}])
    assert conformance_errors(credential) == [
        "$.credentialSubject.result[0].resultDescription: 'urn:uuid:elsewhere' is not the id of a"
        " ResultDescription of the same achievement"
    ]


def test_status_result_type_requires_status(unsigned: dict[str, Any]) -> None:
    credential = _with_results(
        unsigned,
        [
            {"type": ["Result"], "resultDescription": "urn:uuid:grade", "value": "B"},
            {"type": ["Result"], "resultDescription": "urn:uuid:status"},
        ],
    )
    assert conformance_errors(credential) == [
        "$.credentialSubject.result[1]: 'status' is required when the linked resultType is Status"
    ]


def test_achieved_level_must_exist_in_the_same_achievement(unsigned: dict[str, Any]) -> None:
    credential = _with_results(
        unsigned,
        [{"type": ["Result"], "resultDescription": "urn:uuid:rubric", "achievedLevel": "urn:uuid:novice"}],
    )
    assert conformance_errors(credential) == [
        "$.credentialSubject.result[0].achievedLevel: 'urn:uuid:novice' is not the id of a"
        " RubricCriterionLevel of the same achievement"
    ]


def test_conformance_tolerates_malformed_shapes(unsigned: dict[str, Any]) -> None:
    unsigned["credentialSubject"]["achievement"]["resultDescription"] = [{"id": ["not", "hashable"]}, "x"]
    unsigned["credentialSubject"]["result"] = [
        "x",
        {"resultDescription": {"id": 1}},
        {"achievedLevel": ["a"]},
    ]
    errors = conformance_errors(unsigned)
    assert len(errors) == 2
