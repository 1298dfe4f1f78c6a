"""`passport serve --workers N` (server.workers): a socket per worker, restarts, clean stops, clear errors."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.workers import PortInUse, listening_socket

PASSPORT = str(Path(sys.executable).parent / "passport")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid and "spawn_main" in (stat.parent / "cmdline").read_text():
            found.add(int(stat.parent.name))
    return found


def wait_for(condition: object, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def healthy(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def serve_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PASSPORT_DATABASE_URL": database_url,
        "PASSPORT_MASTER_KEY": base64.urlsafe_b64encode(bytes(range(32))).decode(),
        "PASSPORT_ADMIN_TOKEN": "op_" + "a" * 32,
        "PASSPORT_MASTER_KEY_FILE": str(tmp_path / "unused.key"),
        "PASSPORT_ADMIN_TOKEN_FILE": str(tmp_path / "unused.token"),
    }


@pytest.fixture
def two_workers(serve_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [PASSPORT, "serve", "--port", str(port), "--workers", "2", "--log-level", "warning"],
        env={**serve_env, "PASSPORT_BASE_URL": base_url},
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: healthy(base_url) and len(children(server.pid)) == 2)
        yield server, base_url
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_two_workers_serve_restart_a_dead_one_and_stop_cleanly(
    two_workers: tuple[subprocess.Popen[bytes], str],
) -> None:
    server, base_url = two_workers
    workers = children(server.pid)
    for _ in range(20):  # a new connection each time
        assert httpx.get(f"{base_url}/health", timeout=5).status_code == 200

    os.kill(min(workers), signal.SIGKILL)
    wait_for(lambda: len(children(server.pid) - workers) == 1 and len(children(server.pid)) == 2)
    wait_for(lambda: healthy(base_url))

    survivors = children(server.pid)
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=40) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in survivors)


def test_a_port_in_use_is_a_plain_error_before_any_worker_starts(
    serve_env: dict[str, str], tmp_path: Path
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [PASSPORT, "serve", "--port", str(port), "--workers", "2"],
            env=serve_env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"passport serve: cannot listen on 127.0.0.1:{port}" in result.stderr


def test_without_reuse_port_a_second_socket_cannot_take_the_port() -> None:
    first = listening_socket("127.0.0.1", 0, reuse_port=True)
    try:
        port = first.getsockname()[1]
        with pytest.raises(PortInUse, match="cannot listen"):
            listening_socket("127.0.0.1", port, reuse_port=False)
    finally:
        first.close()


def test_the_kernel_spreads_connections_over_the_workers_sockets() -> None:
    first = listening_socket("127.0.0.1", 0, reuse_port=True)
    port = first.getsockname()[1]
    second = listening_socket("127.0.0.1", port, reuse_port=True)
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(64)]
    try:
        counts = []
        for listener in (first, second):
            listener.setblocking(False)
            accepted = 0
            while True:
                try:
                    connection, _ = listener.accept()
                except BlockingIOError:
                    break
                connection.close()
                accepted += 1
            counts.append(accepted)
        assert sum(counts) == 64
        assert min(counts) > 0  # all 64 on one socket: a chance of 2**-63
    finally:
        for client in clients:
            client.close()
        first.close()
        second.close()


def test_accepted_connections_have_nagle_off() -> None:
    """Without TCP_NODELAY a response body waits for the client's ACK of the headers."""
    listener = listening_socket("127.0.0.1", 0, reuse_port=True)
    port = listener.getsockname()[1]
    seen: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.01)
            writer.close()

    # In a thread of its own: an event loop left running in this one by another test must not matter.
    runner = threading.Thread(target=asyncio.run, args=(main(),))
    runner.start()
    runner.join(10)
    assert seen
    assert seen[0] != 0
