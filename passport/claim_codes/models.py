"""The claim codes' tables. ``provider_id`` and ``achievement_id`` name the issuers' rows without a
foreign key: those tables belong to the issuers (like ``email_link.credential_id``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, new_id


class ClaimCode(Base):
    """An event's code. ``claimed`` counts confirmed claims; it changes only by a compare-and-set
    (`passport.claim_codes.codes.confirm`), so it never passes ``capacity``."""

    __tablename__ = "claim_code"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    provider_id: Mapped[str] = mapped_column(String(32), index=True)
    achievement_id: Mapped[str] = mapped_column(String(32))
    event_name: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int | None] = mapped_column(Integer)
    one_per_person: Mapped[bool] = mapped_column(Boolean, default=True)
    claimed: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The claim worker's last failed batch of this code's claims, cleared by the next that succeeds.
    issuing_error: Mapped[str | None] = mapped_column(String(500))
    issuing_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


UNISSUED = text("state = 'claimed' AND credential_id IS NULL")


class CodeClaim(Base):
    """One person's claim through a code: ``pending`` until they open the emailed link (or at once when
    signed in to their passport), then ``claimed``; the claim worker then issues the credential to
    ``email`` and sets ``credential_id``, once (`passport.claim_codes.issuing`).

    ``person`` is the address when the code allows one claim per person (so the unique constraint on
    (code, person) is the last word under concurrent claims), or the row's id when it does not."""

    __tablename__ = "code_claim"
    __table_args__ = (
        UniqueConstraint("claim_code_id", "person"),
        # The claim worker's queue: confirmed, not yet issued, oldest first.
        Index("ix_code_claim_unissued", "claimed_at", sqlite_where=UNISSUED, postgresql_where=UNISSUED),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    claim_code_id: Mapped[str] = mapped_column(ForeignKey("claim_code.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320), index=True)
    person: Mapped[str] = mapped_column(String(320))
    state: Mapped[str] = mapped_column(String(16))  # pending | claimed
    secret_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    emails_sent: Mapped[int] = mapped_column(Integer, default=0)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    credential_id: Mapped[str | None] = mapped_column(String(32))
    kept_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the link's one "keep it" (pages)
