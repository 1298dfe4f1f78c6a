"""Response bodies of the provider's lists and of the figures (counts only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from issuers.api_models import CredentialState, JobOut

# --- the provider's lists -----------------------------------------------------------------------------------


class CredentialSummaryOut(BaseModel):
    """One credential in the provider's list: who it was issued to and its state, not its document."""

    id: str
    achievement_id: str
    achievement_name: str
    achievement_version: int
    recipient_email: str
    recipient_name: str | None
    learner_id: str | None
    format: str
    status: CredentialState
    issued_at: datetime
    revoked_at: datetime | None
    suspended_at: datetime | None
    bulk_job_id: str | None
    bulk_row: int | None
    url: str = Field(description="This credential in the provider API")
    verification_url: str


class CredentialPageOut(BaseModel):
    items: list[CredentialSummaryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class JobPageOut(BaseModel):
    items: list[JobOut]
    next_cursor: str | None


class JobCredentialsOut(BaseModel):
    job: JobOut
    items: list[CredentialSummaryOut] = Field(description="In the cohort file's row order")
    next_after_row: int | None = Field(description="Pass as `after_row` for the next page; null on the last")


# --- statistics ---------------------------------------------------------------------------------------------

Month = Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2026-12"])]


class FiguresOut(BaseModel):
    issued: int
    claimed: int = Field(description="Reached a learner's passport (its address verified by one)")
    shared: int = Field(description="Put in a share link by its learner")
    viewed: int = Field(description="Shown on an opened share link")
    verified: int = Field(description="Checked on its verification page or through the verify API")
    revoked: int


class MonthFiguresOut(FiguresOut):
    month: str


class AchievementFiguresOut(FiguresOut):
    achievement_id: str
    achievement_name: str
    months: list[MonthFiguresOut]


class ProviderStatisticsOut(BaseModel):
    """Counts only (UTC months; a month with nothing is left out)."""

    totals: FiguresOut
    months: list[MonthFiguresOut]
    achievements: list[AchievementFiguresOut]


class KindSectorMonthOut(BaseModel):
    kind: str
    sector: str | None
    month: str
    issued: int


class NetworkStatisticsOut(BaseModel):
    """The whole network's counts: no provider's learners, no personal data."""

    providers: int
    providers_issuing: int = Field(description="Providers that have issued at least one credential")
    totals: FiguresOut
    months: list[MonthFiguresOut]
    issued_by_kind_sector_month: list[KindSectorMonthOut]
