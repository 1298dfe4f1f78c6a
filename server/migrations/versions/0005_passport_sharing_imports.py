"""passport: share links, imported credentials, holder keys

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 08:44:20.140563
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imported_credential",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("issuer_id", sa.String(length=2000), nullable=False),
        sa.Column("issuer_name", sa.String(length=500), nullable=False),
        sa.Column("achievement_name", sa.String(length=500), nullable=False),
        sa.Column("achievement_type", sa.String(length=200), nullable=True),
        sa.Column("valid_from", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_until", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("imported_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name=op.f("fk_imported_credential_learner_id_learner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_credential")),
        sa.UniqueConstraint("learner_id", "digest", name=op.f("uq_imported_credential_learner_id_digest")),
    )
    with op.batch_alter_table("imported_credential", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imported_credential_learner_id"), ["learner_id"], unique=False)

    op.create_table(
        "share_link",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("view_count", sa.Integer(), nullable=False),
        sa.Column("last_viewed_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learner.id"], name=op.f("fk_share_link_learner_id_learner"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_link")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_share_link_secret_sha256")),
    )
    with op.batch_alter_table("share_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_share_link_learner_id"), ["learner_id"], unique=False)

    op.create_table(
        "share_link_item",
        sa.Column("share_id", sa.String(length=32), nullable=False),
        sa.Column("credential_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["share_id"],
            ["share_link.id"],
            name=op.f("fk_share_link_item_share_id_share_link"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("share_id", "credential_id", name=op.f("pk_share_link_item")),
    )
    op.create_table(
        "holder_key",
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("did", sa.String(length=200), nullable=False),
        sa.Column("encrypted_private_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learner.id"], name=op.f("fk_holder_key_learner_id_learner"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("learner_id", name=op.f("pk_holder_key")),
    )


def downgrade() -> None:
    op.drop_table("holder_key")
    op.drop_table("share_link_item")
    with op.batch_alter_table("share_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_share_link_learner_id"))

    op.drop_table("share_link")
    with op.batch_alter_table("imported_credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imported_credential_learner_id"))

    op.drop_table("imported_credential")
