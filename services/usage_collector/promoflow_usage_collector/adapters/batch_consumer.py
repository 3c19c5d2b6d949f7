"""Batch ingest of the high-volume topics with a plain aiokafka consumer (inside the faust app).

Why not faust agents: faust's per-message Stream path (4 tasks per message, ``wait_first``
calls, the take buffer, sensors) costs 148-190 us of CPU per event doing nothing, whatever the
idiom (``take``/``noack_take``/``take_events``: 270-305 us per event with our work), which held
one worker at ~2,100 redemptions/s against a target of 5,000/s. A plain aiokafka consumer costs
4-7 us per event; the same :class:`~promoflow_usage_collector.ingest_service.IngestService`
fed by ``getmany`` batches, pipelined, reached 4,600-5,400 events/s (measured with
``benchmarks/collector_bench.py --parts plain`` at load 4-5). The worker stays a faust
application (lifecycle, timers, the low-volume ``promotions.v1`` agent); only
``redemptions.v1`` and ``evaluations.v1`` are read here, in their own consumer group
(``<app id>-ingest``), so the group splits their partitions between workers.

Delivery: at least once with an idempotent consumer. Each ``getmany`` batch (up to
``batch_size`` records, waiting at most ``batch_within`` seconds) is applied by the appliers of
its topics (one database transaction per topic, in a thread, retried with backoff forever:
a stuck worker falls behind but loses nothing); its dead letters are published and acknowledged
by the broker; only then are its offsets (last offset + 1 per partition) committed
(``enable_auto_commit=False``). One batch is in the database while the next is fetched.
On a rebalance, the revocation waits for the batch in flight to commit (database, then
offsets), so the next owner starts after it; records fetched for partitions no longer assigned
are dropped and redelivered to their new owner. Whatever escapes this (a crash, a commit the
group refused) is replayed, and deduplication by ``event_id`` counts it once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError

from promoflow_usage_collector.ingest_service import BatchResult, DeadLetter, RawRecord

log = logging.getLogger(__name__)

#: Longest pause between two retries of a failing batch (seconds).
MAX_RETRY_DELAY = 30.0

ApplyBatch = Callable[[Sequence[RawRecord]], BatchResult]
PublishDeadLetter = Callable[[DeadLetter], Awaitable[None]]
AfterCommit = Callable[[BatchResult], None]


def raw_records(batch: Mapping[TopicPartition, Sequence[Any]]) -> list[RawRecord]:
    """The :class:`RawRecord` of every aiokafka ``ConsumerRecord`` of a ``getmany`` batch."""
    return [
        RawRecord(r.topic, r.partition, r.offset, r.key, r.value, list(r.headers or ()))
        for records in batch.values()
        for r in records
    ]


def next_offsets(records: Iterable[RawRecord]) -> dict[TopicPartition, int]:
    """Offset to commit per partition: the highest offset of ``records`` + 1."""
    offsets: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        offsets[tp] = max(offsets.get(tp, 0), record.offset + 1)
    return offsets


def merge_results(results: Iterable[BatchResult]) -> BatchResult:
    """One :class:`BatchResult` adding up the results of a batch's topics."""
    total = BatchResult(received=0)
    for result in results:
        total.received += result.received
        total.applied += result.applied
        total.duplicates += result.duplicates
        total.dead_letters.extend(result.dead_letters)
        total.limit_events += result.limit_events
    return total


class BatchConsumer:
    """Reads ``appliers``' topics in batches, applies them, commits offsets after the commit.

    ``appliers`` maps a topic name to the blocking function applying a batch of its records
    (run in a thread). ``dead_letter`` publishes a malformed record (awaited before the offsets
    are committed); ``after_commit`` is told what each committed batch did. ``session_timeout``
    is in seconds. Start with :meth:`run` (returns after :meth:`stop`).
    """

    def __init__(
        self,
        *,
        bootstrap: str,
        group_id: str,
        appliers: Mapping[str, ApplyBatch],
        batch_size: int,
        batch_within: float,
        session_timeout: float = 30.0,
        dead_letter: PublishDeadLetter | None = None,
        after_commit: AfterCommit | None = None,
        client_id: str = "promoflow-usage-ingest",
    ) -> None:
        self.group_id = group_id
        self.appliers = dict(appliers)
        self.batch_size = batch_size
        self.batch_within = batch_within
        self.dead_letter = dead_letter
        self.after_commit = after_commit
        #: Records whose batch was committed (database and offsets) since the start.
        self.committed_records = 0
        self._stopping = asyncio.Event()
        self._in_flight: asyncio.Task[None] | None = None
        self._consumer_options: dict[str, Any] = {
            "bootstrap_servers": bootstrap,
            "group_id": group_id,
            "client_id": client_id,
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "max_poll_records": batch_size,
            "session_timeout_ms": int(session_timeout * 1000),
            "heartbeat_interval_ms": min(3000, int(session_timeout * 1000) // 3),
        }
        self._consumer: AIOKafkaConsumer | None = None

    @property
    def consumer(self) -> AIOKafkaConsumer:
        """The aiokafka consumer (created by :meth:`run`, in the running event loop)."""
        if self._consumer is None:
            raise RuntimeError("the batch consumer is not running")
        return self._consumer

    async def run(self) -> None:
        """Join the group and ingest until :meth:`stop`; then commit what is in flight, leave."""
        self._consumer = AIOKafkaConsumer(**self._consumer_options)
        self.consumer.subscribe(list(self.appliers), listener=_FinishInFlight(self))
        await self.consumer.start()
        try:
            while not self._stopping.is_set():
                batch = await self.consumer.getmany(
                    timeout_ms=int(self.batch_within * 1000), max_records=self.batch_size
                )
                await self.settle()  # at most one batch in the database
                assigned = self.consumer.assignment()
                records = raw_records({tp: rs for tp, rs in batch.items() if tp in assigned})
                if records:
                    self._in_flight = asyncio.create_task(self._apply_and_commit(records))
            await self.settle()
        finally:
            if self._in_flight is not None and not self._in_flight.done():
                self._in_flight.cancel()  # its records are redelivered (and deduplicated)
            await self.consumer.stop()

    async def stop(self) -> None:
        """Ask :meth:`run` to finish its batch in flight and return."""
        self._stopping.set()

    async def settle(self) -> None:
        """Wait until the batch in flight (if any) is committed; re-raise if it failed."""
        task = self._in_flight
        if task is not None:
            try:
                await task  # the loop and a revocation may both wait for it
            finally:
                if self._in_flight is task:
                    self._in_flight = None

    async def _apply_and_commit(self, records: list[RawRecord]) -> None:
        result = await self._apply(records)
        if self.dead_letter is not None:
            for dead in result.dead_letters:
                await self.dead_letter(dead)
        await self._commit(next_offsets(records))
        self.committed_records += len(records)
        if self.after_commit is not None:
            self.after_commit(result)

    def _apply_all(self, records: list[RawRecord]) -> BatchResult:
        per_topic: dict[str, list[RawRecord]] = {}
        for record in records:
            per_topic.setdefault(record.topic, []).append(record)
        return merge_results(self.appliers[t](rs) for t, rs in per_topic.items())

    async def _apply(self, records: list[RawRecord]) -> BatchResult:
        delay = 0.2
        while True:
            try:
                return await asyncio.to_thread(self._apply_all, records)
            except Exception:
                log.exception(
                    "ingest batch of %d records failed; retrying in %.1fs", len(records), delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_DELAY)

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        """Commit ``offsets`` of the partitions still assigned; a refused commit is replayed."""
        assigned = self.consumer.assignment()
        mine = {tp: offset for tp, offset in offsets.items() if tp in assigned}
        if not mine:
            return
        try:
            await self.consumer.commit(mine)
        except (CommitFailedError, IllegalStateError) as exc:
            # the group moved on: the next owner replays these records, deduplicated
            log.warning("offsets %s not committed (%s); they will be replayed", mine, exc)
        except KafkaError:
            log.exception("offset commit failed; the records will be replayed")


class _FinishInFlight(ConsumerRebalanceListener):  # type: ignore[misc]
    """Revocation waits for the batch in flight: its database commit, then its offsets."""

    def __init__(self, owner: BatchConsumer) -> None:
        self.owner = owner

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        try:
            await self.owner.settle()
        except Exception:  # run() sees nothing of it; the records are replayed, deduplicated
            log.exception("batch in flight failed while partitions %s were revoked", revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        log.info("ingest group %s: assigned %s", self.owner.group_id, sorted(assigned))
