"""network: communities of practice the network runs: sector, description, owner and participation rule on
the community (the listed names keep their role for community_of_practice achievements); coordinators,
members, sessions, attendance, contributions and participation credentials

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, cascade: bool = False) -> sa.ForeignKeyConstraint:
    referred = target.partition(".")[0]
    return sa.ForeignKeyConstraint(
        [column],
        [target],
        name=op.f(f"fk_{table}_{column}_{referred}"),
        ondelete="CASCADE" if cascade else None,
    )


def upgrade() -> None:
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sector", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("description", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("owner_provider_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("achievement_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("rule", sa.JSON(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_community_owner_provider_id_issuer"), "issuer", ["owner_provider_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_community_achievement_id_achievement"), "achievement", ["achievement_id"], ["id"]
        )
    op.create_table(
        "community_coordinator",
        sa.Column("community_id", sa.String(length=32), nullable=False),
        sa.Column("provider_id", sa.String(length=32), nullable=False),
        _fk("community_coordinator", "community_id", "community.id", cascade=True),
        _fk("community_coordinator", "provider_id", "issuer.id"),
        sa.PrimaryKeyConstraint("community_id", "provider_id", name=op.f("pk_community_coordinator")),
    )
    op.create_index(
        op.f("ix_community_coordinator_provider_id"), "community_coordinator", ["provider_id"], unique=False
    )
    op.create_table(
        "community_member",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("community_id", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("provider_id", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("invitation_sha256", sa.String(length=64), nullable=True),
        sa.Column("learner_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("joined_at", core.db.UTCDateTime(timezone=True), nullable=True),
        _fk("community_member", "community_id", "community.id", cascade=True),
        _fk("community_member", "provider_id", "issuer.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_member")),
        sa.UniqueConstraint("community_id", "email", name=op.f("uq_community_member_community_id_email")),
        sa.UniqueConstraint("invitation_sha256", name=op.f("uq_community_member_invitation_sha256")),
    )
    op.create_index(
        op.f("ix_community_member_community_id"), "community_member", ["community_id"], unique=False
    )
    op.create_index(op.f("ix_community_member_learner_id"), "community_member", ["learner_id"], unique=False)
    op.create_table(
        "community_session",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("community_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("starts_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("online_url", sa.String(length=500), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        _fk("community_session", "community_id", "community.id", cascade=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_session")),
    )
    op.create_index(
        op.f("ix_community_session_community_id"), "community_session", ["community_id"], unique=False
    )
    op.create_table(
        "community_attendance",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", core.db.UTCDateTime(timezone=True), nullable=False),
        _fk("community_attendance", "session_id", "community_session.id", cascade=True),
        _fk("community_attendance", "member_id", "community_member.id", cascade=True),
        sa.PrimaryKeyConstraint("session_id", "member_id", name=op.f("pk_community_attendance")),
    )
    op.create_index(
        op.f("ix_community_attendance_member_id"), "community_attendance", ["member_id"], unique=False
    )
    op.create_table(
        "community_contribution",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("community_id", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("recorded_at", core.db.UTCDateTime(timezone=True), nullable=False),
        _fk("community_contribution", "community_id", "community.id", cascade=True),
        _fk("community_contribution", "member_id", "community_member.id", cascade=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_contribution")),
    )
    op.create_index(
        op.f("ix_community_contribution_community_id"),
        "community_contribution",
        ["community_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_community_contribution_member_id"), "community_contribution", ["member_id"], unique=False
    )
    op.create_table(
        "community_participation",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("community_id", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.String(length=32), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("credential_id", sa.String(length=32), nullable=True),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("issued_at", core.db.UTCDateTime(timezone=True), nullable=False),
        _fk("community_participation", "community_id", "community.id", cascade=True),
        _fk("community_participation", "member_id", "community_member.id", cascade=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_participation")),
        sa.UniqueConstraint("member_id", name=op.f("uq_community_participation_member_id")),
    )
    op.create_index(
        op.f("ix_community_participation_community_id"),
        "community_participation",
        ["community_id"],
        unique=False,
    )


def downgrade() -> None:
    for table in (
        "community_participation",
        "community_contribution",
        "community_attendance",
        "community_session",
        "community_member",
        "community_coordinator",
    ):
        op.drop_table(table)
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_community_achievement_id_achievement"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_community_owner_provider_id_issuer"), type_="foreignkey")
        for column in ("rule", "achievement_id", "owner_provider_id", "description", "sector"):
            batch_op.drop_column(column)
