"""The outbox relay: publish unsent outbox rows to Kafka in id order, then stamp ``sent_at``.

Delivery (at least once, never lost):

1. One relay is the *leader* (a PostgreSQL session advisory lock on a dedicated connection);
   others wait as hot standbys. A single publisher keeps each promotion's records in the
   order HO wrote them, so compaction keeps the latest (a tombstone never lands before the
   publication it withdraws). The lock goes away with the leader's connection (crash, kill).
2. The leader claims a batch ``FOR UPDATE SKIP LOCKED`` in ``id`` order, hands every record to
   an idempotent producer (``enable_idempotence=True``, ``acks="all"``), waits for every ack,
   then sets ``sent_at`` and commits.
3. Broker down or a send failing: the batch's ``attempts``/``last_error`` are recorded, the
   producer is recreated, and the relay retries with exponential backoff (capped). Rows stay
   unsent until acknowledged.

A crash between the acks and the commit publishes that batch again on restart. That is
harmless: every record carries its event id and promotion ``version``, stores upsert by
version (an equal or older version never overwrites) and a repeated tombstone deletes
nothing new; compaction keeps one copy.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from typing import Any, Protocol

import orjson
from sqlalchemy import Connection, Engine, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from promoflow_compiler.adapters.orm import OutboxMessage

log = logging.getLogger(__name__)

#: pg_try_advisory_lock key of the relay leader ("PFRELAY").
LEADER_LOCK_KEY = 0x50_46_52_45_4C_41_59


class Producer(Protocol):
    """The part of ``AIOKafkaProducer`` the relay uses."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def send(
        self, topic: str, value: bytes | None = None, key: bytes | None = None, headers: Any = None
    ) -> Awaitable[Any]: ...


def kafka_producer(bootstrap_servers: str) -> Producer:
    """An idempotent aiokafka producer that waits for all in-sync replicas."""
    from aiokafka import AIOKafkaProducer

    producer: Producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=10_000,
        retry_backoff_ms=200,
        client_id="promoflow-compiler-relay",
    )
    return producer


class OutboxRelay:
    """Publishes the outbox (see the module docstring).

    ``after_publish(ids)`` runs after the acks and before the commit (a test hook: a crash
    there is the "published but not marked" case).
    """

    def __init__(
        self,
        engine: Engine,
        producer_factory: Callable[[], Producer],
        *,
        batch_size: int = 200,
        poll_interval: float = 0.2,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        after_publish: Callable[[Sequence[int]], None] | None = None,
    ) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = sessionmaker(engine)
        self.producer_factory = producer_factory
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.after_publish = after_publish
        self._producer: Producer | None = None
        self._leader: Connection | None = None

    async def _ensure_producer(self) -> Producer:
        if self._producer is None:
            producer = self.producer_factory()
            try:
                await producer.start()
            except BaseException:
                with suppress(Exception):
                    await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with suppress(Exception):
                await asyncio.wait_for(producer.stop(), timeout=5)

    def acquire_leadership(self) -> bool:
        """Take (or keep) the leader lock; False while another relay holds it."""
        if self._leader is not None:
            try:
                self._leader.execute(text("SELECT 1"))
                # never idle in a transaction: an open one would hold back sync_timestamp
                self._leader.commit()
                return True
            except Exception:
                self.release_leadership()
        conn = self.engine.connect()
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK_KEY}).scalar()
        conn.commit()
        if got:
            self._leader = conn
            return True
        conn.close()
        return False

    def release_leadership(self) -> None:
        """Give the leader lock back and discard its connection."""
        conn, self._leader = self._leader, None
        if conn is None:
            return
        with suppress(Exception):
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LEADER_LOCK_KEY})
            conn.commit()
        with suppress(Exception):
            # never hand a connection that may still hold the lock back to the pool
            conn.invalidate()
            conn.close()

    async def publish_batch(self) -> int:
        """Claim, publish and mark one batch; the number of rows sent (0 = outbox empty).

        On a producer error the claim is rolled back, the attempt is recorded on the rows in a
        separate transaction, and the error is raised.
        """
        ids: list[int] = []
        try:
            with self.sessions() as session, session.begin():
                rows = session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.sent_at.is_(None))
                    .order_by(OutboxMessage.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                ).all()
                if not rows:
                    return 0
                ids = [r.id for r in rows]
                await self._send(rows)
                if self.after_publish is not None:
                    self.after_publish(ids)
                session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(ids))
                    .values(sent_at=func.now())
                )
                return len(ids)
        except Exception as exc:
            if ids:
                self._record_failure(ids, exc)
            raise

    async def _send(self, rows: Sequence[OutboxMessage]) -> None:
        """Hand every row to the producer, then wait for every acknowledgement."""
        producer = await self._ensure_producer()
        pending = [
            await producer.send(
                r.topic,
                value=orjson.dumps(r.payload) if r.payload is not None else None,
                key=r.message_key.encode() if r.message_key is not None else None,
                headers=[(k, v.encode()) for k, v in sorted(r.headers.items())],
            )
            for r in rows
        ]
        await asyncio.gather(*pending)

    def _record_failure(self, ids: list[int], exc: Exception) -> None:
        with suppress(Exception), self.sessions() as session, session.begin():
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(attempts=OutboxMessage.attempts + 1, last_error=repr(exc)[:1000])
            )

    async def drain(self) -> int:
        """Publish until the outbox is empty (no retries); the number of rows sent.

        Takes the leader lock first (kept until :meth:`close`); raises ``RuntimeError`` when
        another relay leads.
        """
        if not self.acquire_leadership():
            raise RuntimeError("another relay is the leader; not publishing")
        total = 0
        while sent := await self.publish_batch():
            total += sent
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set: lead or stand by, publish, back off on errors."""
        delay = self.backoff_initial
        try:
            while not stop.is_set():
                try:
                    if not self.acquire_leadership():
                        await _sleep(stop, max(self.poll_interval, 1.0))
                        continue
                    sent = await self.publish_batch()
                    delay = self.backoff_initial
                    if sent < self.batch_size:
                        await _sleep(stop, self.poll_interval)
                except Exception as exc:
                    log.warning("relay: %s; retrying in %.1fs", exc, delay)
                    await self._drop_producer()
                    await _sleep(stop, delay)
                    delay = min(delay * 2, self.backoff_max)
        finally:
            await self._drop_producer()
            self.release_leadership()

    async def close(self) -> None:
        """Stop the producer and give up leadership."""
        await self._drop_producer()
        self.release_leadership()


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
