"""The outbox relay: nothing is dropped while Kafka is unreachable; one relay per store."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select

from promoflow_contracts import edge_store as es
from promoflow_contracts.topics import Topics
from promoflow_evaluator.adapters.outbox import OutboxStore
from promoflow_evaluator.bootstrap import build_relay
from promoflow_infra.processes import free_port
from tests.integration.edge.helpers import (
    checkout_body,
    evaluator_settings,
    running_api,
    seed_store,
    store_promotion,
    wait_until,
)


async def test_rows_wait_with_their_error_while_kafka_is_unreachable(
    store_id: UUID, edge_url: str
) -> None:
    # given a checkout queued in the outbox and a relay whose broker does not exist
    seed_store(store_id, edge_url, store_promotion(store_id, "TEN"))
    settings = evaluator_settings(store_id, edge_url, f"127.0.0.1:{free_port()}", Topics("x."))
    async with running_api(settings) as api:
        assert (
            await api.client.post("/api/v1/transactions", json=checkout_body(store_id, "Q-1"))
        ).is_success
    relay = build_relay(settings)
    task = asyncio.create_task(relay.run())
    try:
        # when it has tried a few times
        await wait_until(lambda: relay.failures >= 2, 30, "two failed rounds")
    finally:
        relay.stop()
        await asyncio.wait_for(task, 30)
    # then every row is still there, unsent, with its attempts and the error
    with relay._store.engine.connect() as connection:  # type: ignore[attr-defined]
        rows = connection.execute(
            select(es.outbox.c.sent_at, es.outbox.c.attempts, es.outbox.c.last_error)
        ).all()
    assert len(rows) == 2
    assert all(r.sent_at is None and r.attempts >= 2 and r.last_error for r in rows)


async def test_only_one_relay_holds_the_store_lease(store_id: UUID, edge_url: str) -> None:
    seed_store(store_id, edge_url)
    engine = es.create_edge_engine(edge_url)
    first = OutboxStore(engine, "relay-a", timedelta(seconds=30))
    second = OutboxStore(engine, "relay-b", timedelta(seconds=30))
    now = es.utcnow()
    assert first.acquire_lease(now) is True
    assert second.acquire_lease(now) is False
    assert first.acquire_lease(now) is True  # renewal
    # a lease that ran out can be taken over
    assert second.acquire_lease(now + timedelta(seconds=31)) is True
    first.release_lease()  # not the owner any more: changes nothing
    assert first.acquire_lease(now + timedelta(seconds=32)) is False
