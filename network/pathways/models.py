"""Tables of the lifelong-learning pathways. Other domains use `network.pathways.service` and
`network.pathways.milestones`, never these tables.

A pathway's definition lives in its versions: changing a pathway adds a version and moves
``current_version``; a completion names the version the learner completed, which never changes
afterwards. A completion names the learner by the passport's learner id (no foreign key: that table is
the passport's), and there is at most one per learner and pathway, whatever its version: the unique
constraint is what makes issuing the milestone idempotent, even when two requests race.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, new_id


class Pathway(Base):
    __tablename__ = "pathway"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    #: Who defined it and signs its milestones: "operator" (the network operator), or the provider id of a
    #: partnership (an `issuers` row of kind ``partnership``: its did:web key signs, its staff manage it).
    owner: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(200))
    current_version: Mapped[int] = mapped_column(Integer)
    #: draft pathways are not public and issue nothing; published | withdrawn
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PathwayVersion(Base):
    __tablename__ = "pathway_version"

    pathway_id: Mapped[str] = mapped_column(ForeignKey("pathway.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    #: `network.pathways.rules.dump` of the definition
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PathwayCompletion(Base):
    """A learner completed a pathway: the milestone credential issued for it, exactly as signed."""

    __tablename__ = "pathway_completion"
    __table_args__ = (
        UniqueConstraint("pathway_id", "learner_id"),
        UniqueConstraint("status_list_id", "status_index"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    pathway_id: Mapped[str] = mapped_column(ForeignKey("pathway.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    learner_id: Mapped[str] = mapped_column(String(32), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: [{"id": url, "digest": sha256 hex, "step": key}] of the component credentials
    components: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    document: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The milestone's revocation entry: on the owner's status list (the operator's, or the partnership's
    #: in `issuers.status`, either kept for milestones); no foreign key, since it is one of two tables.
    status_list_id: Mapped[str | None] = mapped_column(String(32))
    status_index: Mapped[int | None] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    #: When a component credential was first seen no longer valid (revoked, suspended, expired): the
    #: milestone stays valid, and its owner reviews it (`network.pathways.milestones`).
    review_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
