"""HTTP models of the pathways: definitions in, pathways and progress out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RuleIn(Strict):
    """Credentials from accredited providers matching every condition given."""

    code: str | None = Field(
        default=None, min_length=1, max_length=100, description="an alignment's targetCode"
    )
    framework: str | None = Field(
        default=None, min_length=1, max_length=300, description="that code's framework"
    )
    min_level: str | None = Field(default=None, max_length=20, examples=["RQF 3"])
    sector: str | None = Field(default=None, min_length=1, max_length=200)
    min_credits: float | None = Field(default=None, description="summed over the matching credentials")


class OptionIn(Strict):
    achievement: str | None = Field(
        default=None, max_length=32, description="an achievement's id, any provider"
    )
    rule: RuleIn | None = None


class StepIn(Strict):
    key: str | None = Field(
        default=None, max_length=40, description="unique in the pathway; step-N if not given"
    )
    title: str = Field(max_length=200)
    choose: int | None = Field(default=None, description="how many of the options; all if not given")
    after: list[str] = Field(
        default_factory=list, max_length=50, description="keys of steps done before this"
    )
    options: list[OptionIn] = Field(max_length=50)


Text200 = Annotated[str, Field(min_length=1, max_length=200)]


class PathwayCreate(Strict):
    title: Text200
    description: str = Field(default="", max_length=5000)
    region: Text200 | None = None
    sector: Text200 | None = None
    steps: list[StepIn] = Field(max_length=100)
    state: Literal["draft", "published"] = Field(
        default="published", description="draft: not public and issues nothing until published"
    )

    @model_validator(mode="after")
    def _region_or_sector(self) -> PathwayCreate:
        if self.region is None and self.sector is None:
            raise ValueError("a pathway names a region or a sector (or both)")
        return self


class PathwayUpdate(Strict):
    """Only the fields sent change; new steps make a new version (learners keep what they completed)."""

    title: Text200 | None = None
    description: str | None = Field(default=None, max_length=5000)
    region: Text200 | None = None
    sector: Text200 | None = None
    steps: list[StepIn] | None = Field(default=None, max_length=100)
    state: Literal["published", "withdrawn"] | None = None


class MilestoneRevoke(Strict):
    reason: str | None = Field(default=None, max_length=1000)


class MilestoneRecordOut(BaseModel):
    """A milestone issued for the pathway, as its owner sees it (the learner only by their id)."""

    id: str
    url: str
    version: int
    learner_id: str
    completed_at: datetime
    issued_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None
    review_flagged_at: datetime | None = Field(
        description="when a component credential was first seen no longer valid: review, maybe revoke"
    )
    status_list_credential: str | None


class ProviderOut(BaseModel):
    id: str
    name: str
    did: str
    url: str


class OfferOut(BaseModel):
    achievement_id: str
    achievement_name: str
    provider: ProviderOut


class OptionOut(BaseModel):
    achievement: str | None = None
    rule: dict[str, object] | None = None
    described: str
    offered_by: list[OfferOut]


class StepOut(BaseModel):
    key: str
    title: str
    choose: int
    after: list[str]
    options: list[OptionOut]


class PathwayOut(BaseModel):
    id: str
    url: str
    owner: str
    owner_name: str = Field(description="who runs the pathway: the partnership's or the operator's name")
    title: str
    description: str
    region: str | None
    sector: str | None
    version: int
    state: str
    steps: list[StepOut]
    created_at: datetime
    updated_at: datetime


class StepProgressOut(BaseModel):
    key: str
    title: str
    state: Literal["done", "in_progress", "next", "waiting"]
    choose: int
    satisfied_options: list[int]
    open_options: list[int]
    credentials: list[str]
    credits_so_far: dict[int, float]


class MilestoneOut(BaseModel):
    id: str
    version: int
    completed_at: datetime
    credential: dict[str, object]
    state: Literal["valid", "revoked", "review"] = Field(
        default="valid",
        description="revoked by the pathway's owner; review: a credential it rests on is no longer valid "
        "(the milestone stays valid until its owner decides)",
    )
    revoked_at: datetime | None = None


class ProgressOut(BaseModel):
    pathway_id: str
    title: str
    version: int
    steps_done: int
    steps_total: int
    complete: bool
    steps: list[StepProgressOut]
    milestone: MilestoneOut | None
