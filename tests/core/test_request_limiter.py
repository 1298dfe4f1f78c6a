"""`core.throttle.RequestLimiter`: at most `limit` requests per key in a sliding window (every request
counts); a refused request is not counted, and says how long to wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.throttle import Refusal, RequestLimiter

START = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def test_the_limit_per_key_in_a_sliding_window() -> None:
    limiter = RequestLimiter(3, timedelta(seconds=60))
    assert [limiter.hit("a", START + timedelta(seconds=s)) for s in (0, 10, 20)] == [None, None, None]
    assert limiter.hit("a", START + timedelta(seconds=30)) == Refusal(
        retry_after=30
    )  # wait for the first to leave
    assert limiter.hit("b", START + timedelta(seconds=30)) is None  # another key is not affected
    assert limiter.hit("a", START + timedelta(seconds=60)) is None  # the first request has left the window
    assert limiter.hit("a", START + timedelta(seconds=61)) == Refusal(retry_after=9)


def test_refused_requests_are_not_counted() -> None:
    limiter = RequestLimiter(1, timedelta(seconds=10))
    assert limiter.hit("a", START) is None
    for second in range(1, 10):
        assert limiter.hit("a", START + timedelta(seconds=second)) is not None
    assert limiter.hit("a", START + timedelta(seconds=10)) is None
