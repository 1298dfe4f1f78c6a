"""passport: the learner's chosen language, and the language each email is written in

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learner") as table:
        table.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    with op.batch_alter_table("outbox_message") as table:
        table.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as table:
        table.drop_column("language")
    with op.batch_alter_table("learner") as table:
        table.drop_column("language")
