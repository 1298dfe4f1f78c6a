"""In-memory attempts: a verification whose keys and status lists are cached runs on the event loop
without touching the database or the network; anything else is verified again in a worker thread, with
the same report."""

from __future__ import annotations

from threading import current_thread
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from core.cache import Background
from core.services import Database, services_of
from issuers.models import Issuer
from issuers.service import IssuerConfig
from server.settings import Settings
from tests.verification.conftest import ExternalIssuer, FakeWeb, issue, verify
from verification.service import Attempt, Deferred, Verifier


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Cache entries that outlive every test here: with the default 10 s, a loaded machine could reach an
    entry's reload (or expiry) between two requests, and a test would see statements it does not expect.
    The last test drives the caches' clock itself."""
    return settings.model_copy(update={"verify_cache_seconds": 3600})


def statements(client: TestClient) -> list[str]:
    seen: list[str] = []
    engine = services_of(client.app).get(Database).engine
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def without_time(report: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in report.items() if key != "checkedAt"}


def test_in_memory_session_defers_instead_of_querying(client: TestClient) -> None:
    app: Any = client.app
    attempt = Attempt(in_memory=True)
    session = services_of(app).get(Verifier).in_memory_session(services_of(app).get(Database).engine, attempt)
    seen = statements(client)
    with pytest.raises(Deferred):
        session.execute(text("SELECT 1"))
    session.close()
    assert attempt.deferred_by == "the database"
    assert seen == []


@pytest.mark.parametrize("credential_format", ["ldp", "jwt"])
def test_second_verification_of_an_own_issuer_needs_no_database(
    client: TestClient, provider: dict[str, Any], credential_format: str
) -> None:
    first_credential = issue(
        client, provider["api_key"], provider["achievement_id"], format=credential_format
    )
    other = issue(client, provider["api_key"], provider["achievement_id"], format=credential_format)
    first = verify(client, first_credential["credential"])  # fills the caches (worker thread)
    seen = statements(client)
    second = verify(client, other["credential"])  # same issuer, same status list: all in memory
    assert seen == []
    assert first["verified"] is second["verified"] is True
    assert without_time(verify(client, first_credential["credential"])) == without_time(first)


def test_deferred_and_in_memory_reports_agree_for_external_issuers(
    client: TestClient, college: ExternalIssuer, web: FakeWeb
) -> None:
    credential = college.sign(college.credential())
    tampered = {**credential, "name": "Forged"}
    reports = [verify(client, document) for document in (credential, tampered, credential, tampered)]
    assert len(web.requests) == 2  # the DID document and the status list, once
    assert without_time(reports[0]) == without_time(reports[2])
    assert without_time(reports[1]) == without_time(reports[3])
    assert reports[0]["verified"] is True
    assert reports[1]["verified"] is False


def test_in_memory_session_defers_on_get_too(client: TestClient) -> None:
    app: Any = client.app
    attempt = Attempt(in_memory=True)
    session = services_of(app).get(Verifier).in_memory_session(services_of(app).get(Database).engine, attempt)
    seen = statements(client)
    with pytest.raises(Deferred):
        session.get(Issuer, "0" * 32)
    session.close()
    assert attempt.deferred_by == "the database"
    assert seen == []


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_caches_in_use_are_reloaded_in_the_background_and_a_revocation_shows_after_the_reload(
    client: TestClient, provider: dict[str, Any]
) -> None:
    """Past its TTL, an own issuer's key and status list in use are still in memory (reloaded in the
    background: no request waits for the database), and what the reload read is what requests see."""
    app: Any = client.app
    clock = Clock()
    background = Background(services_of(app).get(Database).sessions, timer=clock)
    old = services_of(app).get(Verifier)
    services_of(app).replace(
        Verifier.create(
            services_of(app).get(IssuerConfig),
            old.fetcher,
            cache_seconds=10,
            registry_for=old.registry_for,
            background=background,
        )
    )
    threads: list[str] = []
    engine = services_of(app).get(Database).engine
    event.listen(engine, "before_cursor_execute", lambda *args: threads.append(current_thread().name))
    first = issue(client, provider["api_key"], provider["achievement_id"])
    second = issue(client, provider["api_key"], provider["achievement_id"])
    try:
        assert status_of(verify(client, first["credential"])) == "not revoked"  # fills the caches

        clock.now += 6  # second half of the entries' life
        threads.clear()
        assert status_of(verify(client, second["credential"])) == "not revoked"
        background.settle()
        assert threads
        assert all(name.startswith("verify-cache-reload") for name in threads)  # the request: memory only

        revoked = client.post(
            f"/api/v1/credentials/{first['id']}/revoke",
            json={"reason": "issued in error"},
            headers={"Authorization": f"Bearer {provider['api_key']}"},
        )
        assert revoked.status_code == 200, revoked.text
        clock.now += 6  # 12 s: the first entries would have expired; the reloaded ones have not
        threads.clear()
        assert status_of(verify(client, first["credential"])) == "not revoked"  # read before the revocation
        background.settle()
        assert all(name.startswith("verify-cache-reload") for name in threads)
        assert status_of(verify(client, first["credential"])) == "revoked"  # the reload read it
    finally:
        background.close()


def status_of(report: dict[str, Any]) -> str:
    status = next(item for item in report["checks"] if item["id"] == "status")
    return "revoked" if status["outcome"] == "failed" and "revoked" in status["message"] else "not revoked"
