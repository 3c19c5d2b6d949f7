"""`promoflow run` (what `make run` calls) brings the whole chain up and stops it on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from promoflow_infra.processes import free_port


def test_run_command_starts_everything_and_stops_on_interrupt(tmp_path: Path) -> None:
    # given free ports, one demo store and a fresh run directory
    evaluator_port = free_port()
    compiler_port = free_port()
    env = {
        **os.environ,
        "PROMOFLOW_RUN_DIR": str(tmp_path / "run"),
        "PROMOFLOW_KAFKA_PORT": str(free_port()),
        "KAFKA_CONTROLLER_PORT": str(free_port()),
        "PROMOFLOW_PG_PORT": str(free_port()),
        "PROMOFLOW_COMPILER_PORT": str(compiler_port),
        "PROMOFLOW_COLLECTOR_PORT": str(free_port()),
        "PROMOFLOW_EVALUATOR_BASE_PORT": str(evaluator_port),
        "PROMOFLOW_DEMO_STORES": "1",
        "PROMOFLOW_TOPIC_PREFIX": "launcher.",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "promoflow_infra.cli", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    try:
        # when it runs until it reports being up
        deadline = time.monotonic() + 300
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            output.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        started = "".join(output)
        assert "PromoFlow is up" in started, started
        for part in (
            "kafka: ready",
            "postgres: ready",
            "compiler-migrate: schema at head",
            "usage-collector-migrate: schema at head",
            "compiler-api: ready",
            "usage-collector-worker: ready",
            "evaluator-relay-",
        ):
            assert part in started, (part, started)
        # then the HO API and the store's evaluator answer
        assert httpx.get(f"http://127.0.0.1:{compiler_port}/health", timeout=5).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{evaluator_port}/health", timeout=5).status_code == 200
        # and when it is interrupted
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
        # whatever happened, leave no broker, database or service behind
        subprocess.run(
            [sys.executable, "-m", "promoflow_infra.cli", "down"], env=env, capture_output=True
        )
    # then it stopped everything and exited cleanly
    assert process.returncode == 0, rest
    assert "kafka: stopped" in rest and "stopped 9 services" in rest
    status = subprocess.run(
        [sys.executable, "-m", "promoflow_infra.cli", "status"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert status.returncode == 1
    assert "kafka" in status.stdout and "running" not in status.stdout
