"""Bulk issuing benchmark (run by hand): cohorts issued through the job runner, one JSON line out.

    .venv/bin/python bench/bulk.py --rows 10000 --format ldp
    PASSPORT_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/bulk.py --rows 10000 --format jwt

Prints {"op": "bulk-ldp", "rows", "format", "database", "processes", "jobs", "seconds", "rate",
"cpu_seconds", "main_cpu_seconds", "peak_rss_mb", "workers_peak_rss_mb", "total_pss_mb", "load_average"}.
``seconds`` is wall time from the first job starting to the last finishing, worker processes' start-up
included; ``cpu_seconds`` the CPU
time of this process and its signing workers over the whole run (less sensitive to a busy machine than
wall time). A job holds at most 10,000 rows (the product's limit), so more rows run as several jobs of one
provider, one after another. ``peak_rss_mb`` is this process; ``workers_peak_rss_mb`` the largest signing
worker (each is a separate process, forked from a small forkserver process); ``total_pss_mb`` the
memory of all of them together at the end (proportional set size: shared pages counted once).
Uses a fresh SQLite file (or a fresh schema on the given PostgreSQL server).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

# The repository first: bench/core.py, next to this script, would shadow the core package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from bench.serving import database_url
from core.db import make_engine, session_factory, transaction
from core.keystore import Keystore
from issuers import bulk, service
from issuers.api_models import AchievementCreate, IssuerCreate
from issuers.models import IssuedCredential
from issuers.ports import NoListener
from issuers.signing import BulkSigner
from passport.accounts.claims import ClaimNotifier
from passport.config import PassportConfig
from server.migrate import upgrade


def _pss_kib(pid: int) -> int:
    """Proportional set size: shared pages split between the processes sharing them (sums correctly)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            return next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0


def _descendants() -> list[tuple[float, int, int]]:
    """(CPU seconds, peak RSS, PSS now, both KiB) of every live descendant (the signing pool), from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found, frontier = [], [os.getpid()]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        frontier.extend(children)
        found.extend(children)
    usage = []
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in found:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/status") as status:
                peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
        except (OSError, StopIteration):
            continue
        usage.append(((int(fields[11]) + int(fields[12])) / ticks, peak, _pss_kib(pid)))
    return usage


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--format", choices=["ldp", "jwt"], default="ldp")
    parser.add_argument(
        "--claims", action="store_true", help="as the service runs: each credential also queues a claim link"
    )
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="signing processes")
    args = parser.parse_args()
    url = database_url()
    upgrade(url)
    sessions = session_factory(make_engine(url))
    listener = ClaimNotifier(PassportConfig("https://passport.bench")) if args.claims else NoListener()
    config = service.IssuerConfig("https://passport.bench", Keystore(os.urandom(32)), listener=listener)
    now = datetime.now(UTC)
    job_ids = []
    with transaction(sessions) as session:
        issuer, _ = service.create_issuer(
            session,
            config,
            IssuerCreate.model_validate({"name": "Bench College", "url": "https://c.example"}),
            now,
        )
        achievement = service.create_achievement(
            session,
            config,
            issuer,
            AchievementCreate.model_validate(
                {
                    "kind": "course",
                    "name": "Bench",
                    "description": "d",
                    "criteria_narrative": "c",
                    "level": "RQF 3",
                }
            ),
            now,
        )
        for first in range(0, args.rows, bulk.MAX_ROWS):
            count = min(bulk.MAX_ROWS, args.rows - first)
            lines = "\n".join(
                ["email,name,result"]
                + [f"l{i}@example.com,Learner {i},Pass" for i in range(first, first + count)]
            )
            job = bulk.create_job(
                session, config, issuer, achievement.id, args.format, "c.csv", lines.encode(), now
            )
            job_ids.append(job.id)
    signer = BulkSigner(args.processes)
    started = time.perf_counter()
    for job_id in job_ids:
        bulk.run_job(sessions, config, job_id, signer=signer)
    seconds = time.perf_counter() - started
    workers = _descendants()
    own = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = own.ru_utime + own.ru_stime + sum(cpu for cpu, _, _ in workers)
    total_pss = _pss_kib(os.getpid()) + sum(pss for _, _, pss in workers)
    signer.close()
    with transaction(sessions) as session:
        issued = session.scalar(select(func.count()).select_from(IssuedCredential))
    assert issued == args.rows, (issued, args.rows)
    print(
        json.dumps(
            {
                "op": f"bulk-{args.format}" + ("-claims" if args.claims else ""),
                "rows": args.rows,
                "format": args.format,
                "database": url.split(":", 1)[0],
                "processes": args.processes,
                "jobs": len(job_ids),
                "seconds": round(seconds, 2),
                "rate": round(args.rows / seconds, 1),
                "cpu_seconds": round(cpu_seconds, 1),
                "main_cpu_seconds": round(own.ru_utime + own.ru_stime, 1),
                "peak_rss_mb": round(own.ru_maxrss / 1024, 1),
                "workers_peak_rss_mb": round(max((peak for _, peak, _ in workers), default=0) / 1024, 1),
                "total_pss_mb": round(total_pss / 1024, 1),
                "load_average": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
