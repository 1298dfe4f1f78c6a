"""network: lifelong-learning pathways, their versions and the learners' completions (milestones)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pathway",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("sector", sa.String(length=200), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway")),
    )
    op.create_table(
        "pathway_version",
        sa.Column("pathway_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pathway_id"],
            ["pathway.id"],
            name=op.f("fk_pathway_version_pathway_id_pathway"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pathway_id", "version", name=op.f("pk_pathway_version")),
    )
    op.create_table(
        "pathway_completion",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("pathway_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("completed_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("issued_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pathway_id"],
            ["pathway.id"],
            name=op.f("fk_pathway_completion_pathway_id_pathway"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway_completion")),
        sa.UniqueConstraint(
            "pathway_id", "learner_id", name=op.f("uq_pathway_completion_pathway_id_learner_id")
        ),
    )
    op.create_index(
        op.f("ix_pathway_completion_pathway_id"), "pathway_completion", ["pathway_id"], unique=False
    )
    op.create_index(
        op.f("ix_pathway_completion_learner_id"), "pathway_completion", ["learner_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("pathway_completion")
    op.drop_table("pathway_version")
    op.drop_table("pathway")
