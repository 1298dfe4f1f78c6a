"""Serve the app from several worker processes on one port, each with a listening socket of its own.

Why not uvicorn's ``--workers``: its workers share one listening socket. On the asyncio event loop the
worker that wakes first accepts every connection waiting (asyncio accepts up to the backlog at once), so
a burst of keep-alive connections lands on one worker and the other core idles. uvloop spreads them, but
accepts one connection per turn of its loop, so under load the last connection of a burst waits about a
second for its first answer (``bench/verify.py``: p99 354 ms with uvloop against 80 ms with asyncio, one
worker, 32 connections). Here each worker binds the port with ``SO_REUSEPORT`` (Linux 3.9+): the kernel
spreads new connections evenly over the workers, and each worker's asyncio loop serves its connections
in the order their requests arrive.

The supervisor restarts a worker that dies, stops when one cannot start (as uvicorn does), and on SIGINT
or SIGTERM lets each worker finish its requests (uvicorn's graceful shutdown) before exiting.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
from multiprocessing.process import BaseProcess
from typing import Any

import uvicorn

__all__ = ["STARTUP_FAILURE", "PortInUse", "listening_socket", "serve_workers", "uvicorn_options"]

log = logging.getLogger("passport")

#: A worker's exit code when the app or its socket could not start (uvicorn's value): restarting would
#: fail the same way, so the supervisor stops instead.
STARTUP_FAILURE = 3
#: How long a stopping worker may take to finish its requests before it is killed.
STOP_SECONDS = 30.0


class PortInUse(Exception):
    """Another program listens on the port (or cannot share it)."""


def uvicorn_options(log_level: str, access_log: bool) -> dict[str, Any]:
    """How `passport serve` runs uvicorn, with one worker or several: asyncio's event loop (see the module
    doc), and uvicorn's proxy headers off. Uvicorn would believe ``X-Forwarded-For`` from any loopback
    client and rewrite the client address before the app sees it; the app decides whom to believe
    (`core.clients`, ``PASSPORT_TRUSTED_PROXIES``)."""
    return {"log_level": log_level, "access_log": access_log, "loop": "asyncio", "proxy_headers": False}


def listening_socket(host: str, port: int, *, reuse_port: bool, backlog: int = 2048) -> socket.socket:
    """A TCP socket listening on host:port.

    Created with protocol ``IPPROTO_TCP``, not 0 as `socket.create_server` does: asyncio sets TCP_NODELAY
    only on sockets whose protocol says TCP, and without it Nagle's algorithm holds each response body
    until the client acknowledges the headers (a 40 ms stall when the client delays its ACK).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError as error:
        sock.close()
        raise PortInUse(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    return sock


def _worker(app: str, host: str, port: int, options: dict[str, Any]) -> None:
    """A worker process: its own socket on the shared port, then uvicorn until told to stop."""
    try:
        sock = listening_socket(host, port, reuse_port=True)
    except PortInUse as error:
        print(f"passport serve: {error}", file=sys.stderr)
        sys.exit(STARTUP_FAILURE)
    server = uvicorn.Server(uvicorn.Config(app, factory=True, **options))
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def serve_workers(app: str, host: str, port: int, workers: int, options: dict[str, Any]) -> int:
    """Run `workers` processes serving the app factory at import path `app`; returns the exit status.

    Raises `PortInUse` before starting any worker when another program holds the port. (Sockets with
    ``SO_REUSEPORT`` share a port with any other such socket of the same user, so without this check a
    second ``passport serve`` on the same port would silently take half the connections.)
    """
    listening_socket(host, port, reuse_port=False).close()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or locks inherited
    stop = threading.Event()
    status = 0

    def start() -> BaseProcess:
        process = context.Process(target=_worker, args=(app, host, port, options), name="passport-worker")
        process.start()
        return process

    def request_stop(signum: int, _frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes = [start() for _ in range(workers)]
    try:
        while not stop.wait(0.5):
            for index, process in enumerate(processes):
                if process.is_alive() or stop.is_set():  # Ctrl-C reaches the workers too
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    log.error("a worker could not start; stopping")
                    status = STARTUP_FAILURE
                    stop.set()
                    break
                log.warning("worker %s exited with %s; starting another", process.pid, process.exitcode)
                processes[index] = start()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in hand, then exits
        for process in processes:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status
