"""Pydantic models of the CLR 2.0 ``ClrCredential`` (Comprehensive Learner Record Standard 2.0 §B).

A ClrCredential is a VC 2.0 credential whose ``credentialSubject`` is a ``ClrSubject``: the learner
(``id`` and/or ``identifier``), the bundled credentials (``verifiableCredential``, at least one, each
secured by its own issuer), optionally the ``achievement`` definitions and the ``association``s between
them. ``partial`` (CLR 2.0.1) says whether the record holds all the assertions the publisher knows of.

The bundled credentials and achievements are *opaque* here (``dict``): they are embedded exactly as
their issuers signed them, so nothing may be dropped, reordered or re-serialised differently inside
them. ``to_json()`` omits nulls and empty arrays of these models' own fields only (OB 3.0 §B.4), never
inside the embedded objects. :mod:`schemas.validation` (``SchemaName.CLR_CREDENTIAL``) remains the
authority on the 1EdTech JSON Schema; `vc.clr` builds, signs and verifies.
"""

from __future__ import annotations

import re
from typing import Any, Literal, Self

from pydantic import AliasChoices, Field, model_validator

from schemas.models import (
    OB_CONTEXT_PATTERN,
    OB_EXTENSIONS_CONTEXT,
    OB_V3P0_CONTEXT,
    VC_V2_CONTEXT,
    CredentialSchema,
    DateTimeZ,
    Evidence,
    IdentityObject,
    Image,
    OBModel,
    Profile,
    Uri,
)
from schemas.validation import CLR_CLR_CREDENTIAL_SCHEMA_ID

__all__ = [
    "ASSOCIATION_TYPES",
    "CLR_CONTEXT_PATTERN",
    "CLR_V2P0_CONTEXT",
    "Association",
    "AssociationType",
    "ClrCredential",
    "ClrSubject",
]

#: The current CLR 2.0 context (2.0.1 adds ``partial``).
CLR_V2P0_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
#: ``@context[1]`` of a ClrCredential (the 1EdTech JSON Schema's pattern).
CLR_CONTEXT_PATTERN = re.compile(r"^https://purl\.imsglobal\.org/spec/clr/v2p0/context(-2\.\d\.\d)*\.json$")

#: CLR 2.0 §B.2 AssociationType.
AssociationType = Literal[
    "exactMatchOf", "isChildOf", "isParentOf", "isPartOf", "isPeerOf", "isRelatedTo", "precedes", "replacedBy"
]
ASSOCIATION_TYPES: frozenset[str] = frozenset(AssociationType.__args__)  # type: ignore[attr-defined]


class Association(OBModel):
    """CLR 2.0 §B.1 Association: how a source achievement relates to a target achievement (by id)."""

    type: Literal["Association"] = "Association"
    association_type: AssociationType
    source_id: Uri
    target_id: Uri


class ClrSubject(OBModel):
    """CLR 2.0 §B.1 ClrSubject: the learner and the credentials bundled for them.

    ``verifiable_credential`` holds the credentials as issued (JSON objects with their proofs);
    ``achievement`` holds Achievement objects as they appear in those credentials.
    """

    id: Uri | None = None
    type: list[str] = Field(default_factory=lambda: ["ClrSubject"])
    identifier: list[IdentityObject] = Field(default_factory=list)
    achievement: list[dict[str, Any]] = Field(default_factory=list)
    verifiable_credential: list[dict[str, Any]] = Field(min_length=1)
    association: list[Association] = Field(default_factory=list)

    @model_validator(mode="after")
    def _typed_and_identified(self) -> Self:
        if "ClrSubject" not in self.type:
            raise ValueError("type must include 'ClrSubject'")
        if self.id is None and not self.identifier:
            raise ValueError("ClrSubject needs an 'id' or at least one 'identifier' (OB 3.0 §9.1)")
        return self


def _default_context() -> list[str]:
    # The extensions context defines 1EdTechJsonSchemaValidator2019, the type of the credentialSchema entry.
    return [VC_V2_CONTEXT, CLR_V2P0_CONTEXT, OB_V3P0_CONTEXT, OB_EXTENSIONS_CONTEXT]


def _clr_schema() -> list[CredentialSchema]:
    return [CredentialSchema(id=CLR_CLR_CREDENTIAL_SCHEMA_ID)]


class ClrCredential(OBModel):
    """CLR 2.0 §B.1 ClrCredential, unsigned (CHECKLIST §11).

    Defaults follow the 1EdTech CLR example: ``@context`` is VC 2.0, CLR 2.0.1, OB 3.0.3 and the OB
    extensions context, and ``credentialSchema`` names the 1EdTech ClrCredential JSON Schema.
    """

    context: list[str] = Field(
        default_factory=_default_context,
        validation_alias=AliasChoices("@context", "context"),
        serialization_alias="@context",
    )
    id: Uri
    type: list[str] = Field(default_factory=lambda: ["VerifiableCredential", "ClrCredential"])
    name: str
    description: str | None = None
    image: Image | None = None
    partial: bool | None = None
    issuer: Profile
    valid_from: DateTimeZ
    valid_until: DateTimeZ | None = None
    awarded_date: DateTimeZ | None = None
    credential_subject: ClrSubject
    credential_schema: list[CredentialSchema] = Field(default_factory=_clr_schema)
    evidence: list[Evidence] = Field(default_factory=list)

    @model_validator(mode="after")
    def _envelope(self) -> Self:
        if not {"VerifiableCredential", "ClrCredential"} <= set(self.type):
            raise ValueError("type must include 'VerifiableCredential' and 'ClrCredential'")
        context = self.context
        if (
            len(context) < 3
            or context[0] != VC_V2_CONTEXT
            or CLR_CONTEXT_PATTERN.match(context[1]) is None
            or OB_CONTEXT_PATTERN.match(context[2]) is None
        ):
            raise ValueError(
                f"@context must start with {VC_V2_CONTEXT!r}, a CLR 2.0 context and an OB 3.0 context"
            )
        if any(entry.type == "1EdTechJsonSchemaValidator2019" for entry in self.credential_schema) and (
            OB_EXTENSIONS_CONTEXT not in context
        ):
            raise ValueError(f"a 1EdTechJsonSchemaValidator2019 entry needs {OB_EXTENSIONS_CONTEXT!r}")
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self
