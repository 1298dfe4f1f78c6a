"""Demo bursaries: a fund administered by the network operator, with one award taken all the way: a visit
to the WorldSkills national final abroad, its dissemination (a report and a session for peers) and the
exchange-visit credential issued, its host named by the operator (the host has no DID: unsigned)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from network.bursaries import service
from network.bursaries.api_models import AwardCreate, DisseminationIn, FundCreate, VisitIn
from network.bursaries.models import BursaryAward
from network.trust import TrustConfig

FUND = {
    "name": "International Skills Exchange Fund 2026",
    "funder": "Midlands Skills Foundation",
    "amount": {"amount": 60_000_00, "currency": "GBP"},
    "criteria": (
        "Open to educators of the network's providers. The visit must strengthen teaching in a skills "
        "competition or occupational area. Afterwards the educator writes a short report and delivers a "
        "session to colleagues; the credential is issued once both are recorded."
    ),
    "requires_report": True,
    "requires_session": True,
}


def seed_bursaries(
    session: Session,
    trust: TrustConfig,
    provider_id: str,
    educator_email: str,
    educator_name: str,
    now: datetime,
) -> BursaryAward:
    """The fund and its completed award (returned): credential issued, host named and unsigned."""
    fund = service.create_fund(session, FundCreate.model_validate(FUND), now)
    award = service.create_award(
        session,
        fund.id,
        AwardCreate(
            educator_name=educator_name,
            educator_email=educator_email,
            provider_id=provider_id,
            amount=1_800_00,
        ),
        now,
    )
    service.accept(session, award.id, now)
    visit = VisitIn(
        host_name="Berufsbildungszentrum Bau Stuttgart",
        host_did=None,
        country="Germany",
        start=date(2026, 9, 14),
        end=date(2026, 9, 19),
        focus="WorldSkills national final abroad (Germany's national final, plumbing and heating)",
    )
    service.record_visit(session, award.id, visit, now)
    dissemination = DisseminationIn.model_validate(
        {
            "report_url": "https://college.example.ac.uk/exchange/stuttgart-2026",
            "report_summary": "How German training centres prepare competitors; three practices to adopt.",
            "session_date": date(2026, 10, 7),
            "session_audience": 23,
            "session_title": "Competition-standard practice in the workshop",
        }
    )
    service.record_dissemination(session, award.id, dissemination, now)
    return service.issue(session, trust, award.id, now)
