"""The console's home: the provider's figures (issued, claimed, shared, viewed, verified by employers,
revoked) overall, per achievement and per month, from the monthly counters
(`issuers.reports.statistics`), so it costs the same however many credentials there are.

The chart is an inline SVG drawn here (no script, no inline style: the pages' CSP forbids both): one bar
a row for each of the last `MONTHS` months, so it reads on a phone; the table under it says the same
in numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from issuers.models import Issuer
from issuers.reports import statistics
from issuers.reports.statistics import FIGURES, Figures

MONTHS = 12
#: The chart's drawing units: one row per month, its label, its bar, its number (it scales to the page).
CHART_WIDTH, CHART_LABEL, CHART_VALUE, CHART_ROW = 400, 72, 64, 28


@dataclass(frozen=True)
class Bar:
    month: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Dashboard:
    totals: Figures
    #: The last `MONTHS` months, oldest first, every one present (zeros where nothing happened).
    months: list[tuple[str, Figures]]
    #: (achievement id, its name, figures), most issued first.
    achievements: list[tuple[str, str, Figures]]
    bars: list[Bar]
    peak: int


def last_months(now: datetime, count: int = MONTHS) -> list[str]:
    """The `count` calendar months (UTC) up to and including `now`'s, oldest first."""
    moment = now.astimezone(UTC)
    year, month = moment.year, moment.month
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def _bars(months: list[tuple[str, Figures]]) -> tuple[list[Bar], int]:
    peak = max((figures.issued for _, figures in months), default=0)
    room = CHART_WIDTH - CHART_LABEL - CHART_VALUE
    bars = []
    for number, (month, figures) in enumerate(months):
        bars.append(
            Bar(
                month=month,
                value=figures.issued,
                x=CHART_LABEL,
                y=number * CHART_ROW + 4,
                width=round(room * figures.issued / peak, 1) if peak else 0.0,
                height=CHART_ROW - 8,
            )
        )
    return bars, peak


def chart_height(bars: list[Bar]) -> int:
    return len(bars) * CHART_ROW


def dashboard(session: Session, issuer: Issuer, now: datetime) -> Dashboard:
    stats, names = statistics.provider_statistics(session, issuer)
    by_month = stats.by_month()
    months = [(month, by_month.get(month, Figures())) for month in last_months(now)]
    achievements = sorted(
        (
            (achievement_id, names.get(achievement_id, ""), figures)
            for achievement_id, figures in stats.by_achievement().items()
        ),
        key=lambda item: (-item[2].issued, item[1].lower()),
    )
    bars, peak = _bars(months)
    return Dashboard(stats.totals, months, achievements, bars, peak)


__all__ = ["FIGURES", "Dashboard", "dashboard", "last_months"]
