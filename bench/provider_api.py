"""Provider API benchmark (run by hand): a provider with 100,000 credentials; its list and searches, and a
10,000-row cohort validated and previewed, answered by ``passport serve``.

    .venv/bin/python bench/provider_api.py [--credentials 100000] [--requests 100] [--cohort 10000]
    PASSPORT_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/provider_api.py

Setup: a fresh SQLite file (or a fresh schema on the given PostgreSQL server), migrated; one provider
(`issuers.service.create_issuer`) with five achievements; ``--credentials`` credential rows written
straight into ``issued_credential`` in batches (the list reads only the row's columns, never the signed
document, so the rows hold a placeholder document: signing 100,000 credentials would take an hour and
measure nothing the list does), with the monthly counters that issuing, claiming and revoking keep;
spread over a year, over the five achievements, 5,000 distinct addresses, 1 in 50 revoked, 2 in 3
claimed.

Then ``passport serve --workers 1`` in production configuration (`bench.serving`), asked over loopback by
one httpx client, sequentially, after one warm-up request of each: ``--requests`` times each of
``GET /api/v1/credentials`` (first page of 50), the page after 1,000 rows (a cursor), a search by email,
by part of a name, by learner id, by status, ``GET /api/v1/statistics`` (every figure per achievement and
month, what a dashboard shows), and ``POST /api/v1/credentials/bulk/preview`` (a
``--cohort``-row CSV, one bad row in 100) a few times. Prints one JSON line per operation with p50, p95,
max and the server's CPU time per request. Targets (issue 13): list and search p95 < 100 ms; a 10,000-row
cohort validated and previewed < 3 s; the statistics are the dashboard's (< 200 ms).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository, for bench.serving

import httpx
from pydantic import SecretStr
from sqlalchemy import insert

from bench.passport_pages import latency_line, load_average, serving, timed
from bench.serving import database_url
from core.db import new_id, transaction
from core.services import Database, services_of
from issuers import service
from issuers.api_models import AchievementCreate, IssuerCreate
from issuers.models import CredentialActivity, IssuedCredential, StatusListRow
from issuers.reports import statistics
from issuers.service import IssuerConfig
from server.app import create_app
from server.migrate import upgrade
from server.settings import Settings

BASE_URL = "https://passport.bench"
ADDRESSES = 5_000


def seed(app: object, count: int) -> tuple[str, list[str]]:
    """A provider with `count` credential rows; returns its API key and achievement ids."""
    sessions = services_of(app).get(Database).sessions
    config = services_of(app).get(IssuerConfig)
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        issuer, api_key = service.create_issuer(
            session,
            config,
            IssuerCreate.model_validate({"name": "Bench College", "url": "https://c.example"}),
            now,
        )
        achievements = [
            service.create_achievement(
                session,
                config,
                issuer,
                AchievementCreate.model_validate(
                    {
                        "kind": "course",
                        "name": f"Course {number}",
                        "description": "A course.",
                        "criteria_narrative": "Assessed.",
                        "level": "RQF 3",
                    }
                ),
                now,
            ).id
            for number in range(5)
        ]
        key_id = service.signing_keys(session, issuer.id)[0].id
        issuer_id = issuer.id
    lists: list[str] = []
    counts: dict[tuple[str, str, str], int] = {}
    per_list = 65_536
    for first in range(0, count, 10_000):
        with transaction(sessions) as session:
            rows = []
            for number in range(first, min(first + 10_000, count)):
                if number % per_list == 0:
                    status_list = StatusListRow(
                        id=new_id(),
                        issuer_id=issuer_id,
                        purpose="revocation",
                        length=131_072,
                        status_size=1,
                        bits=bytes(16_384),
                        allocated=0,
                        version=1,
                        created_at=now,
                        updated_at=now,
                    )
                    session.add(status_list)
                    session.flush()
                    lists.append(status_list.id)
                issued_at = now - timedelta(seconds=(count - number) * 315)  # about a year
                revoked = number % 50 == 0
                rows.append(
                    {
                        "id": new_id(),
                        "issuer_id": issuer_id,
                        "achievement_id": achievements[number % 5],
                        "achievement_version": 1,
                        "signing_key_id": key_id,
                        "recipient_email": f"learner{number % ADDRESSES}@example.com",
                        "recipient_name": f"Learner Number{number}",
                        "learner_id": f"L{number}",
                        "format": "ldp",
                        "document": "{}",
                        "revocation_list_id": lists[-1],
                        "revocation_index": number % per_list,
                        "issued_at": issued_at,
                        "revoked_at": issued_at + timedelta(days=1) if revoked else None,
                        "revocation_reason": "bench" if revoked else None,
                        "claimed_at": issued_at + timedelta(days=2) if number % 3 else None,
                    }
                )
            session.execute(insert(IssuedCredential), rows)
            for row in rows:  # the figures, as issuing, claiming and revoking count them
                for kind, moment in (
                    ("issued", row["issued_at"]),
                    ("claimed", row["claimed_at"]),
                    ("revoked", row["revoked_at"]),
                ):
                    if moment is not None:
                        key = (row["achievement_id"], statistics.month_of(moment), kind)
                        counts[key] = counts.get(key, 0) + 1
    with transaction(sessions) as session:
        session.execute(
            insert(CredentialActivity),
            [
                {"issuer_id": issuer_id, "achievement_id": a, "month": m, "kind": k, "count": n}
                for (a, m, k), n in counts.items()
            ],
        )
    return api_key, achievements


def cohort(rows: int) -> bytes:
    lines = ["email,name,learner_id,result"]
    for number in range(rows):
        email = f"new{number}@example.com" if number % 100 else "not-an-address"
        lines.append(f"{email},New Learner {number},N{number},Pass")
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--credentials", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--cohort", type=int, default=10_000)
    parser.add_argument("--previews", type=int, default=5)
    args = parser.parse_args()
    url = database_url()
    database = url.split(":", 1)[0]
    upgrade(url)
    settings = Settings(
        database_url=url,
        base_url=BASE_URL,
        master_key=SecretStr(base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")),
        admin_token=SecretStr("op_" + uuid.uuid4().hex),
    )
    app = create_app(settings)
    started = time.perf_counter()
    api_key, achievements = seed(app, args.credentials)
    print(
        json.dumps(
            {
                "op": "provider-setup",
                "credentials": args.credentials,
                "seconds": round(time.perf_counter() - started, 1),
                "database": database,
                "load_average": load_average(),
            }
        ),
        flush=True,
    )
    services_of(app).get(Database).engine.dispose()
    bearer = {"Authorization": f"Bearer {api_key}"}
    with serving(settings, 1) as (local, server), httpx.Client(base_url=local, timeout=60) as client:
        deep = client.get("/api/v1/credentials", params={"limit": 200}, headers=bearer)
        cursor = deep.json()["next_cursor"]
        for _ in range(4):
            cursor = client.get(
                "/api/v1/credentials", params={"limit": 200, "cursor": cursor}, headers=bearer
            ).json()["next_cursor"]
        searches = {
            "credentials-list": {},
            "credentials-list-after-1000": {"cursor": cursor},
            "credentials-search-email": {"email": "LEARNER4321@example.com"},
            "credentials-search-name": {"name": "number9999"},
            "credentials-search-learner-id": {"learner_id": "L77777"},
            "credentials-search-status": {"status": "revoked"},
            "credentials-search-achievement-and-email": {
                "achievement_id": achievements[1],
                "email": "learner1@example.com",
            },
        }
        for op, params in searches.items():
            durations, response, cpu = timed(
                lambda params=params: client.get("/api/v1/credentials", params=params, headers=bearer),
                args.requests,
                server.pid,
            )
            assert response.json()["items"], (op, response.text[:300])
            print(latency_line(op, durations, response, cpu, database), flush=True)
        durations, response, cpu = timed(
            lambda: client.get("/api/v1/statistics", headers=bearer), args.requests, server.pid
        )
        assert response.json()["totals"]["issued"] == args.credentials, response.text[:300]
        print(latency_line("provider-statistics", durations, response, cpu, database), flush=True)
        content = cohort(args.cohort)
        durations, response, cpu = timed(
            lambda: client.post(
                "/api/v1/credentials/bulk/preview",
                data={"achievement_id": achievements[0], "format": "ldp"},
                files={"file": ("cohort.csv", content, "text/csv")},
                headers=bearer,
            ),
            args.previews,
            server.pid,
        )
        answer = response.json()
        assert answer["total"] == args.cohort, answer
        print(
            json.dumps(
                {
                    "op": "bulk-preview",
                    "rows": args.cohort,
                    "bad_rows": answer["invalid"],
                    "seconds": [round(duration, 2) for duration in durations],
                    "server_cpu_seconds_per_preview": round(cpu / len(durations), 2),
                    "database": database,
                    "load_average": load_average(),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
