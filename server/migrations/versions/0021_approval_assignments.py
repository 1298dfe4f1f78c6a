"""network: which assessor each scheme approval is assigned to (the operator console)

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_assignment",
        sa.Column("approval_id", sa.String(length=32), nullable=False),
        sa.Column("assessor_id", sa.String(length=32), nullable=False),
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
        sa.Column("assigned_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["scheme_approval.id"],
            name=op.f("fk_approval_assignment_approval_id_scheme_approval"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assessor_id"],
            ["staff_member.id"],
            name=op.f("fk_approval_assignment_assessor_id_staff_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("approval_id", name=op.f("pk_approval_assignment")),
    )
    op.create_index(op.f("ix_approval_assignment_assessor_id"), "approval_assignment", ["assessor_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_approval_assignment_assessor_id"), table_name="approval_assignment")
    op.drop_table("approval_assignment")
