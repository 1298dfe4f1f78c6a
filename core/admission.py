"""Admission to CPU-heavy work: bounded thread pools, per-client and global limits, 429 beyond them.

The event loop must stay free for every other request (``GET /health``, pages, small verifications), so
work that costs CPU runs in a *lane*: a thread pool of its own with a bounded number of admitted jobs
(running plus waiting) and a bound per client (`core.clients.client_address`). A job beyond either bound
is refused at once with a 429 problem and ``Retry-After``, before it costs anything; nothing waits
unboundedly, and one client can hold at most its share of a lane. Lanes are separate pools, so large
jobs never delay small ones: a flood of large documents fills only the large lane.

A job counts against its lane until its thread has finished it, even if the client gave up waiting (a
thread cannot be interrupted), so the bounds are real bounds on the work in progress. The limits are per
process; `passport serve --workers N` has N times as many threads and slots.

CPU-bound Python threads share the interpreter lock with the event loop; the loop still gets it at least
every switch interval (5 ms), which is why a lane has few threads: the pools bound how much of a core
the loop competes with, not only how much memory waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import os
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from .i18n import N_, gettext
from .problems import TooManyRequests

__all__ = ["Admission", "Busy", "Lane", "Ticket"]

Result = TypeVar("Result")


@dataclass(frozen=True)
class Lane:
    """A pool of `threads`, admitting at most `queue` more jobs than it runs, `per_client` per client."""

    name: str
    threads: int
    queue: int
    per_client: int
    retry_after: int  # seconds, for the 429: about how long a slot takes to free
    nice: int = 0  # the threads' scheduling priority (Linux: per thread), added to the process's


def _lower_priority(nice: int) -> None:
    """On Linux a thread has its own nice value: the OS then runs the event loop's thread first."""
    if not nice:
        return
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, 0) + nice)


class Busy(TooManyRequests):
    """429: the client already has its share of the lane in progress, or the lane is full."""

    slug: ClassVar[str] = "busy"
    title: ClassVar[str] = N_("The service is busy")


class Ticket:
    """One admitted job's place in its lane, given back once."""

    def __init__(self, admission: Admission, lane: str, client: str) -> None:
        self.lane, self.client = lane, client
        self._admission: Admission | None = admission
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            admission, self._admission = self._admission, None
        if admission is not None:
            admission._release(self.lane, self.client)  # the ticket is the admission's own


class Admission:
    """The lanes of one process; `run` admits a job, runs it in its lane's pool, and awaits the result."""

    def __init__(self, lanes: Mapping[str, Lane]) -> None:
        self.lanes = dict(lanes)
        self._pools = {
            name: ThreadPoolExecutor(
                max_workers=lane.threads,
                thread_name_prefix=f"{name}-lane",
                initializer=functools.partial(_lower_priority, lane.nice),
            )
            for name, lane in self.lanes.items()
        }
        self._admitted: Counter[str] = Counter()
        self._by_client: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def admitted(self, lane: str, client: str | None = None) -> int:
        """Jobs admitted and not yet finished, in the lane (or of one client in it)."""
        with self._lock:
            return self._admitted[lane] if client is None else self._by_client[(lane, client)]

    def admit(self, lane_name: str, client: str) -> Ticket:
        """Count a job in, or `Busy`: admitted before its input is even read, so a refusal costs nothing.
        The ticket is given back by `run_admitted` when the job has run, or by `Ticket.release`."""
        lane = self.lanes[lane_name]
        with self._lock:
            if self._by_client[(lane_name, client)] >= lane.per_client:
                raise Busy(
                    gettext(
                        "you already have %(num)d requests of this kind in progress; wait for one to "
                        "finish, or try again in %(seconds)d seconds",
                        num=lane.per_client,
                        seconds=lane.retry_after,
                    ),
                    retry_after=lane.retry_after,
                )
            if self._admitted[lane_name] >= lane.threads + lane.queue:
                raise Busy(
                    gettext(
                        "too many requests of this kind are in progress; try again in %(seconds)d seconds",
                        seconds=lane.retry_after,
                    ),
                    retry_after=lane.retry_after,
                )
            self._admitted[lane_name] += 1
            self._by_client[(lane_name, client)] += 1
        return Ticket(self, lane_name, client)

    def _release(self, lane_name: str, client: str) -> None:
        with self._lock:
            self._admitted[lane_name] -= 1
            self._by_client[(lane_name, client)] -= 1
            if self._by_client[(lane_name, client)] <= 0:
                del self._by_client[(lane_name, client)]

    def submit(self, ticket: Ticket, work: Callable[[], Result]) -> Future[Result]:
        """Start admitted `work` in its lane's pool, in the caller's context (its language, among others);
        the ticket is given back when it has run."""
        try:
            future = self._pools[ticket.lane].submit(contextvars.copy_context().run, work)
        except BaseException:
            ticket.release()
            raise
        future.add_done_callback(lambda _: ticket.release())
        return future

    async def run_admitted(self, ticket: Ticket, work: Callable[[], Result]) -> Result:
        """`submit`, awaited without blocking the event loop; `work`'s exception is raised here."""
        return await asyncio.wrap_future(self.submit(ticket, work))

    async def run(self, lane_name: str, client: str, work: Callable[[], Result]) -> Result:
        """`admit`, then `run_admitted`."""
        return await self.run_admitted(self.admit(lane_name, client), work)

    def close(self) -> None:
        for pool in self._pools.values():
            pool.shutdown(wait=True, cancel_futures=True)
