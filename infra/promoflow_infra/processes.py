"""Start and stop the platform's real parts (Kafka, PostgreSQL) through the infra scripts.

The shell scripts in ``infra/kafka`` and ``infra/postgres`` are the one way these start, for
the launcher, the tests and a developer at a shell alike; this module only calls them.
"""

from __future__ import annotations

import os
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from promoflow_infra.paths import KAFKA_SCRIPT, POSTGRES_SCRIPT


class PlatformError(RuntimeError):
    """A platform script failed; the message holds its output."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (for test brokers and clusters)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _succeeds(script: Path, command: str, env: dict[str, str]) -> bool:
    completed = subprocess.run(
        ["bash", str(script), command], env={**os.environ, **env}, capture_output=True, check=False
    )
    return completed.returncode == 0


def _run(script: Path, command: str, env: dict[str, str], echo: TextIO | None) -> str:
    completed = subprocess.run(
        ["bash", str(script), command],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    output = (completed.stdout + completed.stderr).strip()
    if echo is not None and output:
        print(output, file=echo, flush=True)
    if completed.returncode != 0:
        raise PlatformError(f"{script.name} {command} failed ({completed.returncode}):\n{output}")
    return output


@dataclass(frozen=True, slots=True)
class KafkaBroker:
    """A single KRaft broker+controller on 127.0.0.1:``port`` with its state in ``run_dir``.

    ``controller_port`` defaults to ``port + 1`` (the script's default).
    """

    port: int
    run_dir: Path
    controller_port: int | None = None

    @property
    def bootstrap_servers(self) -> str:
        """``host:port`` for Kafka clients."""
        return f"127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        env = {"KAFKA_PORT": str(self.port), "KAFKA_RUN_DIR": str(self.run_dir)}
        if self.controller_port is not None:
            env["KAFKA_CONTROLLER_PORT"] = str(self.controller_port)
        return env

    def start(self, echo: TextIO | None = None) -> None:
        """Download the jars if needed, format, start, and wait for a metadata response.

        Raises :class:`PlatformError` when the broker does not become ready.
        """
        _run(KAFKA_SCRIPT, "start", self._env(), echo)

    def stop(self, echo: TextIO | None = None) -> None:
        """Stop the broker cleanly (its log file is kept)."""
        _run(KAFKA_SCRIPT, "stop", self._env(), echo)

    def is_running(self) -> bool:
        """True when the broker of this run directory is running."""
        return _succeeds(KAFKA_SCRIPT, "status", self._env())


@dataclass(frozen=True, slots=True)
class PostgresCluster:
    """A throwaway PostgreSQL cluster on 127.0.0.1:``port`` with its data in ``run_dir``.

    Role and database ``promoflow`` (password ``promoflow``) exist once it has started.
    """

    port: int
    run_dir: Path

    @property
    def url(self) -> str:
        """SQLAlchemy URL (psycopg 3) of the ``promoflow`` database."""
        return f"postgresql+psycopg://promoflow:promoflow@127.0.0.1:{self.port}/promoflow"

    def _env(self) -> dict[str, str]:
        return {"PG_PORT": str(self.port), "PG_RUN_DIR": str(self.run_dir)}

    def start(self, echo: TextIO | None = None) -> None:
        """Install PostgreSQL if missing, initdb if needed, start and wait until it answers.

        Raises :class:`PlatformError` when the cluster does not become ready.
        """
        _run(POSTGRES_SCRIPT, "start", self._env(), echo)

    def stop(self, echo: TextIO | None = None) -> None:
        """Stop the cluster (fast shutdown)."""
        _run(POSTGRES_SCRIPT, "stop", self._env(), echo)

    def is_running(self) -> bool:
        """True when the cluster of this run directory is running."""
        return _succeeds(POSTGRES_SCRIPT, "status", self._env())
