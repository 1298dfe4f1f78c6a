"""issuers: an index of the audit trail by subject (one credential's history in the console, and the
throttle on re-sending its claim email)

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_event_subject", "audit_event", ["subject_kind", "subject_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_subject", table_name="audit_event")
