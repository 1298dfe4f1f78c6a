"""Demo data of the pathways' owners: a regional partnership that owns the Net Zero pathway (and signs
its milestones), its staff, and a second learner who completed the pathway (so the partnership's console
lists a milestone issued; the demo learner is part way along)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.passwords import Passwords
from issuers import catalogue, issuing, service
from issuers.api_models import CredentialCreate, IssuerCreate
from issuers.staff import accounts as staff_accounts
from issuers.staff.accounts import StaffConfig
from passport.accounts import accounts
from passport.accounts.security import new_secret

PARTNERSHIP = {
    "name": "Midlands Net Zero Skills Partnership",
    "url": "https://netzero-partnership.example.org.uk",
    "contact_email": "pathways@netzero-partnership.example.org.uk",
    "description": "The region's colleges, Institute of Technology and university, with employers, "
    "planning Net Zero routes across providers.",
    "kind": "partnership",
}
#: Completed the Net Zero pathway: a passport (sign in through "Forgot your password?" and the outbox).
COMPLETER = ("jo.completer@example.com", "Jo Completer")
PARTNERSHIP_STAFF = ("priya.pathways@netzero-partnership.example.org.uk", "Priya Pathways", "issuer")


def seed_partnership(session: Session, config: service.IssuerConfig, now: datetime) -> str:
    """The demo partnership (an `issuers` row of kind partnership, keys like a provider's); its id."""
    partnership, _ = service.create_issuer(session, config, IssuerCreate.model_validate(PARTNERSHIP), now)
    return partnership.id


def seed_completer(
    session: Session, config: service.IssuerConfig, achievements: list[str], now: datetime
) -> None:
    """A learner with a passport given each achievement in turn, a day apart, ending now: the last one
    completes the pathway, and its milestone is issued as it arrives (the passport's notifier)."""
    email, name = COMPLETER
    accounts.create_learner(session, Passwords().hash(new_secret()), email, now)
    providers = {o.achievement_id: o.provider_id for o in catalogue.offered(session, config.base_url)}
    for days, achievement_id in zip(range(len(achievements) - 1, -1, -1), achievements, strict=True):
        issuer = service.get_issuer(session, providers[achievement_id])
        request = CredentialCreate(
            achievement_id=achievement_id,
            recipient={"email": email, "name": name},  # type: ignore[arg-type]
        )
        issuing.issue(session, config, issuer, request, now - timedelta(days=days))


def seed_partnership_staff(
    session: Session, config: StaffConfig, now: datetime
) -> list[tuple[str, str, str, str]]:
    """The partnership's pathways officer, to sign in to /console/pathways: (realm, role, email,
    password), to print once; none without the demo partnership."""
    partnership = next((i for i in service.list_issuers(session) if i.kind == "partnership"), None)
    if partnership is None:
        return []
    email, name, role = PARTNERSHIP_STAFF
    password = new_secret()[:16]
    staff_accounts.enrol(session, config, partnership.id, email, name, role, password, now)
    return [("console", role, email, password)]
