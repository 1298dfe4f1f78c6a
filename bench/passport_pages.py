"""Passport benchmark (run by hand): a passport holding 1,000 credentials, served by ``passport serve``.

    .venv/bin/python bench/passport_pages.py [--credentials 1000] [--requests 50] [--exports 3] [--workers 2]
    PASSPORT_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/passport_pages.py

Setup: a fresh SQLite file (or a fresh schema on the given PostgreSQL server), migrated; the app from
``server.app.create_app(settings)`` (in this process, only to write the data); one learner
(``passport.accounts.create_learner``, its primary address verified) with a browser session and a
learner API token (``accounts.start_session``, ``accounts.create_token``); one provider and achievement;
``--credentials`` credentials issued to the learner's address through ``issuers.issuing.issue`` (the
bulk job runner refuses one address twice in a job), with the app's issuer config, so each also queues
the "new credential" email as the service does.

Then ``passport serve`` is started in production configuration, as ``bench/verify.py`` does it
(``PASSPORT_ENVIRONMENT=production``, the same database, base URL and master key, ``--workers 2
--log-level warning --no-access-log``, a free loopback port; each worker freezes its started heap,
``server.app.freeze_heap``), and asked over loopback with one httpx client, after one warm-up request of
each: ``--requests`` sequential ``GET /passport`` (HTML, session cookie) and
``GET /api/v1/passport/credentials`` (bearer token), and ``--exports`` ``GET /api/v1/passport/clr``.
The base URL is https (behind a TLS proxy, as deployed), so the session cookie is ``__Host-`` prefixed
and ``Secure``: it is sent in a Cookie header, not through a cookie jar. Every answer must be a 200; the
listing must hold every credential. Prints one JSON line per operation:
{"op": "passport-page"|"passport-credentials", "p50_ms", "p95_ms", "max_ms", "requests", "bytes",
"server_cpu_ms_per_request", ...} and {"op": "passport-clr", "seconds": [...], "bytes", "media_type",
...}, each with the 1-minute load average (the machine may be shared). ``server_cpu_ms_per_request`` is
the service's own CPU time (``passport serve`` and its workers, from /proc) over the timed requests:
comparable even when other work shares the machine. Targets (issue 5): page and listing p95 < 100 ms,
CLR < 2 s.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository, for bench.serving

import httpx
from pydantic import SecretStr

from bench.serving import database_url, free_port, tree_cpu_seconds
from bench.serving import serving as bench_serving
from core.db import transaction
from core.services import Database, services_of
from issuers import issuing, service
from issuers.api_models import AchievementCreate, CredentialCreate, IssuerCreate
from issuers.service import IssuerConfig
from passport.accounts import accounts
from passport.config import PassportConfig
from passport.web import cookie_names
from server.app import create_app
from server.migrate import upgrade
from server.settings import Settings

BASE_URL = "https://passport.bench"
EMAIL = "sam.bench@example.com"


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


@contextmanager
def serving(settings: Settings, workers: int) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``passport serve`` in production configuration with these settings (the secrets given), on a free
    loopback port, until the block ends: yields its local URL and its process."""
    assert settings.master_key is not None
    assert settings.admin_token is not None
    port = free_port()
    env = {
        "PASSPORT_DATABASE_URL": settings.database_url,
        "PASSPORT_BASE_URL": settings.base_url,
        "PASSPORT_MASTER_KEY": settings.master_key.get_secret_value(),
        "PASSPORT_ADMIN_TOKEN": settings.admin_token.get_secret_value(),
    }
    with bench_serving(env, port, workers) as server:
        yield f"http://127.0.0.1:{port}", server


def fill_passport(app: Any, count: int, credential_format: str) -> tuple[str, str]:
    """A learner holding ``count`` credentials; returns (session cookie secret, API token)."""
    sessions, passport_config, issuer_config = (
        services_of(app).get(Database).sessions,
        services_of(app).get(PassportConfig),
        services_of(app).get(IssuerConfig),
    )
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        password_hash = passport_config.passwords.hash(uuid.uuid4().hex)
        learner = accounts.create_learner(session, password_hash, EMAIL, now)
        _, cookie = accounts.start_session(session, passport_config, learner, now)
        _, token = accounts.create_token(session, passport_config, learner, "bench", now)
        issuer, _ = service.create_issuer(
            session,
            issuer_config,
            IssuerCreate.model_validate({"name": "Bench College", "url": "https://c.example"}),
            now,
        )
        achievement = service.create_achievement(
            session,
            issuer_config,
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
    # One at a time through the service (a bulk job refuses an address twice), 200 per transaction.
    for first in range(0, count, 200):
        with transaction(sessions) as session:
            issuer = service.get_issuer(session, issuer.id)
            for _ in range(first, min(first + 200, count)):
                request = CredentialCreate.model_validate(
                    {
                        "achievement_id": achievement.id,
                        "recipient": {"email": EMAIL, "name": "Sam Bench"},
                        "format": credential_format,
                        "result": "Pass",
                    }
                )
                issuing.issue(session, issuer_config, issuer, request, now)
    return cookie, token


def timed(
    request: Callable[[], httpx.Response], times: int, server: int
) -> tuple[list[float], httpx.Response, float]:
    """Wall seconds of each of ``times`` sequential requests (each must be a 200), the last answer, and the
    server's CPU seconds over them (process `server` and its workers)."""
    response = request()  # warm-up, not counted
    assert response.status_code == 200, response.text[:500]
    durations = []
    cpu_before = tree_cpu_seconds(server)
    for _ in range(times):
        started = time.perf_counter()
        response = request()
        durations.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:500]
    return durations, response, tree_cpu_seconds(server) - cpu_before


def latency_line(
    op: str, durations: list[float], response: httpx.Response, server_cpu: float, database: str
) -> str:
    ms = sorted(duration * 1000 for duration in durations)
    return json.dumps(
        {
            "op": op,
            "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(statistics.quantiles(ms, n=20, method="inclusive")[18], 1),
            "max_ms": round(ms[-1], 1),
            "requests": len(ms),
            "bytes": len(response.content),
            "server_cpu_ms_per_request": round(server_cpu * 1000 / len(ms), 1),
            "database": database,
            "load_average": load_average(),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--credentials", type=int, default=1000)
    parser.add_argument("--format", choices=["ldp", "jwt"], default="ldp")
    parser.add_argument("--requests", type=int, default=50, help="timed requests of the page and the listing")
    parser.add_argument("--exports", type=int, default=3, help="timed CLR exports")
    parser.add_argument("--workers", type=int, default=2, help="passport serve --workers (one per core)")
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
    cookie, token = fill_passport(app, args.credentials, args.format)
    setup_seconds = time.perf_counter() - started
    session_cookie, _ = cookie_names(services_of(app).get(PassportConfig))
    browser = {"Cookie": f"{session_cookie}={cookie}"}
    bearer = {"Authorization": f"Bearer {token}"}
    print(
        json.dumps(
            {
                "op": "passport-setup",
                "credentials": args.credentials,
                "format": args.format,
                "seconds": round(setup_seconds, 1),
                "database": database,
                "load_average": load_average(),
            }
        ),
        flush=True,
    )
    services_of(app).get(Database).engine.dispose()  # the service has its own connections
    listing_path = "/api/v1/passport/credentials"
    with (
        serving(settings, args.workers) as (local, server),
        httpx.Client(base_url=local, timeout=30) as client,
    ):
        durations, page, cpu = timed(
            lambda: client.get("/passport", headers=browser), args.requests, server.pid
        )
        assert page.headers["content-type"].startswith("text/html")
        assert "Your passport" in page.text, page.text[:500]
        print(latency_line("passport-page", durations, page, cpu, database), flush=True)

        durations, listing, cpu = timed(
            lambda: client.get(listing_path, headers=bearer), args.requests, server.pid
        )
        assert len(listing.json()) == args.credentials, len(listing.json())
        print(latency_line("passport-credentials", durations, listing, cpu, database), flush=True)

        export_path = "/api/v1/passport/clr"
        durations, export, cpu = timed(
            lambda: client.get(export_path, headers=bearer), args.exports, server.pid
        )
        print(
            json.dumps(
                {
                    "op": "passport-clr",
                    "seconds": [round(duration, 2) for duration in durations],
                    "credentials": args.credentials,
                    "bytes": len(export.content),
                    "media_type": export.headers["content-type"],
                    "server_cpu_seconds_per_export": round(cpu / len(durations), 2),
                    "database": database,
                    "load_average": load_average(),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
