"""passport: failed sign-ins in the database, so every worker process counts the same ones

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 10:44:19.269516
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failed_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failure")),
    )
    op.create_index(op.f("ix_sign_in_failure_failed_at"), "sign_in_failure", ["failed_at"])
    op.create_index("ix_sign_in_failure_key_failed_at", "sign_in_failure", ["key", "failed_at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_failure_key_failed_at", table_name="sign_in_failure")
    op.drop_index(op.f("ix_sign_in_failure_failed_at"), table_name="sign_in_failure")
    op.drop_table("sign_in_failure")
