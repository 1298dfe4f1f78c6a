"""network: the communities of practice become rows the operator manages (they were a fixed list)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 05:00:00.000000
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: The list the API accepted until now (a Literal in the achievement request model).
FORMER_LIST = ("Digital", "Net Zero", "Advanced Manufacturing")


def upgrade() -> None:
    community = op.create_table(
        "community",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community")),
        sa.UniqueConstraint("name", name=op.f("uq_community_name")),
    )
    names = list(FORMER_LIST)
    achievements = sa.text("SELECT definition FROM achievement WHERE kind = 'community_of_practice'")
    for (definition,) in op.get_bind().execute(achievements):
        named = (json.loads(definition) if isinstance(definition, str) else definition).get("community")
        if isinstance(named, str) and named not in names:  # kept, so existing achievements stay valid
            names.append(named)
    now = datetime.now(UTC)
    op.bulk_insert(community, [{"id": uuid.uuid4().hex, "name": name, "created_at": now} for name in names])


def downgrade() -> None:
    op.drop_table("community")
