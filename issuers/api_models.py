"""Request and response bodies of the issuer API (snake_case JSON; the credentials themselves are OB 3.0)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, HttpUrl, model_validator

from core.api_models import Strict
from schemas.vocabulary import AchievementKind

_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")


def _email(value: str) -> str:
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("not a valid email address")
    local, _, domain = value.partition("@")
    return f"{local}@{domain.lower()}"


Email = Annotated[str, AfterValidator(_email)]


# --- providers ----------------------------------------------------------------------------------------------


class IssuerCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    url: HttpUrl
    ukprn: str | None = Field(default=None, pattern=r"^1\d{7}$", description="UK Provider Reference Number")
    logo_url: HttpUrl | None = None
    contact_email: Email | None = None
    description: str | None = Field(default=None, max_length=2000)
    suspension_enabled: bool = Field(
        default=False,
        description="Credentials issued while enabled can be suspended and reinstated, not only revoked.",
    )
    kind: Literal["provider", "partnership"] = Field(
        default="provider",
        description="partnership: a regional education partnership or sector network that owns pathways "
        "and signs their milestones (its staff manage only its pathways)",
    )


class IssuerUpdate(Strict):
    """The fields to change; a field left out is unchanged, ``null`` clears an optional one."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    url: HttpUrl | None = None
    ukprn: str | None = Field(default=None, pattern=r"^1\d{7}$", description="UK Provider Reference Number")
    logo_url: HttpUrl | None = None
    contact_email: Email | None = None
    description: str | None = Field(default=None, max_length=2000)
    suspension_enabled: bool | None = None

    @model_validator(mode="after")
    def _required_fields_stay_set(self) -> IssuerUpdate:
        for name in ("name", "url", "suspension_enabled"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be cleared")
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        return self


class IssuerOut(BaseModel):
    id: str
    did: str
    name: str
    url: str
    ukprn: str | None
    logo_url: str | None
    contact_email: str | None
    description: str | None
    suspension_enabled: bool
    kind: str = "provider"
    did_document_url: str
    profile_url: str
    created_at: datetime


class IssuerCreated(IssuerOut):
    api_key: str = Field(description="Shown once; store it safely.")


class ApiKeyCreate(Strict):
    label: str | None = Field(default=None, max_length=200)


class ApiKeyOut(BaseModel):
    id: str
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    api_key: str = Field(description="Shown once; store it safely.")


class SigningKeyOut(BaseModel):
    id: str
    key_type: str
    verification_method: str
    created_at: datetime
    retired_at: datetime | None


# --- achievements -------------------------------------------------------------------------------------------


class AlignmentIn(Strict):
    target_name: str = Field(min_length=1, max_length=300)
    target_url: HttpUrl
    target_framework: str | None = Field(default=None, max_length=300)
    target_code: str | None = Field(default=None, max_length=100)


class ExchangeVisit(Strict):
    host_organisation: str = Field(min_length=1, max_length=300)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    start_date: date
    end_date: date
    funder: str | None = Field(default=None, max_length=300)
    bursary: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _dates_in_order(self) -> ExchangeVisit:
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class AchievementCreate(Strict):
    kind: AchievementKind
    name: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1, max_length=5000)
    criteria_narrative: str | None = Field(default=None, max_length=5000)
    criteria_url: HttpUrl | None = None
    image_url: HttpUrl | None = None
    image: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="A badge image uploaded or designed in the console: its SHA-256. Credentials carry it "
        "at a stable URL of ours (it takes the place of image_url).",
    )
    level: str | None = Field(default=None, pattern=r"^(RQF|SCQF) (Entry|[0-9]{1,2})$", examples=["RQF 3"])
    sector: str | None = Field(default=None, max_length=200)
    community: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="One of the network's communities of practice (the operator lists them).",
    )
    exchange: ExchangeVisit | None = None
    alignments: list[AlignmentIn] = Field(default_factory=list, max_length=20)
    credits: float | None = Field(default=None, ge=0, le=1000)
    validity_days: int | None = Field(default=None, ge=1, le=36500)
    tags: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list, max_length=20
    )

    @model_validator(mode="after")
    def _kind_details(self) -> AchievementCreate:
        if self.criteria_narrative is None and self.criteria_url is None:
            raise ValueError("give criteria_narrative or criteria_url")
        if self.kind is AchievementKind.EXCHANGE_VISIT and self.exchange is None:
            raise ValueError("an exchange_visit needs exchange details")
        if self.kind is not AchievementKind.EXCHANGE_VISIT and self.exchange is not None:
            raise ValueError("exchange details belong to an exchange_visit")
        if self.kind is AchievementKind.COMMUNITY_OF_PRACTICE and self.community is None:
            raise ValueError("a community_of_practice achievement names its community")
        return self


class AchievementUpdate(Strict):
    """The fields to change (the kind never changes); ``null`` clears an optional one. The result is
    checked as a whole, as at creation."""

    name: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, min_length=1, max_length=5000)
    criteria_narrative: str | None = Field(default=None, max_length=5000)
    criteria_url: HttpUrl | None = None
    image_url: HttpUrl | None = None
    image: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    level: str | None = Field(default=None, pattern=r"^(RQF|SCQF) (Entry|[0-9]{1,2})$", examples=["RQF 3"])
    sector: str | None = Field(default=None, max_length=200)
    community: str | None = Field(default=None, min_length=1, max_length=100)
    exchange: ExchangeVisit | None = None
    alignments: list[AlignmentIn] | None = Field(default=None, max_length=20)
    credits: float | None = Field(default=None, ge=0, le=1000)
    validity_days: int | None = Field(default=None, ge=1, le=36500)
    tags: list[Annotated[str, Field(min_length=1, max_length=60)]] | None = Field(default=None, max_length=20)

    @model_validator(mode="after")
    def _something(self) -> AchievementUpdate:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        for name in ("name", "description"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be cleared")
        return self


class AchievementOut(BaseModel):
    id: str
    url: str
    kind: AchievementKind
    achievement_type: str
    definition: dict[str, object]
    created_at: datetime
    version: int = Field(description="Each edit makes the next version; credentials keep theirs")
    updated_at: datetime | None
    archived_at: datetime | None = Field(description="Archived: nothing more is issued with it")


class AchievementVersionOut(BaseModel):
    version: int
    definition: dict[str, object]
    current_from: datetime = Field(description="When this version became the current one")


# --- issuing ------------------------------------------------------------------------------------------------


class Recipient(Strict):
    email: Email
    name: str | None = Field(default=None, max_length=200)
    learner_id: str | None = Field(default=None, max_length=200)


class EvidenceIn(Strict):
    url: HttpUrl | None = None
    name: str | None = Field(default=None, max_length=300)
    narrative: str | None = Field(default=None, max_length=5000)


class CredentialCreate(Strict):
    achievement_id: str = Field(min_length=1, max_length=64)
    recipient: Recipient
    format: Literal["ldp", "jwt"] = "ldp"
    result: str | None = Field(default=None, max_length=200, description="e.g. a grade")
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=20)
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    @model_validator(mode="after")
    def _aware_and_ordered(self) -> CredentialCreate:
        for moment in (self.valid_from, self.valid_until):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("valid_from and valid_until need a timezone (e.g. 2026-07-01T09:00:00Z)")
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self


class ScopeOut(BaseModel):
    """The quality-assurance scheme's answer: will the credential be inside the provider's accreditation
    (what employers will be told when they verify it)?"""

    inside: bool
    reason: str = Field(description="Why, in plain words (the trust policy's message)")
    trust: Literal["accredited", "outside_scheme", "not_trustworthy"]


class IssuePreviewOut(BaseModel):
    achievement_id: str
    achievement_version: int
    scope: ScopeOut
    problems: list[str] = Field(description="Why it could not be issued as it is; empty when it could")
    credential: dict[str, object] = Field(
        description="The unsigned credential as it would be signed (its id and status entry are placeholders)"
    )


class CredentialCreated(BaseModel):
    id: str
    credential: dict[str, object] | str
    verification_url: str = Field(description="The public page that verifies the credential live")
    qr_png_url: str = Field(description="The verification URL as a QR code (PNG)")
    qr_svg_url: str = Field(description="The verification URL as a QR code (SVG)")
    offline_qr_url: str | None = Field(
        default=None, description="A QR code holding the VC-JWT itself (jwt format only, when it fits)"
    )
    scope: ScopeOut | None = Field(
        default=None, description="When issued: inside the provider's accreditation scope, or why not"
    )


CredentialState = Literal["valid", "suspended", "revoked"]


class CredentialStatusOut(BaseModel):
    """What the credential's status entry says now (the signed status list says the same)."""

    id: str
    status: CredentialState
    revoked_at: datetime | None
    revocation_reason: str | None
    suspended_at: datetime | None
    suspension_reason: str | None
    status_purpose: Literal["revocation", "message"] = Field(
        description="revocation: a one-bit entry; message: valid / suspended / revoked (suspendable)"
    )


class CredentialOut(CredentialCreated):
    status: CredentialStatusOut


class JobOut(BaseModel):
    id: str
    state: Literal["pending", "running", "done", "failed"]
    done: int
    total: int
    achievement_id: str
    format: str
    error: str | None
    created_at: datetime
    updated_at: datetime


class RevokeRequest(Strict):
    reason: str = Field(min_length=1, max_length=1000)


class SuspendRequest(Strict):
    reason: str = Field(min_length=1, max_length=1000)


class CohortRowOut(BaseModel):
    row: int = Field(description="1-based data row number")
    email: str | None
    name: str | None
    learner_id: str | None
    result: str | None
    problems: list[str] = Field(description="Empty when the row is fine")


class CohortPreviewOut(BaseModel):
    achievement_id: str
    achievement_version: int
    total: int
    valid: int
    invalid: int
    cohort_problems: list[str] = Field(
        description="Problems every credential of the cohort would share; the upload would be refused"
    )
    scope: ScopeOut
    rows: list[CohortRowOut]
