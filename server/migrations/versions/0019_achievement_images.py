"""issuers: badge images providers upload or design for their achievements

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "achievement_image",
        sa.Column("issuer_id", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuer.id"],
            name=op.f("fk_achievement_image_issuer_id_issuer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("issuer_id", "sha256", name=op.f("pk_achievement_image")),
    )


def downgrade() -> None:
    op.drop_table("achievement_image")
