"""claim codes: confirmed claims are issued by a background worker

* ``code_claim``: a partial index on the confirmed claims that have no credential yet (``state =
  'claimed' AND credential_id IS NULL``), in the order they were confirmed: the worker's queue; and
  ``kept_at``, when the confirmation link was used to keep the credential in a passport (once).
* ``claim_code``: ``issuing_error`` and ``issuing_failed_at``, the last failed batch of the code's claims
  (cleared by the next that succeeds), for the console.

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

UNISSUED = sa.text("state = 'claimed' AND credential_id IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("code_claim") as table:
        table.add_column(sa.Column("kept_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("claim_code") as table:
        table.add_column(sa.Column("issuing_error", sa.String(length=500), nullable=True))
        table.add_column(sa.Column("issuing_failed_at", UTCDateTime(), nullable=True))
    op.create_index(
        "ix_code_claim_unissued",
        "code_claim",
        ["claimed_at"],
        sqlite_where=UNISSUED,
        postgresql_where=UNISSUED,
    )


def downgrade() -> None:
    op.drop_index("ix_code_claim_unissued", table_name="code_claim")
    with op.batch_alter_table("claim_code") as table:
        table.drop_column("issuing_failed_at")
        table.drop_column("issuing_error")
    with op.batch_alter_table("code_claim") as table:
        table.drop_column("kept_at")
