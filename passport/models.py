"""Tables of the learner passport. Other domains use `passport` services, never these tables.

Every row about a learner either references ``learner.id`` with ``ON DELETE CASCADE`` or is found by
one of the learner's addresses, so deleting an account removes all of it (``passport.accounts.accounts``).
Secrets (session cookies, API tokens, emailed links) are stored only as SHA-256 digests: each is 256
random bits, so a fast hash is enough. Passwords are stored only as argon2id hashes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, new_id


class Learner(Base):
    """A person's passport account. Its credentials are not stored here: they are whatever the issuers
    issued to one of its verified addresses (``issuers.recipients``)."""

    __tablename__ = "learner"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, PHC string format
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The language the learner chose (``cy``, ``en``: `core.i18n.LOCALES`), for their email and pages;
    #: None until they choose, and then email goes out in the language of the request that sends it.
    language: Mapped[str | None] = mapped_column(String(8))
    #: Email a reminder before a credential expires (`passport.accounts.reminders`); the learner can turn
    #: it off on the account page. Revocation and suspension notices are always sent.
    expiry_reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    #: When the password last changed (reset or change); None since sign-up.
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LearnerEmail(Base):
    """An address of a learner. Verified addresses are unique across learners (one owner each); an
    unverified address may be pending on several accounts, so nobody can squat on someone else's."""

    __tablename__ = "learner_email"
    __table_args__ = (
        UniqueConstraint("learner_id", "email"),
        Index(
            "ix_learner_email_verified_email",
            "email",
            unique=True,
            sqlite_where=text("verified_at IS NOT NULL"),
            postgresql_where=text("verified_at IS NOT NULL"),
        ),
        Index(
            "ix_learner_email_primary_learner_id",
            "learner_id",
            unique=True,
            sqlite_where=text("is_primary"),
            postgresql_where=text("is_primary"),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    #: Lower-cased: addresses compare case-insensitively everywhere in the passport.
    email: Mapped[str] = mapped_column(String(320))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LearnerSession(Base):
    """A signed-in browser: the cookie holds the secret, this row its digest and the CSRF token."""

    __tablename__ = "learner_session"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: Synchroniser token: every state-changing form of this session must carry it.
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class LearnerToken(Base):
    """A bearer token for the passport API (``lt_...``); shown once, stored as a digest."""

    __tablename__ = "learner_token"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    label: Mapped[str | None] = mapped_column(String(200))
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EmailLink(Base):
    """A single-use, expiring link sent to one address; it acts on that address only.

    ``sign_up``: creates the account (holds the chosen password's hash until then);
    ``verify``: confirms an address a signed-in learner added (``learner_id``);
    ``claim``: sent when a credential is issued to an address no passport has verified yet
    (``credential_id`` says which; no foreign key: that table belongs to the issuers);
    ``reset``: sets a new password for ``learner_id`` (`passport.accounts.passwords`).
    """

    __tablename__ = "email_link"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    purpose: Mapped[str] = mapped_column(String(16))  # sign_up | verify | claim | reset
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    learner_id: Mapped[str | None] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    credential_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """An email, recorded in the request's transaction (so mail goes out only for committed work).

    ``kept``: the outbox is the sender (development, tests): the message stays here to be read.
    ``pending`` -> ``sent`` | ``failed``: SMTP delivery after commit; a sent message keeps no body, since
    its links are secrets.
    """

    __tablename__ = "outbox_message"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    to_email: Mapped[str] = mapped_column(String(320), index=True)
    learner_id: Mapped[str | None] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True)  # kept | pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The language the message is written in (its Content-Language header).
    language: Mapped[str | None] = mapped_column(String(8))


class ImportedCredential(Base):
    """A credential issued elsewhere that the learner added to their passport (``passport.imports``).

    Stored exactly as imported (JSON text or the compact VC-JWT) once its proof verified; what is shown
    about it is re-checked by the verifier each time. ``digest`` is the SHA-256 of the stored document,
    so importing the same credential twice keeps one row.
    """

    __tablename__ = "imported_credential"
    __table_args__ = (UniqueConstraint("learner_id", "digest"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(8))  # ldp | jwt
    document: Mapped[str] = mapped_column(Text)
    issuer_id: Mapped[str] = mapped_column(String(2000))
    #: The issuer's name as `network.naming` gave it on import ("" for none), and where it came from:
    #: registry | provider | self_asserted (the credential's own claim, never shown as confirmed).
    issuer_name: Mapped[str] = mapped_column(String(500))
    issuer_name_source: Mapped[str] = mapped_column(String(16), server_default="self_asserted")
    achievement_name: Mapped[str] = mapped_column(String(500))
    achievement_type: Mapped[str | None] = mapped_column(String(200))
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ShareLink(Base):
    """A link that shows a chosen set of the learner's credentials to whoever holds it, until it expires
    or is revoked. The link's secret is stored only as its digest."""

    __tablename__ = "share_link"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    last_viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The name the learner chose to show with this link (None on links made before it was asked for).
    shared_by: Mapped[str | None] = mapped_column(String(100))


class ShareLinkItem(Base):
    """One credential of a share link: an issued credential's id (``source`` "issued") or an imported
    one's (``source`` "imported"). No foreign key to issued credentials: that table is the issuers'."""

    __tablename__ = "share_link_item"

    share_id: Mapped[str] = mapped_column(ForeignKey("share_link.id", ondelete="CASCADE"), primary_key=True)
    credential_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)


class HolderKey(Base):
    """The learner's holder key (Ed25519, ``did:key``) that signs their Verifiable Presentations; the
    private key is encrypted at rest under the master key like the providers' (``core.keystore``)."""

    __tablename__ = "holder_key"

    learner_id: Mapped[str] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"), primary_key=True)
    did: Mapped[str] = mapped_column(String(200))
    encrypted_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExpiryReminder(Base):
    """A reminder sent before a credential expires: one per learner, credential and expiry date, so the
    reminder job can run as often as it likes (and a credential re-dated by its issuer is reminded again)."""

    __tablename__ = "expiry_reminder"

    learner_id: Mapped[str] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"), primary_key=True)
    credential_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SignInFailure(Base):
    """One failed password check, for `passport.ratelimit` (shared by every worker process). ``key`` is a
    SHA-256 of what was throttled (an account's address, a client address, a link), so no address is
    stored; rows older than the window are deleted as new ones come."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (Index("ix_sign_in_failure_key_failed_at", "key", "failed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
