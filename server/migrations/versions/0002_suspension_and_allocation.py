"""issuers: suspension (a provider setting; 2-bit 'message' status lists), allocation counts kept per list

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 08:00:00.000000

* ``issuer.suspension_enabled``: credentials of such a provider carry one ``message`` entry (2 bits).
* ``status_list.status_size``: bits per entry (1 for ``revocation`` lists, 2 for ``message`` lists).
* ``status_list.allocated``: existed but was never kept; filled here from the credentials, and kept from now
  on (index allocation no longer counts rows per credential).
* ``issued_credential.suspension_reason``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issuer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("suspension_enabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("status_list", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_size", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspension_reason", sa.Text(), nullable=True))
    op.execute(
        "UPDATE status_list SET allocated = (SELECT COUNT(*) FROM issued_credential"
        " WHERE issued_credential.revocation_list_id = status_list.id"
        " OR issued_credential.suspension_list_id = status_list.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.drop_column("suspension_reason")
    with op.batch_alter_table("status_list", schema=None) as batch_op:
        batch_op.drop_column("status_size")
    with op.batch_alter_table("issuer", schema=None) as batch_op:
        batch_op.drop_column("suspension_enabled")
