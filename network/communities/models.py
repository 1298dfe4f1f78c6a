"""Tables of the communities of practice the network runs (the community itself is
`network.models.Community`).
Other domains use `network.communities.service`, never these tables.

A member is an educator named by email: added by a coordinator provider (``active`` at once, with that
provider as theirs) or invited by email (``invited`` until they accept the link into their passport
account, which records their learner id). A session is one dated event of a community; a claim code
(another part of the network) can point at a session by its id. Attendance is one row per member and
session; a participation is the credential a member earned, at most one per member (the unique
constraint makes issuing idempotent, even when two requests race).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, new_id


class CommunityCoordinator(Base):
    __tablename__ = "community_coordinator"

    community_id: Mapped[str] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), primary_key=True
    )
    provider_id: Mapped[str] = mapped_column(ForeignKey("issuer.id"), primary_key=True, index=True)


class CommunityMember(Base):
    __tablename__ = "community_member"
    __table_args__ = (UniqueConstraint("community_id", "email"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    community_id: Mapped[str] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    #: lower-cased
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    #: The provider that added them (their employer), if one did.
    provider_id: Mapped[str | None] = mapped_column(ForeignKey("issuer.id"))
    #: "invited" | "active"
    state: Mapped[str] = mapped_column(String(16))
    #: SHA-256 of the invitation link's secret, while invited
    invitation_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The passport's learner id of whoever accepted the invitation (no foreign key: the passport's table)
    learner_id: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CommunitySession(Base):
    __tablename__ = "community_session"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    community_id: Mapped[str] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: "seminar" | "workshop" | "event" | "meeting"
    kind: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: where it happens (an address), or None when only online
    place: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CommunityAttendance(Base):
    __tablename__ = "community_attendance"

    session_id: Mapped[str] = mapped_column(
        ForeignKey("community_session.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[str] = mapped_column(
        ForeignKey("community_member.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CommunityContribution(Base):
    __tablename__ = "community_contribution"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    community_id: Mapped[str] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("community_member.id", ondelete="CASCADE"), index=True)
    #: "case_study" | "resource" | "presentation"
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    summary: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CommunityParticipation(Base):
    """A member earned the community's participation credential: signed by the operator (``document``) or
    issued by the owner provider through its issuing service (``credential_id``)."""

    __tablename__ = "community_participation"
    __table_args__ = (UniqueConstraint("member_id"), UniqueConstraint("status_list_id", "status_index"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    community_id: Mapped[str] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("community_member.id", ondelete="CASCADE"))
    #: what the evidence listed: {"sessions": [ids], "contributions": [ids]}
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    credential_id: Mapped[str | None] = mapped_column(String(32))
    document: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: An operator-signed credential's revocation entry on the operator's list kept for participation
    #: credentials (`network.approval_status`, holder ``participation``); a provider's is on its own list.
    status_list_id: Mapped[str | None] = mapped_column(String(32))
    status_index: Mapped[int | None] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[str | None] = mapped_column(Text)
