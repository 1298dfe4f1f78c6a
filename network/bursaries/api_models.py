"""The bursaries API's bodies and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, HttpUrl, model_validator

from core.api_models import Strict
from issuers.api_models import Email

FundState = Literal["open", "closed"]
AwardState = Literal[
    "offered", "accepted", "visit_recorded", "dissemination_recorded", "credential_issued", "withdrawn"
]


class Money(Strict):
    amount: int = Field(ge=0, le=10_000_000_00, description="In minor units (pence, cents)")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")


class FundCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    funder: str = Field(min_length=1, max_length=200)
    amount: Money
    criteria: str = Field(min_length=1, max_length=5000, description="Who may apply and what they must do")
    requires_report: bool = Field(True, description="A report on the visit before the credential")
    requires_session: bool = Field(True, description="A session delivered to peers before the credential")


class FundUpdate(Strict):
    state: FundState


class FundOut(Strict):
    id: str
    url: str
    name: str
    funder: str
    amount: Money
    criteria: str
    requires_report: bool
    requires_session: bool
    state: FundState
    created_at: datetime
    updated_at: datetime


class AwardCreate(Strict):
    educator_name: str = Field(min_length=1, max_length=200)
    educator_email: Email = Field(max_length=320)
    provider_id: str = Field(min_length=1, max_length=32, description="The educator's provider")
    amount: int = Field(ge=0, le=10_000_000_00, description="In the fund's currency's minor units")


class VisitIn(Strict):
    host_name: str = Field(min_length=1, max_length=200)
    host_did: str | None = Field(None, max_length=500, pattern=r"^did:(key|web):[A-Za-z0-9._:%-]+$")
    country: str = Field(min_length=1, max_length=100)
    start: date
    end: date
    focus: str = Field(min_length=1, max_length=500, examples=["WorldSkills national final abroad"])

    @model_validator(mode="after")
    def _ordered(self) -> VisitIn:
        if self.end < self.start:
            raise ValueError("the visit ends before it starts")
        return self


class DisseminationIn(Strict):
    report_url: HttpUrl | None = Field(None, description="A link to the report (https)")
    report_summary: str | None = Field(None, max_length=5000)
    session_date: date | None = None
    session_audience: int | None = Field(None, ge=1, le=100_000, description="How many peers attended")
    session_title: str | None = Field(None, max_length=300)

    @model_validator(mode="after")
    def _something(self) -> DisseminationIn:
        if not (self.report_url or self.report_summary or self.session_date):
            raise ValueError("record a report (link or summary), a session delivered to peers, or both")
        if (self.session_date is None) != (self.session_audience is None):
            raise ValueError("a session has both a date and an audience size")
        return self


class Withdrawal(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class Revocation(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class VisitOut(Strict):
    host_name: str
    host_did: str | None
    country: str
    start: date | None
    end: date | None
    focus: str


class DisseminationOut(Strict):
    report_url: str | None
    report_summary: str | None
    session_date: date | None
    session_audience: int | None
    session_title: str | None


class AwardOut(Strict):
    id: str
    fund_id: str
    educator_name: str
    educator_email: str
    provider_id: str
    amount: Money
    state: AwardState
    credential_id: str = Field(description="The id the credential will have: what a host endorses")
    visit: VisitOut | None
    dissemination: DisseminationOut | None
    host_endorsement: Literal["signed", "named", "none"] = Field(
        description="signed: the host's verified EndorsementCredential; named: the host named, unsigned"
    )
    credential: dict[str, Any] | None = Field(description="The exchange-visit credential, as signed")
    issued_at: datetime | None
    withdrawn_reason: str | None
    revoked_at: datetime | None = Field(description="When the operator revoked the credential")
    revocation_reason: str | None
    created_at: datetime
    updated_at: datetime
