"""issuers: achievement versions and archiving, the provider's credential list indexes, statistics (when
each credential was claimed; monthly counts of shares, views and verifications)

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("achievement") as table:
        table.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        table.add_column(sa.Column("updated_at", UTCDateTime(), nullable=True))
        table.add_column(sa.Column("archived_at", UTCDateTime(), nullable=True))
    op.create_table(
        "achievement_version",
        sa.Column("achievement_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievement.id"],
            name=op.f("fk_achievement_version_achievement_id_achievement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("achievement_id", "version", name=op.f("pk_achievement_version")),
    )
    # Not in batch mode: SQLite adds a column in place, and a copied table would lose the expression index
    # on lower(recipient_email), which SQLite cannot reflect.
    op.add_column(
        "issued_credential",
        sa.Column("achievement_version", sa.Integer(), server_default="1", nullable=False),
    )
    op.add_column("issued_credential", sa.Column("claimed_at", UTCDateTime(), nullable=True))
    # Credentials already in a passport were claimed when their address was verified (or issued, if later).
    op.execute(
        """
        UPDATE issued_credential SET claimed_at = (
            SELECT CASE WHEN learner_email.verified_at > issued_credential.issued_at
                        THEN learner_email.verified_at ELSE issued_credential.issued_at END
            FROM learner_email
            WHERE learner_email.email = lower(issued_credential.recipient_email)
              AND learner_email.verified_at IS NOT NULL
        )
        """
    )
    op.create_index(
        "ix_issued_credential_issuer_issued",
        "issued_credential",
        [
            "issuer_id",
            "issued_at",
            "id",
            "achievement_id",
            sa.text("lower(recipient_name)"),
            "revoked_at",
            "suspended_at",
        ],
    )
    op.create_index(
        "ix_issued_credential_issuer_learner",
        "issued_credential",
        ["issuer_id", "learner_id", "issued_at", "id"],
    )
    op.create_index(
        "ix_issued_credential_issuer_email",
        "issued_credential",
        ["issuer_id", sa.text("lower(recipient_email)"), "issued_at", "id"],
    )
    with op.batch_alter_table("bulk_job") as table:
        table.add_column(sa.Column("achievement_version", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "credential_activity",
        sa.Column("issuer_id", sa.String(length=32), nullable=False),
        sa.Column("achievement_id", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievement.id"],
            name=op.f("fk_credential_activity_achievement_id_achievement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuer.id"],
            name=op.f("fk_credential_activity_issuer_id_issuer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "issuer_id", "achievement_id", "month", "kind", name=op.f("pk_credential_activity")
        ),
    )
    _count_existing()


def _count_existing() -> None:
    """The monthly counters of what was issued, claimed and revoked before this revision."""
    connection = op.get_bind()
    credentials = sa.table(
        "issued_credential",
        sa.column("issuer_id"),
        sa.column("achievement_id"),
        sa.column("issued_at", UTCDateTime()),
        sa.column("claimed_at", UTCDateTime()),
        sa.column("revoked_at", UTCDateTime()),
    )
    counts: dict[tuple[str, str, str, str], int] = {}
    query = sa.select(
        credentials.c.issuer_id,
        credentials.c.achievement_id,
        credentials.c.issued_at,
        credentials.c.claimed_at,
        credentials.c.revoked_at,
    )
    for issuer_id, achievement_id, *moments in connection.execute(query):
        for kind, moment in zip(("issued", "claimed", "revoked"), moments, strict=True):
            if moment is not None:
                key = (issuer_id, achievement_id, moment.astimezone(UTC).strftime("%Y-%m"), kind)
                counts[key] = counts.get(key, 0) + 1
    if counts:
        activity = sa.table(
            "credential_activity",
            sa.column("issuer_id"),
            sa.column("achievement_id"),
            sa.column("month"),
            sa.column("kind"),
            sa.column("count"),
        )
        op.bulk_insert(
            activity,
            [
                {"issuer_id": i, "achievement_id": a, "month": m, "kind": k, "count": n}
                for (i, a, m, k), n in counts.items()
            ],
        )


def downgrade() -> None:
    op.drop_table("credential_activity")
    with op.batch_alter_table("bulk_job") as table:
        table.drop_column("achievement_version")
    op.drop_index("ix_issued_credential_issuer_email", table_name="issued_credential")
    op.drop_index("ix_issued_credential_issuer_learner", table_name="issued_credential")
    op.drop_index("ix_issued_credential_issuer_issued", table_name="issued_credential")
    op.drop_column("issued_credential", "claimed_at")
    op.drop_column("issued_credential", "achievement_version")  # SQLite 3.35+ drops a column in place
    op.drop_table("achievement_version")
    with op.batch_alter_table("achievement") as table:
        table.drop_column("archived_at")
        table.drop_column("updated_at")
        table.drop_column("version")
