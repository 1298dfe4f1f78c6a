"""The sign-in limiter's sliding window, with explicit times, over both stores; and the database store
shared by two apps on one database, as two worker processes are."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import make_engine, session_factory
from core.services import Database, services_of
from passport.accounts.ratelimit import DatabaseFailures, FailureStore, MemoryFailures, SignInLimiter
from passport.models import SignInFailure
from server.app import create_app
from server.migrate import upgrade
from server.settings import Settings
from tests.conftest import BASE_URL

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "database"])
def store(request: pytest.FixtureRequest, database_url: str) -> Iterator[FailureStore]:
    if request.param == "memory":
        yield MemoryFailures()
        return
    upgrade(database_url)
    engine = make_engine(database_url)
    yield DatabaseFailures(session_factory(engine))
    engine.dispose()


def test_one_client_on_one_account_waits_twice_as_long_after_each_failure(store: FailureStore) -> None:
    limiter = SignInLimiter(free_per_client=3, window=timedelta(minutes=15), store=store)
    now = T0
    for _ in range(3):
        assert limiter.check("sam@example.com", "10.0.0.1", now) is None
        limiter.failed("sam@example.com", "10.0.0.1", now)
    waits = []
    for _ in range(9):
        refusal = limiter.check("SAM@example.com ", "10.0.0.1", now)
        assert refusal is not None
        waits.append(refusal.retry_after)
        now += timedelta(seconds=refusal.retry_after)
        assert limiter.check("sam@example.com", "10.0.0.1", now) is None
        limiter.failed("sam@example.com", "10.0.0.1", now)
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256]
    # Another client on the account, and the same client on another account, are not slowed.
    assert limiter.check("sam@example.com", "10.0.0.2", now) is None
    assert limiter.check("kim@example.com", "10.0.0.1", now) is None


def test_a_success_clears_the_account_and_that_client_on_it(store: FailureStore) -> None:
    limiter = SignInLimiter(free_per_client=2, per_account=4, per_address=100, store=store)
    for _ in range(2):
        limiter.failed("sam@example.com", "10.0.0.1", T0)
    limiter.failed("sam@example.com", "10.0.0.2", T0)
    assert limiter.check("sam@example.com", "10.0.0.1", T0) is not None
    limiter.succeeded("sam@example.com", "10.0.0.1")
    assert limiter.check("sam@example.com", "10.0.0.1", T0) is None
    limiter.failed("sam@example.com", "10.0.0.3", T0)
    limiter.failed("sam@example.com", "10.0.0.4", T0)
    assert limiter.check("sam@example.com", "10.0.0.9", T0) is None  # the account count began again


def test_the_account_cap_refuses_everyone_until_failures_leave_the_window(store: FailureStore) -> None:
    limiter = SignInLimiter(per_account=3, per_address=100, window=timedelta(minutes=10), store=store)
    for minute in range(3):
        limiter.failed("sam@example.com", f"10.0.0.{minute}", T0 + timedelta(minutes=minute))
    refusal = limiter.check("SAM@example.com ", "10.0.0.9", T0 + timedelta(minutes=3))
    assert refusal is not None
    assert refusal.retry_after == 7 * 60  # the first failure leaves the window at minute 10
    assert limiter.check("sam@example.com", "10.0.0.9", T0 + timedelta(minutes=10)) is None


def test_one_address_trying_many_accounts_is_refused(store: FailureStore) -> None:
    limiter = SignInLimiter(per_account=100, per_address=3, window=timedelta(minutes=10), store=store)
    for number in range(3):
        limiter.failed(f"user{number}@example.com", "10.0.0.1", T0)
    refusal = limiter.check("d@example.com", "10.0.0.1", T0)
    assert refusal is not None
    assert refusal.retry_after == 600
    assert limiter.check("d@example.com", "10.0.0.2", T0) is None


def test_memory_is_bounded() -> None:
    limiter = SignInLimiter(
        per_account=1, per_address=1000, window=timedelta(minutes=10), store=MemoryFailures(max_keys=30)
    )
    for number in range(50):
        limiter.failed(f"user{number}@example.com", "10.0.0.1", T0)
    assert limiter.check("user49@example.com", "10.0.0.2", T0) is not None
    assert limiter.check("user0@example.com", "10.0.0.2", T0) is None  # evicted, oldest first


def test_the_database_keeps_no_address_and_forgets_old_failures(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    limiter = SignInLimiter(per_account=5, window=timedelta(minutes=10), store=DatabaseFailures(sessions))
    limiter.failed("sam@example.com", "10.0.0.1", T0)
    limiter.failed(
        "kim@example.com", "10.0.0.1", T0 + timedelta(minutes=11)
    )  # the first failure's three rows go
    with sessions() as session:
        keys = session.scalars(select(SignInFailure.key)).all()
        assert len(keys) == 3  # the account, the address, the address on the account: one failure
        assert not any("example.com" in key or "10.0.0.1" in key for key in keys)
    engine.dispose()


def sign_in(client: TestClient, password: str) -> int:
    response = client.post("/api/v1/passport/tokens", json={"email": "sam@example.com", "password": password})
    return response.status_code


def test_two_workers_on_one_database_count_the_same_failures(settings: Settings) -> None:
    """Each `passport serve` worker builds its own app: a limit per app would multiply by the workers."""
    limited = settings.model_copy(
        update={"sign_in_max_failures_per_account": 3, "sign_in_free_failures_per_client": 10}
    )
    first, second = create_app(limited), create_app(limited)
    with TestClient(first, base_url=BASE_URL) as one, TestClient(second, base_url=BASE_URL) as two:
        assert [sign_in(one, "wrong"), sign_in(two, "wrong"), sign_in(one, "wrong")] == [401, 401, 401]
        assert sign_in(two, "wrong") == 429
        assert sign_in(one, "wrong") == 429
        with services_of(first).get(Database).sessions() as session:
            # account, address, and the address on the account
            assert session.scalar(select(func.count()).select_from(SignInFailure)) == 9
    for app in (first, second):
        services_of(app).get(Database).engine.dispose()
