"""pathways: partnerships as pathway owners, and the status of milestone credentials

* ``issuer.kind``: ``provider`` (every row so far) or ``partnership`` (a regional education partnership or
  a sector network: it owns pathways and signs their milestones with its own did:web key).
* ``status_list.holder`` / ``operator_status_list.holder``: NULL for the lists credentials and approvals
  go on, ``milestone`` for lists of milestone credentials (kept apart so each kind of row draws its random
  indexes against its own table only).
* ``pathway_completion``: the milestone's status entry, its revocation, and when it was flagged for review
  (a component credential no longer valid).

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "issuer", sa.Column("kind", sa.String(length=16), server_default="provider", nullable=False)
    )
    op.add_column("status_list", sa.Column("holder", sa.String(length=16), nullable=True))
    op.add_column("operator_status_list", sa.Column("holder", sa.String(length=16), nullable=True))
    with op.batch_alter_table("pathway_completion") as table:
        table.add_column(sa.Column("status_list_id", sa.String(length=32), nullable=True))
        table.add_column(sa.Column("status_index", sa.Integer(), nullable=True))
        table.add_column(sa.Column("revoked_at", UTCDateTime(), nullable=True))
        table.add_column(sa.Column("revocation_reason", sa.Text(), nullable=True))
        table.add_column(sa.Column("review_flagged_at", UTCDateTime(), nullable=True))
        table.create_unique_constraint(
            op.f("uq_pathway_completion_status_list_id_status_index"), ["status_list_id", "status_index"]
        )


def downgrade() -> None:
    with op.batch_alter_table("pathway_completion") as table:
        table.drop_constraint(op.f("uq_pathway_completion_status_list_id_status_index"), type_="unique")
        table.drop_column("review_flagged_at")
        table.drop_column("revocation_reason")
        table.drop_column("revoked_at")
        table.drop_column("status_index")
        table.drop_column("status_list_id")
    op.drop_column("operator_status_list", "holder")
    op.drop_column("status_list", "holder")
    op.drop_column("issuer", "kind")
