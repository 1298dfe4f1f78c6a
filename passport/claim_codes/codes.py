"""Claim codes: open, list, close (the provider's side), and claim (anyone's, or a signed-in learner's).

A claim goes: ask with an address (`request_claim`: throttled per client and per code; a pending row and
an emailed one-time link, at most `ClaimConfig.emails_per_address` per code and address) -> open the
link (`confirm`: the claim is recorded, and takes a place) -> the claim worker issues the credential to
that address by the issuers' own issuing service, within seconds (`passport.claim_codes.issuing`). A
learner signed in to their passport skips the email: their primary address is already confirmed
(`claim_as_learner`). Recording a claim is a few small writes, so a code takes thousands a minute; the
signing happens in batches, outside the attendee's request.

Under concurrent claims, two things hold on SQLite and PostgreSQL alike:

- **one per person**: the unique constraint on (code, person) decides between concurrent requests, and a
  pending claim becomes ``claimed`` only by a compare-and-set (``WHERE state = 'pending'``), so one
  emailed link claims at most once (and the worker issues each claim once: `issuing`);
- **capacity**: ``claimed`` rises only by ``UPDATE ... SET claimed = claimed + 1 WHERE claimed <
  capacity AND <open>`` (the row's lock on PostgreSQL, the database's write lock on SQLite, and the
  condition evaluated again after waiting), as the last write before commit, so the lock is held for
  milliseconds. Refused, the request raises and the claim rolls back with it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import new_id
from core.i18n import N_, gettext
from core.problems import Conflict, Gone, NotFound, TooManyRequests, ValidationFailed
from core.throttle import Refusal, RequestLimiter
from issuers import achievements, service
from issuers.staff import audit
from passport.accounts import mail
from passport.accounts.security import digest, new_secret
from passport.config import PassportConfig

from .models import ClaimCode, CodeClaim

if TYPE_CHECKING:
    from issuers.models import Issuer

#: No 0/O, 1/I/L, nor U (read aloud as "you"): 30 letters and digits, unambiguous on a slide or a poster.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 30^10 ~ 2^49: far beyond guessing at the per-client throttle
MAX_CAPACITY = 100_000
MAX_WINDOW = timedelta(days=366)


@dataclass
class ClaimConfig:
    """The abuse limits, in sliding windows, counted per process (`core.throttle.RequestLimiter`):

    - ``per_client``: claims asked for from one client address (a venue's Wi-Fi is one address for
      everyone at the event, hence generous);
    - ``misses``: unknown codes looked up from one client address (guessing codes; strict);
    - ``per_code``: claims asked for and confirmed through one code;
    - ``emails_per_address``: confirmation emails per code and address (in the database, so exact)."""

    per_client: RequestLimiter = field(default_factory=lambda: RequestLimiter(300, timedelta(minutes=10)))
    misses: RequestLimiter = field(default_factory=lambda: RequestLimiter(20, timedelta(minutes=10)))
    per_code: RequestLimiter = field(default_factory=lambda: RequestLimiter(2000, timedelta(minutes=1)))
    emails_per_address: int = 3
    link_ttl: timedelta = timedelta(hours=24)


class ClaimCodeNotFound(NotFound):
    slug, title = "claim-code-not-found", N_("There is no such claim code")


class ClaimCodeNotOpen(Conflict):
    slug, title = "claim-code-not-open", N_("This claim code is not open yet")


class ClaimCodeExpired(Gone):
    slug, title = "claim-code-expired", N_("This claim code has expired")


class ClaimCodeClosed(Gone):
    slug, title = "claim-code-closed", N_("This claim code has been closed")


class ClaimCodeFull(Conflict):
    slug, title = "claim-code-full", N_("Every place has been claimed")


class AlreadyClaimed(Conflict):
    slug, title = "already-claimed", N_("You have already claimed this credential")


class ClaimLinkNotFound(NotFound):
    slug, title = "claim-link-not-found", N_("This link is not valid")


class ClaimLinkExpired(Gone):
    slug, title = "claim-link-expired", N_("This link has expired")


class TooManyClaims(TooManyRequests):
    slug, title = "too-many-claims", N_("Too many claims")


@dataclass(frozen=True)
class Event:
    """What a person sees about a code: the event, the achievement and who issues it."""

    code: ClaimCode
    issuer_name: str
    achievement_name: str


def normalise_code(value: str) -> str:
    """What a person typed or scanned, as stored: upper case, without spaces or dashes."""
    return value.strip().upper().replace("-", "").replace(" ", "")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def short_url(base_url: str, code: str) -> str:
    return f"{base_url}/c/{code}"


def confirmation_path(code: str, secret: str) -> str:
    """The emailed one-time link's path: it confirms the claim, then shows how it is going."""
    return f"/c/{code}/confirm/{secret}"


def state_of(code: ClaimCode, now: datetime) -> str:
    """``closed``, ``not_open``, ``expired``, ``full`` or ``open``, in that order of precedence."""
    if code.closed_at is not None:
        return "closed"
    if now < code.opens_at:
        return "not_open"
    if now >= code.closes_at:
        return "expired"
    if code.capacity is not None and code.claimed >= code.capacity:
        return "full"
    return "open"


def raise_unless_open(code: ClaimCode, now: datetime) -> None:
    """The clear answer for a code that cannot be claimed now."""
    state = state_of(code, now)
    if state == "closed":
        raise ClaimCodeClosed(gettext("The provider has closed this claim code."))
    if state == "not_open":
        raise ClaimCodeNotOpen(
            gettext("Claims open at %(time)s (UTC).", time=code.opens_at.strftime("%d %B %Y %H:%M"))
        )
    if state == "expired":
        raise ClaimCodeExpired(
            gettext("Claims closed at %(time)s (UTC).", time=code.closes_at.strftime("%d %B %Y %H:%M"))
        )
    if state == "full":
        raise ClaimCodeFull(
            gettext("Every one of the %(count)d places has been claimed.", count=code.capacity)
        )


# --- the provider's side ---------------------------------------------------------------------------------


def open_code(
    session: Session,
    issuer: Issuer,
    achievement_id: str,
    event_name: str,
    opens_at: datetime,
    closes_at: datetime,
    capacity: int | None,
    now: datetime,
    *,
    one_per_person: bool = True,
) -> ClaimCode:
    """A new code for one of the provider's own achievements (another's is a 404)."""
    achievements.issuable(session, issuer.id, achievement_id)
    errors = []
    if opens_at.tzinfo is None or closes_at.tzinfo is None:
        errors.append({"loc": ["opens_at"], "msg": gettext("Times need a time zone.")})
    elif closes_at <= opens_at:
        errors.append({"loc": ["closes_at"], "msg": gettext("The window must close after it opens.")})
    elif closes_at - opens_at > MAX_WINDOW:
        errors.append({"loc": ["closes_at"], "msg": gettext("The window can be at most a year long.")})
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        errors.append(
            {"loc": ["capacity"], "msg": gettext("Capacity is from 1 to %(max)d.", max=MAX_CAPACITY)}
        )
    if not event_name.strip():
        errors.append({"loc": ["event_name"], "msg": gettext("Name the event.")})
    if errors:
        raise ValidationFailed(gettext("The claim code could not be opened."), errors)
    code = ClaimCode(
        id=new_id(),
        code=new_code(),
        provider_id=issuer.id,
        achievement_id=achievement_id,
        event_name=event_name.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        capacity=capacity,
        one_per_person=one_per_person,
        claimed=0,
        created_at=now,
    )
    session.add(code)
    session.flush()
    after: dict[str, object] = {"code": code.code, "achievement_id": achievement_id, "capacity": capacity}
    after |= {
        "event_name": code.event_name,
        "opens_at": opens_at.isoformat(),
        "closes_at": closes_at.isoformat(),
    }
    audit.record(session, "claim_code.open", "claim_code", code.id, now, provider_id=issuer.id, after=after)
    return code


def list_codes(session: Session, issuer: Issuer) -> list[ClaimCode]:
    return list(
        session.scalars(
            select(ClaimCode)
            .where(ClaimCode.provider_id == issuer.id)
            .order_by(ClaimCode.created_at.desc(), ClaimCode.id)
        )
    )


def get_code(session: Session, issuer: Issuer, code_id: str) -> ClaimCode:
    """The provider's own code; another provider's is not found."""
    code = session.get(ClaimCode, code_id)
    if code is None or code.provider_id != issuer.id:
        raise ClaimCodeNotFound(gettext("There is no claim code with this id."))
    return code


def close_code(session: Session, issuer: Issuer, code_id: str, now: datetime) -> ClaimCode:
    """Stop claims now (a claim confirming at this moment either committed first or is refused)."""
    code = get_code(session, issuer, code_id)
    if code.closed_at is not None:
        raise Conflict(gettext("This claim code is already closed."))
    session.execute(
        update(ClaimCode)
        .where(ClaimCode.id == code.id, ClaimCode.closed_at.is_(None))
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(code)
    audit.record(
        session,
        "claim_code.close",
        "claim_code",
        code.id,
        now,
        provider_id=issuer.id,
        after={"claimed": code.claimed},
    )
    return code


def claims_of(session: Session, code: ClaimCode, limit: int = 200) -> list[CodeClaim]:
    """The confirmed claims, newest first."""
    return list(
        session.scalars(
            select(CodeClaim)
            .where(CodeClaim.claim_code_id == code.id, CodeClaim.state == "claimed")
            .order_by(CodeClaim.claimed_at.desc(), CodeClaim.id)
            .limit(limit)
        )
    )


def pending_count(session: Session, code: ClaimCode, now: datetime) -> int:
    found = session.scalar(
        select(func.count())
        .select_from(CodeClaim)
        .where(CodeClaim.claim_code_id == code.id, CodeClaim.state == "pending", CodeClaim.expires_at > now)
    )
    return int(found or 0)


# --- claiming --------------------------------------------------------------------------------------------


def find_event(session: Session, code_text: str) -> Event:
    code = session.scalar(select(ClaimCode).where(ClaimCode.code == normalise_code(code_text)))
    if code is None:
        raise ClaimCodeNotFound(gettext("Check the code: it is ten letters and digits."))
    issuer = service.get_issuer(session, code.provider_id)
    achievement = service.get_achievement(session, issuer, code.achievement_id)
    return Event(code, issuer.name, str(achievement.definition["name"]))


def lookup(
    session: Session,
    config: ClaimConfig,
    code_text: str,
    client: str,
    now: datetime,
    *,
    asking: bool = False,
    confirming: bool = False,
) -> Event:
    """The event of a code, within the limits: asking for a claim counts against the client address and
    the code, confirming against the code, and an unknown code against the client address's misses."""
    keys = []
    if asking:
        keys.append((config.per_client, f"claim-client:{client}"))
    if asking or confirming:
        keys.append((config.per_code, f"claim-code:{normalise_code(code_text)}"))
    for limiter, key in keys:
        _refuse(limiter.hit(key, now))
    try:
        return find_event(session, code_text)
    except ClaimCodeNotFound:
        _refuse(config.misses.hit(f"claim-miss:{client}", now))
        raise


def _refuse(refusal: Refusal | None) -> None:
    if refusal is not None:
        raise TooManyClaims(
            gettext(
                "Too many claims at once. Try again in %(seconds)d seconds.", seconds=refusal.retry_after
            ),
            retry_after=refusal.retry_after,
        )


def request_claim(
    session: Session,
    config: ClaimConfig,
    passport: PassportConfig,
    event: Event,
    email: str,
    now: datetime,
) -> CodeClaim:
    """Email a one-time confirmation link for a claim by this address (the address is normalised)."""
    code = event.code
    raise_unless_open(code, now)
    claim = _existing(session, code, email) if code.one_per_person else None
    if claim is not None and claim.state == "claimed":
        raise AlreadyClaimed(gettext("This address has already claimed this credential."))
    if claim is None:
        claim = _insert(session, code, email, "pending", now)
    secret = new_secret()
    sent = session.execute(  # compare-and-set: concurrent requests for one address cannot pass the limit
        update(CodeClaim)
        .where(
            CodeClaim.id == claim.id,
            CodeClaim.state == "pending",
            CodeClaim.emails_sent < config.emails_per_address,
        )
        .values(
            secret_sha256=digest(secret),
            emails_sent=CodeClaim.emails_sent + 1,
            expires_at=now + config.link_ttl,
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(claim)
    if sent.rowcount != 1:  # type: ignore[attr-defined]
        if claim.state == "claimed":
            raise AlreadyClaimed(gettext("This address has already claimed this credential."))
        raise TooManyClaims(
            gettext(
                "We have already emailed this address several links. Open the newest one: it replaces"
                " the others."
            ),
            retry_after=max(1, int((claim.expires_at - now).total_seconds())),
        )
    session.flush()
    url = passport.base_url + confirmation_path(code.code, secret)
    subject = gettext("Confirm your claim: %(achievement)s", achievement=event.achievement_name)
    body = gettext(
        "You asked to claim a credential from %(issuer)s for %(event)s: %(achievement)s.\n\n"
        "Open this link to confirm your address and receive it:\n%(url)s\n\n"
        "The link works once, for 24 hours. If you did not ask for this, ignore this email.",
        issuer=event.issuer_name,
        event=code.event_name,
        achievement=event.achievement_name,
        url=url,
    )
    mail.queue(session, passport, claim.email, subject, body, now)
    return claim


def find_claim(session: Session, code: ClaimCode, secret: str, now: datetime) -> CodeClaim:
    """The claim of an emailed link: pending (while the link is valid) or already claimed (the link then
    shows how the claim is going)."""
    claim = session.scalar(
        select(CodeClaim).where(CodeClaim.claim_code_id == code.id, CodeClaim.secret_sha256 == digest(secret))
    )
    if claim is None:
        raise ClaimLinkNotFound(
            gettext("This link is not valid. Check that you opened the whole link from the email.")
        )
    if claim.state == "pending" and claim.expires_at <= now:
        raise ClaimLinkExpired(gettext("This link has expired. Ask for a new one on the claim page."))
    return claim


def confirm(session: Session, event: Event, secret: str, now: datetime) -> tuple[CodeClaim, bool]:
    """Confirm an emailed claim: it takes a place, and the claim worker issues its credential. Returns the
    claim and whether this call confirmed it (False: it had been confirmed before, by this link)."""
    claim = find_claim(session, event.code, secret, now)
    if claim.state == "claimed":
        return claim, False
    _raise_unless_claimable(session, event, now)
    if not _take(session, claim, now):  # the same link, opened twice at once: the other one confirmed it
        session.refresh(claim)
        return claim, False
    _count(session, event.code, now)
    return claim, True


def claim_as_learner(session: Session, event: Event, email: str, now: datetime) -> tuple[CodeClaim, str]:
    """A signed-in learner claims with their (confirmed) primary address: no email needed. Returns the
    claim and the secret of its link, which shows how the claim is going (as an emailed link does)."""
    _raise_unless_claimable(session, event, now)
    secret = new_secret()
    claim = _existing(session, event.code, email) if event.code.one_per_person else None
    if claim is None:
        claim = _insert(session, event.code, email, "claimed", now, digest(secret))
    elif not _take(session, claim, now, digest(secret)):  # a pending claim by email becomes this one
        raise AlreadyClaimed(gettext("You have already claimed this credential."))
    _count(session, event.code, now)
    return claim, secret


def may_keep(config: ClaimConfig, claim: CodeClaim, now: datetime) -> bool:
    """Whether the confirmation link may still take the issued credential on to a passport: once, and
    within `ClaimConfig.link_ttl` of the confirmation (the link proved the address then, not for ever:
    after that its holder sees how the claim went, and the emailed claim link is the way in)."""
    return (
        claim.credential_id is not None
        and claim.kept_at is None
        and claim.claimed_at is not None
        and now < claim.claimed_at + config.link_ttl
    )


def keep(session: Session, config: ClaimConfig, claim: CodeClaim, now: datetime) -> bool:
    """Use the link's one "keep it" (compare-and-set: of two at once, one); False when it may not."""
    if not may_keep(config, claim, now):
        return False
    kept = session.execute(
        update(CodeClaim)
        .where(CodeClaim.id == claim.id, CodeClaim.kept_at.is_(None))
        .values(kept_at=now)
        .execution_options(synchronize_session=False)
    )
    return kept.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def _raise_unless_claimable(session: Session, event: Event, now: datetime) -> None:
    raise_unless_open(event.code, now)
    # Archived since the code opened: refused now, rather than a claim the worker could not honour.
    achievements.issuable(session, event.code.provider_id, event.code.achievement_id)


def _count(session: Session, code: ClaimCode, now: datetime) -> None:
    """Take a place: only if one is left, in the window, and the code is not closed."""
    seat = session.execute(
        update(ClaimCode)
        .where(
            ClaimCode.id == code.id,
            ClaimCode.closed_at.is_(None),
            ClaimCode.opens_at <= now,
            ClaimCode.closes_at > now,
            or_(ClaimCode.capacity.is_(None), ClaimCode.claimed < ClaimCode.capacity),
        )
        .values(claimed=ClaimCode.claimed + 1)
        .execution_options(synchronize_session=False)
    )
    if seat.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(code)
        raise_unless_open(code, now)
        raise ClaimCodeFull(gettext("Every place has been claimed."))  # pragma: no cover - said above
    session.refresh(code)


def _take(session: Session, claim: CodeClaim, now: datetime, secret_sha256: str | None = None) -> bool:
    """Pending -> claimed, by compare-and-set: of two concurrent confirmations, one. A learner's claim
    gets its own link's secret (`claim_as_learner`)."""
    values: dict[str, object] = {"state": "claimed", "claimed_at": now}
    if secret_sha256 is not None:
        values["secret_sha256"] = secret_sha256
    taken = session.execute(
        update(CodeClaim)
        .where(CodeClaim.id == claim.id, CodeClaim.state == "pending")
        .values(values)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(claim)
    return True


def _existing(session: Session, code: ClaimCode, email: str) -> CodeClaim | None:
    return session.scalar(
        select(CodeClaim).where(CodeClaim.claim_code_id == code.id, CodeClaim.person == email)
    )


def _insert(
    session: Session, code: ClaimCode, email: str, state: str, now: datetime, secret_sha256: str | None = None
) -> CodeClaim:
    """A new claim row; when another request for the same person wins the race, theirs."""
    row_id = new_id()
    claim = CodeClaim(
        id=row_id,
        claim_code_id=code.id,
        email=email,
        person=email if code.one_per_person else row_id,
        state=state,
        secret_sha256=secret_sha256,
        emails_sent=0,
        requested_at=now,
        expires_at=now,
        claimed_at=now if state == "claimed" else None,
    )
    try:
        with session.begin_nested():  # the unique constraint is the last word on concurrent claims
            session.add(claim)
            session.flush()
    except IntegrityError:
        theirs = _existing(session, code, email)
        if theirs is None:
            raise
        if theirs.state == "claimed" or state == "claimed":
            raise AlreadyClaimed(gettext("This address has already claimed this credential.")) from None
        return theirs
    return claim
