"""Several API worker processes on one port, each with its own listening socket
(``SO_REUSEPORT``), so the kernel spreads POS connections evenly over the workers.

Why not ``uvicorn --workers``: its workers share one listening socket and each accepts in a
burst when it wakes up (asyncio accepts up to 100 connections per readiness event), so a
worker that wakes first takes most or all of the terminals' keep-alive connections and the
others idle (measured: 50 of 50 connections on one of two workers). With one socket per
worker in a ``SO_REUSEPORT`` group the kernel assigns each new connection to a worker by a
hash of its addresses. A worker joins the group only when it starts listening, which uvicorn
does after the app's lifespan start-up: connections never queue behind a snapshot load.

The parent process only supervises: SIGTERM/SIGINT are forwarded to the workers (each shuts
down gracefully: lifespan shutdown, in-flight requests finish), a worker that dies is
restarted, and a worker that fails within :data:`STARTUP_GRACE_S` of its start (bad
configuration, port taken) stops the whole service with exit code 1 instead of a restart loop.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

log = logging.getLogger(__name__)

APP = "promoflow_evaluator.entrypoints.app:create_app"
PR_SET_PDEATHSIG = 1
#: A worker that exits sooner than this after its start is a start-up failure.
STARTUP_GRACE_S = 5.0


def reuse_port_supported() -> bool:
    """True where ``SO_REUSEPORT`` balances connections (Linux)."""
    return hasattr(socket, "SO_REUSEPORT") and os.uname().sysname == "Linux"


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` in the port's ``SO_REUSEPORT`` group (not listening yet:
    uvicorn listens once the app has started)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock


def worker(host: str, port: int, log_level: str) -> None:
    """One API worker process: its own socket, uvicorn serving the app factory."""
    import uvicorn

    from promoflow_evaluator.entrypoints.cli import configure_logging

    configure_logging(log_level)
    _die_with_parent()
    sock = bind(host, port)
    config = uvicorn.Config(
        APP, factory=True, log_level=log_level.lower(), access_log=False, backlog=2048
    )
    uvicorn.Server(config).run(sockets=[sock])


def _die_with_parent() -> None:
    """Ask Linux to send this worker SIGTERM when the supervisor dies (even by SIGKILL), so no
    worker outlives it holding the port."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the supervisor's SIGTERM is the only way
        log.debug("PR_SET_PDEATHSIG unavailable")


class Supervisor:
    """Runs ``workers`` worker processes until SIGTERM/SIGINT (see the module docstring)."""

    def __init__(self, host: str, port: int, workers: int, log_level: str) -> None:
        self._args = (host, port, log_level)
        self._context = multiprocessing.get_context("spawn")
        self._count = workers
        self._stopping = False
        self._failed = False

    def _start(self) -> tuple[BaseProcess, float]:
        process = self._context.Process(target=worker, args=self._args, daemon=False)
        process.start()
        return process, time.monotonic()

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        self._stopping = True

    def run(self) -> int:
        """Serve until stopped; the exit code (0, or 1 after a start-up failure)."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        running = [self._start() for _ in range(self._count)]
        while not self._stopping:
            wait([process.sentinel for process, _ in running], timeout=0.2)
            for n, (process, started) in enumerate(running):
                if process.is_alive() or self._stopping:
                    continue
                if time.monotonic() - started < STARTUP_GRACE_S:
                    log.error(
                        "worker %s failed at start-up (exit %s)", process.pid, process.exitcode
                    )
                    self._failed = self._stopping = True
                    break
                log.warning("worker %s exited (%s); restarting it", process.pid, process.exitcode)
                running[n] = self._start()
        for process, _ in running:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        for process, _ in running:
            process.join(30)
            if process.is_alive():
                process.kill()
                process.join(5)
        return 1 if self._failed else 0
