"""HTTP models of the communities of practice (snake_case, like the rest of the API)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, HttpUrl

from core.api_models import Strict
from issuers.api_models import Email

SessionKind = Literal["seminar", "workshop", "event", "meeting"]
ContributionKind = Literal["case_study", "resource", "presentation"]


class CommunityIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    sector: str | None = Field(default=None, min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    coordinators: list[str] = Field(default_factory=list, max_length=50, description="provider ids")
    owner_provider_id: str | None = Field(
        default=None,
        max_length=32,
        description="a coordinator that issues its credentials; none: the operator",
    )
    achievement_id: str | None = Field(
        default=None,
        max_length=32,
        description="the owner provider's community_of_practice achievement naming this community",
    )


class CommunityChange(Strict):
    """Only what is sent changes. ``rule``: null removes it."""

    sector: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    coordinators: list[str] | None = Field(default=None, max_length=50)
    owner_provider_id: str | None = Field(default=None, max_length=32)
    achievement_id: str | None = Field(default=None, max_length=32)
    rule: dict[str, Any] | None = Field(
        default=None,
        description='e.g. {"attended": {"at_least": 4, "of_last": 6}, "contributed": {"at_least": 1}}',
    )


class ProviderRef(BaseModel):
    id: str
    name: str


class CommunityOfPracticeOut(BaseModel):
    id: str
    url: str = Field(description="its public page")
    name: str
    sector: str | None
    description: str
    coordinators: list[ProviderRef]
    owner: str = Field(description='"operator" or the owner provider\'s id')
    achievement_id: str | None
    rule: dict[str, Any] | None
    rule_described: str
    created_at: datetime


class SessionIn(Strict):
    title: str = Field(min_length=1, max_length=200)
    kind: SessionKind = "seminar"
    starts_at: AwareDatetime
    place: str | None = Field(default=None, min_length=1, max_length=300)
    online_url: HttpUrl | None = None


class SessionOut(BaseModel):
    id: str
    title: str
    kind: str
    starts_at: datetime
    place: str | None
    online_url: str | None
    attendees: list[str] = Field(description="member ids")


class AttendanceIn(Strict):
    member_ids: list[str] = Field(max_length=2000, description="replaces who was recorded before")


class MemberIn(Strict):
    email: Email = Field(max_length=320)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    invite: bool = Field(
        default=True,
        description="email an invitation link (accepted into a passport account); false: a coordinator "
        "provider adds one of its own educators directly",
    )


class MemberOut(BaseModel):
    id: str
    email: str
    name: str | None
    provider_id: str | None
    state: Literal["invited", "active"]
    joined_at: datetime | None
    invitation_url: str | None = Field(
        default=None, description="only in the answer that created it (it is also emailed)"
    )


class ContributionIn(Strict):
    member_id: str = Field(max_length=32)
    kind: ContributionKind = "case_study"
    title: str = Field(min_length=1, max_length=200)
    url: HttpUrl | None = None
    summary: str | None = Field(default=None, min_length=1, max_length=5000)


class ContributionOut(BaseModel):
    id: str
    member_id: str
    kind: str
    title: str
    url: str | None
    summary: str | None
    recorded_at: datetime


class StandingOut(BaseModel):
    member_id: str
    email: str
    state: str
    meets_rule: bool
    missing: list[str]
    sessions: list[str]
    contributions: list[str]
    participation_id: str | None


class ParticipationOut(BaseModel):
    id: str
    member_id: str
    issued_at: datetime
    credential_id: str | None = Field(description="the owner provider's credential, when a provider owns it")
    credential: dict[str, Any] | str
    revoked_at: datetime | None = Field(default=None, description="When the operator revoked it")
    revocation_reason: str | None = None


class ParticipationRevocation(Strict):
    reason: str = Field(min_length=1, max_length=2000)
