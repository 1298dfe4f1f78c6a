"""passport: event claim codes and the claims made through them

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_code",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("provider_id", sa.String(length=32), nullable=False),
        sa.Column("achievement_id", sa.String(length=32), nullable=False),
        sa.Column("event_name", sa.String(length=200), nullable=False),
        sa.Column("opens_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("one_per_person", sa.Boolean(), nullable=False),
        sa.Column("claimed", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_code")),
        sa.UniqueConstraint("code", name=op.f("uq_claim_code_code")),
    )
    op.create_index(op.f("ix_claim_code_provider_id"), "claim_code", ["provider_id"])
    op.create_table(
        "code_claim",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("claim_code_id", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("person", sa.String(length=320), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=True),
        sa.Column("emails_sent", sa.Integer(), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("credential_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_code_id"],
            ["claim_code.id"],
            name=op.f("fk_code_claim_claim_code_id_claim_code"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_claim")),
        sa.UniqueConstraint("claim_code_id", "person", name=op.f("uq_code_claim_claim_code_id_person")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_code_claim_secret_sha256")),
    )
    op.create_index(op.f("ix_code_claim_email"), "code_claim", ["email"])


def downgrade() -> None:
    op.drop_table("code_claim")
    op.drop_table("claim_code")
