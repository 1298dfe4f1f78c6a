"""issuers.staff: recovery codes for two-step sign-in

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_recovery_code",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("staff_member_id", sa.String(length=32), nullable=False),
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_member_id"],
            ["staff_member.id"],
            name=op.f("fk_staff_recovery_code_staff_member_id_staff_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_recovery_code")),
    )
    op.create_index(
        op.f("ix_staff_recovery_code_staff_member_id"),
        "staff_recovery_code",
        ["staff_member_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_recovery_code_staff_member_id"), table_name="staff_recovery_code")
    op.drop_table("staff_recovery_code")
