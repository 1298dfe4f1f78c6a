"""Verification service benchmark (run by hand): the running service under load from a second process.

    .venv/bin/python bench/verify.py                       # SQLite, 30 s per format, 64 connections
    PASSPORT_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/verify.py

What it does: issues `--credentials` distinct credentials per format (VC-JWT RS256 and Data Integrity
eddsa-rdfc-2022) from four providers straight into a fresh database; starts ``passport serve`` in
production configuration (``PASSPORT_ENVIRONMENT=production``, ``--workers 2`` (one per core, each with
its own listening socket: see server/workers.py), ``--log-level warning --no-access-log``) on loopback;
warms it up; then loads ``POST /credentials/verify`` with `wrk` (Debian package ``wrk``) for `--seconds`
with `--connections` connections, cycling through the credentials. Each answer must be a 200 with
``"verified":true``; anything else is counted in ``not_verified``.

Prints one JSON line per format: {"op": "verify-jwt", "per_second", "p50_ms", "p90_ms", "p99_ms",
"max_ms", "errors", "not_verified", "requests", "seconds", "connections", "workers", "credentials",
"server_cpu_ms_per_verification", "load_average", "database"}. ``errors`` counts socket errors, timeouts
and non-2xx answers. ``server_cpu_ms_per_verification`` is the service's own CPU time (all its processes,
from /proc) divided by the verifications: it stays comparable when other work shares the machine, and
2,000 / it is what two dedicated cores could serve.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serving import database_url, free_port, serving, tree_cpu_seconds  # noqa: E402
from core.db import make_engine, session_factory, transaction  # noqa: E402
from core.keystore import Keystore  # noqa: E402
from issuers import issuing, service  # noqa: E402
from issuers.api_models import AchievementCreate, CredentialCreate, IssuerCreate  # noqa: E402
from server.migrate import upgrade  # noqa: E402

LUA = Path(__file__).resolve().parent / "verify.lua"
PROVIDERS = 4


def issue_credentials(url: str, base_url: str, master_key: bytes, count: int) -> dict[str, list[str]]:
    """`count` distinct credentials per format, spread over the providers; returns request bodies."""
    sessions = session_factory(make_engine(url))
    config = service.IssuerConfig(base_url, Keystore(master_key))
    now = datetime.now(UTC)
    bodies: dict[str, list[str]] = {"jwt": [], "ldp": []}
    with transaction(sessions) as session:
        providers = []
        for number in range(PROVIDERS):
            issuer, _ = service.create_issuer(
                session,
                config,
                IssuerCreate.model_validate({"name": f"Bench College {number}", "url": "https://c.example"}),
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
                        "sector": "Building services",
                        "credits": 6,
                    }
                ),
                now,
            )
            providers.append((issuer, achievement))
    for credential_format in ("jwt", "ldp"):
        for start in range(0, count, 200):
            with transaction(sessions) as session:
                for index in range(start, min(start + 200, count)):
                    issuer, achievement = providers[index % PROVIDERS]
                    issuer = service.get_issuer(session, issuer.id)
                    request = CredentialCreate.model_validate(
                        {
                            "achievement_id": achievement.id,
                            "recipient": {"email": f"learner{index}@example.com", "name": f"Learner {index}"},
                            "format": credential_format,
                            "result": "Merit",
                        }
                    )
                    row = issuing.issue(session, config, issuer, request, now)
                    credential = issuing.signed_document(row)
                    bodies[credential_format].append(json.dumps({"verifiableCredential": credential}))
    return bodies


def run_wrk(url: str, bodies_file: Path, seconds: int, connections: int, threads: int) -> dict[str, int]:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA),
        url,
    ]
    env = {**os.environ, "BENCH_BODIES": str(bodies_file)}
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"wrk failed: {completed.stderr.strip() or completed.stdout.strip()}")
    output = completed.stdout
    line = next(line for line in output.splitlines() if line.startswith("{"))
    result: dict[str, int] = json.loads(line)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--credentials", type=int, default=2000, help="distinct credentials per format")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--formats", default="jwt,ldp")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/verify.py needs wrk: apt-get install -y wrk")

    workdir = Path(tempfile.mkdtemp(prefix="verify-bench-"))
    args.port = args.port or free_port()
    base_url = f"http://127.0.0.1:{args.port}"
    master_key = os.urandom(32)
    url = database_url()
    upgrade(url)
    bodies = issue_credentials(url, base_url, master_key, args.credentials)

    env = {
        "PASSPORT_DATABASE_URL": url,
        "PASSPORT_BASE_URL": base_url,
        "PASSPORT_MASTER_KEY": base64.urlsafe_b64encode(master_key).decode().rstrip("="),
        "PASSPORT_ADMIN_TOKEN": "op_" + uuid.uuid4().hex,
    }
    with serving(env, args.port, args.workers) as server:
        for credential_format in args.formats.split(","):
            bodies_file = workdir / f"{credential_format}.jsonl"
            bodies_file.write_text("\n".join(bodies[credential_format]) + "\n", encoding="utf-8")
            endpoint = f"{base_url}/credentials/verify"
            run_wrk(endpoint, bodies_file, 3, args.connections, args.wrk_threads)  # warm-up
            cpu_before = tree_cpu_seconds(server.pid)
            result = run_wrk(endpoint, bodies_file, args.seconds, args.connections, args.wrk_threads)
            server_cpu = tree_cpu_seconds(server.pid) - cpu_before
            seconds = result["duration_us"] / 1e6
            record = {
                "op": f"verify-{credential_format}",
                "per_second": round(result["requests"] / seconds, 1),
                "p50_ms": round(result["p50_us"] / 1000, 1),
                "p90_ms": round(result["p90_us"] / 1000, 1),
                "p99_ms": round(result["p99_us"] / 1000, 1),
                "max_ms": round(result["max_us"] / 1000, 1),
                "errors": result["socket_errors"] + result["http_errors"] + result["timeouts"],
                "not_verified": result["not_verified"],
                "requests": result["requests"],
                "seconds": round(seconds, 1),
                "connections": args.connections,
                "workers": args.workers,
                "credentials": len(bodies[credential_format]),
                # CPU the service spent per verification: comparable even when the machine is shared.
                "server_cpu_ms_per_verification": round(server_cpu * 1000 / max(result["requests"], 1), 3),
                "load_average": round(os.getloadavg()[0], 1),
                "database": url.split(":", 1)[0],
            }
            print(json.dumps(record), flush=True)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
