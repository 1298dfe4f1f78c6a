"""Console cohort preview benchmark (run by hand): a 10,000-row cohort file uploaded in the provider
console, checked row by row and its preview's first page shown, answered by ``passport serve``.

    .venv/bin/python bench/cohort_preview.py [--rows 10000] [--times 5]
    PASSPORT_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/cohort_preview.py

Setup: a fresh SQLite file (or a fresh schema on the given PostgreSQL server), migrated; one provider with
one achievement and an issuer staff member signed in (their console session cookie). Then
``passport serve --workers 1`` in production configuration (`bench.passport_pages.serving`), asked over
loopback by one httpx client, sequentially, after one warm-up: ``--times`` times, the whole preview as a
person gets it: ``POST /console/cohorts`` (the CSV uploaded: every row checked, the file kept) and the
``GET`` of the preview page it redirects to (checked again, rows with problems first, page 1 of 100 rows).
Once with a clean file, once with one bad row in 100. One JSON line each, with p50, p95, max of the pair
and of each step, and the server's CPU time per preview. Target (issue 13): < 3 s for 10,000 rows.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository, for bench.serving

import httpx
from pydantic import SecretStr

from bench.passport_pages import load_average, serving
from bench.serving import database_url, tree_cpu_seconds
from core.db import transaction
from core.services import Database, services_of
from issuers import service
from issuers.api_models import AchievementCreate, IssuerCreate
from issuers.service import IssuerConfig
from issuers.staff import accounts
from issuers.staff.accounts import StaffConfig
from issuers.staff.web import CONSOLE, cookie_names
from server.app import create_app
from server.migrate import upgrade
from server.settings import Settings

BASE_URL = "https://passport.bench"


def seed(app: object) -> tuple[str, str, str]:
    """A provider, an achievement and a signed-in issuer: (achievement id, cookie name, cookie value)."""
    sessions = services_of(app).get(Database).sessions
    config, staff = services_of(app).get(IssuerConfig), services_of(app).get(StaffConfig)
    now = datetime.now(UTC)
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
                    "name": "Heat Pump Installation (Level 3)",
                    "description": "Install and commission heat pumps.",
                    "criteria_narrative": "Assessed installation and written test.",
                    "level": "RQF 3",
                }
            ),
            now,
        )
        member = accounts.enrol(
            session, staff, issuer.id, "ivor@bench.example", "Ivor", "issuer", uuid.uuid4().hex, now
        )
        _, secret = accounts.start_session(session, staff, member, now)
    return achievement.id, cookie_names(staff, CONSOLE)[0], secret


def cohort(rows: int, bad_every: int | None) -> bytes:
    lines = ["email,name,learner_id,result"]
    for number in range(rows):
        bad = bad_every is not None and number % bad_every == bad_every - 1
        lines.append(
            f"{'not-an-address' if bad else f'new{number}@example.com'},New Learner {number},N{number},Pass"
        )
    return ("\n".join(lines) + "\n").encode()


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = sorted(value * 1000 for value in seconds)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]
    return {"p50_ms": round(statistics.median(ms), 1), "p95_ms": round(p95, 1), "max_ms": round(ms[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--times", type=int, default=5)
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
    achievement_id, cookie_name, cookie = seed(app)
    services_of(app).get(Database).engine.dispose()
    headers = {"Cookie": f"{cookie_name}={cookie}"}
    with (
        serving(settings, 1) as (local, server),
        httpx.Client(base_url=local, timeout=60, headers=headers) as client,
    ):
        page = client.get("/console/cohorts")
        assert page.status_code == 200, page.text[:500]
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found
        csrf = found.group(1)
        for label, bad_every in (("clean", None), ("one-bad-row-in-100", 100)):
            content = cohort(args.rows, bad_every)

            def preview(content: bytes = content) -> tuple[float, float, httpx.Response]:
                started = time.perf_counter()
                uploaded = client.post(
                    "/console/cohorts",
                    data={"csrf_token": csrf, "achievement_id": achievement_id, "format": "ldp"},
                    files={"file": ("cohort.csv", content, "text/csv")},
                )
                assert uploaded.status_code == 303, uploaded.text[:500]
                middle = time.perf_counter()
                shown = client.get(uploaded.headers["location"])
                assert shown.status_code == 200, shown.text[:500]
                return middle - started, time.perf_counter() - middle, shown

            preview()  # warm-up, not counted
            uploads, pages = [], []
            cpu_before = tree_cpu_seconds(server.pid)
            for _ in range(args.times):
                upload_seconds, page_seconds, shown = preview()
                uploads.append(upload_seconds)
                pages.append(page_seconds)
            cpu = tree_cpu_seconds(server.pid) - cpu_before
            rows_shown = len(re.findall(r'<th scope="row">', shown.text))
            print(
                json.dumps(
                    {
                        "op": f"console-cohort-preview-{label}",
                        "rows": args.rows,
                        "rows_on_first_page": rows_shown,
                        "bytes_first_page": len(shown.content),
                        "total": percentiles([a + b for a, b in zip(uploads, pages, strict=True)]),
                        "upload": percentiles(uploads),
                        "preview_page": percentiles(pages),
                        "server_cpu_seconds_per_preview": round(cpu / args.times, 2),
                        "database": database,
                        "load_average": load_average(),
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
