"""Create PromoFlow's topics on a broker, with partition counts and retention that fit them."""

from __future__ import annotations

import asyncio

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from promoflow_contracts.topics import Topics, TopicSpec

#: Compacted promotions: keep the latest value per key forever; forget tombstones after 1 day.
COMPACTED_CONFIG = {
    "cleanup.policy": "compact",
    "min.compaction.lag.ms": "0",
    "delete.retention.ms": str(24 * 3600 * 1000),
    "segment.ms": str(3600 * 1000),
}
#: Event streams: kept 7 days so a collector can be rebuilt from them after an outage.
STREAM_CONFIG = {"cleanup.policy": "delete", "retention.ms": str(7 * 24 * 3600 * 1000)}
#: Dead letters: kept 30 days for an operator to inspect and replay.
DEAD_LETTER_CONFIG = {"cleanup.policy": "delete", "retention.ms": str(30 * 24 * 3600 * 1000)}


def topic_definitions(topics: Topics, partitions: int | None = None) -> list[NewTopic]:
    """NewTopic definitions for every topic and its dead-letter topic.

    ``partitions`` overrides each topic's default partition count (tests use fewer).
    """

    def new(spec: TopicSpec) -> list[NewTopic]:
        count = partitions or spec.partitions
        config = COMPACTED_CONFIG if spec.compacted else STREAM_CONFIG
        return [
            NewTopic(spec.name, count, 1, topic_configs=dict(config)),
            NewTopic(spec.dead_letter, 1, 1, topic_configs=dict(DEAD_LETTER_CONFIG)),
        ]

    return [definition for spec in topics.all() for definition in new(spec)]


async def _wait_for_leaders(admin: AIOKafkaAdminClient, names: list[str]) -> None:
    """Wait until every partition of ``names`` has a leader, so a first produce succeeds."""
    async with asyncio.timeout(30):
        while True:
            described = await admin.describe_topics(names)
            if all(
                topic["error_code"] == 0
                and topic["partitions"]
                and all(p["leader"] >= 0 for p in topic["partitions"])
                for topic in described
            ):
                return
            await asyncio.sleep(0.1)


class TopicCreationError(RuntimeError):
    """The broker refused to create a topic; the message names the topic and error code."""


#: Kafka error code TOPIC_ALREADY_EXISTS (another process created it first).
_ALREADY_EXISTS = 36


async def ensure_topics(
    bootstrap_servers: str, topics: Topics, partitions: int | None = None
) -> list[str]:
    """Create the topics that do not exist yet; returns the names created.

    Raises :class:`TopicCreationError` when the broker refuses a topic, and aiokafka errors
    when it cannot be reached.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in topic_definitions(topics, partitions) if t.name not in existing]
        if not wanted:
            return []
        response = await admin.create_topics(wanted)
        for error in response.topic_errors:
            name, code = error[0], error[1]
            if code not in (0, _ALREADY_EXISTS):
                raise TopicCreationError(f"{name}: error code {code} ({error[2:]})")
        names = [t.name for t in wanted]
        await _wait_for_leaders(admin, names)
        return names
    finally:
        await admin.close()
