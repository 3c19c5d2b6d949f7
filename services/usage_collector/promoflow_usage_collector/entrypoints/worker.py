"""The faust-streaming worker: batch ingest of the busy topics, one agent, the outbox timer.

``redemptions.v1`` and ``evaluations.v1`` (thousands of events/s) are read by a
:class:`~promoflow_usage_collector.adapters.batch_consumer.BatchConsumer` (aiokafka ``getmany``
batches, group ``<app id>-ingest``) started with the app as a faust service: faust's
per-message stream path cost more CPU per event than all our work (figures in that module).
Each batch is applied in one database transaction per topic, in a thread, while the next is
fetched; its dead letters are published, then its offsets committed (never before the commit).

``promotions.v1`` (compacted, low volume, from the earliest offset) stays a faust agent
(``concurrency=1``): it takes up to ``batch_size`` events (or what arrived within
``batch_within`` seconds) with ``stream.noack_take`` and hands the batch to its applier task;
the events are acked (faust commits their offsets) only after the database commit and after
every dead letter was acknowledged by the broker. A failing batch is retried with backoff,
forever, and never acked: a stuck worker falls behind but loses nothing. ``stream_wait_empty``
is off: on a rebalance or a stop the worker commits what it acked, the rest is redelivered.

Delivery is at least once with idempotent consumers (faust's exactly-once mode is not used);
scale with more worker processes in the same group.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import faust
import mode
from sqlalchemy import Engine

from promoflow_contracts.topics import Headers
from promoflow_usage_collector.adapters.batch_consumer import BatchConsumer
from promoflow_usage_collector.adapters.outbox import relay_once
from promoflow_usage_collector.config import Settings
from promoflow_usage_collector.ingest_service import (
    BatchResult,
    DeadLetter,
    IngestService,
    RawRecord,
)

log = logging.getLogger(__name__)

#: Longest pause between two retries of a failing batch (seconds).
MAX_RETRY_DELAY = 30.0
#: The outbox is polled at least this often even when no batch announced anything (seconds);
#: a batch that wrote limit events starts a round at once, without waiting for this.
RELAY_IDLE_INTERVAL = 1.0

ApplyBatch = Callable[[Sequence[RawRecord]], BatchResult]


def _headers(raw: Any) -> list[tuple[str, bytes]]:
    if not raw:
        return []
    items = raw.items() if isinstance(raw, Mapping) else raw
    return [(str(name), bytes(value or b"")) for name, value in items]


def raw_record(event: Any) -> RawRecord:
    """The bytes of a faust event's message (key, value, headers) and where it came from."""
    message = event.message
    return RawRecord(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
        value=message.value,
        headers=_headers(message.headers),
    )


class CollectorWorker:
    """Wires the faust app's agents and timer to an :class:`IngestService`."""

    def __init__(self, settings: Settings, ingest: IngestService, engine: Engine) -> None:
        self.settings = settings
        self.ingest = ingest
        self.engine = engine
        self.app = _faust_app(settings)
        self._relay_due = asyncio.Event()
        self._last_relay = 0.0
        self._relay_task: asyncio.Task[None] | None = None
        topics = settings.topics
        self.batch_consumer = BatchConsumer(
            bootstrap=settings.kafka_bootstrap,
            group_id=settings.ingest_group_id,
            appliers={
                topics.redemptions.name: ingest.redemptions,
                topics.evaluations.name: ingest.evaluations,
            },
            batch_size=settings.usage_batch_size,
            batch_within=settings.usage_batch_within,
            session_timeout=settings.usage_session_timeout,
            dead_letter=self._dead_letter,
            after_commit=self._after_commit,
        )
        self.app.service(_running(self.batch_consumer))
        channel = self.app.topic(
            topics.promotions.name,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
        )
        self.app.agent(channel, name="usage-promotions", concurrency=1)(
            self._agent(ingest.promotions)
        )
        relay_timer = self.app.timer(interval=RELAY_IDLE_INTERVAL / 2, name="usage-outbox-relay")
        relay_timer(self._relay_tick)

    def _agent(self, apply: ApplyBatch) -> Callable[[Any], Awaitable[None]]:
        size, within = self.settings.usage_batch_size, self.settings.usage_batch_within

        async def consume(stream: Any) -> None:
            # One batch applies while faust fills the next: ``noack_take`` stops filling while
            # the agent holds a batch, so the agent only hands it over (at most one waiting).
            handed: asyncio.Queue[Sequence[Any]] = asyncio.Queue(maxsize=1)
            applier = asyncio.create_task(self._apply_batches(stream, apply, handed))
            put: asyncio.Future[None] | None = None
            try:
                batches: AsyncIterator[Sequence[Any]] = stream.noack_take(size, within=within)
                async for events in batches:
                    put = asyncio.ensure_future(handed.put(list(events)))
                    await asyncio.wait({put, applier}, return_when=asyncio.FIRST_COMPLETED)
                    if applier.done():  # it only ends by failing: let faust restart the agent
                        await applier
                        raise RuntimeError("the batch applier stopped")
            finally:
                # unacked events of a batch cut short here are redelivered (and deduplicated)
                for task in (put, applier):
                    if task is not None:
                        task.cancel()

        return consume

    async def _apply_batches(
        self, stream: Any, apply: ApplyBatch, handed: asyncio.Queue[Sequence[Any]]
    ) -> None:
        """Apply handed-over batches in order; ack each batch's events after its commit."""
        while True:
            events = await handed.get()
            started = time.perf_counter()
            result = await self._apply(apply, [raw_record(e) for e in events])
            log.debug(
                "batch of %d applied in %.3f s (%d duplicates, %d dead letters)",
                len(events),
                time.perf_counter() - started,
                result.duplicates,
                len(result.dead_letters),
            )
            for dead in result.dead_letters:
                await self._dead_letter(dead)
            if result.limit_events:  # publish the limit change now, not on the next tick
                self._relay_soon()
            for event in events:
                await stream.ack(event)

    def _after_commit(self, result: BatchResult) -> None:
        if result.limit_events:  # publish the limit change now, not on the next tick
            self._relay_soon()

    async def _apply(self, apply: ApplyBatch, records: list[RawRecord]) -> BatchResult:
        delay = 0.2
        while True:
            try:
                return await asyncio.to_thread(apply, records)
            except Exception:
                log.exception(
                    "usage batch of %d records failed; retrying in %.1fs", len(records), delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_DELAY)

    async def _dead_letter(self, dead: DeadLetter) -> None:
        record = dead.record
        group = self.settings.usage_app_id
        if record.topic != self.settings.topics.promotions.name:
            group = self.settings.ingest_group_id
        headers = [
            *record.headers,
            ("error", dead.error[:4000].encode()),
            ("error_type", dead.error_type.encode()),
            ("original_topic", record.topic.encode()),
            ("original_partition", str(record.partition).encode()),
            ("original_offset", str(record.offset).encode()),
            ("consumer_group", group.encode()),
            ("failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        log.warning(
            "dead letter %s[%d]@%d: %s", record.topic, record.partition, record.offset, dead.error
        )
        delay = 0.2
        while True:
            try:
                await self.app.producer.send_and_wait(
                    record.topic + ".dlq", record.key, record.value, None, None, headers
                )
                return
            except Exception:
                log.exception("dead letter not accepted by the broker; retrying")
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_DELAY)

    def _relay_soon(self) -> None:
        """Start an outbox round now, or right after the running one (limits wait for no tick)."""
        if self._relay_task is not None and not self._relay_task.done():
            self._relay_due.set()
            return
        self._relay_due.clear()
        self._last_relay = time.monotonic()
        self._relay_task = asyncio.create_task(self._relay_rounds())

    async def _relay_tick(self) -> None:
        """Poll the outbox when it was not looked at for a while (rows another worker left)."""
        if time.monotonic() - self._last_relay >= RELAY_IDLE_INTERVAL:
            self._relay_soon()

    async def _relay_rounds(self) -> None:
        """Outbox rounds until one sends nothing and no batch asked for another."""
        while await self._relay_round() or self._relay_due.is_set():
            self._relay_due.clear()
            self._last_relay = time.monotonic()

    async def _relay_round(self) -> int:
        """One outbox round in a thread; returns how many records it published."""
        loop = asyncio.get_running_loop()
        producer = self.app.producer

        def send(topic: str, key: bytes, value: bytes, headers: Headers) -> None:
            future = asyncio.run_coroutine_threadsafe(
                producer.send_and_wait(topic, key, value, None, None, headers), loop
            )
            future.result(timeout=30)

        try:
            sent = await asyncio.to_thread(relay_once, self.engine, send)
        except Exception:
            log.exception("outbox relay round failed")
            return 0
        if sent:
            log.info("outbox: published %d limit events", sent)
        return sent


#: Seconds a stopping worker waits for its batch in flight to commit before abandoning it.
STOP_GRACE = 15.0


def _running(consumer: BatchConsumer) -> type[mode.Service]:
    """A faust (mode) service class running ``consumer`` from the app's start to its stop.

    A consumer that fails crashes the worker (faust restarts nothing silently); on stop it
    finishes its batch in flight (at most ``STOP_GRACE`` seconds) and leaves its group.
    """

    class BatchIngest(mode.Service):
        _running: asyncio.Task[None] | None = None

        async def on_start(self) -> None:
            self._running = asyncio.create_task(self._run())

        async def _run(self) -> None:
            try:
                await consumer.run()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("batch ingest failed")
                await self.crash(exc)

        async def on_stop(self) -> None:
            await consumer.stop()
            if self._running is not None:
                try:
                    await asyncio.wait_for(asyncio.shield(self._running), STOP_GRACE)
                except TimeoutError:
                    self._running.cancel()
                except Exception:
                    log.exception("batch ingest failed while stopping")

    return BatchIngest


def _faust_app(settings: Settings) -> faust.App:
    brokers = [f"kafka://{host.strip()}" for host in settings.kafka_bootstrap.split(",")]
    settings.usage_data_dir.mkdir(parents=True, exist_ok=True)
    return faust.App(
        settings.usage_app_id,
        broker=brokers,
        datadir=str(settings.usage_data_dir),
        web_enabled=False,
        topic_replication_factor=1,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        stream_wait_empty=False,
        producer_acks=-1,
        broker_commit_every=settings.usage_batch_size,
        broker_commit_interval=1.0,
        broker_session_timeout=settings.usage_session_timeout,
    )
