"""The outbox relay: edge store outbox → Kafka (store-and-forward of redemptions and logs).

Each round (while holding the store's relay lease, so one relay forwards a store's rows):

1. read the oldest unsent rows in ``id`` order (at most ``relay_batch_size``);
2. hand them to an idempotent producer (``enable_idempotence``, ``acks=all``) in that order,
   so records of one key reach their partition in the order they were written;
3. wait for every ack; stamp ``sent_at`` on the acknowledged rows only; a failed row keeps
   ``sent_at`` empty, counts an attempt and its error, and the relay backs off exponentially
   (up to ``relay_backoff_max_s``) before trying again from the oldest unsent row.

Rows are never deleted or skipped, so nothing is lost while the broker or HO is away. Delivery
is at-least-once: a crash between the ack and the stamp sends a row again with the same
``event_id``, which every consumer deduplicates.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from datetime import timedelta
from uuid import uuid4

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from promoflow_contracts.edge_store import utcnow
from promoflow_evaluator.adapters.outbox import OutboxRow, OutboxStore
from promoflow_evaluator.config import Settings

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)


def relay_owner() -> str:
    """A name for this relay process: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:6]}"


def create_producer(settings: Settings) -> AIOKafkaProducer:
    """The relay's idempotent producer."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id=f"evaluator-relay-{settings.store_id}",
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=15_000,
    )


class OutboxRelay:
    """Forwards the store's outbox to Kafka until :meth:`stop`."""

    def __init__(
        self,
        settings: Settings,
        store: OutboxStore,
        producer_factory: Callable[[Settings], AIOKafkaProducer] = create_producer,
    ) -> None:
        self._settings = settings
        self._store = store
        self._factory = producer_factory
        self._producer: AIOKafkaProducer | None = None
        self._stopping = asyncio.Event()
        self.sent = 0
        self.failures = 0

    def stop(self) -> None:
        """Finish the current round and return from :meth:`run`."""
        self._stopping.set()

    async def run(self) -> None:
        """Relay until stopped."""
        backoff = 0.2
        idle = self._settings.relay_idle_poll_ms / 1000
        try:
            while not self._stopping.is_set():
                if not await asyncio.to_thread(self._store.acquire_lease, utcnow()):
                    await self._sleep(LEASE.total_seconds() / 3)
                    continue
                rows = await asyncio.to_thread(self._store.unsent, self._settings.relay_batch_size)
                if not rows:
                    await self._sleep(idle)
                    continue
                if await self._round(rows):
                    backoff = 0.2
                    continue
                self.failures += 1
                await self._sleep(backoff)
                backoff = min(backoff * 2, self._settings.relay_backoff_max_s)
        finally:
            await self._close()
            await asyncio.to_thread(self._store.release_lease)

    async def _round(self, rows: list[OutboxRow]) -> bool:
        """Send ``rows``; True when every one was acknowledged."""
        try:
            producer = await self._started()
        except KafkaError as exc:
            log.warning("Kafka unreachable (%r); %d rows wait", exc, len(rows))
            await asyncio.to_thread(self._store.mark_failed, [r.id for r in rows], repr(exc))
            return False
        futures = []
        error: BaseException | None = None
        for row in rows:
            try:
                futures.append(
                    await producer.send(row.topic, row.value, key=row.key, headers=row.headers)
                )
            except KafkaError as exc:
                error = exc
                break
        results = await asyncio.gather(*futures, return_exceptions=True)
        acked = [
            row.id
            for row, outcome in zip(rows, results, strict=False)
            if not isinstance(outcome, BaseException)
        ]
        failed = [row.id for row in rows if row.id not in set(acked)]
        await asyncio.to_thread(self._store.mark_sent, acked, utcnow())
        self.sent += len(acked)
        if not failed:
            return True
        error = error or next(r for r in results if isinstance(r, BaseException))
        log.warning(
            "relay: %d rows acked, %d failed (%r); backing off", len(acked), len(failed), error
        )
        await asyncio.to_thread(self._store.mark_failed, failed, repr(error))
        await self._close()  # start a fresh producer session after a failure
        return False

    async def _started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._factory(self._settings)
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await producer.stop()
            except Exception:  # closing a producer whose broker is gone
                log.debug("producer stop failed", exc_info=True)

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            return
