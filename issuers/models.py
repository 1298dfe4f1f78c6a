"""Tables of the issuer domain. Other domains use `issuers.service`, never these tables directly."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, new_id


class Issuer(Base):
    """A provider accredited... or not: the trust registry decides that, not this row."""

    __tablename__ = "issuer"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    ukprn: Mapped[str | None] = mapped_column(String(8))
    logo_url: Mapped[str | None] = mapped_column(String(500))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    description: Mapped[str | None] = mapped_column(Text)
    #: Credentials issued while set carry one 2-bit ``message`` status entry (valid / suspended / revoked);
    #: otherwise one plain ``revocation`` entry. Changing it affects only credentials issued afterwards.
    suspension_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: ``provider`` (issues credentials) or ``partnership`` (a regional education partnership or a sector
    #: network: owns pathways and signs their milestones with its own keys; `network.pathways`).
    kind: Mapped[str] = mapped_column(String(16), default="provider", server_default="provider")

    api_keys: Mapped[list[ApiKey]] = relationship(back_populates="issuer", lazy="raise")
    signing_keys: Mapped[list[IssuerKey]] = relationship(back_populates="issuer", lazy="raise")


class ApiKey(Base):
    """A provider's API key: the secret is shown once; only its SHA-256 is kept (it is 256 random bits)."""

    __tablename__ = "api_key"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"), index=True)
    label: Mapped[str | None] = mapped_column(String(200))
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    issuer: Mapped[Issuer] = relationship(back_populates="api_keys", lazy="raise")


class IssuerKey(Base):
    """A signing key pair; the private half encrypted at rest (AES-256-GCM under the master key).

    Retired keys stay published in the DID document, so what they signed keeps verifying.
    """

    __tablename__ = "signing_key"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"), index=True)
    key_type: Mapped[str] = mapped_column(String(16))  # vc.keys.KeyType value
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    encrypted_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    issuer: Mapped[Issuer] = relationship(back_populates="signing_keys", lazy="raise")


class Achievement(Base):
    __tablename__ = "achievement"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # schemas.vocabulary.AchievementKind
    #: Everything else the provider defined, validated by issuers.api_models.AchievementCreate.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The current version of ``definition``; each edit makes the next one (`issuers.achievements`), and
    #: the versions it replaced stay in ``achievement_version``, never changed again.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Archived: nothing more is issued with it; what was issued stays verifiable and its page stays up.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AchievementVersion(Base):
    """A version of an achievement an edit replaced: the credentials issued with it carry it, as signed."""

    __tablename__ = "achievement_version"

    achievement_id: Mapped[str] = mapped_column(
        ForeignKey("achievement.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: When this version became current (the achievement's creation or the edit that made it).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StatusListRow(Base):
    """One Bitstring Status List of one purpose: ``length`` entries (131,072) of ``status_size`` bits
    (1 for ``revocation``, 2 for ``message``); the signed form is made on demand."""

    __tablename__ = "status_list"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    length: Mapped[int] = mapped_column(Integer)
    status_size: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    #: Indexes handed out so far (an atomic counter; the list closes at half full).
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The last signed list credential and the version it was signed at (a cache, never the truth).
    signed_document: Mapped[str | None] = mapped_column(Text)
    signed_version: Mapped[int | None] = mapped_column(Integer)
    #: None: a list of issued credentials; ``milestone``: of a partnership's milestone credentials, whose
    #: indexes the pathways keep (`allocate_held`).
    holder: Mapped[str | None] = mapped_column(String(16))


class IssuedCredential(Base):
    """Exactly what was signed, plus where its status entry lives.

    ``revocation_list_id``/``revocation_index`` locate the credential's one status entry: on a
    ``revocation`` list (one bit), or on a ``message`` list (two bits: valid / suspended / revoked) when its
    provider enables suspension. ``suspension_list_id``/``suspension_index`` are unused: the 1EdTech schema
    allows one ``credentialStatus``, so there is no second entry.
    """

    __tablename__ = "issued_credential"
    __table_args__ = (
        UniqueConstraint("revocation_list_id", "revocation_index"),
        UniqueConstraint("suspension_list_id", "suspension_index"),
        UniqueConstraint("issuer_id", "idempotency_key"),
        UniqueConstraint("bulk_job_id", "bulk_row"),
        Index("ix_issued_credential_recipient_email", "recipient_email"),
        Index("ix_issued_credential_issuer_learner", "issuer_id", "learner_id", "issued_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"), index=True)
    achievement_id: Mapped[str] = mapped_column(ForeignKey("achievement.id"), index=True)
    #: The achievement's version the credential was issued with (what its document holds).
    achievement_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    signing_key_id: Mapped[str] = mapped_column(ForeignKey("signing_key.id"))
    #: Kept to deliver the credential into the learner's passport; the credential holds only a salted hash.
    recipient_email: Mapped[str] = mapped_column(String(320))
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    learner_id: Mapped[str | None] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(8))  # "ldp" | "jwt"
    document: Mapped[str] = mapped_column(Text)  # signed JSON text, or the compact JWS
    revocation_list_id: Mapped[str] = mapped_column(ForeignKey("status_list.id"))
    revocation_index: Mapped[int] = mapped_column(Integer)
    suspension_list_id: Mapped[str | None] = mapped_column(ForeignKey("status_list.id"))
    suspension_index: Mapped[int | None] = mapped_column(Integer)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_sha256: Mapped[str | None] = mapped_column(String(64))
    bulk_job_id: Mapped[str | None] = mapped_column(ForeignKey("bulk_job.id"), index=True)
    bulk_row: Mapped[int | None] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    #: When the credential first reached a learner's passport (its address verified by one): statistics.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# The passport finds a learner's credentials by address, case-insensitively (issuers.recipients).
Index("ix_issued_credential_recipient_email_lower", func.lower(IssuedCredential.recipient_email))
# The provider's list, newest first, a page at a time (`issuers.reports.listing`), and its searches: each
# index gives the matching rows in the list's order, so a page is one range scan that stops when the page
# is full. The list's own index also holds every other filtered column, so a filter matching few rows (a
# name, a status, an achievement) is checked on index entries without reading the table's rows.
Index(
    "ix_issued_credential_issuer_issued",
    IssuedCredential.issuer_id,
    IssuedCredential.issued_at,
    IssuedCredential.id,
    IssuedCredential.achievement_id,
    func.lower(IssuedCredential.recipient_name),
    IssuedCredential.revoked_at,
    IssuedCredential.suspended_at,
)
Index(
    "ix_issued_credential_issuer_email",
    IssuedCredential.issuer_id,
    func.lower(IssuedCredential.recipient_email),
    IssuedCredential.issued_at,
    IssuedCredential.id,
)


class BulkJob(Base):
    """A cohort issued row by row; each row commits with its credential, so a restart resumes."""

    __tablename__ = "bulk_job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"), index=True)
    achievement_id: Mapped[str] = mapped_column(ForeignKey("achievement.id"))
    #: The achievement's version when the cohort was accepted: every row is issued with it.
    achievement_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    format: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))  # pending | running | done | failed
    total: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    #: The validated rows, in order (row numbers are 1-based data rows).
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CredentialActivity(Base):
    """How many of a provider's credentials of one achievement were issued, claimed, shared, viewed,
    verified or revoked in a month: counters, no personal data (`issuers.reports.statistics`)."""

    __tablename__ = "credential_activity"

    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"), primary_key=True)
    achievement_id: Mapped[str] = mapped_column(
        ForeignKey("achievement.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-12"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # statistics.FIGURES
    count: Mapped[int] = mapped_column(Integer, default=0)


class AchievementImage(Base):
    """A badge image a provider uploaded or designed, PNG or SVG, checked when it came in
    (`issuers.images`). Named by the SHA-256 of its bytes, so an image never changes once an achievement's
    version (and the credentials issued with it) can point at it."""

    __tablename__ = "achievement_image"

    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(32))  # image/png | image/svg+xml
    content: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    #: The image as a 256 px PNG: an SVG rendered once when stored (`issuers.images.render_png`); a PNG
    #: upload is its own (None here); None for an SVG stored before renderings were kept.
    png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
