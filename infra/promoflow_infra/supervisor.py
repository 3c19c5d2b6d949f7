"""Run PromoFlow's services as local processes: one log file each, readiness, clean stop.

The launcher's equivalent of docker-compose on a machine without a Docker engine. Each service
is a :class:`ServiceSpec` (argv, environment, optional HTTP port with a health path); the
supervisor starts it in its own process group with stdout/stderr in ``<run dir>/logs/<name>.log``,
waits until ``GET /health`` answers 200 (HTTP services) or the process has stayed up for a grace
period (workers), records pids in ``<run dir>/processes.json`` for ``status``/``down``, and
stops everything with SIGTERM (SIGKILL after a timeout) in reverse start order.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx


class ServiceFailed(RuntimeError):
    """A service exited or did not become ready; the message has the tail of its log."""


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """How to run one service process.

    ``port``/``health_path``: an HTTP service is ready when ``GET http://127.0.0.1:port
    health_path`` answers 200; without a port, ready means alive after ``grace_seconds``.
    """

    name: str
    argv: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    port: int | None = None
    health_path: str = "/health"
    grace_seconds: float = 3.0

    @property
    def url(self) -> str | None:
        """Base URL of an HTTP service."""
        return None if self.port is None else f"http://127.0.0.1:{self.port}"


@dataclass(slots=True)
class Supervisor:
    """Starts, watches and stops service processes of one run directory."""

    run_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def registry(self) -> Path:
        """``processes.json``: name -> pid of what this run started."""
        return self.run_dir / "processes.json"

    def log_path(self, name: str) -> Path:
        """The log file of service ``name``."""
        return self.run_dir / "logs" / f"{name}.log"

    def start(self, spec: ServiceSpec) -> None:
        """Start ``spec`` in the background (no wait; see :meth:`wait_ready`)."""
        log = self.log_path(spec.name)
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as handle:
            self.processes[spec.name] = subprocess.Popen(
                list(spec.argv),
                env={**os.environ, **spec.env},
                stdout=handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._save_registry()

    def wait_ready(self, spec: ServiceSpec, timeout: float = 60.0) -> float:
        """Block until ``spec`` is ready; returns seconds waited.

        Raises :class:`ServiceFailed` when it exits or the timeout passes.
        """
        process = self.processes[spec.name]
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if process.poll() is not None:
                code = process.returncode
                raise ServiceFailed(f"{spec.name} exited with {code}:\n{self.tail(spec.name)}")
            if spec.url is None:
                if time.monotonic() - started >= spec.grace_seconds:
                    return time.monotonic() - started
            elif _answers(spec.url + spec.health_path):
                return time.monotonic() - started
            time.sleep(0.2)
        raise ServiceFailed(f"{spec.name} not ready after {timeout:.0f}s:\n{self.tail(spec.name)}")

    def tail(self, name: str, lines: int = 30) -> str:
        """The last ``lines`` lines of a service's log."""
        path = self.log_path(name)
        if not path.exists():
            return "(no log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop_all(self, timeout: float = 20.0) -> list[str]:
        """Stop every recorded process, newest first; returns the names stopped."""
        pids = self._load_registry()
        stopped: list[str] = []
        for name, pid in reversed(list(pids.items())):
            if _terminate(pid, timeout):
                stopped.append(name)
            process = self.processes.pop(name, None)
            if process is not None:
                process.poll()
        self.registry.unlink(missing_ok=True)
        return stopped

    def status(self) -> dict[str, bool]:
        """Name -> alive, for every process this run directory recorded."""
        return {name: _alive(pid) for name, pid in self._load_registry().items()}

    def _save_registry(self) -> None:
        pids = self._load_registry()
        pids.update({name: process.pid for name, process in self.processes.items()})
        self.registry.parent.mkdir(parents=True, exist_ok=True)
        self.registry.write_text(json.dumps(pids, indent=2))

    def _load_registry(self) -> dict[str, int]:
        if not self.registry.exists():
            return {}
        return {str(k): int(v) for k, v in json.loads(self.registry.read_text()).items()}


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _terminate(pid: int, timeout: float) -> bool:
    """SIGTERM the process group of ``pid``, SIGKILL it after ``timeout``; True if it ran."""
    if not _alive(pid):
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            waited, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            waited = 0
        if waited == pid or not _alive(pid):
            return True
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    return True
