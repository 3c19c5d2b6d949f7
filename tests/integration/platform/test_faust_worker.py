"""A faust-streaming worker runs against the project's broker and consumes a topic."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from aiokafka import AIOKafkaProducer

from promoflow_contracts.topics import Topics, to_record
from promoflow_infra.paths import REPO_ROOT
from tests.unit.contracts.samples import sample_events


async def test_faust_worker_consumes_events_from_the_broker(
    kafka_bootstrap: str, topics: Topics, tmp_path: Path
) -> None:
    # given a faust worker subscribed to the redemptions topic
    out = tmp_path / "seen.txt"
    env = {
        **os.environ,
        "SMOKE_BROKER": kafka_bootstrap,
        "SMOKE_TOPIC": topics.redemptions.name,
        "SMOKE_APP_ID": f"smoke-{topics.prefix.strip('.')}",
        "SMOKE_OUT": str(out),
        "SMOKE_DATADIR": str(tmp_path / "faust"),
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.platform.faust_smoke_app",
            "worker",
            "--without-web",
            "-l",
            "warn",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # when redemption events are produced
        events = [
            e for e in sample_events() if e.event_type in ("RedemptionRecorded", "RedemptionVoided")
        ]
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        try:
            for event in events:
                record = to_record(event)
                await producer.send_and_wait(topics.redemptions.name, record.value, key=record.key)
        finally:
            await producer.stop()
        # then the worker has seen each of them
        expected = {str(e.event_id) for e in events}
        seen: set[str] = set()
        async with asyncio.timeout(90):
            while not expected <= seen:
                assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
                await asyncio.sleep(0.5)
                seen = set(out.read_text().split()) if out.exists() else set()
        assert seen == expected
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
