"""bursaries: the exchange-visit credential's revocation entry on the operator's status list

* ``bursary_award``: the credential's status entry (``status_list_id``, ``status_index``: a list of the
  operator's ``operator_status_list`` whose ``holder`` is ``exchange_visit``), and its revocation.
* ``community_participation``: the same for an operator-signed participation credential (``holder``
  ``participation``).

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


TABLES = ("bursary_award", "community_participation")


def upgrade() -> None:
    for name in TABLES:
        _add(name)


def _add(name: str) -> None:
    with op.batch_alter_table(name) as table:
        table.add_column(sa.Column("status_list_id", sa.String(length=32), nullable=True))
        table.add_column(sa.Column("status_index", sa.Integer(), nullable=True))
        table.add_column(sa.Column("revoked_at", UTCDateTime(), nullable=True))
        table.add_column(sa.Column("revocation_reason", sa.Text(), nullable=True))
        table.create_unique_constraint(
            op.f(f"uq_{name}_status_list_id_status_index"), ["status_list_id", "status_index"]
        )


def downgrade() -> None:
    for name in TABLES:
        _drop(name)


def _drop(name: str) -> None:
    with op.batch_alter_table(name) as table:
        table.drop_constraint(op.f(f"uq_{name}_status_list_id_status_index"), type_="unique")
        table.drop_column("revocation_reason")
        table.drop_column("revoked_at")
        table.drop_column("status_index")
        table.drop_column("status_list_id")
