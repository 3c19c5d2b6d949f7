"""The limits consumer against the real broker: limit state is recorded and republished once
per event id; malformed records go to the dead-letter topic."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from fastapi.testclient import TestClient

from promoflow_compiler.adapters.limits_consumer import LimitsConsumer
from promoflow_compiler.bootstrap import Container
from promoflow_contracts.events import LimitStateChanged, LimitStateChangedData
from promoflow_contracts.topics import Topics, to_record
from tests.integration.compiler.kafka_io import read_records, read_topic, version_of
from tests.integration.compiler.seed import ADMIN, ok
from tests.unit.compiler.builders import spec_dict


def event(promotion_id: str, **fields: object) -> LimitStateChanged:
    data = LimitStateChangedData.model_validate(
        {"promotion_id": promotion_id, "uses": 100, "max_uses": 100, **fields}
    )
    return LimitStateChanged(
        occurred_at=datetime(2026, 3, 2, 4, 0, tzinfo=UTC), producer="collector/test", data=data
    )


async def produce(
    bootstrap: str,
    topic: str,
    records: list[tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]],
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for key, value, headers in records:
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def consume_until_idle(container: Container, topics: Topics, bootstrap: str) -> list[object]:
    outcomes: list[object] = []
    consumer = LimitsConsumer(
        container.limits,
        bootstrap_servers=bootstrap,
        topic=topics.limits,
        group_id=f"compiler-limits-{uuid.uuid4().hex[:6]}",
        on_outcome=outcomes.append,
    )
    await asyncio.wait_for(consumer.run(asyncio.Event(), idle_exit=2.0), timeout=60)
    return outcomes


async def test_exhausted_limit_republishes_once_and_bad_records_are_dead_lettered(
    kafka_client: TestClient, kafka_container: Container, topics: Topics, kafka_bootstrap: str
) -> None:
    # given an active promotion (version 1) and the collector's events: exhausted (sent twice,
    # same event id), a daily exhaustion, one unknown promotion and one garbage record
    pid = ok(
        kafka_client.post(
            "/api/v1/promotions",
            headers=ADMIN,
            json={**spec_dict(code="CAP", limits={"max_uses": 100}), "activate": True},
        ),
        201,
    )["id"]
    exhausted = to_record(event(pid, limit="max_uses", state="exhausted"))
    daily = to_record(
        event(pid, limit="max_uses_per_day", state="exhausted", business_date="2026-03-02")
    )
    unknown = to_record(event(str(uuid.uuid4()), limit="max_uses", state="exhausted"))
    await produce(
        kafka_bootstrap,
        topics.limits.name,
        [
            (exhausted.key, exhausted.value, exhausted.headers),
            (exhausted.key, exhausted.value, exhausted.headers),
            (daily.key, daily.value, daily.headers),
            (unknown.key, unknown.value, unknown.headers),
            (pid.encode(), b'{"event_type": "LimitStateChanged", "data": {}}', []),
        ],
    )
    # when the consumer runs until idle
    outcomes = await consume_until_idle(kafka_container, topics, kafka_bootstrap)
    relay = kafka_container.relay()
    await relay.drain()
    await relay.close()
    # then the promotion was republished twice (v2 exhausted, v3 + the day), the duplicate
    # changed nothing, and the two bad records are on the dead-letter topic with the error
    results = sorted(o if isinstance(o, str) else o.result for o in outcomes)
    assert results == ["dead_lettered", "dead_lettered", "duplicate", "republished", "republished"]
    seen = [s for s in await read_topic(kafka_bootstrap, topics.promotions.name) if s.key == pid]
    assert [version_of(s) for s in seen] == [1, 2, 3]
    final = seen[-1].event.data.promotion  # type: ignore[union-attr]
    assert final.limit_state.total_exhausted is True
    assert [str(d.business_date) for d in final.limit_state.exhausted_days] == ["2026-03-02"]
    promo = ok(kafka_client.get(f"/api/v1/promotions/{pid}", headers=ADMIN))
    assert promo["limit_state"]["total_exhausted"] is True
    dlq = [
        {k: v.decode() for k, v in r.headers}
        for r in await read_records(kafka_bootstrap, topics.limits.dead_letter)
    ]
    assert len(dlq) == 2 and all("error" in h for h in dlq)
    assert any("unknown promotion" in h["error"] for h in dlq)
