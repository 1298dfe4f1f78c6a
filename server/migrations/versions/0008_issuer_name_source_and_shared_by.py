"""passport: where an imported credential's issuer name came from; the name shown with a share link

Existing imports stored the credential's own ``issuer.name``, so they are marked ``self_asserted`` (the
next verification names them afresh). Existing share links keep no name (``shared_by`` is NULL).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("imported_credential") as batch_op:
        batch_op.add_column(
            sa.Column(
                "issuer_name_source", sa.String(length=16), server_default="self_asserted", nullable=False
            )
        )
    with op.batch_alter_table("share_link") as batch_op:
        batch_op.add_column(sa.Column("shared_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("share_link") as batch_op:
        batch_op.drop_column("shared_by")
    with op.batch_alter_table("imported_credential") as batch_op:
        batch_op.drop_column("issuer_name_source")
