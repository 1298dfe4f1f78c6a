"""trust registry: accreditations, their history, the registry state row, the operator's keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accreditation",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("issuer_id", sa.String(length=500), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("logo_url", sa.String(length=500), nullable=True),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("valid_from", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_reason", sa.Text(), nullable=True),
        sa.Column("state_changed_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accreditation")),
    )
    with op.batch_alter_table("accreditation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accreditation_issuer_id"), ["issuer_id"], unique=False)
        batch_op.create_index(
            "uq_accreditation_current_issuer",
            ["issuer_id"],
            unique=True,
            sqlite_where=sa.text("state != 'withdrawn'"),
            postgresql_where=sa.text("state != 'withdrawn'"),
        )

    op.create_table(
        "accreditation_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("accreditation_id", sa.String(length=32), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("registry_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["accreditation_id"],
            ["accreditation.id"],
            name=op.f("fk_accreditation_event_accreditation_id_accreditation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accreditation_event")),
    )
    with op.batch_alter_table("accreditation_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accreditation_event_accreditation_id"), ["accreditation_id"], unique=False
        )

    op.create_table(
        "operator_key",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("key_type", sa.String(length=16), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("encrypted_private_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_key")),
    )

    state = op.create_table(
        "trust_registry_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("signed_document", sa.Text(), nullable=True),
        sa.Column("signed_version", sa.Integer(), nullable=True),
        sa.Column("signed_until", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trust_registry_state")),
    )
    # The one state row every change locks; version 0 is the empty register.
    op.bulk_insert(state, [{"id": 1, "version": 0, "updated_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table("trust_registry_state")
    op.drop_table("operator_key")
    with op.batch_alter_table("accreditation_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accreditation_event_accreditation_id"))

    op.drop_table("accreditation_event")
    with op.batch_alter_table("accreditation", schema=None) as batch_op:
        batch_op.drop_index("uq_accreditation_current_issuer")
        batch_op.drop_index(batch_op.f("ix_accreditation_issuer_id"))

    op.drop_table("accreditation")
