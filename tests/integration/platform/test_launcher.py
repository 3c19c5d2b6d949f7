"""`promoflow run` (what `make run` calls) brings the platform up and stops it on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from promoflow_infra.processes import free_port


def test_run_command_starts_everything_and_stops_on_interrupt(tmp_path: Path) -> None:
    # given free ports and a fresh run directory
    env = {
        **os.environ,
        "PROMOFLOW_RUN_DIR": str(tmp_path / "run"),
        "PROMOFLOW_KAFKA_PORT": str(free_port()),
        "PROMOFLOW_PG_PORT": str(free_port()),
        "PROMOFLOW_TOPIC_PREFIX": "launcher.",
        "KAFKA_CONTROLLER_PORT": str(free_port()),
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
        deadline = time.monotonic() + 180
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            output.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        text_so_far = "".join(output)
        assert "PromoFlow is up" in text_so_far, text_so_far
        assert "kafka: ready" in text_so_far and "postgres: ready" in text_so_far
        assert "ho schema: migrated to head" in text_so_far
        # and it is interrupted
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        # whatever happened, leave no broker or database behind
        subprocess.run(
            [sys.executable, "-m", "promoflow_infra.cli", "down"], env=env, capture_output=True
        )
    # then it stopped both parts and exited cleanly
    assert process.returncode == 0, rest
    assert "kafka: stopped" in rest
    status = subprocess.run(
        [sys.executable, "-m", "promoflow_infra.cli", "status"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert status.returncode == 1
    assert "kafka     stopped" in status.stdout
