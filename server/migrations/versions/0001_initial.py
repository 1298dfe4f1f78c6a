"""issuers: providers, keys, achievements, credentials, status lists, bulk jobs

Revision ID: 0001
Revises:
Create Date: 2026-11-23 15:34:54.312249
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issuer",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("ukprn", sa.String(length=8), nullable=True),
        sa.Column("logo_url", sa.String(length=500), nullable=True),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issuer")),
    )
    op.create_table(
        "achievement",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("issuer_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuer.id"], name=op.f("fk_achievement_issuer_id_issuer"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_achievement")),
    )
    with op.batch_alter_table("achievement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_achievement_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "api_key",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("issuer_id", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuer.id"], name=op.f("fk_api_key_issuer_id_issuer"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_api_key_secret_sha256")),
    )
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_key_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "signing_key",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("issuer_id", sa.String(length=32), nullable=False),
        sa.Column("key_type", sa.String(length=16), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("encrypted_private_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuer.id"], name=op.f("fk_signing_key_issuer_id_issuer"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_key")),
    )
    with op.batch_alter_table("signing_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signing_key_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "status_list",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("issuer_id", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("bits", sa.LargeBinary(), nullable=False),
        sa.Column("allocated", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("signed_document", sa.Text(), nullable=True),
        sa.Column("signed_version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuer.id"], name=op.f("fk_status_list_issuer_id_issuer"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_list")),
    )
    with op.batch_alter_table("status_list", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_status_list_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "bulk_job",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("issuer_id", sa.String(length=32), nullable=False),
        sa.Column("achievement_id", sa.String(length=32), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["achievement_id"], ["achievement.id"], name=op.f("fk_bulk_job_achievement_id_achievement")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuer.id"], name=op.f("fk_bulk_job_issuer_id_issuer"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_job")),
    )
    with op.batch_alter_table("bulk_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bulk_job_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "issued_credential",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("issuer_id", sa.String(length=32), nullable=False),
        sa.Column("achievement_id", sa.String(length=32), nullable=False),
        sa.Column("signing_key_id", sa.String(length=32), nullable=False),
        sa.Column("recipient_email", sa.String(length=320), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=True),
        sa.Column("learner_id", sa.String(length=200), nullable=True),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("revocation_list_id", sa.String(length=32), nullable=False),
        sa.Column("revocation_index", sa.Integer(), nullable=False),
        sa.Column("suspension_list_id", sa.String(length=32), nullable=True),
        sa.Column("suspension_index", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request_sha256", sa.String(length=64), nullable=True),
        sa.Column("bulk_job_id", sa.String(length=32), nullable=True),
        sa.Column("bulk_row", sa.Integer(), nullable=True),
        sa.Column("issued_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.Column("suspended_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievement.id"],
            name=op.f("fk_issued_credential_achievement_id_achievement"),
        ),
        sa.ForeignKeyConstraint(
            ["bulk_job_id"], ["bulk_job.id"], name=op.f("fk_issued_credential_bulk_job_id_bulk_job")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuer.id"],
            name=op.f("fk_issued_credential_issuer_id_issuer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revocation_list_id"],
            ["status_list.id"],
            name=op.f("fk_issued_credential_revocation_list_id_status_list"),
        ),
        sa.ForeignKeyConstraint(
            ["signing_key_id"],
            ["signing_key.id"],
            name=op.f("fk_issued_credential_signing_key_id_signing_key"),
        ),
        sa.ForeignKeyConstraint(
            ["suspension_list_id"],
            ["status_list.id"],
            name=op.f("fk_issued_credential_suspension_list_id_status_list"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_credential")),
        sa.UniqueConstraint(
            "bulk_job_id", "bulk_row", name=op.f("uq_issued_credential_bulk_job_id_bulk_row")
        ),
        sa.UniqueConstraint(
            "issuer_id", "idempotency_key", name=op.f("uq_issued_credential_issuer_id_idempotency_key")
        ),
        sa.UniqueConstraint(
            "revocation_list_id",
            "revocation_index",
            name=op.f("uq_issued_credential_revocation_list_id_revocation_index"),
        ),
        sa.UniqueConstraint(
            "suspension_list_id",
            "suspension_index",
            name=op.f("uq_issued_credential_suspension_list_id_suspension_index"),
        ),
    )
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_issued_credential_achievement_id"), ["achievement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_issued_credential_bulk_job_id"), ["bulk_job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_issued_credential_issuer_id"), ["issuer_id"], unique=False)
        batch_op.create_index("ix_issued_credential_recipient_email", ["recipient_email"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.drop_index("ix_issued_credential_recipient_email")
        batch_op.drop_index(batch_op.f("ix_issued_credential_issuer_id"))
        batch_op.drop_index(batch_op.f("ix_issued_credential_bulk_job_id"))
        batch_op.drop_index(batch_op.f("ix_issued_credential_achievement_id"))

    op.drop_table("issued_credential")
    with op.batch_alter_table("bulk_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bulk_job_issuer_id"))

    op.drop_table("bulk_job")
    with op.batch_alter_table("status_list", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_list_issuer_id"))

    op.drop_table("status_list")
    with op.batch_alter_table("signing_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signing_key_issuer_id"))

    op.drop_table("signing_key")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_key_issuer_id"))

    op.drop_table("api_key")
    with op.batch_alter_table("achievement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_achievement_issuer_id"))

    op.drop_table("achievement")
    op.drop_table("issuer")
