"""Request and response bodies of the network operator's API: accreditations and communities (snake_case
JSON)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, HttpUrl, model_validator

from core.api_models import Strict
from schemas.vocabulary import AchievementKind

from .trust_policy import LEVEL_PATTERN

_DID = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$")


def _issuer_id(value: str) -> str:
    """What a credential's ``issuer.id`` can be and a verifier can match: a DID or an https URL."""
    if _DID.match(value):
        return value
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname and not parts.fragment:
        return value
    raise ValueError("give the issuer's DID (did:…) or https URL, exactly as its credentials name it")


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


IssuerId = Annotated[str, Field(min_length=8, max_length=500), AfterValidator(_issuer_id)]
Sector = Annotated[str, Field(min_length=1, max_length=200)]
Level = Annotated[str, Field(pattern=LEVEL_PATTERN, examples=["RQF 3"])]
Reason = Annotated[str, Field(min_length=1, max_length=1000)]
Actor = Annotated[str, Field(min_length=1, max_length=200, description="Who acts, for the history.")]


class ScopeIn(Strict):
    """What the accreditation covers; an empty list means any."""

    sectors: Annotated[list[Sector], AfterValidator(_unique)] = Field(default_factory=list, max_length=50)
    levels: Annotated[list[Level], AfterValidator(_unique)] = Field(default_factory=list, max_length=40)
    kinds: Annotated[list[AchievementKind], AfterValidator(_unique)] = Field(
        default_factory=list, max_length=5
    )


class _Period(Strict):
    @model_validator(mode="after")
    def _ordered(self) -> Any:
        valid_from, valid_until = getattr(self, "valid_from", None), getattr(self, "valid_until", None)
        if valid_from and valid_until and valid_until <= valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self


class AccreditationCreate(_Period):
    """Accredit an issuer: one of ``issuer`` (DID or https URL) or ``provider_id`` (a provider here)."""

    issuer: IssuerId | None = None
    provider_id: str | None = Field(default=None, min_length=1, max_length=64)
    name: str | None = Field(
        default=None, min_length=1, max_length=200, description="Defaults to the provider's"
    )
    url: HttpUrl | None = None
    logo_url: HttpUrl | None = None
    scope: ScopeIn = Field(default_factory=ScopeIn)
    valid_from: AwareDatetime
    valid_until: AwareDatetime
    reason: Reason | None = None
    by: Actor | None = None

    @model_validator(mode="after")
    def _one_issuer(self) -> AccreditationCreate:
        if (self.issuer is None) == (self.provider_id is None):
            raise ValueError("give exactly one of issuer (a DID or https URL) and provider_id")
        return self


class AccreditationUpdate(_Period):
    """Change the registry entry; every change is recorded in the history."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    url: HttpUrl | None = None
    logo_url: HttpUrl | None = None
    scope: ScopeIn | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    reason: Reason | None = None
    by: Actor | None = None

    @model_validator(mode="after")
    def _something(self) -> AccreditationUpdate:
        changes = self.model_fields_set - {"reason", "by"}
        if not changes:
            raise ValueError("give at least one of name, url, logo_url, scope, valid_from, valid_until")
        for name in ("name", "scope", "valid_from", "valid_until"):
            if name in changes and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be removed")
        return self


class StateChange(Strict):
    reason: Reason
    by: Actor | None = None


class Reinstatement(Strict):
    reason: Reason | None = None
    by: Actor | None = None


class ScopeOut(BaseModel):
    sectors: list[str]
    levels: list[str]
    kinds: list[str]


class AccreditationOut(BaseModel):
    id: str
    issuer: str
    name: str
    url: str | None
    logo_url: str | None
    scope: ScopeOut
    valid_from: datetime
    valid_until: datetime
    state: Literal["active", "suspended", "withdrawn"]
    state_reason: str | None
    state_changed_at: datetime
    created_at: datetime
    updated_at: datetime


class EventOut(BaseModel):
    id: int
    accreditation_id: str
    event: str
    at: datetime
    actor: str
    reason: str | None
    changes: dict[str, Any]
    registry_version: int


class CommunityCreate(Strict):
    name: str = Field(min_length=1, max_length=100, examples=["Net Zero"])


class CommunityOut(BaseModel):
    id: str
    name: str
    created_at: datetime


# --- scheme approvals ---------------------------------------------------------------------------------------

Criterion = Literal["level", "sector", "credits", "quality_statement", "other"]


class ApprovalSubmit(Strict):
    """Submit one of your achievements for approval under the network's scheme."""

    achievement_id: str = Field(min_length=1, max_length=64)
    quality_statement: str = Field(
        min_length=20,
        max_length=5000,
        description="How the achievement's quality is assured (assessment, moderation, employer input).",
    )


class ApprovalDecision(Strict):
    comment: str | None = Field(
        default=None, min_length=1, max_length=1000, description="Carried in the endorsement."
    )


class RefusalReason(Strict):
    criterion: Criterion
    reason: Reason


class ApprovalRefusal(Strict):
    reasons: list[RefusalReason] = Field(min_length=1, max_length=20)


class ApprovalWithdrawal(Strict):
    reason: Reason


class CriterionOut(BaseModel):
    met: bool
    value: Any = None


class ApprovalOut(BaseModel):
    id: str
    provider_id: str
    achievement_id: str
    state: Literal["pending", "approved", "refused", "withdrawn"]
    quality_statement: str
    criteria: dict[str, CriterionOut]
    submitted_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    comment: str | None
    reasons: list[dict[str, str]]
    endorsement_url: str | None = Field(description="Where the signed EndorsementCredential is published")
    withdrawn_at: datetime | None
    withdrawn_reason: str | None


class AssignmentIn(Strict):
    assessor_id: str = Field(min_length=1, max_length=64, description="One of the operator's assessors")


class AssignmentOut(BaseModel):
    approval_id: str
    assessor_id: str
    assigned_at: datetime
    assigned_by: str
