"""network: bursary funds and their awards (international skills-exchange visits)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bursary_fund",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("funder", sa.String(length=200), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("requires_report", sa.Boolean(), nullable=False),
        sa.Column("requires_session", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bursary_fund")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_bursary_fund_idempotency_key")),
    )
    op.create_table(
        "bursary_award",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("fund_id", sa.String(length=32), nullable=False),
        sa.Column("educator_name", sa.String(length=200), nullable=False),
        sa.Column("educator_email", sa.String(length=320), nullable=False),
        sa.Column("provider_id", sa.String(length=32), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("host_name", sa.String(length=200), nullable=True),
        sa.Column("host_did", sa.String(length=500), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("visit_start", sa.Date(), nullable=True),
        sa.Column("visit_end", sa.Date(), nullable=True),
        sa.Column("focus", sa.String(length=500), nullable=True),
        sa.Column("report_url", sa.String(length=2000), nullable=True),
        sa.Column("report_summary", sa.Text(), nullable=True),
        sa.Column("session_date", sa.Date(), nullable=True),
        sa.Column("session_audience", sa.Integer(), nullable=True),
        sa.Column("session_title", sa.String(length=300), nullable=True),
        sa.Column("host_endorsement", sa.Text(), nullable=True),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("issued_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["bursary_fund.id"],
            name=op.f("fk_bursary_award_fund_id_bursary_fund"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bursary_award")),
        sa.UniqueConstraint(
            "fund_id", "idempotency_key", name=op.f("uq_bursary_award_fund_id_idempotency_key")
        ),
    )
    op.create_index(op.f("ix_bursary_award_fund_id"), "bursary_award", ["fund_id"], unique=False)
    op.create_index(
        op.f("ix_bursary_award_educator_email"), "bursary_award", ["educator_email"], unique=False
    )
    op.create_index(op.f("ix_bursary_award_provider_id"), "bursary_award", ["provider_id"], unique=False)


def downgrade() -> None:
    op.drop_table("bursary_award")
    op.drop_table("bursary_fund")
