"""Killing the edge sync process mid-batch loses nothing: a restart converges to the same state."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from uuid import UUID

from sqlalchemy import create_engine, select

from promoflow_contracts import edge_store as es
from promoflow_contracts.topics import Topics
from tests.factories import BRAND_ID, COMPANY_ID
from tests.integration.edge.helpers import (
    Publisher,
    make_service,
    published,
    store_promotion,
    wait_caught_up,
    wait_until,
    withdrawn,
)

REPO = Path(__file__).resolve().parents[3]
PROMOTIONS, VERSIONS = 300, 8


def _spawn(
    store_id: UUID, edge_url: str, kafka: str, topics: Topics, log: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PROMOFLOW_ENV": "test",
        "PROMOFLOW_STORE_ID": str(store_id),
        "PROMOFLOW_STORE_COMPANY_ID": str(COMPANY_ID),
        "PROMOFLOW_STORE_BRAND_ID": str(BRAND_ID),
        "PROMOFLOW_EDGE_DATABASE_URL": edge_url,
        "PROMOFLOW_KAFKA_BOOTSTRAP": kafka,
        "PROMOFLOW_TOPIC_PREFIX": topics.prefix,
        "PROMOFLOW_SYNC_BATCH_SIZE": "40",
        "PROMOFLOW_KAFKA_SESSION_TIMEOUT_MS": "6000",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "promoflow_edge_sync", "run"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _state(edge_url: str) -> dict[str, int]:
    engine = create_engine(edge_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(es.promotions.c.code, es.promotions.c.version))
            return {code: version for code, version in rows}
    except Exception:
        return {}
    finally:
        engine.dispose()


def _data_version(edge_url: str) -> int:
    engine = create_engine(edge_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(es.store_meta.c.data_version)).scalar() or 0)
    except Exception:
        return 0
    finally:
        engine.dispose()


async def test_killing_the_edge_sync_mid_batch_and_restarting_converges(
    kafka_bootstrap: str,
    topics: Topics,
    publisher: Publisher,
    store_id: UUID,
    edge_url: str,
    tmp_path: Path,
) -> None:
    # given a long history: every promotion published in 8 versions, every 5th withdrawn
    events = [
        published(store_promotion(store_id, f"K{n:03d}", version, name=f"K{n} v{version}"))
        for version in range(1, VERSIONS + 1)
        for n in range(PROMOTIONS)
    ]
    events += [
        withdrawn(store_promotion(store_id, f"K{n:03d}").id, VERSIONS)
        for n in range(0, PROMOTIONS, 5)
    ]
    await publisher.publish_many(events)
    expected = {f"K{n:03d}": VERSIONS for n in range(PROMOTIONS) if n % 5}
    log = tmp_path / "edge_sync.log"
    # when the edge sync process is killed (SIGKILL) while it is applying batches
    process = _spawn(store_id, edge_url, kafka_bootstrap, topics, log)
    try:
        await wait_until(lambda: _data_version(edge_url) >= 3, 60, "first batches applied")
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    partial = _state(edge_url)
    # and started again
    process = _spawn(store_id, edge_url, kafka_bootstrap, topics, log)
    try:
        service = make_service(store_id, edge_url, kafka_bootstrap, topics)
        await wait_caught_up(service, kafka_bootstrap, topics, timeout=60)
        final = _state(edge_url)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
    # then it was killed part-way and the restarted process reached exactly the final state
    assert partial != expected, "the kill should have happened before the end"
    assert final == expected, log.read_text()[-3000:]
    assert process.returncode == 0
    await asyncio.sleep(0)
