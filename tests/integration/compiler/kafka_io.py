"""Reading a test topic to its end, as stores would see it."""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from promoflow_contracts.events import Event
from promoflow_contracts.topics import from_record


@dataclass(frozen=True)
class Seen:
    """One record: its partition/offset, key, whether it is a tombstone, and the event."""

    partition: int
    offset: int
    key: str
    tombstone: bool
    event: Event


async def read_topic(bootstrap: str, topic: str) -> list[Seen]:
    """Every record of ``topic`` up to its current end, per partition in offset order."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    partitions = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        seen: list[Seen] = []
        while any([await consumer.position(tp) < end[tp] for tp in partitions]):
            batch = await consumer.getmany(timeout_ms=1000)
            for records in batch.values():
                for r in records:
                    event = from_record(r.key, r.value, list(r.headers))
                    seen.append(Seen(r.partition, r.offset, r.key.decode(), r.value is None, event))
        return sorted(seen, key=lambda s: (s.partition, s.offset))
    finally:
        await consumer.stop()


def version_of(seen: Seen) -> int:
    """The promotion version a record carries (published or withdrawn)."""
    data = seen.event.data
    if hasattr(data, "promotion"):
        return int(data.promotion.version)
    return int(data.version)  # type: ignore[union-attr]
