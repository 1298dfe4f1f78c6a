"""passport: learners, their addresses, sessions, API tokens, emailed links, the outbox

Revision ID: 0004
Revises: 0003 (0003 has landed on main; 0002 is still being written in parallel: re-chain at merge)
Create Date: 2026-11-24 07:52:01.383476
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The passport looks credentials up by address, case-insensitively (issuers.recipients).
    op.create_index(
        "ix_issued_credential_recipient_email_lower",
        "issued_credential",
        [sa.text("lower(recipient_email)")],
    )
    op.create_table(
        "learner",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner")),
    )
    op.create_table(
        "email_link",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("credential_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learner.id"], name=op.f("fk_email_link_learner_id_learner"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_link")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_email_link_secret_sha256")),
    )
    with op.batch_alter_table("email_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_link_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_email_link_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_email_link_learner_id"), ["learner_id"], unique=False)

    op.create_table(
        "learner_email",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("verified_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name=op.f("fk_learner_email_learner_id_learner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_email")),
        sa.UniqueConstraint("learner_id", "email", name=op.f("uq_learner_email_learner_id_email")),
    )
    with op.batch_alter_table("learner_email", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learner_email_learner_id"), ["learner_id"], unique=False)
        batch_op.create_index(
            "ix_learner_email_primary_learner_id",
            ["learner_id"],
            unique=True,
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        )
        batch_op.create_index(
            "ix_learner_email_verified_email",
            ["email"],
            unique=True,
            sqlite_where=sa.text("verified_at IS NOT NULL"),
            postgresql_where=sa.text("verified_at IS NOT NULL"),
        )

    op.create_table(
        "learner_session",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name=op.f("fk_learner_session_learner_id_learner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_session")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_learner_session_secret_sha256")),
    )
    with op.batch_alter_table("learner_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learner_session_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_learner_session_learner_id"), ["learner_id"], unique=False)

    op.create_table(
        "learner_token",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name=op.f("fk_learner_token_learner_id_learner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_token")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_learner_token_secret_sha256")),
    )
    with op.batch_alter_table("learner_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learner_token_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_learner_token_learner_id"), ["learner_id"], unique=False)

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("to_email", sa.String(length=320), nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name=op.f("fk_outbox_message_learner_id_learner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_message_learner_id"), ["learner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_message_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_message_to_email"), ["to_email"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_to_email"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_state"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_learner_id"))

    op.drop_table("outbox_message")
    with op.batch_alter_table("learner_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learner_token_learner_id"))
        batch_op.drop_index(batch_op.f("ix_learner_token_expires_at"))

    op.drop_table("learner_token")
    with op.batch_alter_table("learner_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learner_session_learner_id"))
        batch_op.drop_index(batch_op.f("ix_learner_session_expires_at"))

    op.drop_table("learner_session")
    with op.batch_alter_table("learner_email", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_learner_email_verified_email",
            sqlite_where=sa.text("verified_at IS NOT NULL"),
            postgresql_where=sa.text("verified_at IS NOT NULL"),
        )
        batch_op.drop_index(
            "ix_learner_email_primary_learner_id",
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        )
        batch_op.drop_index(batch_op.f("ix_learner_email_learner_id"))

    op.drop_table("learner_email")
    with op.batch_alter_table("email_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_link_learner_id"))
        batch_op.drop_index(batch_op.f("ix_email_link_expires_at"))
        batch_op.drop_index(batch_op.f("ix_email_link_email"))

    op.drop_table("email_link")
    op.drop_table("learner")
    op.drop_index("ix_issued_credential_recipient_email_lower", table_name="issued_credential")
