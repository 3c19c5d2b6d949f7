"""A whole PromoFlow chain started by the README's run command, for the end-to-end tests.

``promoflow run`` (what ``make run`` calls) is started as a subprocess on free ports in a fresh
run directory, with three demo stores; the tests talk to it only through the public HTTP APIs
(compiler, evaluators, usage collector), as an HO user and a POS would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from promoflow_infra.processes import free_port
from promoflow_infra.services import StoreSite, demo_sites

ADMIN = {"Authorization": "Bearer dev-admin-token"}
ANALYST = {"Authorization": "Bearer dev-analytics-token"}
TERMINAL = {"X-Terminal-Key": "dev-terminal-key"}
T = TypeVar("T")


@dataclass
class Chain:
    """A running chain: its launcher process and output, environment and addresses."""

    process: subprocess.Popen[str]
    env: dict[str, str]
    compiler_url: str
    collector_url: str
    sites: list[StoreSite]
    output: list[str] = field(default_factory=list)

    def evaluator_url(self, site: StoreSite) -> str:
        """Base URL of ``site``'s evaluator."""
        return f"http://127.0.0.1:{site.evaluator_port}"

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run another ``promoflow`` command against this chain's run directory."""
        argv = [sys.executable, "-m", "promoflow_infra.cli", *args]
        return subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=120)


def launch(run_dir: Path, stores: int) -> Chain:
    """Start ``promoflow run`` and return once it printed "Press Ctrl-C" (or ended)."""
    evaluator_base = free_port()
    compiler_port, collector_port = free_port(), free_port()
    env = {
        **os.environ,
        "PROMOFLOW_RUN_DIR": str(run_dir),
        "PROMOFLOW_KAFKA_PORT": str(free_port()),
        "KAFKA_CONTROLLER_PORT": str(free_port()),
        "PROMOFLOW_PG_PORT": str(free_port()),
        "PROMOFLOW_COMPILER_PORT": str(compiler_port),
        "PROMOFLOW_COLLECTOR_PORT": str(collector_port),
        "PROMOFLOW_EVALUATOR_BASE_PORT": str(evaluator_base),
        "PROMOFLOW_DEMO_STORES": str(stores),
        "PROMOFLOW_EVALUATOR_WORKERS": "1",  # fewer processes on a 2-core CI machine
        "PROMOFLOW_TOPIC_PREFIX": "e2e.",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "promoflow_infra.cli", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    chain = Chain(
        process,
        env,
        f"http://127.0.0.1:{compiler_port}",
        f"http://127.0.0.1:{collector_port}",
        demo_sites(stores, evaluator_base),
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 420
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        chain.output.append(line)
        if line.startswith("Press Ctrl-C"):
            break
    return chain


def wait_for(probe: Callable[[], T | None], *, within: float, what: str) -> tuple[T, float]:
    """Poll ``probe`` every 100 ms until it returns something; (value, seconds waited)."""
    started = time.monotonic()
    while True:
        value = probe()
        waited = time.monotonic() - started
        if value is not None:
            return value, waited
        assert waited < within, f"not within {within:.0f}s: {what}"
        time.sleep(0.1)
