"""issuers: a badge image's PNG rendering (256 px, by cairosvg when an SVG is stored), for baked PNG
downloads and the image's PNG URL. Images stored before keep none (their PNG downloads use the default
badge) until the same SVG is stored again.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 17:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("achievement_image") as batch:
        batch.add_column(sa.Column("png", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("achievement_image") as batch:
        batch.drop_column("png")
