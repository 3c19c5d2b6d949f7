"""Reading a test topic to its end, as stores would see it."""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
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


async def read_records(bootstrap: str, topic: str) -> list[ConsumerRecord[bytes, bytes]]:
    """Every raw record of ``topic`` up to its current end, per partition in offset order."""
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
        seen: list[ConsumerRecord[bytes, bytes]] = []
        while any([await consumer.position(tp) < end[tp] for tp in partitions]):
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                seen.extend(records)
        return sorted(seen, key=lambda r: (r.partition, r.offset))
    finally:
        await consumer.stop()


async def read_topic(bootstrap: str, topic: str) -> list[Seen]:
    """Every event of ``topic`` up to its current end, per partition in offset order."""
    return [
        Seen(
            r.partition,
            r.offset,
            r.key.decode(),
            r.value is None,
            from_record(r.key, r.value, list(r.headers)),
        )
        for r in await read_records(bootstrap, topic)
    ]


def version_of(seen: Seen) -> int:
    """The promotion version a record carries (published or withdrawn)."""
    data = seen.event.data
    if hasattr(data, "promotion"):
        return int(data.promotion.version)
    return int(data.version)  # type: ignore[union-attr]
