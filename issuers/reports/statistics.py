"""A provider's figures, and the network's: issued, claimed, shared, viewed, verified by employers and
revoked, per achievement and per month. Counts only: no address, name or credential id leaves here.

Every figure is a monthly counter per provider and achievement (``credential_activity``), added to in
the transaction of the event it counts, so it commits with the event or not at all; a dashboard reads a
few hundred counters however many credentials there are:

* **issued** (`issuers.issuing`, a bulk chunk at once) and **revoked** (`issuers.lifecycle`);
* **claimed**: ``claimed_at`` is set once when the credential first reaches a passport: it is issued to
  an address a passport has verified, or its address is verified later (`mark_claimed`, called by the
  passport when it verifies an address, and by its issuing listener);
* **shared**: a learner puts the credential in a share link; **viewed**: someone opens a share link
  showing it; **verified**: its public verification page is opened (`record`, called by the passport
  and the verifier).

Months are UTC calendar months, ``"2026-12"``. Migration 0010 counted what existed before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from issuers.models import Achievement, CredentialActivity, IssuedCredential, Issuer

Activity = Literal["shared", "viewed", "verified"]
FIGURES = ("issued", "claimed", "shared", "viewed", "verified", "revoked")


def month_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def count(
    session: Session, issuer_id: str, achievement_id: str, moment: datetime, kind: str, number: int = 1
) -> None:
    """Add `number` to the month's counter (one upsert: concurrent events all count)."""
    key = {"issuer_id": issuer_id, "achievement_id": achievement_id, "month": month_of(moment), "kind": kind}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(CredentialActivity).values(**key, count=number)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=list(key), set_={"count": CredentialActivity.count + number}
        )
    )


def record(session: Session, credential_id: str, kind: Activity, now: datetime) -> None:
    """Count one share, view or verification of a credential this service issued (others: nothing)."""
    row = session.execute(
        select(IssuedCredential.issuer_id, IssuedCredential.achievement_id).where(
            IssuedCredential.id == credential_id
        )
    ).first()
    if row is not None:
        count(session, row.issuer_id, row.achievement_id, now, kind)


def mark_claimed(session: Session, email: str, now: datetime) -> None:
    """The credentials issued to `email` are in a passport from `now` (those already claimed keep their
    moment, and are not counted again)."""
    unclaimed = (
        func.lower(IssuedCredential.recipient_email) == email.strip().lower(),
        IssuedCredential.claimed_at.is_(None),
    )
    groups = session.execute(
        select(IssuedCredential.issuer_id, IssuedCredential.achievement_id, func.count())
        .where(*unclaimed)
        .group_by(IssuedCredential.issuer_id, IssuedCredential.achievement_id)
    ).all()
    if not groups:
        return
    session.execute(
        update(IssuedCredential)
        .where(*unclaimed)
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    for issuer_id, achievement_id, number in groups:
        count(session, issuer_id, achievement_id, now, "claimed", number)


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
    query = select(
        CredentialActivity.achievement_id,
        CredentialActivity.month,
        CredentialActivity.kind,
        CredentialActivity.count,
    ).where(CredentialActivity.kind.in_(FIGURES))
    if issuer_id is not None:
        query = query.where(CredentialActivity.issuer_id == issuer_id)
    if since is not None:
        query = query.where(CredentialActivity.month >= since)
    if until is not None:
        query = query.where(CredentialActivity.month <= until)
    for achievement_id, month, kind, number in session.execute(query):
        cell = stats.cells[(achievement_id, month)]
        setattr(cell, kind, getattr(cell, kind) + number)
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
    issuing = select(func.count(func.distinct(CredentialActivity.issuer_id))).where(
        CredentialActivity.kind == "issued"
    )
    return NetworkStatistics(
        providers=session.scalar(select(func.count()).select_from(Issuer)) or 0,
        providers_issuing=session.scalar(issuing) or 0,
        totals=stats.totals,
        by_month=stats.by_month(),
        issued_by_kind_sector_month=sorted((k, s, m, n) for (k, s, m), n in issued.items()),
    )
