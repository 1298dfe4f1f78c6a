"""Building OB 3.0 credentials with the models: output passes the 1EdTech schema and the conformance rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas.identity import matches_identity_hash
from schemas.models import (
    BASE_ACHIEVEMENT_TYPES,
    OB_EXTENSIONS_CONTEXT,
    OB_V3P0_CONTEXT,
    VC_V2_CONTEXT,
    Achievement,
    AchievementCredential,
    AchievementSubject,
    Alignment,
    BitstringStatusListEntry,
    CredentialSchema,
    Criteria,
    EndorsementCredential,
    EndorsementSubject,
    Evidence,
    IdentityObject,
    Image,
    Profile,
    Result,
    ResultDescription,
    RubricCriterionLevel,
)
from schemas.validation import (
    OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_ID,
    SchemaName,
    conformance_errors,
    schema_errors,
)

VECTORS = Path(__file__).parents[1] / "vectors"
OB_VECTOR = json.loads((VECTORS / "1edtech" / "ob-v3p0-eddsa-rdfc-2022.json").read_text(encoding="utf-8"))
VALID_FROM = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _achievement(**overrides: Any) -> Achievement:
    fields: dict[str, Any] = {
        "id": "https://issuer.example/achievements/python-101",
        "achievement_type": "Course",
        "name": "Python 101",
        "description": "Writes, tests and packages small Python programs.",
        "criteria": Criteria(id="https://issuer.example/criteria/python-101", narrative="Pass the **exam**."),
        "image": Image(id="https://issuer.example/badges/python-101.png", caption="Python 101"),
        "alignment": [
            Alignment(
                target_name="Programming",
                target_url="https://case.example/items/42",
                target_framework="Digital skills",
                target_code="DS-42",
                target_type="CFItem",
            )
        ],
        "result_description": [
            ResultDescription(id="urn:uuid:rd-status", name="Completion", result_type="Status"),
            ResultDescription(
                id="urn:uuid:rd-rubric",
                name="Project",
                result_type="RubricCriterionLevel",
                required_level="urn:uuid:lvl-pass",
                rubric_criterion_level=[
                    RubricCriterionLevel(id="urn:uuid:lvl-pass", name="Pass", points="1"),
                    RubricCriterionLevel(id="urn:uuid:lvl-merit", name="Merit", points="2"),
                ],
            ),
            ResultDescription(
                id="urn:uuid:rd-grade", name="Grade", result_type="LetterGrade", allowed_value=["C", "B", "A"]
            ),
        ],
        "credits_available": 5,
        "field_of_study": "Computer science",
        "in_language": "en",
        "tag": ["python", "programming"],
        "human_code": "PY101",
        "version": "1.0",
        "creator": Profile(id="https://issuer.example/", name="Example College"),
    }
    fields.update(overrides)
    return Achievement(**fields)


def _subject(**overrides: Any) -> AchievementSubject:
    fields: dict[str, Any] = {
        "identifier": [IdentityObject.hashed_email("learner@example.com", "s4lt")],
        "achievement": _achievement(),
        "result": [
            Result(result_description="urn:uuid:rd-status", status="Completed"),
            Result(result_description="urn:uuid:rd-rubric", achieved_level="urn:uuid:lvl-merit"),
            Result(result_description="urn:uuid:rd-grade", value="A"),
        ],
        "activity_start_date": datetime(2024, 1, 8, 9, 0, tzinfo=timezone(timedelta(hours=1))),
        "activity_end_date": datetime(2024, 4, 26, 17, 0, tzinfo=UTC),
        "credits_earned": 5,
        "role": "Student",
        "term": "Spring 2024",
    }
    fields.update(overrides)
    return AchievementSubject(**fields)


def _credential(**overrides: Any) -> AchievementCredential:
    fields: dict[str, Any] = {
        "id": "urn:uuid:2f0e6e4c-9e0a-4a0c-8d1b-4e2f3c3b1a10",
        "issuer": Profile(
            id="https://issuer.example/",
            name="Example College",
            url="https://issuer.example/",
            email="registry@issuer.example",
            image=Image(id="https://issuer.example/logo.png"),
        ),
        "valid_from": VALID_FROM,
        "name": "Python 101",
        "description": "Awarded for completing Python 101.",
        "credential_subject": _subject(),
        "credential_status": BitstringStatusListEntry(
            id="https://issuer.example/status/1#94567",
            status_purpose="revocation",
            status_list_index="94567",
            status_list_credential="https://issuer.example/status/1",
        ),
        "evidence": [Evidence(id="https://portfolio.example/p/1", name="Final project", genre="Software")],
    }
    fields.update(overrides)
    return AchievementCredential(**fields)


def _assert_conformant(document: dict[str, Any]) -> None:
    assert schema_errors(document, SchemaName.ACHIEVEMENT_CREDENTIAL) == []
    assert conformance_errors(document) == []


# --- building -----------------------------------------------------------------------------------------------


def test_full_credential_passes_schema_and_conformance() -> None:
    document = _credential().to_json()
    _assert_conformant(document)
    assert document["@context"] == [VC_V2_CONTEXT, OB_V3P0_CONTEXT]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["validFrom"] == "2024-05-01T12:00:00Z"
    subject = document["credentialSubject"]
    assert subject["activityStartDate"] == "2024-01-08T08:00:00Z"  # rendered in UTC
    assert (
        subject["achievement"]["resultDescription"][1]["rubricCriterionLevel"][1]["id"]
        == "urn:uuid:lvl-merit"
    )
    assert document["credentialStatus"]["statusListIndex"] == "94567"


def test_json_uses_camel_case_and_context_key() -> None:
    document = _credential().to_json()
    assert "@context" in document
    assert "context" not in document
    assert {"validFrom", "credentialSubject", "credentialStatus"} <= document.keys()
    assert "achievementType" in document["credentialSubject"]["achievement"]
    assert "valid_from" not in json.dumps(document)


def test_nulls_and_empty_lists_are_omitted() -> None:
    document = _credential(evidence=[]).to_json()
    text = json.dumps(document)
    assert "null" not in text
    assert "[]" not in text
    assert "evidence" not in document
    assert "validUntil" not in document
    assert "credentialSchema" not in document
    assert "endorsement" not in document


def test_embedded_endorsements_are_kept_verbatim() -> None:
    signed = {"id": "urn:uuid:e", "nothing": None, "empty": []}  # signed by someone else: do not touch
    document = _credential(endorsement=[signed]).to_json()
    assert document["endorsement"] == [signed]


def test_model_dump_is_unaffected_by_json_pruning() -> None:
    dumped = _credential().model_dump()
    assert dumped["valid_until"] is None
    assert dumped["credential_schema"] == []


def test_credential_schema_appends_extensions_context() -> None:
    credential = _credential(credential_schema=[CredentialSchema.ob_achievement_credential()])
    document = credential.to_json()
    assert document["@context"] == [VC_V2_CONTEXT, OB_V3P0_CONTEXT, OB_EXTENSIONS_CONTEXT]
    assert document["credentialSchema"] == [
        {"id": OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_ID, "type": "1EdTechJsonSchemaValidator2019"}
    ]
    _assert_conformant(document)
    assert credential.context == [VC_V2_CONTEXT, OB_V3P0_CONTEXT]  # the model itself is unchanged


def test_extensions_context_is_not_duplicated() -> None:
    credential = _credential(
        context=[VC_V2_CONTEXT, OB_V3P0_CONTEXT, OB_EXTENSIONS_CONTEXT],
        credential_schema=[CredentialSchema.ob_achievement_credential()],
    )
    assert credential.to_json()["@context"].count(OB_EXTENSIONS_CONTEXT) == 1


def test_hashed_email_identifier_matches() -> None:
    identity = IdentityObject.hashed_email("a@example.com", "Kosher")
    assert identity.to_json() == {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",
        "identityType": "emailAddress",
        "salt": "Kosher",
    }


def test_hashed_email_without_salt_draws_a_fresh_one() -> None:
    first, second = IdentityObject.hashed_email("a@example.com"), IdentityObject.hashed_email("a@example.com")
    assert first.salt
    assert second.salt
    assert first.salt != second.salt
    assert matches_identity_hash("a@example.com", first.salt, first.identity_hash)


def test_subject_with_id_only_passes() -> None:
    subject = _subject(id="did:example:learner", identifier=[])
    document = _credential(credential_subject=subject).to_json()
    assert "identifier" not in document["credentialSubject"]
    _assert_conformant(document)


@pytest.mark.parametrize("achievement_type", [*sorted(BASE_ACHIEVEMENT_TYPES), "ext:SkillsPassportLevel-1"])
def test_every_achievement_type_passes_the_schema(achievement_type: str) -> None:
    subject = _subject(achievement=_achievement(achievement_type=achievement_type))
    _assert_conformant(_credential(credential_subject=subject).to_json())


def test_base_achievement_types_match_the_schema_enum() -> None:
    schema = json.loads(
        (
            Path(__file__).parents[2]
            / "schemas/data/schemas/ob_v3p0/ob_v3p0_achievementcredential_schema.json"
        ).read_text(encoding="utf-8")
    )
    enum = schema["$defs"]["Achievement"]["properties"]["achievementType"]["oneOf"][0]["enum"]
    assert frozenset(enum) == BASE_ACHIEVEMENT_TYPES


def test_endorsement_credential_passes_its_schema() -> None:
    endorsement = EndorsementCredential(
        id="urn:uuid:5d4b7a4e-1f1c-4b7e-9d3e-3c2f3e1f8a20",
        issuer=Profile(id="https://endorser.example/", name="Endorser"),
        valid_from=VALID_FROM,
        name="Endorsement of Python 101",
        credential_subject=EndorsementSubject(
            id="https://issuer.example/achievements/python-101", endorsement_comment="Rigorous."
        ),
        credential_schema=[CredentialSchema.ob_endorsement_credential()],
    )
    document = endorsement.to_json()
    assert document["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert document["@context"][-1] == OB_EXTENSIONS_CONTEXT
    assert schema_errors(document, SchemaName.ENDORSEMENT_CREDENTIAL) == []


def test_spec_vector_round_trips_through_the_model() -> None:
    parsed = AchievementCredential.model_validate(OB_VECTOR["signed"])
    assert parsed.proof is not None
    assert parsed.to_json() == OB_VECTOR["unsigned"]  # proof excluded; nothing added or reordered in values


@settings(max_examples=50, deadline=None)
@given(
    name=st.text(),
    description=st.text(),
    narrative=st.text(min_size=1),
    caption=st.text(),
)
def test_arbitrary_text_still_validates(name: str, description: str, narrative: str, caption: str) -> None:
    achievement = _achievement(
        name=name,
        description=description,
        criteria=Criteria(narrative=narrative),
        image=Image(id="https://issuer.example/b.png", caption=caption),
    )
    credential = _credential(
        name=name, description=description, credential_subject=_subject(achievement=achievement)
    )
    document = credential.to_json()
    _assert_conformant(document)
    assert json.loads(json.dumps(document)) == document


# --- rejecting ----------------------------------------------------------------------------------------------


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValidationError, match="Input should have timezone info"):
        _credential(valid_from=datetime(2024, 5, 1, 12, 0))


def test_valid_until_must_follow_valid_from() -> None:
    with pytest.raises(ValidationError, match="valid_until must be after valid_from"):
        _credential(valid_until=VALID_FROM - timedelta(days=1))


def test_bad_achievement_type_is_rejected() -> None:
    with pytest.raises(ValidationError, match="'NotAType' is not a AchievementType value"):
        _achievement(achievement_type="NotAType")


@pytest.mark.parametrize("bad", ["ext:", "ext:has space", "Ext:Thing"])
def test_malformed_extension_terms_are_rejected(bad: str) -> None:
    with pytest.raises(ValidationError):
        _achievement(achievement_type=bad)


def test_subject_without_id_and_identifier_is_rejected() -> None:
    with pytest.raises(ValidationError, match=r"'id' or at least one 'identifier'"):
        _subject(identifier=[])


def test_unknown_extra_field_is_rejected() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        _credential(colour="blue")
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Image.model_validate({"id": "https://issuer.example/b.png", "type": "Image", "width": 10})


def test_string_image_is_rejected() -> None:
    with pytest.raises(ValidationError):
        _credential(image="https://issuer.example/b.png")


@pytest.mark.parametrize(
    "results",
    [
        [Result(result_description="urn:uuid:elsewhere")],
        [Result(result_description="urn:uuid:rd-status")],  # Status without status
        [Result(result_description="urn:uuid:rd-rubric", achieved_level="urn:uuid:lvl-none")],
    ],
)
def test_results_must_link_into_the_achievement(results: list[Result]) -> None:
    with pytest.raises(ValidationError, match=r"result\[0\]"):
        _subject(result=results)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status_purpose", "refresh"),
        ("status_list_index", "-1"),
        ("status_list_index", "12a"),
        ("status_list_credential", "not a uri"),
    ],
)
def test_bad_status_entry_is_rejected(field: str, value: str) -> None:
    fields = {
        "status_purpose": "revocation",
        "status_list_index": "7",
        "status_list_credential": "https://issuer.example/status/1",
        field: value,
    }
    with pytest.raises(ValidationError):
        BitstringStatusListEntry(**fields)


@pytest.mark.parametrize(
    "context",
    [
        ["https://www.w3.org/2018/credentials/v1", OB_V3P0_CONTEXT],
        [OB_V3P0_CONTEXT, VC_V2_CONTEXT],
        [VC_V2_CONTEXT],
        [VC_V2_CONTEXT, "https://example.com/other.json"],
    ],
)
def test_non_ob_3_context_is_rejected(context: list[str]) -> None:
    with pytest.raises(ValidationError, match="@context"):
        _credential(context=context)


def test_credential_type_must_name_an_open_badge() -> None:
    with pytest.raises(ValidationError, match="type must include"):
        _credential(type=["VerifiableCredential"])
    assert _credential(type=["VerifiableCredential", "AchievementCredential"]).to_json()["type"][1] == (
        "AchievementCredential"
    )


def test_achievement_requires_type_achievement() -> None:
    with pytest.raises(ValidationError, match="type must include 'Achievement'"):
        _achievement(type=["Badge"])


def test_criteria_needs_id_or_narrative() -> None:
    with pytest.raises(ValidationError, match="Criteria needs"):
        Criteria()


def test_message_status_entry_lists_one_message_per_value() -> None:
    messages = [{"status": f"0x{value}", "message": word} for value, word in enumerate("abcd")]
    entry = BitstringStatusListEntry.model_validate(
        {
            "statusPurpose": "message",
            "statusListIndex": "7",
            "statusListCredential": "https://example.org/status/1",
            "statusSize": 2,
            "statusMessage": messages,
        }
    )
    assert entry.to_json()["statusMessage"] == messages
    assert entry.to_json()["statusSize"] == 2
    with pytest.raises(ValidationError, match="must list 4 messages"):
        BitstringStatusListEntry.model_validate({**entry.to_json(), "statusMessage": messages[:3]})
    plain = BitstringStatusListEntry.model_validate(
        {
            "statusPurpose": "revocation",
            "statusListIndex": "7",
            "statusListCredential": "https://example.org/s",
        }
    )
    assert "statusMessage" not in plain.to_json()
