"""The provider's lists (credentials, bulk jobs and each job's credentials) and figures, and the network's
figures for the operator: read-only routes over `issuers.reports.listing` and `issuers.reports.statistics`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from core.deps import Operator, SessionDep
from core.problems import BadRequest, NotFound, Unauthorized, problem_responses
from issuers import bulk, issuing, service
from issuers.deps import ConfigDep, CurrentIssuer

from . import listing, statistics
from .api_models import (
    AchievementFiguresOut,
    CredentialPageOut,
    CredentialSummaryOut,
    FiguresOut,
    JobCredentialsOut,
    JobPageOut,
    KindSectorMonthOut,
    Month,
    MonthFiguresOut,
    NetworkStatisticsOut,
    ProviderStatisticsOut,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", responses=problem_responses(Unauthorized))


@router.get("/jobs", tags=["credentials"], responses=problem_responses(BadRequest))
def list_jobs(
    issuer: CurrentIssuer,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> JobPageOut:
    """The provider's bulk jobs, newest first, a page at a time."""
    page = listing.list_jobs(session, issuer, limit=limit, cursor=cursor)
    return JobPageOut(items=[bulk.job_out(job) for job in page.items], next_cursor=page.next_cursor)


@router.get("/jobs/{job_id}/credentials", tags=["credentials"], responses=problem_responses(NotFound))
def job_credentials(
    job_id: str,
    issuer: CurrentIssuer,
    session: SessionDep,
    config: ConfigDep,
    after_row: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_PAGE)] = 100,
) -> JobCredentialsOut:
    """The credentials the job issued so far, in the cohort file's row order, each with its id (to
    fetch, revoke or suspend it)."""
    job = bulk.get_job(session, issuer, job_id)
    page = listing.job_credentials(session, issuer, job, after_row=after_row, limit=limit)
    return JobCredentialsOut(
        job=bulk.job_out(job),
        items=[_summary_out(config, item) for item in page.items],
        next_after_row=page.next_after_row,
    )


def _summary_out(config: service.IssuerConfig, item: listing.CredentialSummary) -> CredentialSummaryOut:
    return CredentialSummaryOut(
        **vars(item),
        url=f"/api/v1/credentials/{item.id}",
        verification_url=issuing.credential_url(config.base_url, item.id),
    )


def _aware(moment: datetime | None) -> datetime | None:
    """A moment without a timezone is read as UTC (a date alone is its midnight)."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


@router.get("/credentials", tags=["credentials"], responses=problem_responses(BadRequest))
def list_credentials(
    issuer: CurrentIssuer,
    session: SessionDep,
    config: ConfigDep,
    email: Annotated[str | None, Query(max_length=254, description="The whole address, any case")] = None,
    name: Annotated[str | None, Query(max_length=200, description="Part of the name, any case")] = None,
    learner_id: Annotated[str | None, Query(max_length=200)] = None,
    achievement_id: Annotated[str | None, Query(max_length=64)] = None,
    issued_from: Annotated[datetime | None, Query(description="Issued at or after (UTC if no zone)")] = None,
    issued_until: Annotated[datetime | None, Query(description="Issued before (UTC if no zone)")] = None,
    status: Annotated[Literal["valid", "suspended", "revoked"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> CredentialPageOut:
    """The provider's credentials, newest first, filtered, a page at a time: pass the answer's
    ``next_cursor`` as ``cursor`` (with the same filters) for the next page."""
    where = listing.CredentialFilter(
        email=email or None,
        name=name or None,
        learner_id=learner_id or None,
        achievement_id=achievement_id or None,
        issued_from=_aware(issued_from),
        issued_until=_aware(issued_until),
        status=status,
    )
    page = listing.list_credentials(session, issuer, where, limit=limit, cursor=cursor)
    return CredentialPageOut(
        items=[_summary_out(config, item) for item in page.items], next_cursor=page.next_cursor
    )


# --- statistics ---------------------------------------------------------------------------------------------


def _figures(figures: statistics.Figures) -> dict[str, int]:
    return {name: getattr(figures, name) for name in statistics.FIGURES}


def _months(months: dict[str, statistics.Figures]) -> list[MonthFiguresOut]:
    return [MonthFiguresOut(month=month, **_figures(figures)) for month, figures in sorted(months.items())]


@router.get("/statistics", tags=["provider"])
def provider_statistics(
    issuer: CurrentIssuer,
    session: SessionDep,
    since: Annotated[Month | None, Query(description="First month counted")] = None,
    until: Annotated[Month | None, Query(description="Last month counted")] = None,
) -> ProviderStatisticsOut:
    """The provider's credentials issued, claimed, shared, viewed, verified and revoked: in total, per
    month and per achievement and month."""
    stats, names = statistics.provider_statistics(session, issuer, since, until)
    per_achievement: dict[str, dict[str, statistics.Figures]] = {}
    for (achievement_id, month), figures in stats.cells.items():
        per_achievement.setdefault(achievement_id, {})[month] = figures
    totals = stats.by_achievement()
    return ProviderStatisticsOut(
        totals=FiguresOut(**_figures(stats.totals)),
        months=_months(stats.by_month()),
        achievements=[
            AchievementFiguresOut(
                achievement_id=achievement_id,
                achievement_name=names.get(achievement_id, ""),
                months=_months(months),
                **_figures(totals[achievement_id]),
            )
            for achievement_id, months in sorted(
                per_achievement.items(), key=lambda item: names.get(item[0], "").casefold()
            )
        ],
    )


@router.get("/admin/statistics", dependencies=[Operator], tags=["operator"])
def network_statistics(
    session: SessionDep,
    since: Annotated[Month | None, Query(description="First month counted")] = None,
    until: Annotated[Month | None, Query(description="Last month counted")] = None,
) -> NetworkStatisticsOut:
    """The network's figures for the operator: providers, and credentials issued, claimed, shared,
    viewed, verified and revoked per month; issued by achievement kind, sector and month. Counts only."""
    stats = statistics.network_statistics(session, since, until)
    return NetworkStatisticsOut(
        providers=stats.providers,
        providers_issuing=stats.providers_issuing,
        totals=FiguresOut(**_figures(stats.totals)),
        months=_months(stats.by_month),
        issued_by_kind_sector_month=[
            KindSectorMonthOut(kind=kind, sector=sector or None, month=month, issued=issued)
            for kind, sector, month, issued in stats.issued_by_kind_sector_month
        ],
    )
