"""verification.cache: entries in use are reloaded before they expire, so requests never miss together."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core.cache import RefreshAheadCache
from core.changes import Changes


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Queue:
    """A `submit` that keeps the work until the test runs it: reloads happen when the test says."""

    def __init__(self) -> None:
        self.work: list[Callable[[], None]] = []

    def __call__(self, work: Callable[[], None]) -> None:
        self.work.append(work)

    def run(self) -> None:
        work, self.work = self.work, []
        for item in work:
            item()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def queue() -> Queue:
    return Queue()


def cache_with(
    clock: Clock, queue: Queue, reload: Callable[[str], str | None]
) -> RefreshAheadCache[str, str]:
    return RefreshAheadCache(
        ttl=10, maxsize=8, reload=lambda key: (reload(key), 0), submit=queue, timer=clock, changes=Changes()
    )


def test_an_entry_read_in_its_second_half_is_reloaded_and_outlives_its_ttl(
    clock: Clock, queue: Queue
) -> None:
    source = {"list": "v1"}
    cache = cache_with(clock, queue, source.get)
    cache.put("list", "v1")

    clock.now += 4
    assert cache.get("list") == "v1"
    assert queue.work == []  # first half of its life: nothing to do

    clock.now += 2
    source["list"] = "v2"  # e.g. a revocation
    assert cache.get("list") == "v1"  # still fresh: answered at once, reload started
    assert len(queue.work) == 1
    queue.run()
    assert cache.get("list") == "v2"

    clock.now += 9  # 15 s after the first put: the first value would have expired by now
    assert cache.get("list") == "v2"


def test_an_entry_nobody_reads_expires_as_before(clock: Clock, queue: Queue) -> None:
    cache = cache_with(clock, queue, lambda key: "never used")
    cache.put("list", "v1")
    clock.now += 10
    assert cache.get("list") is None
    assert queue.work == []


def test_one_reload_at_a_time_per_key(clock: Clock, queue: Queue) -> None:
    loads: list[str] = []

    def reload(key: str) -> str:
        loads.append(key)
        return "v2"

    cache = cache_with(clock, queue, reload)
    cache.put("a", "v1")
    cache.put("b", "v1")
    clock.now += 6
    for _ in range(5):
        cache.get("a")
    cache.get("b")
    queue.run()
    assert loads == ["a", "b"]

    clock.now += 6  # the reloaded entries are in their second half again
    cache.get("a")
    queue.run()
    assert loads == ["a", "b", "a"]


def test_a_failed_reload_leaves_the_entry_to_expire_and_can_be_tried_again(
    clock: Clock, queue: Queue, caplog: pytest.LogCaptureFixture
) -> None:
    attempts = 0

    def reload(key: str) -> str:
        nonlocal attempts
        attempts += 1
        raise RuntimeError("database unavailable")

    cache = cache_with(clock, queue, reload)
    cache.put("list", "v1")
    clock.now += 6
    assert cache.get("list") == "v1"
    queue.run()  # the error is logged, not raised into a request
    assert "reloading 'list' for the verify cache failed" in caplog.text
    assert cache.get("list") == "v1"
    queue.run()
    assert attempts == 2
    clock.now += 4
    assert cache.get("list") is None


def test_a_reload_that_finds_nothing_drops_the_entry(clock: Clock, queue: Queue) -> None:
    cache = cache_with(clock, queue, lambda key: None)  # e.g. the issuer is gone
    cache.put("did", "document")
    clock.now += 6
    cache.get("did")
    queue.run()
    assert cache.get("did") is None


def test_without_a_reloader_it_is_a_plain_ttl_cache(clock: Clock) -> None:
    cache: RefreshAheadCache[str, str] = RefreshAheadCache(ttl=10, maxsize=8, timer=clock)
    cache.put("list", "v1")
    clock.now += 9
    assert cache.get("list") == "v1"
    clock.now += 1
    assert cache.get("list") is None


class Counter:
    """A `Changes` whose database is a number the test sets (`observe` reads it, like a session would)."""

    def __init__(self) -> None:
        self.changes = Changes()
        self.committed = 0

    def see(self) -> int:
        with_session = type("FakeSession", (), {"info": {}, "scalar": lambda _self, _q: self.committed})()
        return self.changes.observe(with_session)


def test_an_entry_read_before_a_change_is_a_miss_once_any_reader_has_seen_the_change(clock: Clock) -> None:
    counter = Counter()
    cache: RefreshAheadCache[str, str] = RefreshAheadCache(
        ttl=10, maxsize=8, timer=clock, changes=counter.changes
    )
    cache.put("list", "v1", version=counter.see())
    assert cache.get("list") == "v1"

    counter.committed = 1  # another process committed a revocation: this one has not looked yet
    assert cache.get("list") == "v1"
    counter.see()  # the next verification reads the counter first
    assert cache.get("list") is None


def test_a_value_read_under_an_older_counter_is_never_served(clock: Clock, queue: Queue) -> None:
    counter = Counter()
    source = {"list": "v1"}
    cache: RefreshAheadCache[str, str] = RefreshAheadCache(
        ttl=10,
        maxsize=8,
        reload=lambda key: (source.get(key), 0),  # a reload that read before the change
        submit=queue,
        timer=clock,
        changes=counter.changes,
    )
    cache.put("list", "v1", version=counter.see())
    clock.now += 6
    assert cache.get("list") == "v1"  # starts a reload
    counter.committed = 1
    counter.see()
    source["list"] = "v2"
    queue.run()  # the reload stores what it read under counter 0
    assert cache.get("list") is None
    cache.put("list", "v2", version=1)  # read under the new counter
    assert cache.get("list") == "v2"
