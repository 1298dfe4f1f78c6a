"""The learner's exchange-visit credentials (`network.bursaries`) in the passport: a card on the passport
home for each one issued to a confirmed address, and the credential as signed to download. The network
keeps them; the passport reads them through `network.bursaries.service` (the passport -> network edge)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from core.deps import SessionDep
from core.i18n import gettext
from core.problems import NotFound
from network.bursaries import service
from network.bursaries.credential import credential_url
from passport.accounts.addresses import verified_emails
from passport.models import Learner
from passport.web import PageRoute, VisitorDep

pages = APIRouter(route_class=PageRoute, include_in_schema=False)


@dataclass(frozen=True)
class VisitCard:
    id: str
    name: str  # the credential's name, as signed
    host: str
    host_signed: bool  # the host's own signed endorsement is inside the credential
    country: str
    focus: str
    start: date | None
    end: date | None
    issued_at: datetime
    page_url: str  # the public verification page
    revoked: bool = False  # the operator revoked it (its bit is set on the operator's status list)


def home_section(session: Session, learner: Learner, base_url: str) -> list[VisitCard]:
    """The exchange-visit credentials issued to the learner's confirmed addresses, newest first."""
    cards = []
    for award in service.credentials_for(session, verified_emails(session, learner.id)):
        assert award.document is not None
        assert award.issued_at is not None
        document = json.loads(award.document)
        cards.append(
            VisitCard(
                id=award.id,
                name=str(document.get("name") or ""),
                host=award.host_name or "",
                host_signed=bool(document.get("endorsement")),
                country=award.country or "",
                focus=award.focus or "",
                start=award.visit_start,
                end=award.visit_end,
                issued_at=award.issued_at,
                page_url=credential_url(base_url, award.id),
                revoked=award.revoked_at is not None,
            )
        )
    return cards


@pages.get("/passport/exchange-visits/{award_id}.json")
def visit_download(request: Request, award_id: str, who: VisitorDep, session: SessionDep) -> Response:
    """The exchange-visit credential as signed (OB 3.0 JSON): only to the learner it was issued to."""
    learner = who.require_learner(request)
    found = [
        award
        for award in service.credentials_for(session, verified_emails(session, learner.id))
        if award.id == award_id
    ]
    if not found or found[0].document is None:
        raise NotFound(gettext("no exchange-visit credential %(id)r in your passport", id=award_id[:40]))
    return Response(
        found[0].document,
        media_type="application/vc+ld+json",
        headers={"Content-Disposition": 'attachment; filename="exchange-visit.json"'},
    )
