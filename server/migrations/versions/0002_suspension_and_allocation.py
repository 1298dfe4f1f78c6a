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


# Plain ALTER TABLE, never batch mode: on SQLite a batch "recreate" drops and rebuilds the table, and with
# foreign keys on, dropping ``issuer`` cascades into every provider's rows. SQLite >= 3.35 drops columns.


def upgrade() -> None:
    op.add_column(
        "issuer", sa.Column("suspension_enabled", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("status_list", sa.Column("status_size", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("issued_credential", sa.Column("suspension_reason", sa.Text(), nullable=True))
    op.execute(
        "UPDATE status_list SET allocated = (SELECT COUNT(*) FROM issued_credential"
        " WHERE issued_credential.revocation_list_id = status_list.id"
        " OR issued_credential.suspension_list_id = status_list.id)"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE issued_credential DROP COLUMN suspension_reason")
    op.execute("ALTER TABLE status_list DROP COLUMN status_size")
    op.execute("ALTER TABLE issuer DROP COLUMN suspension_enabled")
