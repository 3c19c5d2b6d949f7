"""Kafka consumer of ``limits.v1`` (group ``compiler-limits``): limit state from the collector.

Each record is decoded into a ``LimitStateChanged`` and applied in its own database
transaction; its offset is committed only after that transaction commits (at least once, and
the event-id table makes the second time a no-op). A record that is not a valid
``LimitStateChanged``, or names an unknown promotion, goes to ``limits.v1.dlq`` with the
original key, value and headers plus ``error``, ``source_topic``, ``source_partition`` and
``source_offset`` headers; then its offset is committed. A database or broker failure is
retried with backoff from the same record (nothing is skipped).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from promoflow_compiler.domain.limits import LimitEventError
from promoflow_compiler.service.limits import LimitOutcome, LimitsService, UnknownPromotion
from promoflow_contracts.events import LimitStateChanged
from promoflow_contracts.topics import MalformedRecord, TopicSpec, from_record

log = logging.getLogger(__name__)


class LimitsConsumer:
    """Consumes ``limits.v1`` into :class:`LimitsService` (see the module docstring)."""

    def __init__(
        self,
        service: LimitsService,
        *,
        bootstrap_servers: str,
        topic: TopicSpec,
        group_id: str = "compiler-limits",
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        on_outcome: Callable[[LimitOutcome | str], None] | None = None,
    ) -> None:
        self.service = service
        self.bootstrap_servers = bootstrap_servers
        self.topic = topic
        self.group_id = group_id
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.on_outcome = on_outcome

    async def _dead_letter(self, producer: Any, record: Any, error: str) -> None:
        headers = [
            *list(record.headers or []),
            ("error", error.encode()[:2000]),
            ("source_topic", record.topic.encode()),
            ("source_partition", str(record.partition).encode()),
            ("source_offset", str(record.offset).encode()),
        ]
        await producer.send_and_wait(
            self.topic.dead_letter, value=record.value, key=record.key, headers=headers
        )
        log.warning(
            "limits: record %s/%d dead-lettered: %s", record.partition, record.offset, error
        )

    async def _handle(self, producer: Any, record: Any) -> None:
        try:
            event = from_record(record.key, record.value, list(record.headers or []))
            if not isinstance(event, LimitStateChanged):
                raise MalformedRecord(
                    f"event_type: expected LimitStateChanged, got {event.event_type}"
                )
            outcome: LimitOutcome | str = await asyncio.to_thread(self.service.apply, event)
        except (MalformedRecord, UnknownPromotion, LimitEventError) as exc:
            await self._dead_letter(producer, record, str(exc))
            outcome = "dead_lettered"
        if self.on_outcome is not None:
            self.on_outcome(outcome)

    async def run(self, stop: asyncio.Event, *, idle_exit: float | None = None) -> None:
        """Consume until ``stop`` is set (or, with ``idle_exit``, until no record arrived for
        that many seconds)."""
        from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

        delay = self.backoff_initial
        while not stop.is_set():
            consumer = AIOKafkaConsumer(
                self.topic.name,
                bootstrap_servers=self.bootstrap_servers,
                group_id=self.group_id,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
            )
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap_servers, enable_idempotence=True, acks="all"
            )
            try:
                await consumer.start()
                await producer.start()
                idle = 0.0
                while not stop.is_set():
                    batch = await consumer.getmany(timeout_ms=500, max_records=100)
                    if not batch:
                        idle += 0.5
                        if idle_exit is not None and idle >= idle_exit:
                            return
                        continue
                    idle = 0.0
                    for tp, records in batch.items():
                        for record in records:
                            await self._handle(producer, record)
                            await consumer.commit(
                                {TopicPartition(tp.topic, tp.partition): record.offset + 1}
                            )
                    delay = self.backoff_initial
            except Exception as exc:
                log.warning("limits consumer: %s; restarting in %.1fs", exc, delay)
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
                delay = min(delay * 2, self.backoff_max)
            finally:
                with suppress(Exception):
                    await consumer.stop()
                with suppress(Exception):
                    await producer.stop()
