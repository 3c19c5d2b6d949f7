"""Store-and-forward: with the broker down the store keeps evaluating and checking out; the
outbox drains to Kafka in order, without duplicates or loss, when the broker is back.

Uses a broker of its own (stopped and started by the test), never the shared session broker.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import func, select

from promoflow_contracts import edge_store as es
from promoflow_contracts.events import EvaluationLogged, RedemptionRecorded
from promoflow_contracts.topics import Topics, from_record
from promoflow_evaluator.bootstrap import build_relay
from promoflow_infra.processes import KafkaBroker, free_port
from promoflow_infra.topics import ensure_topics
from tests.integration.edge.helpers import (
    checkout_body,
    evaluator_settings,
    running_api,
    seed_store,
    store_promotion,
    wait_until,
)


@pytest.fixture
async def own_broker(tmp_path: Path) -> AsyncIterator[KafkaBroker]:
    """A private single-node broker this test may stop and start."""
    broker = KafkaBroker(port=free_port(), run_dir=tmp_path / "kafka", controller_port=free_port())
    await asyncio.to_thread(broker.start, sys.stdout)
    try:
        yield broker
    finally:
        await asyncio.to_thread(broker.stop, sys.stdout)


def _unsent(engine: object) -> int:
    with engine.connect() as connection:  # type: ignore[attr-defined]
        return int(
            connection.execute(
                select(func.count()).where(es.outbox.c.sent_at.is_(None))
            ).scalar_one()
        )


async def _consume_all(bootstrap: str, topics: Topics, expected: int) -> list[tuple[int, object]]:
    consumer = AIOKafkaConsumer(
        topics.redemptions.name,
        topics.evaluations.name,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    received: list[tuple[int, object]] = []
    try:
        async with asyncio.timeout(60):
            while len(received) < expected:
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    for r in records:
                        received.append((r.partition, from_record(r.key, r.value, list(r.headers))))
        # anything beyond the expected count would be a duplicate: read a little longer
        extra = await consumer.getmany(timeout_ms=1500)
        for records in extra.values():
            for r in records:
                received.append((r.partition, from_record(r.key, r.value, list(r.headers))))
    finally:
        await consumer.stop()
    return received


async def test_checkouts_queue_while_the_broker_is_down_and_drain_in_order_without_loss(
    own_broker: KafkaBroker, store_id: UUID, edge_url: str
) -> None:
    topics = Topics("sf.")
    await ensure_topics(own_broker.bootstrap_servers, topics, partitions=3)
    promos = [store_promotion(store_id, code) for code in ("AAA", "BBB")]
    seed_store(store_id, edge_url, *promos)
    settings = evaluator_settings(store_id, edge_url, own_broker.bootstrap_servers, topics)
    relay = build_relay(settings)
    relay_task = asyncio.create_task(relay.run())
    try:
        async with running_api(settings) as api:
            engine = api.container.repository.engine
            # given the store checks out while Kafka is up and everything is forwarded
            for n in range(3):
                ok = await api.client.post(
                    "/api/v1/transactions", json=checkout_body(store_id, f"UP-{n}")
                )
                assert ok.status_code == 200
            await wait_until(lambda: _unsent(engine) == 0, 30, "first rows relayed")
            # when the broker goes away
            await asyncio.to_thread(own_broker.stop, sys.stdout)
            # then evaluation keeps working and checkouts are recorded into the outbox
            body = {k: v for k, v in checkout_body(store_id, "-").items() if k != "transaction_id"}
            evaluate = await api.client.post("/api/v1/evaluate", json=body)
            for n in range(5):
                down = await api.client.post(
                    "/api/v1/transactions", json=checkout_body(store_id, f"DOWN-{n}")
                )
                assert down.status_code == 200 and len(down.json()["redemptions"]) == 2
            void = await api.client.post(
                "/api/v1/transactions/UP-0/void", json={"reason": "refund"}
            )
            queued = _unsent(engine)
            # when the broker comes back
            await asyncio.to_thread(own_broker.start, sys.stdout)
            await wait_until(lambda: _unsent(engine) == 0, 60, "outbox drained")
            with engine.connect() as connection:
                rows = connection.execute(
                    select(es.outbox.c.event_id, es.outbox.c.key).order_by(es.outbox.c.id)
                ).all()
    finally:
        relay.stop()
        await asyncio.wait_for(relay_task, 30)
    assert evaluate.status_code == 200 and len(evaluate.json()["applied"]) == 2
    assert void.status_code == 200
    assert queued == 5 * 3 + 2  # 2 redemptions + 1 evaluation log per checkout, 2 voids
    # then every row reached Kafka exactly once, and in outbox order per key
    received = await _consume_all(own_broker.bootstrap_servers, topics, len(rows))
    ids = [event.event_id for _, event in received]  # type: ignore[attr-defined]
    assert len(ids) == len(set(ids)) == len(rows) == 8 * 3 + 2
    assert set(ids) == {row.event_id for row in rows}
    for key in {row.key for row in rows}:
        written = [row.event_id for row in rows if row.key == key]
        arrived = [
            e.event_id  # type: ignore[attr-defined]
            for _, e in received
            if _key(e) == key
        ]
        assert arrived == written, key


def _key(event: object) -> str:
    if isinstance(event, EvaluationLogged):
        return str(event.data.store_id)
    if isinstance(event, RedemptionRecorded):
        return str(event.data.promotion_id)
    return str(event.data.promotion_id)  # type: ignore[attr-defined]
