"""The sign-in limiter's sliding window, on its own, with explicit times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from passport.ratelimit import SignInLimiter

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_refuses_after_the_limit_until_failures_leave_the_window() -> None:
    limiter = SignInLimiter(per_account=3, per_address=100, window=timedelta(minutes=10))
    for minute in range(3):
        assert limiter.check("sam@example.com", "10.0.0.1", T0 + timedelta(minutes=minute)) is None
        limiter.failed("sam@example.com", "10.0.0.1", T0 + timedelta(minutes=minute))
    refusal = limiter.check("SAM@example.com ", "10.0.0.2", T0 + timedelta(minutes=3))
    assert refusal is not None
    assert refusal.retry_after == 7 * 60  # the first failure leaves the window at minute 10
    assert limiter.check("sam@example.com", "10.0.0.2", T0 + timedelta(minutes=10)) is None


def test_success_clears_the_account_but_not_the_address() -> None:
    limiter = SignInLimiter(per_account=2, per_address=3, window=timedelta(minutes=10))
    limiter.failed("a@example.com", "10.0.0.1", T0)
    limiter.failed("b@example.com", "10.0.0.1", T0)
    limiter.succeeded("a@example.com")
    assert limiter.check("a@example.com", "10.0.0.9", T0) is None
    limiter.failed("c@example.com", "10.0.0.1", T0)
    refusal = limiter.check("d@example.com", "10.0.0.1", T0)
    assert refusal is not None
    assert refusal.retry_after == 600


def test_memory_is_bounded() -> None:
    limiter = SignInLimiter(per_account=1, per_address=1000, window=timedelta(minutes=10), max_keys=10)
    for number in range(50):
        limiter.failed(f"user{number}@example.com", "10.0.0.1", T0)
    assert limiter.check("user49@example.com", "10.0.0.2", T0) is not None
    assert limiter.check("user0@example.com", "10.0.0.2", T0) is None  # evicted, oldest first
