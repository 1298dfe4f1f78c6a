"""What the benchmarks that load the running service share: a fresh database, `passport serve` in
production configuration on a free loopback port, and the CPU time the service spent (from /proc)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text


def database_url() -> str:
    """A fresh SQLite file, or a fresh schema on the server in PASSPORT_BENCH_DATABASE_URL."""
    server = os.environ.get("PASSPORT_BENCH_DATABASE_URL")
    if not server:
        return f"sqlite:///{tempfile.mkdtemp(prefix='passport-bench-')}/bench.db"
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with create_engine(server, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{server}?options=-csearch_path%3D{schema}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of `root` and its children (the worker processes), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if root in (pid, ppid):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


@contextmanager
def serving(settings_env: dict[str, str], port: int, workers: int) -> Iterator[subprocess.Popen[bytes]]:
    """``passport serve --workers N`` with production settings plus `settings_env` (``PASSPORT_*``), on
    127.0.0.1:`port`, until the block ends; yields the server process once /health answers."""
    env = {**os.environ, "PASSPORT_ENVIRONMENT": "production", **settings_env}
    command = [
        str(Path(sys.executable).parent / "passport"),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    workdir = tempfile.mkdtemp(prefix="passport-bench-")
    server = subprocess.Popen(command, env=env, cwd=workdir, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit(f"passport serve exited with {server.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("passport serve did not come up")
            time.sleep(0.3)
        yield server
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
