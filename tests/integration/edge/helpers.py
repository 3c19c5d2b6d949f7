"""Helpers for the store edge integration tests: promotions for a test store, a publisher that
writes them as the compiler does, the edge sync running in-process, and waiting."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
import uvicorn
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import select

from promoflow_contracts import edge_store as es
from promoflow_contracts.events import (
    Event,
    PromotionPublished,
    PromotionPublishedData,
    PromotionWithdrawn,
    PromotionWithdrawnData,
)
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.topics import Topics, to_record, topic_for
from promoflow_edge_sync.bootstrap import EdgeSync, bootstrap
from promoflow_edge_sync.config import Settings
from promoflow_edge_sync.service import apply_events
from promoflow_evaluator.bootstrap import Container, build
from promoflow_evaluator.config import Settings as EvaluatorSettings
from promoflow_evaluator.entrypoints.app import create_app
from promoflow_infra.processes import free_port
from tests.factories import BRAND_ID, COMPANY_ID, CROISSANT, LATTE, cart, line, promotion

NOW = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)


def sync_settings(
    store_id: UUID, edge_url: str, kafka: str, topics: Topics, **extra: Any
) -> Settings:
    """Edge sync settings for a test store of COMPANY_ID / BRAND_ID."""
    values: dict[str, Any] = {
        "env": "test",
        "store_id": store_id,
        "store_company_id": COMPANY_ID,
        "store_brand_id": BRAND_ID,
        "edge_database_url": edge_url,
        "kafka_bootstrap": kafka,
        "topic_prefix": topics.prefix,
        "kafka_session_timeout_ms": 6000,
        "sync_status_interval_s": 0.5,
        **extra,
    }
    return Settings.model_validate(values)


def store_promotion(
    store_id: UUID, code: str, version: int = 1, **overrides: Any
) -> CompiledPromotion:
    """A promotion of COMPANY_ID targeting ``store_id`` (``targeting`` may be overridden)."""
    overrides.setdefault("targeting", {"company_id": str(COMPANY_ID), "stores": [str(store_id)]})
    overrides.setdefault("brand_id", str(BRAND_ID))
    return promotion(code, version=version, **overrides)


def published(doc: CompiledPromotion) -> PromotionPublished:
    """The compiler's event for ``doc``."""
    return PromotionPublished(
        occurred_at=datetime.now(UTC),
        producer="compiler/test",
        data=PromotionPublishedData(promotion=doc),
    )


def withdrawn(promotion_id: UUID, version: int, reason: str = "deleted") -> PromotionWithdrawn:
    """The compiler's withdrawal (a tombstone on the topic)."""
    data = PromotionWithdrawnData.model_validate(
        {"promotion_id": promotion_id, "version": version, "reason": reason}
    )
    return PromotionWithdrawn(occurred_at=datetime.now(UTC), producer="compiler/test", data=data)


class Publisher:
    """Publishes events the way the compiler's relay does (``to_record`` key/value/headers)."""

    def __init__(self, producer: AIOKafkaProducer, topics: Topics) -> None:
        self.producer = producer
        self.topics = topics

    async def publish(self, *events: Event) -> None:
        """Send each event and wait for the acks."""
        for event in events:
            record = to_record(event)
            await self.producer.send_and_wait(
                topic_for(event, self.topics), record.value, key=record.key, headers=record.headers
            )

    async def publish_many(self, events: list[Event]) -> None:
        """Send many events pipelined (in order per key), then wait for every ack."""
        futures = []
        for event in events:
            record = to_record(event)
            futures.append(
                await self.producer.send(
                    topic_for(event, self.topics),
                    record.value,
                    key=record.key,
                    headers=record.headers,
                )
            )
        await asyncio.gather(*futures)

    async def raw(self, key: bytes | None, value: bytes | None) -> None:
        """Send an arbitrary record to the promotions topic."""
        await self.producer.send_and_wait(self.topics.promotions.name, value, key=key)


@asynccontextmanager
async def running(service: EdgeSync) -> AsyncIterator[EdgeSync]:
    """Run ``service.consumer`` as a task for the duration of the block."""
    task = asyncio.create_task(service.consumer.run())
    try:
        yield service
    finally:
        service.consumer.stop()
        await asyncio.wait_for(task, 30)


async def wait_until(
    condition: Callable[[], Any] | Callable[[], Awaitable[Any]],
    timeout: float = 30.0,
    what: str = "condition",
) -> Any:
    """Poll ``condition`` (sync or async) every 50 ms until it is truthy; fail after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)


async def end_offsets(kafka: str, topic: str) -> dict[int, int]:
    """The current end offset of every partition of ``topic``."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    partitions = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, group_id=None)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(partitions)
        return {tp.partition: offset for tp, offset in ends.items()}
    finally:
        await consumer.stop()


def stored_offsets(service: EdgeSync, topic: str) -> dict[int, int]:
    """``sync_status.committed_offset`` per partition of ``topic`` in the store."""
    with service.store.engine.connect() as connection:
        rows = connection.execute(
            select(es.sync_status.c.partition, es.sync_status.c.committed_offset).where(
                es.sync_status.c.topic == topic
            )
        )
        return {partition: offset for partition, offset in rows if offset is not None}


async def wait_caught_up(
    service: EdgeSync, kafka: str, topics: Topics, timeout: float = 30
) -> None:
    """Wait until the store has applied everything on the promotions topic right now."""
    topic = topics.promotions.name
    ends = {p: o for p, o in (await end_offsets(kafka, topic)).items() if o > 0}

    def done() -> bool:
        have = stored_offsets(service, topic)
        return all(have.get(p, 0) >= o for p, o in ends.items())

    await wait_until(done, timeout, f"edge sync to reach {ends}")


def make_service(
    store_id: UUID, edge_url: str, kafka: str, topics: Topics, **extra: Any
) -> EdgeSync:
    """The edge sync wired by its own bootstrap for a test store, its edge store created."""
    service = bootstrap(sync_settings(store_id, edge_url, kafka, topics, **extra))
    service.store.create()
    return service


# --- evaluator -------------------------------------------------------------------------------

TERMINAL_KEY = "test-terminal-key"


def evaluator_settings(
    store_id: UUID, edge_url: str, kafka: str, topics: Topics, **extra: Any
) -> EvaluatorSettings:
    """Evaluator settings for a test store of COMPANY_ID / BRAND_ID (IDR, Asia/Jakarta)."""
    values: dict[str, Any] = {
        "env": "test",
        "store_id": store_id,
        "store_company_id": COMPANY_ID,
        "store_brand_id": BRAND_ID,
        "edge_database_url": edge_url,
        "kafka_bootstrap": kafka,
        "topic_prefix": topics.prefix,
        "terminal_keys": [TERMINAL_KEY],
        "snapshot_poll_ms": 50,
        "relay_idle_poll_ms": 50,
        "relay_backoff_max_s": 1.0,
        **extra,
    }
    return EvaluatorSettings.model_validate(values)


def seed_store(store_id: UUID, edge_url: str, *docs: CompiledPromotion) -> int:
    """Put ``docs`` into the edge store the way edge_sync does; returns the data version."""
    sync = bootstrap(sync_settings(store_id, edge_url, "127.0.0.1:1", Topics("unused.")))
    sync.store.create()
    report = apply_events(
        store=sync.store,
        identity=sync.settings.identity,
        events=[published(doc) for doc in docs],
        source="kafka",
    )
    sync.store.engine.dispose()
    return report.data_version


@dataclass
class RunningApi:
    """An evaluator app served by uvicorn in this process."""

    url: str
    container: Container
    client: httpx.AsyncClient


@asynccontextmanager
async def running_api(settings: EvaluatorSettings) -> AsyncIterator[RunningApi]:
    """Serve the evaluator app (its own bootstrap) on a free loopback port."""
    container = build(settings)
    app = create_app(container=container)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started or task.done(), 20, "uvicorn start")
    url = f"http://127.0.0.1:{port}"
    headers = {"X-Terminal-Key": TERMINAL_KEY}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        try:
            yield RunningApi(url, container, client)
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, 20)


def checkout_body(store_id: UUID, transaction_id: str, **fields: Any) -> dict[str, Any]:
    """A checkout of 2 lattes and a croissant (Rp 68.000) on Tuesday 2026-03-03 noon."""
    request = cart(line("1", LATTE, 25000, 2), line("2", CROISSANT, 18000))
    body: dict[str, Any] = json.loads(
        request.model_copy(update={"store_id": store_id}).model_dump_json()
    )
    body.update(transaction_id=transaction_id, **fields)
    return body
