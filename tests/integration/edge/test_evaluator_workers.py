"""``python -m promoflow_evaluator api --workers 2``: every worker takes connections on the one
port (one ``SO_REUSEPORT`` socket each), and SIGTERM stops them all."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from promoflow_infra.processes import free_port
from tests.factories import BRAND_ID, COMPANY_ID
from tests.integration.edge.helpers import TERMINAL_KEY, seed_store, store_promotion

REPO = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="SO_REUSEPORT balancing is Linux")


def _worker_pids(url: str, seen: set[int], deadline: float, want: int) -> None:
    while len(seen) < want and time.monotonic() < deadline:
        try:
            # a fresh connection each time, so the kernel picks a worker each time
            response = httpx.get(f"{url}/ready", timeout=5)
            if response.status_code == 200:
                seen.add(int(response.json()["worker_pid"]))
        except httpx.HTTPError:
            pass
        time.sleep(0.05)


async def _burst(url: str, connections: int) -> list[int]:
    """``connections`` connections opened at once (as POS terminals do after a restart): the
    worker pid each one is served by."""

    async def one() -> int:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            return int((await client.get("/ready")).json()["worker_pid"])

    return list(await asyncio.gather(*(one() for _ in range(connections))))


def test_two_workers_share_the_port_and_stop_on_sigterm(
    store_id: UUID, edge_url: str, tmp_path: Path
) -> None:
    # given a store with one promotion and the evaluator started as the launcher starts it
    seed_store(store_id, edge_url, store_promotion(store_id, "TEN"))
    port = free_port()
    env = {
        **os.environ,
        "PROMOFLOW_ENV": "test",
        "PROMOFLOW_STORE_ID": str(store_id),
        "PROMOFLOW_STORE_COMPANY_ID": str(COMPANY_ID),
        "PROMOFLOW_STORE_BRAND_ID": str(BRAND_ID),
        "PROMOFLOW_TERMINAL_KEYS": TERMINAL_KEY,
        "PROMOFLOW_EDGE_DATABASE_URL": edge_url,
    }
    command = [sys.executable, "-m", "promoflow_evaluator", "api", "--port", str(port)]
    with (tmp_path / "api.log").open("wb") as log:
        process = subprocess.Popen(
            [*command, "--workers", "2", "--log-level", "WARNING"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        # when clients open fresh connections to the port
        seen: set[int] = set()
        _worker_pids(f"http://127.0.0.1:{port}", seen, time.monotonic() + 120, 2)
        # then both workers answer, each a child of the supervisor
        assert len(seen) == 2, (tmp_path / "api.log").read_text()[-2000:]
        assert process.pid not in seen
        # when 40 terminals connect at once, then each worker takes a fair share
        served = asyncio.run(_burst(f"http://127.0.0.1:{port}", 40))
        assert sorted(served.count(pid) >= 8 for pid in seen) == [True, True], served
        # when the supervisor gets SIGTERM, then it and its workers exit cleanly
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0
        for pid in seen:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
    finally:
        if process.poll() is None:
            process.kill()
