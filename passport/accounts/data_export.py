"""Personal-data export: every stored item about a learner, as JSON (UK GDPR Art. 15 and 20 requests).

Secrets are not exported because they are not stored: the password only as a one-way argon2 hash,
session cookies, API tokens and emailed links only as digests.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.i18n import N_, gettext
from passport import credentials, imports
from passport.accounts import addresses
from passport.models import EmailLink, ExpiryReminder, Learner, LearnerSession, LearnerToken, OutboxMessage
from passport.sharing import sharing

ABOUT = N_(
    "Everything the Skills Passport stores about you. Your password is kept only as a one-way hash, and "
    "the secrets of your sessions, API tokens and emailed links only as digests, so none of them is "
    "here. Your credentials are kept by the providers that issued them; they are listed with their "
    "signed documents. Credentials you imported, and your share links (without their secrets), are here too."
)


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def personal_data(session: Session, learner: Learner, now: datetime) -> dict[str, Any]:
    owned = addresses.verified_emails(session, learner.id)
    sessions = session.scalars(
        select(LearnerSession)
        .where(LearnerSession.learner_id == learner.id)
        .order_by(LearnerSession.created_at)
    )
    tokens = session.scalars(
        select(LearnerToken).where(LearnerToken.learner_id == learner.id).order_by(LearnerToken.created_at)
    )
    links = session.scalars(
        select(EmailLink)
        .where(or_(EmailLink.learner_id == learner.id, EmailLink.email.in_(owned)))
        .order_by(EmailLink.created_at, EmailLink.id)
    )
    messages = session.scalars(
        select(OutboxMessage)
        .where(or_(OutboxMessage.learner_id == learner.id, OutboxMessage.to_email.in_(owned)))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    shares = sharing.list_shares(session, learner)
    chosen = sharing.share_items(session, [share.id for share in shares])
    return {
        "exported_at": now.isoformat(),
        "about": gettext(ABOUT),
        "account": {
            "id": learner.id,
            "created_at": _when(learner.created_at),
            "language": learner.language,
            "expiry_reminders": learner.expiry_reminders,
            "password_changed_at": _when(learner.password_changed_at),
        },
        "expiry_reminders_sent": [
            {
                "credential_id": row.credential_id,
                "valid_until": _when(row.valid_until),
                "sent_at": _when(row.sent_at),
            }
            for row in session.scalars(
                select(ExpiryReminder)
                .where(ExpiryReminder.learner_id == learner.id)
                .order_by(ExpiryReminder.sent_at, ExpiryReminder.credential_id)
            )
        ],
        "email_addresses": [
            {
                "email": row.email,
                "verified_at": _when(row.verified_at),
                "primary": row.is_primary,
                "added_at": _when(row.created_at),
            }
            for row in addresses.list_addresses(session, learner)
        ],
        "sessions": [
            {"id": row.id, "created_at": _when(row.created_at), "expires_at": _when(row.expires_at)}
            for row in sessions
        ],
        "api_tokens": [
            {
                "id": row.id,
                "label": row.label,
                "created_at": _when(row.created_at),
                "expires_at": _when(row.expires_at),
                "last_used_at": _when(row.last_used_at),
            }
            for row in tokens
        ],
        "emailed_links": [
            {
                "purpose": row.purpose,
                "email": row.email,
                "credential_id": row.credential_id,
                "created_at": _when(row.created_at),
                "expires_at": _when(row.expires_at),
                "used_at": _when(row.used_at),
            }
            for row in links
        ],
        "emails": [
            {
                "to": row.to_email,
                "subject": row.subject,
                "body": row.body,
                "state": row.state,
                "created_at": _when(row.created_at),
                "sent_at": _when(row.sent_at),
            }
            for row in messages
        ],
        "credentials": [
            {
                "id": entry.id,
                "recipient_email": entry.credential.recipient_email,
                "issuer": entry.issuer.to_json(),
                "recipient": entry.recipient.value,
                "achievement_name": entry.credential.achievement_name,
                "issued_at": _when(entry.credential.issued_at),
                "format": entry.credential.format,
                "status": entry.status.value,
                "credential": entry.credential.signed_document(),
            }
            for entry in credentials.items(session, learner, now)
            if entry.source == "issued"
        ],
        "imported_credentials": [
            {
                "id": row.id,
                "issuer_id": row.issuer_id,
                "issuer_name": row.issuer_name or None,
                "issuer_name_source": row.issuer_name_source,
                "achievement_name": row.achievement_name,
                "imported_at": _when(row.imported_at),
                "format": row.format,
                "credential": imports.signed_document(row),
            }
            for row in imports.imported(session, learner)
        ],
        "share_links": [
            {
                "id": share.id,
                "label": share.label,
                "shared_by": share.shared_by,
                "credential_ids": [row.credential_id for row in chosen[share.id]],
                "created_at": _when(share.created_at),
                "expires_at": _when(share.expires_at),
                "revoked_at": _when(share.revoked_at),
                "view_count": share.view_count,
                "last_viewed_at": _when(share.last_viewed_at),
            }
            for share in shares
        ],
    }
