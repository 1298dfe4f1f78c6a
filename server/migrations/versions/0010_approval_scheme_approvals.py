"""network: scheme approvals of providers' achievements, and the operator's status list for their
endorsements

Revision ID: 0010_approval
Revises: 0009
Create Date: 2026-12-04 12:34:36.292934
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0010_approval"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "operator_status_list",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("bits", sa.LargeBinary(), nullable=False),
        sa.Column("allocated", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("signed_document", sa.Text(), nullable=True),
        sa.Column("signed_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_status_list")),
    )
    op.create_table(
        "scheme_approval",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("issuer_id", sa.String(length=32), nullable=False),
        sa.Column("achievement_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("quality_statement", sa.Text(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("submitted_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("endorsement", sa.Text(), nullable=True),
        sa.Column("status_list_id", sa.String(length=32), nullable=True),
        sa.Column("status_index", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=200), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievement.id"],
            name=op.f("fk_scheme_approval_achievement_id_achievement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuer.id"], name=op.f("fk_scheme_approval_issuer_id_issuer"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["operator_status_list.id"],
            name=op.f("fk_scheme_approval_status_list_id_operator_status_list"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheme_approval")),
    )
    with op.batch_alter_table("scheme_approval", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheme_approval_achievement_id"), ["achievement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_scheme_approval_issuer_id"), ["issuer_id"], unique=False)
        batch_op.create_index(
            "uq_scheme_approval_open_achievement",
            ["achievement_id"],
            unique=True,
            sqlite_where=sa.text("state IN ('pending', 'approved')"),
            postgresql_where=sa.text("state IN ('pending', 'approved')"),
        )


def downgrade() -> None:
    with op.batch_alter_table("scheme_approval", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_scheme_approval_open_achievement",
            sqlite_where=sa.text("state IN ('pending', 'approved')"),
            postgresql_where=sa.text("state IN ('pending', 'approved')"),
        )
        batch_op.drop_index(batch_op.f("ix_scheme_approval_issuer_id"))
        batch_op.drop_index(batch_op.f("ix_scheme_approval_achievement_id"))

    op.drop_table("scheme_approval")
    op.drop_table("operator_status_list")
