"""Migrations: 0002 keeps existing data (allocation counts filled in from the credentials) and goes back
down cleanly; the models and the migrated schema agree. SQLite here, PostgreSQL too in CI."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

import core.changes  # noqa: F401  - the tables server/migrations/env.py registers
import issuers.console.issuing.models
import issuers.models
import issuers.staff.models  # noqa: F401
import network.models
import network.pathways.models  # noqa: F401
import passport.models  # noqa: F401
from core.db import Base
from server.migrate import alembic_config, upgrade

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def test_0002_counts_what_each_list_already_holds(empty_database_url: str) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0001")
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO issuer (id, name, url, created_at) VALUES ('i1', 'College', 'https://c', :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO signing_key (id, issuer_id, key_type, public_jwk, encrypted_private_key,"
                " created_at) VALUES ('k1', 'i1', 'Ed25519', '{}', :blob, :now)"
            ),
            {"blob": b"x", "now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO achievement (id, issuer_id, kind, definition, created_at)"
                " VALUES ('a1', 'i1', 'course', '{}', :now)"
            ),
            {"now": NOW},
        )
        for list_id in ("l1", "l2"):
            connection.execute(
                text(
                    "INSERT INTO status_list (id, issuer_id, purpose, length, bits, allocated, version,"
                    " created_at, updated_at)"
                    " VALUES (:id, 'i1', 'revocation', 131072, :bits, 0, 1, :now, :now)"
                ),
                {"id": list_id, "bits": bytes(16384), "now": NOW},
            )
        for number in range(3):
            connection.execute(
                text(
                    "INSERT INTO issued_credential (id, issuer_id, achievement_id, signing_key_id,"
                    " recipient_email, format, document, revocation_list_id, revocation_index, issued_at)"
                    " VALUES (:id, 'i1', 'a1', 'k1', 'a@example.com', 'jwt', 'x', 'l1', :index, :now)"
                ),
                {"id": f"c{number}", "index": number * 7, "now": NOW},
            )
    engine.dispose()
    upgrade(empty_database_url)
    assert sorted(_rows(empty_database_url, "SELECT id, allocated, status_size FROM status_list")) == [
        ("l1", 3, 1),
        ("l2", 0, 1),
    ]
    assert _rows(empty_database_url, "SELECT suspension_enabled FROM issuer") in ([(False,)], [(0,)])
    command.downgrade(config, "0001")
    for table, count in (("issuer", 1), ("status_list", 2), ("issued_credential", 3)):
        assert _rows(empty_database_url, f"SELECT COUNT(*) FROM {table}") == [(count,)]
    upgrade(empty_database_url)
    assert _rows(empty_database_url, "SELECT COUNT(*) FROM issued_credential") == [(3,)]


def test_the_migrated_schema_matches_the_models(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    engine = create_engine(empty_database_url)
    try:
        with warnings.catch_warnings():
            # SQLite cannot reflect expression indexes (lower(recipient_email)): SQLAlchemy skips them
            # with a warning, so they are compared on PostgreSQL only.
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
            warnings.filterwarnings(
                "ignore", "autogenerate skipping metadata-specified expression-based index"
            )
            with engine.connect() as connection:
                differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_0007_lists_every_community_stored_achievements_name(empty_database_url: str) -> None:
    """The three communities the API accepted before 0007, and any other an existing achievement names."""
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0006")
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO issuer (id, name, url, created_at) VALUES ('i1', 'College', 'https://c', :now)"
            ),
            {"now": NOW},
        )
        for number, community in enumerate(["Net Zero", "Robotics"]):
            connection.execute(
                text(
                    "INSERT INTO achievement (id, issuer_id, kind, definition, created_at)"
                    " VALUES (:id, 'i1', 'community_of_practice', :definition, :now)"
                ),
                {"id": f"a{number}", "definition": json.dumps({"community": community}), "now": NOW},
            )
    engine.dispose()
    upgrade(empty_database_url)
    assert sorted(name for (name,) in _rows(empty_database_url, "SELECT name FROM community")) == [
        "Advanced Manufacturing",
        "Digital",
        "Net Zero",
        "Robotics",
    ]
    command.downgrade(config, "0006")
    assert _rows(empty_database_url, "SELECT COUNT(*) FROM achievement") == [(2,)]


def test_existing_imports_are_marked_self_asserted_and_links_keep_no_name(empty_database_url: str) -> None:
    """Imports stored before the name's source was recorded held the credential's own issuer.name."""
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0007")
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO learner (id, password_hash, created_at) VALUES ('l1', 'x', :now)"), {"now": NOW}
        )
        connection.execute(
            text(
                "INSERT INTO imported_credential (id, learner_id, digest, format, document, issuer_id,"
                " issuer_name, achievement_name, imported_at)"
                " VALUES ('c1', 'l1', 'd', 'ldp', '{}', 'did:key:z6Mk', 'Oxford University', 'A', :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO share_link (id, learner_id, secret_sha256, created_at, expires_at, view_count)"
                " VALUES ('s1', 'l1', 'h', :now, :now, 0)"
            ),
            {"now": NOW},
        )
    engine.dispose()
    upgrade(empty_database_url)
    assert _rows(empty_database_url, "SELECT issuer_name, issuer_name_source FROM imported_credential") == [
        ("Oxford University", "self_asserted")
    ]
    assert _rows(empty_database_url, "SELECT shared_by FROM share_link") == [(None,)]
    command.downgrade(config, "0007")
    assert _rows(empty_database_url, "SELECT COUNT(*) FROM imported_credential") == [(1,)]


def test_0015_keeps_credentials_at_version_1_and_dates_claims_from_verified_addresses(
    empty_database_url: str,
) -> None:
    """Existing achievements and credentials are version 1; a credential whose address a passport has
    verified was claimed then (or when issued, if that was later); downgrading keeps every row."""
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0009")
    later = datetime(2026, 11, 20, tzinfo=UTC)
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        for statement, values in (
            (
                "INSERT INTO issuer (id, name, url, created_at) VALUES ('i1', 'College', 'https://c', :now)",
                {},
            ),
            (
                "INSERT INTO signing_key (id, issuer_id, key_type, public_jwk, encrypted_private_key,"
                " created_at) VALUES ('k1', 'i1', 'Ed25519', '{}', :blob, :now)",
                {"blob": b"x"},
            ),
            (
                "INSERT INTO achievement (id, issuer_id, kind, definition, created_at)"
                " VALUES ('a1', 'i1', 'course', '{}', :now)",
                {},
            ),
            (
                "INSERT INTO status_list (id, issuer_id, purpose, length, bits, allocated, version,"
                " created_at, updated_at) VALUES ('l1', 'i1', 'revocation', 131072, :bits, 3, 1, :now, :now)",
                {"bits": bytes(16384)},
            ),
            ("INSERT INTO learner (id, password_hash, created_at) VALUES ('p1', 'x', :now)", {}),
            (
                "INSERT INTO learner_email (id, learner_id, email, is_primary, created_at, verified_at)"
                " VALUES ('e1', 'p1', 'sam@example.com', :yes, :now, :later)",
                {"yes": True, "later": later},
            ),
        ):
            connection.execute(text(statement), {"now": NOW, **values})
        for number, email in enumerate(["Sam@Example.com", "kim@example.com"]):
            connection.execute(
                text(
                    "INSERT INTO issued_credential (id, issuer_id, achievement_id, signing_key_id,"
                    " recipient_email, format, document, revocation_list_id, revocation_index, issued_at)"
                    " VALUES (:id, 'i1', 'a1', 'k1', :email, 'ldp', '{}', 'l1', :index, :now)"
                ),
                {"id": f"c{number}", "email": email, "index": number, "now": NOW},
            )
    engine.dispose()
    upgrade(empty_database_url)
    assert _rows(empty_database_url, "SELECT version, archived_at FROM achievement") == [(1, None)]
    claimed = _rows(
        empty_database_url, "SELECT id, achievement_version, claimed_at FROM issued_credential ORDER BY id"
    )
    assert [(row[0], row[1]) for row in claimed] == [("c0", 1), ("c1", 1)]
    assert str(claimed[0][2]).startswith("2026-11-20")
    assert claimed[1][2] is None
    counted = _rows(empty_database_url, "SELECT month, kind, count FROM credential_activity ORDER BY kind")
    assert counted == [("2026-11", "claimed", 1), ("2026-11", "issued", 2)]
    command.downgrade(config, "0009")
    assert _rows(empty_database_url, "SELECT COUNT(*) FROM issued_credential") == [(2,)]
    assert _rows(empty_database_url, "SELECT COUNT(*) FROM achievement") == [(1,)]
    upgrade(empty_database_url)


def test_0010_approval_adds_the_approval_tables_and_goes_back_down(empty_database_url: str) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0010_approval")
    engine = create_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO issuer (id, name, url, created_at) VALUES ('i1', 'C', 'https://c', :now)"),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO achievement (id, issuer_id, kind, definition, created_at)"
                    " VALUES ('a1', 'i1', 'course', '{}', :now)"
                ),
                {"now": NOW},
            )
            insert = text(
                "INSERT INTO scheme_approval (id, issuer_id, achievement_id, state, quality_statement,"
                " criteria, submitted_at, reasons) VALUES (:id, 'i1', 'a1', :state, 'q', '{}', :now, '[]')"
            )
            connection.execute(insert, {"id": "s1", "state": "refused", "now": NOW})
            connection.execute(insert, {"id": "s2", "state": "pending", "now": NOW})
        # One open (pending or approved) submission per achievement: the partial unique index.
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(insert, {"id": "s3", "state": "approved", "now": NOW})
    finally:
        engine.dispose()
    command.downgrade(config, "0009")
    names = {name for (name,) in _rows(empty_database_url, _TABLES[empty_database_url.split(":")[0]])}
    assert not {"scheme_approval", "operator_status_list"} & names
    command.upgrade(config, "head")


_TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql+psycopg": "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
}


def test_0013_turns_expiry_reminders_on_for_existing_learners(empty_database_url: str) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0012")
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO learner (id, password_hash, created_at) VALUES ('l1', 'x', :now)"), {"now": NOW}
        )
    engine.dispose()
    command.upgrade(config, "0013")
    assert _rows(empty_database_url, "SELECT expiry_reminders, password_changed_at FROM learner") in (
        [(True, None)],
        [(1, None)],  # SQLite has no boolean type
    )
    command.downgrade(config, "0012")
    assert _rows(empty_database_url, "SELECT COUNT(*) FROM learner") == [(1,)]


def test_0011_adds_the_change_counter_at_zero_and_removes_it_going_down(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    assert _rows(empty_database_url, "SELECT id, version FROM change_counter") == [(1, 0)]
    config = alembic_config(empty_database_url)
    command.downgrade(config, "0010_approval")
    engine = create_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            assert "change_counter" not in inspect(connection).get_table_names()
    finally:
        engine.dispose()
    upgrade(empty_database_url)
    assert _rows(empty_database_url, "SELECT id, version FROM change_counter") == [(1, 0)]


def test_0012_pathway_tables_come_and_go(empty_database_url: str) -> None:
    """0012 adds the pathway tables; going down removes them and leaves the rest."""
    config = alembic_config(empty_database_url)
    upgrade(empty_database_url)
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO pathway (id, owner, title, description, current_version, state, created_at,"
                " updated_at) VALUES ('p1', 'operator', 'Net Zero', '', 1, 'published', :now, :now)"
            ),
            {"now": NOW},
        )
    engine.dispose()
    assert _rows(empty_database_url, "SELECT title FROM pathway") == [("Net Zero",)]
    command.downgrade(config, "0011")
    tables = "SELECT COUNT(*) FROM learner"
    assert _rows(empty_database_url, tables) == [(0,)]
    engine = create_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            names = set(connection.dialect.get_table_names(connection))
    finally:
        engine.dispose()
    assert not names & {"pathway", "pathway_version", "pathway_completion"}
    upgrade(empty_database_url)
    assert _rows(empty_database_url, "SELECT COUNT(*) FROM pathway") == [(0,)]


def test_0014_staff_tables_go_up_and_down_keeping_the_providers(empty_database_url: str) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0013")
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO issuer (id, name, url, created_at) VALUES ('i1', 'College', 'https://c', :now)"
            ),
            {"now": NOW},
        )
    engine.dispose()
    command.upgrade(config, "0014")
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO staff_member (id, provider_id, email, name, role, created_at)"
                " VALUES ('s1', 'i1', 'ada@c', 'Ada', 'admin', :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO audit_event (id, at, provider_id, actor_kind, actor_label, action, subject_kind)"
                " VALUES ('e1', :now, 'i1', 'system', 'system', 'staff.invite', 'staff_member')"
            ),
            {"now": NOW},
        )
    engine.dispose()
    assert _rows(empty_database_url, "SELECT totp_enabled FROM staff_member") in ([(False,)], [(0,)])
    command.downgrade(config, "0013")
    assert _rows(empty_database_url, "SELECT COUNT(*) FROM issuer") == [(1,)]
    engine = create_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert not tables & {"staff_member", "staff_invitation", "staff_session", "audit_event"}
    upgrade(empty_database_url)  # and up again
