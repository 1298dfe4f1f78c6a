"""Tables of staff accounts and the audit trail. Other domains use `issuers.staff.accounts` and
`issuers.staff.audit`, never these tables directly.

One table holds every staff member: a provider's (``provider_id`` set; roles admin, issuer, viewer) and
the network operator's (``provider_id`` NULL; roles operator_admin, assessor). An email address is one
staff account across the service, so signing in needs no provider to be chosen first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, new_id


class StaffMember(Base):
    """A person who works for a provider or the operator. ``password_hash`` is None until they accept
    their invitation."""

    __tablename__ = "staff_member"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    provider_id: Mapped[str | None] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    #: The RFC 6238 secret (base32), sealed by the keystore (`core.keystore`, context ``totp:<id>``);
    #: ``totp_enabled`` once a code from it was confirmed.
    totp_secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The last time step a code was accepted for: no code is accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StaffInvitation(Base):
    """A single-use, expiring link that lets the invited member choose a password; only its digest is
    kept."""

    __tablename__ = "staff_invitation"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    staff_member_id: Mapped[str] = mapped_column(
        ForeignKey("staff_member.id", ondelete="CASCADE"), index=True
    )
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StaffRecoveryCode(Base):
    """A single-use code that stands in for the TOTP code (a lost phone); only its digest is kept."""

    __tablename__ = "staff_recovery_code"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    staff_member_id: Mapped[str] = mapped_column(
        ForeignKey("staff_member.id", ondelete="CASCADE"), index=True
    )
    code_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StaffSession(Base):
    """A signed-in browser. ``second_factor_due``: the password was right, the TOTP code is still to
    come, and the session allows nothing else."""

    __tablename__ = "staff_session"

    secret_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_member_id: Mapped[str] = mapped_column(
        ForeignKey("staff_member.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    second_factor_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """Who did what, when: written in the transaction of the change itself, never changed after.

    ``provider_id`` is the provider the change concerns (None: the network's own, e.g. operator staff);
    the actor is a staff member, an API key, the operator's token or the system (demo data, the CLI)."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_provider_at", "provider_id", "at"),
        # One credential's history in the console (issuers.console.credentials), and its re-send throttle.
        Index("ix_audit_event_subject", "subject_kind", "subject_id", "at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    provider_id: Mapped[str | None] = mapped_column(String(32))
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(String(32))
    actor_label: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(50))
    subject_kind: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
