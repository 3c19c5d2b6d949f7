"""Kafka adapters of the edge sync: the store's consumer and the dead-letter publisher."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from promoflow_edge_sync.config import Settings


class ConsumedRecord(Protocol):
    """The fields of an aiokafka ``ConsumerRecord`` the edge sync reads."""

    topic: str
    partition: int
    offset: int
    timestamp: int
    key: bytes | None
    value: bytes | None
    headers: Any


def create_consumer(settings: Settings, topic: str) -> AIOKafkaConsumer:
    """The store's consumer: its own group, from the earliest offset, manual commits only.

    Static membership (``group.instance.id`` = the group name) lets a restarted process take
    its partitions back at once instead of waiting for the old session to time out.
    """
    return AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=settings.consumer_group,
        group_instance_id=settings.consumer_group,
        client_id=f"edge-sync-{settings.store_id}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=min(3000, settings.kafka_session_timeout_ms // 3),
        fetch_max_wait_ms=100,
        max_poll_records=settings.sync_batch_size,
    )


def record_time(record: ConsumedRecord) -> datetime | None:
    """The record's timestamp as an aware UTC datetime (None when the broker gave none)."""
    if record.timestamp is None or record.timestamp < 0:
        return None
    return datetime.fromtimestamp(record.timestamp / 1000, UTC)


class DeadLetters:
    """Publishes malformed records to ``<topic>.dlq`` with the error in headers.

    Headers added: ``error``, ``error_type``, ``original_topic``, ``original_partition``,
    ``original_offset``, ``consumer_group``, ``failed_at``; the original key, value and headers
    are kept. :meth:`publish` waits for the broker's ack (raises aiokafka errors otherwise), so
    the caller commits the offset only once the record is safe.
    """

    def __init__(self, bootstrap_servers: str, group: str) -> None:
        self._bootstrap = bootstrap_servers
        self._group = group
        self._producer: AIOKafkaProducer | None = None

    async def publish(self, record: ConsumedRecord, error: str, error_type: str) -> None:
        """Send ``record`` to its dead-letter topic and wait for the ack."""
        producer = await self._started()
        headers = [(name, value) for name, value in (record.headers or ())]
        headers += [
            ("error", error[:4000].encode()),
            ("error_type", error_type.encode()),
            ("original_topic", record.topic.encode()),
            ("original_partition", str(record.partition).encode()),
            ("original_offset", str(record.offset).encode()),
            ("consumer_group", self._group.encode()),
            ("failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        await producer.send_and_wait(
            record.topic + ".dlq", record.value, key=record.key, headers=headers
        )

    async def _started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap, enable_idempotence=True, acks="all"
            )
            await producer.start()
            self._producer = producer
        return self._producer

    async def close(self) -> None:
        """Stop the producer if it was started."""
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
