"""passport: expiry reminders (the learner's setting, and which were sent), when a password changed

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learner") as table:
        table.add_column(
            sa.Column("expiry_reminders", sa.Boolean(), nullable=False, server_default=sa.text("true"))
        )
        table.add_column(sa.Column("password_changed_at", core.db.UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "expiry_reminder",
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("credential_id", sa.String(length=32), nullable=False),
        sa.Column("valid_until", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name=op.f("fk_expiry_reminder_learner_id_learner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "learner_id", "credential_id", "valid_until", name=op.f("pk_expiry_reminder")
        ),
    )


def downgrade() -> None:
    op.drop_table("expiry_reminder")
    with op.batch_alter_table("learner") as table:
        table.drop_column("password_changed_at")
        table.drop_column("expiry_reminders")
