"""The issuer service's app fixtures (a fresh migrated database per test: SQLite, or PostgreSQL when
PASSPORT_TEST_DATABASE_URL is set)."""

from tests.issuers.conftest import client, database_url, settings

__all__ = ["client", "database_url", "settings"]
