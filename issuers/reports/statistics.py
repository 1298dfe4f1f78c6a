"""A provider's figures, and the network's: issued, claimed, shared, viewed, verified by employers and
revoked, per achievement and per month. Counts only: no address, name or credential id leaves here.

What is counted, and where it is recorded:

* **issued** and **revoked**: the credentials themselves (``issued_at``, ``revoked_at``);
* **claimed**: ``claimed_at``, set once when the credential first reaches a passport: it is issued to an
  address a passport has verified, or its address is verified later (`mark_claimed`, called by the
  passport when it verifies an address, and by its issuing listener);
* **shared**: a learner puts the credential in a share link; **viewed**: someone opens a share link
  showing it; **verified**: its public verification page is opened, or it is checked through the verify
  API (`record`, called by the passport and the verifier). These three are monthly counters per
  provider and achievement (``credential_activity``): one upsert each, nothing stored per event.

Months are UTC calendar months, ``"2026-12"``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from issuers.models import Achievement, CredentialActivity, IssuedCredential, Issuer

Activity = Literal["shared", "viewed", "verified"]
FIGURES = ("issued", "claimed", "shared", "viewed", "verified", "revoked")


def month_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def record(session: Session, credential_id: str, kind: Activity, now: datetime) -> None:
    """Count one share, view or verification of a credential this service issued (others: nothing)."""
    row = session.execute(
        select(IssuedCredential.issuer_id, IssuedCredential.achievement_id).where(
            IssuedCredential.id == credential_id
        )
    ).first()
    if row is None:
        return
    key = {
        "issuer_id": row.issuer_id,
        "achievement_id": row.achievement_id,
        "month": month_of(now),
        "kind": kind,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(CredentialActivity).values(**key, count=1)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=list(key), set_={"count": CredentialActivity.count + 1}
        )
    )


def mark_claimed(session: Session, email: str, now: datetime) -> None:
    """The credentials issued to `email` are in a passport from `now` (those already claimed keep their
    moment)."""
    session.execute(
        update(IssuedCredential)
        .where(
            func.lower(IssuedCredential.recipient_email) == email.strip().lower(),
            IssuedCredential.claimed_at.is_(None),
        )
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )


def _month(session: Session, column: InstrumentedAttribute[Any]) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


@dataclass
class Figures:
    issued: int = 0
    claimed: int = 0
    shared: int = 0
    viewed: int = 0
    verified: int = 0
    revoked: int = 0

    def add(self, other: Figures) -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Statistics:
    totals: Figures = field(default_factory=Figures)
    #: (achievement id, month) -> figures
    cells: dict[tuple[str, str], Figures] = field(default_factory=lambda: defaultdict(Figures))

    def by_month(self) -> dict[str, Figures]:
        months: dict[str, Figures] = defaultdict(Figures)
        for (_, month), figures in self.cells.items():
            months[month].add(figures)
        return dict(sorted(months.items()))

    def by_achievement(self) -> dict[str, Figures]:
        found: dict[str, Figures] = defaultdict(Figures)
        for (achievement_id, _), figures in self.cells.items():
            found[achievement_id].add(figures)
        return dict(found)


def _counted(
    session: Session,
    issuer_id: str | None,
    since: str | None,
    until: str | None,
) -> Statistics:
    """Every figure per (achievement, month), for one provider or (None) the whole network, for the months
    from `since` to `until` inclusive (either may be None)."""
    stats = Statistics()

    def keep(month: str | None) -> bool:
        return month is not None and (since is None or month >= since) and (until is None or month <= until)

    for figure, column in (
        ("issued", IssuedCredential.issued_at),
        ("claimed", IssuedCredential.claimed_at),
        ("revoked", IssuedCredential.revoked_at),
    ):
        month = _month(session, column)
        query = select(IssuedCredential.achievement_id, month, func.count()).where(column.is_not(None))
        if issuer_id is not None:
            query = query.where(IssuedCredential.issuer_id == issuer_id)
        for achievement_id, at, count in session.execute(
            query.group_by(IssuedCredential.achievement_id, month)
        ):
            if keep(at):
                cell = stats.cells[(achievement_id, at)]
                setattr(cell, figure, getattr(cell, figure) + count)
    activity = select(
        CredentialActivity.achievement_id,
        CredentialActivity.month,
        CredentialActivity.kind,
        CredentialActivity.count,
    )
    if issuer_id is not None:
        activity = activity.where(CredentialActivity.issuer_id == issuer_id)
    for achievement_id, at, kind, count in session.execute(activity):
        if keep(at) and kind in FIGURES:
            cell = stats.cells[(achievement_id, at)]
            setattr(cell, kind, getattr(cell, kind) + count)
    for figures in stats.cells.values():
        stats.totals.add(figures)
    return stats


def provider_statistics(
    session: Session, issuer: Issuer, since: str | None = None, until: str | None = None
) -> tuple[Statistics, dict[str, str]]:
    """The provider's figures, and the names of its achievements that have any."""
    stats = _counted(session, issuer.id, since, until)
    return stats, _names(session, {achievement_id for achievement_id, _ in stats.cells})


def _names(session: Session, ids: Iterable[str]) -> dict[str, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(select(Achievement.id, Achievement.definition).where(Achievement.id.in_(wanted)))
    return {row.id: str(row.definition.get("name", "")) for row in rows}


@dataclass(frozen=True)
class NetworkStatistics:
    providers: int
    providers_issuing: int
    totals: Figures
    by_month: dict[str, Figures]
    #: Credentials issued by achievement kind, sector ("" for none) and month: no provider, no learner.
    issued_by_kind_sector_month: list[tuple[str, str, str, int]]


def network_statistics(
    session: Session, since: str | None = None, until: str | None = None
) -> NetworkStatistics:
    """The network's figures: counts over every provider, nothing about any learner."""
    stats = _counted(session, None, since, until)
    kinds: dict[str, tuple[str, str]] = {}
    ids = {achievement_id for achievement_id, _ in stats.cells}
    if ids:
        for row in session.execute(
            select(Achievement.id, Achievement.kind, Achievement.definition).where(Achievement.id.in_(ids))
        ):
            kinds[row.id] = (row.kind, str(row.definition.get("sector") or ""))
    issued: dict[tuple[str, str, str], int] = defaultdict(int)
    for (achievement_id, month), figures in stats.cells.items():
        if figures.issued:
            kind, sector = kinds.get(achievement_id, ("", ""))
            issued[(kind, sector, month)] += figures.issued
    issuing = select(func.count(func.distinct(IssuedCredential.issuer_id)))
    return NetworkStatistics(
        providers=session.scalar(select(func.count()).select_from(Issuer)) or 0,
        providers_issuing=session.scalar(issuing) or 0,
        totals=stats.totals,
        by_month=stats.by_month(),
        issued_by_kind_sector_month=sorted((k, s, m, n) for (k, s, m), n in issued.items()),
    )
