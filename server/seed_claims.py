"""Demo data for event claim codes: the college's heat pump open day, open for a month, 200 places, whose
short link ``passport serve --demo`` prints."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuers import service
from passport.claim_codes import codes
from passport.claim_codes.models import ClaimCode

DEMO_EVENT = "Heat pump open day, Midlands College (demo)"
DEMO_ACHIEVEMENT = "Heat Pump Installation (Level 3)"


def seed_demo_claims(
    session: Session, config: service.IssuerConfig, achievements: dict[str, str], now: datetime
) -> None:
    """An open claim code for the college's heat pump course (`achievements`: the demo's, by name)."""
    for issuer in service.list_issuers(session):
        owned = {a.id for a in service.list_achievements(session, issuer)}
        if achievements.get(DEMO_ACHIEVEMENT) in owned:
            codes.open_code(
                session,
                issuer,
                achievements[DEMO_ACHIEVEMENT],
                DEMO_EVENT,
                now - timedelta(hours=1),
                now + timedelta(days=30),
                200,
                now,
            )
            return


def demo_claim_link(session: Session, base_url: str) -> str | None:
    code = session.scalar(select(ClaimCode.code).where(ClaimCode.event_name == DEMO_EVENT).limit(1))
    return codes.short_url(base_url, code) if code else None
