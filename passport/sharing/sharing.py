"""Share links: a chosen set of the learner's credentials, shown to whoever holds the link.

- **Chosen set.** Only credentials of the learner's own passport (issued to a verified address, or
  imported); asking for any other is "not found" and nothing is written. The public page shows those
  credentials and nothing else of the passport: never an email address.
- **Expiry.** Every link expires (default 30 days, at most a year) and can be revoked at any time; an
  expired or revoked link is 410 and says which, so a viewer can tell "this link expired" from "this
  credential expired" (the latter is a credential's own verification report).
- **Secret.** 256 random bits in the URL (``/shared/{secret}``), stored only as its SHA-256 digest, so
  the link is shown once, when it is made. Pages carry ``Referrer-Policy: no-referrer``.
- **Views.** Each opening of the page counts one view (one atomic UPDATE, so concurrent views all count).
- **Live status.** Each credential is verified when the page is shown, through the verification service
  (the same report as ``POST /credentials/verify``). A credential that has left the passport since (its
  address was removed) is no longer shown.
- **Who shares, and whose credentials.** The page names the person sharing by the name they chose to show
  with this link (``shared_by``; never an address, and not a confirmed identity), and says for each
  credential whether it was issued to them (`passport.holder_binding`: to one of their verified
  addresses), to someone else, or to a recipient that cannot be confirmed. Each issuer is named by
  `network.naming` (the registry, the provider table, or "not confirmed").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.i18n import N_, format_date, gettext
from core.problems import Gone, NotFound, ValidationFailed
from issuers.reports import statistics
from network.naming import IssuerName
from passport import credentials
from passport.accounts.security import digest, new_secret
from passport.credentials import PassportItem
from passport.holder_binding import Recipient
from passport.models import Learner, ShareLink, ShareLinkItem
from passport.verifying import LiveChecker, LiveStatus, authentic, live_status
from vc.report import VerificationReport

DEFAULT_DAYS = 30
MAX_DAYS = 365
MAX_ITEMS = 64  # vc.presentation.MAX_CREDENTIALS: every shared credential is verified on each view
MAX_NAME = 100


class ShareLinkNotFound(NotFound):
    slug, title = "share-link-not-found", N_("There is no such share link")


class ShareLinkExpired(Gone):
    slug, title = "share-link-expired", N_("This share link has expired")


class ShareLinkRevoked(Gone):
    slug, title = "share-link-revoked", N_("This share link has been withdrawn")


@dataclass(frozen=True)
class SharedCredential:
    item: PassportItem
    report: VerificationReport
    status: LiveStatus
    issuer: IssuerName
    recipient: Recipient

    def to_json(self) -> dict[str, Any]:
        """One credential of the page's JSON form (`passport.api_models.SharedCredentialOut`)."""
        return {
            "achievement_name": self.item.credential.achievement_name,
            "source": self.item.source,
            "issuer": self.issuer.to_json(),
            "recipient": self.recipient.value,
            "status": self.status.value,
            "report": self.report.to_json(),
        }


#: Why a name cannot be shown with a link: the field error (English, like pydantic's) and the words shown.
NAME_PROBLEMS = {
    "enter the name to show with the link": N_("Enter your name as the link should show it."),
    f"at most {MAX_NAME} characters": N_("Your name can be at most %(num)d characters long."),
    "only printable characters": N_("Your name can contain only letters, numbers, spaces and punctuation."),
}


def shown_name(value: str) -> str:
    """The name a learner shows with a link: 1 to 100 characters of text, spaces collapsed."""
    name = " ".join(value.split())
    if not name:
        raise ValueError("enter the name to show with the link")
    if len(name) > MAX_NAME:
        raise ValueError(f"at most {MAX_NAME} characters")
    if any(not char.isprintable() for char in name):
        raise ValueError("only printable characters")
    return name


def share_url(base_url: str, secret: str) -> str:
    return f"{base_url}/shared/{secret}"


def state(share: ShareLink, now: datetime) -> str:
    if share.revoked_at is not None:
        return "revoked"
    return "expired" if share.expires_at <= now else "active"


def create_share(
    session: Session,
    learner: Learner,
    credential_ids: list[str],
    label: str | None,
    expires_in_days: int,
    now: datetime,
    shared_by: str,
) -> tuple[ShareLink, str]:
    """A new link over ``credential_ids`` (all of them this learner's) and its secret, shown once;
    ``shared_by`` is the name shown with it."""
    if not credential_ids:
        raise ValidationFailed(
            gettext("Choose at least one credential."), [{"loc": ["credential_ids"], "msg": "empty"}]
        )
    if len(set(credential_ids)) != len(credential_ids):
        raise ValidationFailed(
            gettext("A credential is listed twice."), [{"loc": ["credential_ids"], "msg": "duplicate ids"}]
        )
    if len(credential_ids) > MAX_ITEMS:
        raise ValidationFailed(
            gettext("Share at most %(num)d credentials in one link.", num=MAX_ITEMS),
            [{"loc": ["credential_ids"], "msg": "too many"}],
        )
    if not 1 <= expires_in_days <= MAX_DAYS:
        raise ValidationFailed(
            gettext("A link lasts between 1 and %(num)d days.", num=MAX_DAYS),
            [{"loc": ["expires_in_days"], "msg": "range"}],
        )
    try:
        name = shown_name(shared_by)
    except ValueError as error:
        detail = gettext(NAME_PROBLEMS[str(error)], num=MAX_NAME)
        raise ValidationFailed(detail, [{"loc": ["shared_by"], "msg": str(error)}]) from None
    # Every id is checked before anything is written: someone else's credential is "not found".
    try:
        chosen = [credentials.item(session, learner, credential_id, now) for credential_id in credential_ids]
    except NotFound:
        raise NotFound(gettext("A chosen credential is not in your passport: nothing was shared.")) from None
    secret = new_secret()
    share = ShareLink(
        learner_id=learner.id,
        secret_sha256=digest(secret),
        label=(label or "").strip()[:200] or None,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days),
        view_count=0,
        shared_by=name,
    )
    session.add(share)
    session.flush()
    for position, entry in enumerate(chosen):
        session.add(
            ShareLinkItem(share_id=share.id, credential_id=entry.id, source=entry.source, position=position)
        )
        if entry.source == "issued":  # the provider's figures (counts only)
            statistics.record(session, entry.id, "shared", now)
    session.flush()
    return share, secret


def share_entries(
    session: Session, learner: Learner, share: ShareLink, now: datetime
) -> list[PassportItem | None]:
    """What a link shows, as the learner's passport sees it now (no verification, no view counted):
    one entry per chosen credential, None for one that has left the passport since."""
    entries: list[PassportItem | None] = []
    for chosen in share_items(session, [share.id])[share.id]:
        try:
            entries.append(credentials.item(session, learner, chosen.credential_id, now))
        except NotFound:
            entries.append(None)
    return entries


def renew_share(
    session: Session,
    learner: Learner,
    share_id: str,
    expires_in_days: int,
    now: datetime,
    shared_by: str,
    withdraw_old: bool = False,
) -> tuple[ShareLink, str]:
    """A new link (a new secret: the old one's was never stored) to the credentials of ``share_id``
    still in the passport, with its label, shown with ``shared_by``; the old link stays as it is unless
    ``withdraw_old``."""
    old = get_share(session, learner, share_id)
    ids = [entry.id for entry in share_entries(session, learner, old, now) if entry is not None]
    if not ids:
        raise ValidationFailed(
            gettext(
                "None of this link's credentials is in your passport any more: make a new share instead."
            ),
            [{"loc": ["credential_ids"], "msg": "empty"}],
        )
    share, secret = create_share(session, learner, ids, old.label, expires_in_days, now, shared_by)
    if withdraw_old and old.revoked_at is None:
        old.revoked_at = now
        session.flush()
    return share, secret


def list_shares(session: Session, learner: Learner) -> list[ShareLink]:
    return list(
        session.scalars(
            select(ShareLink)
            .where(ShareLink.learner_id == learner.id)
            .order_by(ShareLink.created_at.desc(), ShareLink.id)
        )
    )


def share_items(session: Session, share_ids: list[str]) -> dict[str, list[ShareLinkItem]]:
    """The chosen credentials of each link, in the order chosen (one query)."""
    found: dict[str, list[ShareLinkItem]] = {share_id: [] for share_id in share_ids}
    if share_ids:
        rows = session.scalars(
            select(ShareLinkItem)
            .where(ShareLinkItem.share_id.in_(share_ids))
            .order_by(ShareLinkItem.share_id, ShareLinkItem.position)
        )
        for row in rows:
            found[row.share_id].append(row)
    return found


def get_share(session: Session, learner: Learner, share_id: str) -> ShareLink:
    share = session.get(ShareLink, share_id)
    if share is None or share.learner_id != learner.id:
        raise NotFound(gettext("no share link %(id)r in your passport", id=share_id))
    return share


def revoke_share(session: Session, learner: Learner, share_id: str, now: datetime) -> ShareLink:
    """Withdraw a link now (revoking a revoked link changes nothing)."""
    share = get_share(session, learner, share_id)
    if share.revoked_at is None:
        share.revoked_at = now
        session.flush()
    return share


def find_share(session: Session, secret: str, now: datetime) -> ShareLink:
    """The link for ``secret`` if it can still be opened; otherwise 404, or 410 saying why."""
    share = session.scalars(select(ShareLink).where(ShareLink.secret_sha256 == digest(secret))).first()
    if share is None:
        raise ShareLinkNotFound(gettext("This share link does not exist. Check that it was copied in full."))
    if share.revoked_at is not None:
        raise ShareLinkRevoked(gettext("The person who shared this link has withdrawn it."))
    if share.expires_at <= now:
        raise ShareLinkExpired(
            gettext(
                "This share link expired on %(date)s. Ask the person who shared it for a new one. (The "
                "credentials themselves may well still be valid.)",
                date=format_date(share.expires_at),
            )
        )
    return share


def view_share(
    session: Session, checker: LiveChecker, secret: str, now: datetime
) -> tuple[ShareLink, list[SharedCredential]]:
    """Open the link: count the view, and verify each chosen credential still in the passport, now."""
    share = find_share(session, secret, now)
    session.execute(
        update(ShareLink)
        .where(ShareLink.id == share.id)
        .values(view_count=ShareLink.view_count + 1, last_viewed_at=now)
        .execution_options(synchronize_session=False)
    )
    learner = session.get(Learner, share.learner_id)
    assert learner is not None  # the link is deleted with its learner (ON DELETE CASCADE)
    shown: list[SharedCredential] = []
    for chosen in share_items(session, [share.id])[share.id]:
        try:
            entry = credentials.item(session, learner, chosen.credential_id, now)
        except NotFound:
            continue  # no longer in the passport (its address was removed, or it was deleted)
        report = checker.verify_credential(session, entry.credential.signed_document(), now)
        if entry.source == "issued":
            statistics.record(session, entry.id, "viewed", now)
        recipient = entry.recipient if authentic(report) else Recipient.UNKNOWN
        issuer = checker.issuer_of(session, report)
        shown.append(SharedCredential(entry, report, live_status(report), issuer, recipient))
    return share, shown
