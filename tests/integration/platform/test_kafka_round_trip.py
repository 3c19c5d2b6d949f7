"""Every event type goes through the real broker and comes back unchanged."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from promoflow_contracts.events import Event
from promoflow_contracts.topics import Topics, from_record, to_record, topic_for
from tests.unit.contracts.samples import sample_events


async def _consume(bootstrap: str, topic_names: list[str], count: int) -> list[Event]:
    consumer = AIOKafkaConsumer(
        *topic_names,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    received: list[Event] = []
    try:
        async with asyncio.timeout(30):
            while len(received) < count:
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        received.append(from_record(record.key, record.value, list(record.headers)))
    finally:
        await consumer.stop()
    return received


async def test_every_event_type_round_trips_through_the_broker(
    kafka_bootstrap: str, topics: Topics
) -> None:
    # given one event of each type
    events = sample_events()
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        # when each is published with its contract key on its contract topic
        for event in events:
            record = to_record(event)
            await producer.send_and_wait(
                topic_for(event, topics), record.value, key=record.key, headers=record.headers
            )
    finally:
        await producer.stop()
    names = sorted({topic_for(e, topics) for e in events})
    received = await _consume(kafka_bootstrap, names, len(events))
    # then every event comes back equal to what was sent
    assert sorted(received, key=lambda e: e.event_type) == sorted(
        events, key=lambda e: e.event_type
    )


async def test_promotions_topic_is_compacted(kafka_bootstrap: str, topics: Topics) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topics.promotions.name)]
        )
        configs = {entry[0]: entry[1] for entry in response.resources[0][4]}
        partitions = await admin.describe_topics([topics.redemptions.name])
    finally:
        await admin.close()
    assert configs["cleanup.policy"] == "compact"
    assert len(partitions[0]["partitions"]) == 3
