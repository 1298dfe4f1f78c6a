"""Pydantic models of the Open Badges 3.0 data model, for building credentials (OB 3.0 §B Data Models).

Attributes use the spec's terms in snake_case; the JSON edge is camelCase (``to_camel`` aliases, ``@context``
for :attr:`AchievementCredential.context`). Build a credential from these models, then call ``to_json()``,
which follows OB 3.0 §B.4 Serialization: nulls and empty arrays are omitted, complex types are objects, and
date-times carry a time zone (rendered in UTC with ``Z``).

Unknown fields are rejected (``extra="forbid"``). The models check what is cheap to check while building
(required types, enumerated vocabularies with their ``ext:`` extension form, subject identification, result
links); :mod:`schemas.validation` remains the authority on the 1EdTech JSON Schema.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AliasChoices,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)
from pydantic.alias_generators import to_camel

from schemas.identity import identity_hash, new_salt
from schemas.validation import OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_ID, OB_ENDORSEMENT_CREDENTIAL_SCHEMA_ID

__all__ = [
    "ALIGNMENT_TARGET_TYPES",
    "BASE_ACHIEVEMENT_TYPES",
    "IDENTIFIER_TYPES",
    "JSON_SCHEMA_VALIDATOR_2019",
    "OB_CONTEXT_PATTERN",
    "OB_EXTENSIONS_CONTEXT",
    "OB_V3P0_CONTEXT",
    "RESULT_TYPES",
    "VC_V2_CONTEXT",
    "Achievement",
    "AchievementCredential",
    "AchievementSubject",
    "Address",
    "Alignment",
    "BitstringStatusListEntry",
    "CredentialSchema",
    "Criteria",
    "EndorsementCredential",
    "EndorsementSubject",
    "Evidence",
    "IdentifierEntry",
    "IdentityObject",
    "Image",
    "Profile",
    "Related",
    "Result",
    "ResultDescription",
    "ResultStatus",
    "RubricCriterionLevel",
]

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_V3P0_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
#: ``@context[1]`` of an OB 3.0 credential (the 1EdTech JSON Schema's pattern).
OB_CONTEXT_PATTERN = re.compile(r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$")
#: VCCS 1.0 ``credentialSchema.type``; its term lives in :data:`OB_EXTENSIONS_CONTEXT`.
JSON_SCHEMA_VALIDATOR_2019 = "1EdTechJsonSchemaValidator2019"

#: OB 3.0 §B.2 AchievementType (EnumExt) base values.
BASE_ACHIEVEMENT_TYPES: frozenset[str] = frozenset(
    {
        "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree", "Award",
        "Badge", "BachelorDegree", "Certificate", "CertificateOfCompletion", "Certification",
        "CommunityService", "Competency", "Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree",
        "Fieldwork", "GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram", "License",
        "Membership", "ProfessionalDoctorate", "QualityAssuranceCredential", "MasterCertificate",
        "MasterDegree", "MicroCredential", "ResearchDoctorate", "SecondarySchoolDiploma",
    }
)  # fmt: skip
#: OB 3.0 §B.2 ResultType (EnumExt) base values.
RESULT_TYPES: frozenset[str] = frozenset(
    {
        "GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel", "PredictedScore", "RawScore",
        "Result", "RubricCriterion", "RubricCriterionLevel", "RubricScore", "ScaledScore", "Status",
    }
)  # fmt: skip
#: OB 3.0 §B.2 AlignmentTargetType (EnumExt) base values.
ALIGNMENT_TARGET_TYPES: frozenset[str] = frozenset(
    {
        "ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric", "CFRubricCriterion",
        "CFRubricCriterionLevel", "CTDL",
    }
)  # fmt: skip
#: OB 3.0 §B.2 IdentifierTypeEnum (EnumExt) base values.
IDENTIFIER_TYPES: frozenset[str] = frozenset(
    {
        "name", "sourcedId", "systemId", "productId", "userName", "accountId", "emailAddress",
        "nationalIdentityNumber", "isbn", "issn", "lisSourcedId", "oneRosterSourcedId", "sisSourcedId",
        "ltiContextId", "ltiDeploymentId", "ltiToolId", "ltiPlatformId", "ltiUserId", "identifier",
    }
)  # fmt: skip

#: OB 3.0 §B.2 ResultStatusType.
ResultStatus = Literal["Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"]

# §Extending enumerated vocabularies: "ext:" + a name (the schema's character class, without its stray "|").
_EXTENSION_TERM = re.compile(r"^ext:[A-Za-z0-9._-]+$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
_DIGITS = re.compile(r"^[0-9]+$")
_OB_JSON = "ob_json"


# --- field types --------------------------------------------------------------------------------------------


def _check_uri(value: str) -> str:
    if _URI.match(value) is None:
        raise ValueError("must be an absolute URI (scheme:…)")
    return value


def _extensible(base: frozenset[str], vocabulary: str) -> AfterValidator:
    def check(value: str) -> str:
        if value not in base and _EXTENSION_TERM.match(value) is None:
            raise ValueError(f"{value!r} is not a {vocabulary} value nor an 'ext:' extension term")
        return value

    return AfterValidator(check)


def _requires_type(*required: str) -> AfterValidator:
    def check(value: list[str]) -> list[str]:
        missing = [name for name in required if name not in value]
        if missing:
            raise ValueError(f"type must include {', '.join(map(repr, missing))}")
        return value

    return AfterValidator(check)


def _format_datetime_z(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


Uri = Annotated[str, AfterValidator(_check_uri)]
#: OB 3.0 DateTimeZ: a date-time that must carry a time zone; serialised in UTC as ``…Z``.
DateTimeZ = Annotated[AwareDatetime, PlainSerializer(_format_datetime_z, return_type=str, when_used="json")]
AchievementType = Annotated[str, _extensible(BASE_ACHIEVEMENT_TYPES, "AchievementType")]
ResultType = Annotated[str, _extensible(RESULT_TYPES, "ResultType")]
AlignmentTargetType = Annotated[str, _extensible(ALIGNMENT_TARGET_TYPES, "AlignmentTargetType")]
IdentifierType = Annotated[str, _extensible(IDENTIFIER_TYPES, "IdentifierTypeEnum")]


class OBModel(BaseModel):
    """Base of every model: camelCase JSON, no unknown fields, and :meth:`to_json` for the wire form."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    @model_serializer(mode="wrap")
    def _omit_nulls_and_empty_arrays(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> Any:
        data = handler(self)
        if isinstance(info.context, dict) and info.context.get(_OB_JSON) and isinstance(data, dict):
            # Only this model's own fields: opaque values (embedded signed endorsements) stay untouched.
            return {key: value for key, value in data.items() if value is not None and value != []}
        return data

    def to_json(self) -> dict[str, Any]:
        """The JSON object per OB 3.0 §B.4 Serialization (camelCase, no nulls, no empty arrays)."""
        data: dict[str, Any] = self.model_dump(mode="json", by_alias=True, context={_OB_JSON: True})
        return data


# --- supporting types ---------------------------------------------------------------------------------------


class Image(OBModel):
    """OB 3.0 §B.1 Image: always an object (a bare URL string fails the schema)."""

    id: Uri
    type: Literal["Image"] = "Image"
    caption: str | None = None


class Criteria(OBModel):
    """OB 3.0 §B.1 Criteria: a URL and/or a Markdown narrative."""

    id: Uri | None = None
    narrative: str | None = None

    @model_validator(mode="after")
    def _id_or_narrative(self) -> Self:
        if self.id is None and not self.narrative:
            raise ValueError("Criteria needs an 'id' or a 'narrative'")
        return self


class Alignment(OBModel):
    """OB 3.0 §B.1 Alignment to a framework item (CASE, CTDL, …)."""

    type: Annotated[list[str], _requires_type("Alignment")] = Field(default_factory=lambda: ["Alignment"])
    target_name: str
    target_url: Uri
    target_description: str | None = None
    target_framework: str | None = None
    target_code: str | None = None
    target_type: AlignmentTargetType | None = None


class IdentifierEntry(OBModel):
    """OB 3.0 §B.1 IdentifierEntry (``otherIdentifier``)."""

    type: Literal["IdentifierEntry"] = "IdentifierEntry"
    identifier: str
    identifier_type: IdentifierType


class RubricCriterionLevel(OBModel):
    """OB 3.0 §B.1 RubricCriterionLevel."""

    id: Uri
    type: Annotated[list[str], _requires_type("RubricCriterionLevel")] = Field(
        default_factory=lambda: ["RubricCriterionLevel"]
    )
    name: str
    description: str | None = None
    level: str | None = None
    points: str | None = None
    alignment: list[Alignment] = Field(default_factory=list)


class ResultDescription(OBModel):
    """OB 3.0 §B.1 ResultDescription: a possible result of an achievement."""

    id: Uri
    type: Annotated[list[str], _requires_type("ResultDescription")] = Field(
        default_factory=lambda: ["ResultDescription"]
    )
    name: str
    result_type: ResultType
    allowed_value: list[str] = Field(default_factory=list)
    required_level: Uri | None = None
    required_value: str | None = None
    rubric_criterion_level: list[RubricCriterionLevel] = Field(default_factory=list)
    value_min: str | None = None
    value_max: str | None = None
    alignment: list[Alignment] = Field(default_factory=list)


class Related(OBModel):
    """OB 3.0 §B.1 Related: another version (e.g. language) of the achievement."""

    id: Uri
    type: Annotated[list[str], _requires_type("Related")] = Field(default_factory=lambda: ["Related"])
    in_language: str | None = None
    version: str | None = None


class Address(OBModel):
    """OB 3.0 §B.1 Address (without ``geo``)."""

    type: Annotated[list[str], _requires_type("Address")] = Field(default_factory=lambda: ["Address"])
    address_country: str | None = None
    address_country_code: str | None = None
    address_region: str | None = None
    address_locality: str | None = None
    street_address: str | None = None
    post_office_box_number: str | None = None
    postal_code: str | None = None


class Profile(OBModel):
    """OB 3.0 §B.1 Profile: an issuer, creator or other party."""

    id: Uri
    type: Annotated[list[str], _requires_type("Profile")] = Field(default_factory=lambda: ["Profile"])
    name: str | None = None
    url: Uri | None = None
    phone: str | None = None
    description: str | None = None
    image: Image | None = None
    email: str | None = None
    address: Address | None = None
    other_identifier: list[IdentifierEntry] = Field(default_factory=list)
    official: str | None = None
    parent_org: Profile | None = None
    family_name: str | None = None
    given_name: str | None = None
    additional_name: str | None = None
    patronymic_name: str | None = None
    honorific_prefix: str | None = None
    honorific_suffix: str | None = None
    family_name_prefix: str | None = None
    date_of_birth: date | None = None
    endorsement: list[dict[str, Any]] = Field(default_factory=list)
    endorsement_jwt: list[str] = Field(default_factory=list)


class Achievement(OBModel):
    """OB 3.0 §B.1 Achievement: what was accomplished."""

    id: Uri
    type: Annotated[list[str], _requires_type("Achievement")] = Field(default_factory=lambda: ["Achievement"])
    achievement_type: AchievementType | None = None
    name: str
    description: str
    criteria: Criteria
    image: Image | None = None
    alignment: list[Alignment] = Field(default_factory=list)
    result_description: list[ResultDescription] = Field(default_factory=list)
    credits_available: float | None = None
    field_of_study: str | None = None
    specialization: str | None = None
    in_language: str | None = None
    tag: list[str] = Field(default_factory=list)
    human_code: str | None = None
    version: str | None = None
    creator: Profile | None = None
    other_identifier: list[IdentifierEntry] = Field(default_factory=list)
    related: list[Related] = Field(default_factory=list)
    endorsement: list[dict[str, Any]] = Field(default_factory=list)
    endorsement_jwt: list[str] = Field(default_factory=list)


class IdentityObject(OBModel):
    """OB 3.0 §B.1 IdentityObject: a (usually hashed) recipient identifier."""

    type: Literal["IdentityObject"] = "IdentityObject"
    hashed: bool
    identity_hash: str
    identity_type: IdentifierType
    salt: str | None = None

    @classmethod
    def hashed_email(cls, email: str, salt: str | None = None) -> IdentityObject:
        """A salted ``sha256$`` IdentityHash of ``email``, hashed as given (fresh salt if none is passed)."""
        salt = new_salt() if salt is None else salt
        return cls(
            hashed=True, identity_hash=identity_hash(email, salt), identity_type="emailAddress", salt=salt
        )


class Result(OBModel):
    """OB 3.0 §B.1 Result: what the learner achieved, linked to a ResultDescription by id."""

    type: Annotated[list[str], _requires_type("Result")] = Field(default_factory=lambda: ["Result"])
    result_description: Uri | None = None
    achieved_level: Uri | None = None
    value: str | None = None
    status: ResultStatus | None = None
    alignment: list[Alignment] = Field(default_factory=list)


class Evidence(OBModel):
    """OB 3.0 §B.1 Evidence. Prefer a ``urn:``/https ``id`` over a large data URI (Impl Guide)."""

    id: Uri | None = None
    type: Annotated[list[str], _requires_type("Evidence")] = Field(default_factory=lambda: ["Evidence"])
    narrative: str | None = None
    name: str | None = None
    description: str | None = None
    genre: str | None = None
    audience: str | None = None


class AchievementSubject(OBModel):
    """OB 3.0 §B.1 AchievementSubject: the learner and what they achieved.

    Enforces what the JSON Schema cannot: an ``id`` and/or at least one ``identifier`` (OB 3.0 §9.1), and
    results that link to ResultDescriptions / RubricCriterionLevels of this achievement, with a ``status``
    when the linked resultType is ``Status``.
    """

    id: Uri | None = None
    type: Annotated[list[str], _requires_type("AchievementSubject")] = Field(
        default_factory=lambda: ["AchievementSubject"]
    )
    identifier: list[IdentityObject] = Field(default_factory=list)
    achievement: Achievement
    result: list[Result] = Field(default_factory=list)
    activity_start_date: DateTimeZ | None = None
    activity_end_date: DateTimeZ | None = None
    credits_earned: float | None = None
    image: Image | None = None
    license_number: str | None = None
    narrative: str | None = None
    role: str | None = None
    source: Profile | None = None
    term: str | None = None

    @model_validator(mode="after")
    def _identified(self) -> Self:
        if self.id is None and not self.identifier:
            raise ValueError("AchievementSubject needs an 'id' or at least one 'identifier' (OB 3.0 §9.1)")
        return self

    @model_validator(mode="after")
    def _results_link_to_this_achievement(self) -> Self:
        descriptions = {description.id: description for description in self.achievement.result_description}
        levels = {
            level.id for description in descriptions.values() for level in description.rubric_criterion_level
        }
        for index, result in enumerate(self.result):
            if result.achieved_level is not None and result.achieved_level not in levels:
                raise ValueError(
                    f"result[{index}].achieved_level is not a RubricCriterionLevel of the achievement"
                )
            if result.result_description is None:
                continue
            description = descriptions.get(result.result_description)
            if description is None:
                raise ValueError(
                    f"result[{index}].result_description is not a ResultDescription of the achievement"
                )
            if description.result_type == "Status" and result.status is None:
                raise ValueError(f"result[{index}].status is required when the linked result_type is Status")
        return self


class StatusMessage(OBModel):
    """Bitstring Status List 1.0 §2.1 statusMessage item: a ``0x``-prefixed hex status and its message."""

    status: Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]+$")]
    message: str


class BitstringStatusListEntry(OBModel):
    """W3C Bitstring Status List 1.0 §2.1 BitstringStatusListEntry (its terms are in the VC v2 context).

    A ``message`` entry names its ``statusSize`` and lists one ``statusMessage`` per possible value.
    """

    id: Uri | None = None
    type: Literal["BitstringStatusListEntry"] = "BitstringStatusListEntry"
    status_purpose: Literal["revocation", "suspension", "message"]
    status_list_index: Annotated[str, Field(pattern=_DIGITS.pattern)]
    status_list_credential: Uri
    status_size: Annotated[int, Field(ge=1, le=8)] | None = None
    status_message: list[StatusMessage] = Field(default_factory=list)

    @model_validator(mode="after")
    def _messages_fit_the_size(self) -> BitstringStatusListEntry:
        size = self.status_size or 1
        if (self.status_purpose == "message" or size > 1) and len(self.status_message) != 1 << size:
            raise ValueError(f"statusMessage must list {1 << size} messages for a statusSize of {size}")
        return self


class CredentialSchema(OBModel):
    """VC 2.0 §4.11 credentialSchema entry; OB 3.0 uses type ``1EdTechJsonSchemaValidator2019`` (VCCS 1.0)."""

    id: Uri
    type: str = JSON_SCHEMA_VALIDATOR_2019

    @classmethod
    def ob_achievement_credential(cls) -> CredentialSchema:
        """The entry OB 3.0 requires when ``credentialSchema`` is present on an AchievementCredential."""
        return cls(id=OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_ID)

    @classmethod
    def ob_endorsement_credential(cls) -> CredentialSchema:
        """The 1EdTech schema entry for an EndorsementCredential."""
        return cls(id=OB_ENDORSEMENT_CREDENTIAL_SCHEMA_ID)


class EndorsementSubject(OBModel):
    """OB 3.0 §B.1 EndorsementSubject: the endorsed credential, achievement or profile (by id)."""

    id: Uri
    type: Annotated[list[str], _requires_type("EndorsementSubject")] = Field(
        default_factory=lambda: ["EndorsementSubject"]
    )
    endorsement_comment: str | None = None


# --- credentials --------------------------------------------------------------------------------------------


def _default_context() -> list[str | dict[str, Any]]:
    return [VC_V2_CONTEXT, OB_V3P0_CONTEXT]


class _Credential(OBModel):
    """Fields and rules shared by OB 3.0 credentials (VC Data Model 2.0 shape, CHECKLIST §1, §2)."""

    context: list[str | dict[str, Any]] = Field(
        default_factory=_default_context,
        validation_alias=AliasChoices("@context", "context"),
        serialization_alias="@context",
    )
    id: Uri
    type: list[str]
    name: str | None = None
    description: str | None = None
    credential_subject: Any
    awarded_date: DateTimeZ | None = None
    issuer: Profile
    valid_from: DateTimeZ
    valid_until: DateTimeZ | None = None
    credential_status: BitstringStatusListEntry | list[BitstringStatusListEntry] | None = None
    credential_schema: list[CredentialSchema] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    #: Accepted so a signed credential parses, never serialised: ``to_json()`` is the unsigned document.
    proof: Any = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _context_and_validity(self) -> Self:
        if len(self.context) < 2 or self.context[0] != VC_V2_CONTEXT:
            raise ValueError(f"@context must start with {VC_V2_CONTEXT!r} and the OB 3.0 context")
        second = self.context[1]
        if not isinstance(second, str) or OB_CONTEXT_PATTERN.match(second) is None:
            raise ValueError(f"@context[1] must be an OB 3.0 context such as {OB_V3P0_CONTEXT!r}")
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self

    def to_json(self) -> dict[str, Any]:
        """As :meth:`OBModel.to_json`, appending :data:`OB_EXTENSIONS_CONTEXT` to ``@context`` when a
        ``1EdTechJsonSchemaValidator2019`` entry needs it (else that type is a relative IRI; CHECKLIST §3).
        """
        data = super().to_json()
        uses_extension = any(entry.type == JSON_SCHEMA_VALIDATOR_2019 for entry in self.credential_schema)
        if uses_extension and OB_EXTENSIONS_CONTEXT not in data["@context"]:
            data["@context"] = [*data["@context"], OB_EXTENSIONS_CONTEXT]
        return data


class AchievementCredential(_Credential):
    """OB 3.0 §B.1 AchievementCredential (alias OpenBadgeCredential), unsigned."""

    type: list[str] = Field(default_factory=lambda: ["VerifiableCredential", "OpenBadgeCredential"])
    credential_subject: AchievementSubject
    image: Image | None = None
    endorsement: list[dict[str, Any]] = Field(default_factory=list)
    endorsement_jwt: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _credential_type(self) -> Self:
        aliases = {"OpenBadgeCredential", "AchievementCredential"}
        if "VerifiableCredential" not in self.type or not aliases & set(self.type):
            raise ValueError(
                "type must include 'VerifiableCredential' and 'OpenBadgeCredential'"
                " or 'AchievementCredential'"
            )
        return self


class EndorsementCredential(_Credential):
    """OB 3.0 §B.1 EndorsementCredential (CHECKLIST §6), unsigned; ``name`` is required."""

    type: Annotated[list[str], _requires_type("VerifiableCredential", "EndorsementCredential")] = Field(
        default_factory=lambda: ["VerifiableCredential", "EndorsementCredential"]
    )
    name: str
    credential_subject: EndorsementSubject
