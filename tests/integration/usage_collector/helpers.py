"""Producing events and waiting for the collector, for the integration tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from promoflow_contracts.events import Event, LimitStateChanged
from promoflow_contracts.topics import Topics, decode_event, to_record, topic_for


async def produce(bootstrap: str, topics: Topics, events: Sequence[Event]) -> None:
    """Send ``events`` to their topics with their keys and headers, and wait for the acks."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, acks="all")
    await producer.start()
    try:
        futures = []
        for event in events:
            record = to_record(event)
            futures.append(
                await producer.send(
                    topic_for(event, topics), record.value, key=record.key, headers=record.headers
                )
            )
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def produce_raw(bootstrap: str, topic: str, key: bytes | None, value: bytes | None) -> None:
    """Send one raw record."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def wait_until(
    probe: Callable[[], Any], expected: Any, *, timeout: float = 60, alive: Callable[[], None]
) -> Any:
    """Poll ``probe()`` until it equals ``expected``; ``alive()`` asserts the workers run.

    Returns the last value (equal to ``expected``); fails with the last value on timeout.
    """
    deadline = time.monotonic() + timeout
    value = probe()
    while value != expected:
        alive()
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out: got {value!r}, expected {expected!r}")
        await asyncio.sleep(0.2)
        value = probe()
    return value


Record = tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]


async def read_topic(
    bootstrap: str,
    topic: str,
    *,
    at_least: int,
    keep: Callable[[Record], bool] = lambda _: True,
    timeout: float = 30,
    linger: float = 1.5,
) -> list[Record]:
    """Records ``(key, value, headers)`` of ``topic`` from the start that ``keep`` accepts:
    waits until there are ``at_least`` of them, then ``linger`` seconds more for any extra."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    out: list[Record] = []
    try:
        deadline = time.monotonic() + timeout
        quiet_until: float | None = None
        while True:
            now = time.monotonic()
            if len(out) >= at_least and quiet_until is None:
                quiet_until = now + linger
            if now > deadline or (quiet_until is not None and now > quiet_until):
                break
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                for r in records:
                    record = (r.key, r.value, list(r.headers))
                    if keep(record):
                        out.append(record)
    finally:
        await consumer.stop()
    return out


async def limit_events(
    bootstrap: str, topics: Topics, promotion_id: UUID, *, at_least: int
) -> list[LimitStateChanged]:
    """The ``LimitStateChanged`` events of ``promotion_id`` on ``limits.v1`` (waits for
    ``at_least``, then a little longer to catch any extra)."""
    key = str(promotion_id).encode()
    records = await read_topic(
        bootstrap, topics.limits.name, at_least=at_least, keep=lambda r: r[0] == key
    )
    events = [decode_event(value) for _, value, _ in records if value is not None]
    return [e for e in events if isinstance(e, LimitStateChanged)]
