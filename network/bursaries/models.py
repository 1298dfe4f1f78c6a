"""Tables of the bursary funds and their awards. Other domains use `network.bursaries.service`.

Money is kept in minor units (pence, cents) with its ISO 4217 currency. An award names its educator's
provider by id (no foreign key: that table is the issuers'). The visit, the dissemination, the host's
signed endorsement (exactly as uploaded) and the credential (exactly as signed) live on the award: one
visit per award. ``idempotency_key`` with ``request_sha256`` makes a retried API POST return what the
first one made.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, new_id


class BursaryFund(Base):
    __tablename__ = "bursary_fund"
    __table_args__ = (UniqueConstraint("idempotency_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    funder: Mapped[str] = mapped_column(String(200))
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    #: Who may apply and what they must do, in words (shown in the credential's criteria).
    criteria: Mapped[str] = mapped_column(Text)
    #: What the criteria require before the credential is issued: a written report, a session for peers.
    requires_report: Mapped[bool] = mapped_column(Boolean)
    requires_session: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(16))  # open | closed
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BursaryAward(Base):
    __tablename__ = "bursary_award"
    __table_args__ = (
        UniqueConstraint("fund_id", "idempotency_key"),
        UniqueConstraint("status_list_id", "status_index"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    fund_id: Mapped[str] = mapped_column(ForeignKey("bursary_fund.id", ondelete="CASCADE"), index=True)
    educator_name: Mapped[str] = mapped_column(String(200))
    educator_email: Mapped[str] = mapped_column(String(320), index=True)
    provider_id: Mapped[str] = mapped_column(String(32), index=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    #: offered | accepted | visit_recorded | dissemination_recorded | credential_issued | withdrawn
    state: Mapped[str] = mapped_column(String(32))
    host_name: Mapped[str | None] = mapped_column(String(200))
    host_did: Mapped[str | None] = mapped_column(String(500))
    country: Mapped[str | None] = mapped_column(String(100))
    visit_start: Mapped[date | None] = mapped_column(Date)
    visit_end: Mapped[date | None] = mapped_column(Date)
    focus: Mapped[str | None] = mapped_column(String(500))
    report_url: Mapped[str | None] = mapped_column(String(2000))
    report_summary: Mapped[str | None] = mapped_column(Text)
    session_date: Mapped[date | None] = mapped_column(Date)
    session_audience: Mapped[int | None] = mapped_column(Integer)
    session_title: Mapped[str | None] = mapped_column(String(300))
    #: The host's signed EndorsementCredential, exactly as uploaded and verified.
    host_endorsement: Mapped[str | None] = mapped_column(Text)
    #: The exchange-visit credential, exactly as signed.
    document: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    #: The credential's revocation entry on the operator's list kept for exchange visits
    #: (`network.approval_status`, holder ``exchange_visit``).
    status_list_id: Mapped[str | None] = mapped_column(String(32))
    status_index: Mapped[int | None] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
