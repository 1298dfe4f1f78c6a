"""Bulk issuing benchmark (run by hand): a cohort issued through the job runner, JSON lines out.

    .venv/bin/python bench/bulk.py --rows 1000 --format ldp
    PASSPORT_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/bulk.py

Prints {"op": "bulk-ldp", "rows", "seconds", "per_second", "peak_rss_mb", "database"}.
Uses a fresh SQLite file (or a fresh schema on the given PostgreSQL server).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import create_engine, text

from issuers import bulk, service
from issuers.keystore import Keystore
from issuers.notify import NoListener
from issuers.schemas import AchievementCreate, IssuerCreate
from passport.claims import ClaimNotifier
from passport.config import PassportConfig
from server.db import make_engine, session_factory, transaction
from server.migrate import upgrade


def database_url() -> str:
    server = os.environ.get("PASSPORT_BENCH_DATABASE_URL")
    if not server:
        return f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with create_engine(server, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{server}?options=-csearch_path%3D{schema}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--format", choices=["ldp", "jwt"], default="ldp")
    parser.add_argument(
        "--claims", action="store_true", help="as the service runs: each credential also queues a claim link"
    )
    args = parser.parse_args()
    url = database_url()
    upgrade(url)
    sessions = session_factory(make_engine(url))
    listener = ClaimNotifier(PassportConfig("https://passport.bench")) if args.claims else NoListener()
    config = service.IssuerConfig("https://passport.bench", Keystore(os.urandom(32)), listener=listener)
    now = datetime.now(UTC)
    lines = "\n".join(
        ["email,name,result"] + [f"l{i}@example.com,Learner {i},Pass" for i in range(args.rows)]
    )
    with transaction(sessions) as session:
        issuer, _ = service.create_issuer(
            session,
            config,
            IssuerCreate.model_validate({"name": "Bench College", "url": "https://c.example"}),
            now,
        )
        achievement = service.create_achievement(
            session,
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
        job = bulk.create_job(session, issuer, achievement.id, args.format, "c.csv", lines.encode(), now)
    started = time.perf_counter()
    bulk.run_job(sessions, config, job.id)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "op": f"bulk-{args.format}" + ("-claims" if args.claims else ""),
                "rows": args.rows,
                "seconds": round(seconds, 2),
                "per_second": round(args.rows / seconds, 1),
                "peak_rss_mb": round(peak_mb, 1),
                "database": url.split(":", 1)[0],
            }
        )
    )


if __name__ == "__main__":
    main()
