"""issuers: cohort files uploaded to the console, kept between their preview and their confirmation

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cohort_upload",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("issuer_id", sa.String(length=32), nullable=False),
        sa.Column("achievement_id", sa.String(length=32), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("bulk_job_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuer.id"], name=op.f("fk_cohort_upload_issuer_id_issuer"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievement.id"],
            name=op.f("fk_cohort_upload_achievement_id_achievement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["bulk_job_id"],
            ["bulk_job.id"],
            name=op.f("fk_cohort_upload_bulk_job_id_bulk_job"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_upload")),
    )
    op.create_index(op.f("ix_cohort_upload_issuer_id"), "cohort_upload", ["issuer_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_cohort_upload_issuer_id"), table_name="cohort_upload")
    op.drop_table("cohort_upload")
