"""The demo learner sees a passport at once; migration 0004 goes down and up again."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text

from core.db import transaction
from core.services import Database, services_of
from issuers.service import IssuerConfig
from passport.config import PassportConfig
from server.migrate import alembic_config
from server.seed import DEMO_LEARNER_EMAIL, seed_demo, seed_demo_learner
from server.settings import Settings
from tests.passport.conftest import Browser

PASSPORT_TABLES = {
    "learner",
    "learner_email",
    "learner_session",
    "learner_token",
    "email_link",
    "outbox_message",
}


def test_the_demo_learner_signs_in_to_a_passport_with_credentials(client: TestClient, app: FastAPI) -> None:
    now = datetime.now(UTC)
    with transaction(services_of(app).get(Database).sessions) as session:
        created = seed_demo_learner(session, services_of(app).get(PassportConfig), now)
        assert seed_demo(session, services_of(app).get(IssuerConfig), now) is not None
    assert created is not None
    email, password = created
    assert email == DEMO_LEARNER_EMAIL
    browser = Browser.open(app)
    assert browser.sign_in(email, password).status_code == 303
    page = browser.get("/passport")
    assert "6 credentials" in page.text
    assert "Midlands Further Education College" in page.text
    with transaction(services_of(app).get(Database).sessions) as session:
        assert seed_demo_learner(session, services_of(app).get(PassportConfig), now) is None


def test_migration_0004_downgrades_and_upgrades(settings: Settings) -> None:
    config = alembic_config(settings.database_url)
    command.downgrade(config, "0003")
    engine = create_engine(settings.database_url)
    try:
        assert not PASSPORT_TABLES & set(inspect(engine).get_table_names())
        command.upgrade(config, "head")
        inspector = inspect(engine)
        assert set(inspector.get_table_names()) >= PASSPORT_TABLES
        # An expression index: SQLAlchemy does not reflect those on SQLite, so ask the catalogue.
        catalogue = (
            "SELECT name FROM sqlite_master WHERE type = 'index'"
            if engine.dialect.name == "sqlite"
            else "SELECT indexname FROM pg_indexes WHERE tablename = 'issued_credential'"
        )
        with engine.connect() as connection:
            indexes = set(connection.scalars(text(catalogue)))
        assert "ix_issued_credential_recipient_email_lower" in indexes
    finally:
        engine.dispose()


SHARING_TABLES = {"imported_credential", "share_link", "share_link_item", "holder_key"}


def test_migration_0005_downgrades_and_upgrades(settings: Settings) -> None:
    config = alembic_config(settings.database_url)
    command.downgrade(config, "0004")
    engine = create_engine(settings.database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert not SHARING_TABLES & tables
        assert tables >= PASSPORT_TABLES
        command.upgrade(config, "head")
        assert set(inspect(engine).get_table_names()) >= SHARING_TABLES
    finally:
        engine.dispose()
