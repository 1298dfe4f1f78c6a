"""claim codes: confirmed claims are issued by a background worker

* ``code_claim``: a partial index on the confirmed claims that have no credential yet (``state =
  'claimed' AND credential_id IS NULL``), in the order they were confirmed: the worker's queue.

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

UNISSUED = sa.text("state = 'claimed' AND credential_id IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_code_claim_unissued",
        "code_claim",
        ["claimed_at"],
        sqlite_where=UNISSUED,
        postgresql_where=UNISSUED,
    )


def downgrade() -> None:
    op.drop_index("ix_code_claim_unissued", table_name="code_claim")
