"""The edge sync loop: ``promotions.v1`` → edge store, offsets committed after the local commit.

Per batch (``getmany``, at most ``sync_batch_size`` records):

1. every record is parsed with :func:`promoflow_contracts.topics.from_record` (a tombstone
   becomes a ``PromotionWithdrawn``); a record that fails, or is not a promotion event, is
   sent to ``promotions.v1.dlq`` with the error in headers and the broker's ack awaited;
2. the events are applied in one local transaction that also records the partition offsets,
   lag and newest event time in ``sync_status`` (and bumps ``data_version`` if anything
   changed);
3. only then are the offsets committed to Kafka.

A failure in 1 or 2 records the error, rewinds the consumer to the start of the batch and
retries with back-off; since applying is idempotent (versions), a crash anywhere replays at
most the uncommitted batch and converges to the same state. While Kafka cannot be reached and
an HO sync URL is configured, the loop pulls the HO sync API every ``ho_sync_interval_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError

from promoflow_contracts.edge_store import utcnow
from promoflow_contracts.events import PromotionPublished, PromotionWithdrawn
from promoflow_contracts.topics import MalformedRecord, Topics, from_record
from promoflow_edge_sync.adapters.ho_client import HoSyncClient
from promoflow_edge_sync.adapters.kafka import (
    ConsumedRecord,
    DeadLetters,
    create_consumer,
    record_time,
)
from promoflow_edge_sync.adapters.store import EdgeStore, Position
from promoflow_edge_sync.config import Settings
from promoflow_edge_sync.domain.decisions import PromotionEvent
from promoflow_edge_sync.exceptions import HoSyncError
from promoflow_edge_sync.service import apply_events, sync_from_ho

log = logging.getLogger(__name__)

Batch = dict[TopicPartition, list[Any]]


class SyncConsumer:
    """Runs the store's consumer until :meth:`stop` (or the task is cancelled)."""

    def __init__(
        self,
        settings: Settings,
        store: EdgeStore,
        *,
        consumer_factory: Callable[[Settings, str], AIOKafkaConsumer] = create_consumer,
        ho_client: HoSyncClient | None = None,
    ) -> None:
        self._settings = settings
        self._store = store
        self._topic = Topics(settings.topic_prefix).promotions.name
        self._factory = consumer_factory
        self._ho_client = ho_client
        self._dead_letters = DeadLetters(settings.kafka_bootstrap, settings.consumer_group)
        self._stopping = asyncio.Event()
        self._last_ho_pull = 0.0
        self.batches = 0

    def stop(self) -> None:
        """Ask the loop to finish its current batch and return."""
        self._stopping.set()

    async def run(self) -> None:
        """Consume until stopped; reconnects with back-off when the broker goes away."""
        await asyncio.to_thread(self._store.create)
        delay = 0.5
        while not self._stopping.is_set():
            consumer = self._factory(self._settings, self._topic)
            try:
                await consumer.start()
            except KafkaError as exc:
                log.warning("Kafka unreachable (%r); retrying in %.1fs", exc, delay)
                await self._pull_ho_while_offline()
                await self._sleep(delay)
                delay = min(delay * 2, self._settings.sync_retry_max_s)
                continue
            delay = 0.5
            try:
                await self._consume(consumer)
            except KafkaError as exc:
                log.warning("consumer failed (%r); reconnecting", exc)
                await self._sleep(1.0)
            finally:
                await _quietly(consumer.stop())
        await self._dead_letters.close()

    async def _consume(self, consumer: AIOKafkaConsumer) -> None:
        last_status = time.monotonic()
        failures = 0
        while not self._stopping.is_set():
            batch: Batch = await consumer.getmany(
                timeout_ms=self._settings.sync_poll_ms, max_records=self._settings.sync_batch_size
            )
            if batch:
                try:
                    await self._process(consumer, batch)
                    failures = 0
                except Exception as exc:  # the batch is retried; never lose a record
                    failures += 1
                    await self._handle_failure(consumer, batch, exc, failures)
                    continue
            if time.monotonic() - last_status >= self._settings.sync_status_interval_s:
                last_status = time.monotonic()
                await self._record_idle_status(consumer)

    async def _process(self, consumer: AIOKafkaConsumer, batch: Batch) -> None:
        events: list[PromotionEvent] = []
        positions: list[Position] = []
        for tp, records in sorted(batch.items(), key=lambda item: item[0].partition):
            for record in records:
                event = await self._parse_or_dead_letter(record)
                if event is not None:
                    events.append(event)
            last = records[-1]
            positions.append(
                Position(
                    tp.topic,
                    tp.partition,
                    last.offset + 1,
                    consumer.highwater(tp),
                    record_time(last),
                    len(records),
                )
            )
        await asyncio.to_thread(
            lambda: apply_events(
                store=self._store,
                identity=self._settings.identity,
                events=events,
                source="kafka",
                positions=positions,
            )
        )
        self.batches += 1
        offsets = {TopicPartition(p.topic, p.partition): p.next_offset for p in positions}
        try:
            await consumer.commit(offsets)
        except (CommitFailedError, KafkaError) as exc:
            # The local state is already right; a replay of this batch changes nothing.
            log.warning("offset commit failed (%r); the batch will be replayed harmlessly", exc)

    async def _parse_or_dead_letter(self, record: ConsumedRecord) -> PromotionEvent | None:
        headers = list(record.headers or ())
        try:
            event = from_record(record.key, record.value, headers)
            if not isinstance(event, PromotionPublished | PromotionWithdrawn):
                raise MalformedRecord(
                    f"event_type: {event.event_type} does not belong on the promotions topic"
                )
            if (
                isinstance(event, PromotionPublished)
                and record.key is not None
                and record.key != str(event.data.promotion.id).encode()
            ):
                raise MalformedRecord("key: does not match data.promotion.id")
            return event
        except MalformedRecord as exc:
            log.warning(
                "malformed record %s[%d]@%d: %s", record.topic, record.partition, record.offset, exc
            )
            await self._dead_letters.publish(record, str(exc), "MalformedRecord")
            return None

    async def _handle_failure(
        self, consumer: AIOKafkaConsumer, batch: Batch, exc: Exception, failures: int
    ) -> None:
        log.exception("batch failed (attempt %d); rewinding", failures, exc_info=exc)
        for tp, records in batch.items():
            consumer.seek(tp, records[0].offset)
        message = f"{type(exc).__name__}: {exc}"
        topic = self._topic
        partitions = sorted(tp.partition for tp in batch)
        await _quietly(asyncio.to_thread(self._record_error, topic, partitions, message))
        await self._sleep(min(0.2 * 2**failures, self._settings.sync_retry_max_s))

    def _record_error(self, topic: str, partitions: list[int], message: str) -> None:
        with self._store.session() as session:
            session.record_error(topic, partitions, message, utcnow())

    async def _record_idle_status(self, consumer: AIOKafkaConsumer) -> None:
        positions = []
        for tp in consumer.assignment():
            try:
                offset = await consumer.committed(tp)
            except KafkaError:
                continue
            positions.append(Position(tp.topic, tp.partition, offset, consumer.highwater(tp)))
        if positions:

            def record() -> None:
                with self._store.session() as session:
                    session.record_positions(positions, utcnow())

            await _quietly(asyncio.to_thread(record))

    async def _pull_ho_while_offline(self) -> None:
        if self._ho_client is None:
            return
        if time.monotonic() - self._last_ho_pull < self._settings.ho_sync_interval_s:
            return
        self._last_ho_pull = time.monotonic()
        try:
            report = await sync_from_ho(
                store=self._store, identity=self._settings.identity, client=self._ho_client
            )
            log.info("Kafka down: pulled HO sync API (%d promotions)", report.received)
        except HoSyncError as exc:
            log.warning("Kafka down and HO sync API failed: %s", exc)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)


async def _quietly(awaitable: Any) -> None:
    try:
        await awaitable
    except Exception:  # shutdown/status paths must not mask the real error
        log.debug("ignored error", exc_info=True)
