"""Edge sync against the real broker: what HO publishes reaches the store's edge store."""

from __future__ import annotations

from uuid import UUID

from aiokafka import AIOKafkaConsumer
from sqlalchemy import select

from promoflow_contracts import edge_store as es
from promoflow_contracts.topics import Topics
from tests.factories import COMPANY_ID, OTHER_BRAND_ID, OTHER_STORE_ID
from tests.integration.edge.helpers import (
    Publisher,
    make_service,
    published,
    running,
    store_promotion,
    wait_caught_up,
    wait_until,
    withdrawn,
)


def _names(service: object) -> dict[str, tuple[int, str]]:
    with service.store.engine.connect() as connection:  # type: ignore[attr-defined]
        rows = connection.execute(
            select(es.promotions.c.code, es.promotions.c.version, es.promotions.c.name)
        )
        return {code: (version, name) for code, version, name in rows}


async def test_only_promotions_targeting_the_store_and_its_brand_are_stored(
    kafka_bootstrap: str, topics: Topics, publisher: Publisher, store_id: UUID, edge_url: str
) -> None:
    # given promotions for this store, for another store, and for this store but another brand
    mine = store_promotion(store_id, "MINE")
    other_store = store_promotion(
        store_id,
        "ELSEWHERE",
        targeting={"company_id": str(COMPANY_ID), "stores": [str(OTHER_STORE_ID)]},
    )
    other_brand = store_promotion(
        store_id,
        "OTHERBRAND",
        targeting={
            "company_id": str(COMPANY_ID),
            "stores": "all",
            "brands": [str(OTHER_BRAND_ID)],
        },
    )
    everywhere = store_promotion(
        store_id, "ALLSTORES", targeting={"company_id": str(COMPANY_ID), "stores": "all"}
    )
    await publisher.publish(*(published(p) for p in (mine, other_store, other_brand, everywhere)))
    service = make_service(store_id, edge_url, kafka_bootstrap, topics)
    # when the edge sync has consumed the whole topic
    async with running(service):
        await wait_caught_up(service, kafka_bootstrap, topics)
    # then only the two promotions meant for this store are there
    assert sorted(_names(service)) == ["ALLSTORES", "MINE"]
    assert service.store.data_version() >= 1


async def test_a_newer_version_replaces_and_an_older_one_never_overwrites(
    kafka_bootstrap: str, topics: Topics, publisher: Publisher, store_id: UUID, edge_url: str
) -> None:
    service = make_service(store_id, edge_url, kafka_bootstrap, topics)
    async with running(service):
        # given version 2 of a promotion is stored
        await publisher.publish(
            published(store_promotion(store_id, "P", 1, name="first")),
            published(store_promotion(store_id, "P", 2, name="second")),
        )
        await wait_until(lambda: _names(service).get("P") == (2, "second"), what="version 2")
        version_before = service.store.data_version()
        # when version 1 arrives again, and then version 3
        await publisher.publish(published(store_promotion(store_id, "P", 1, name="stale")))
        await wait_caught_up(service, kafka_bootstrap, topics)
        stale = _names(service)["P"]
        unchanged_version = service.store.data_version()
        await publisher.publish(published(store_promotion(store_id, "P", 3, name="third")))
        await wait_until(lambda: _names(service).get("P") == (3, "third"), what="version 3")
    # then the stale version changed nothing and the newer one replaced the stored copy
    assert stale == (2, "second")
    assert unchanged_version == version_before
    assert service.store.data_version() == version_before + 1


async def test_a_tombstone_removes_the_promotion_and_older_versions_do_not_revive_it(
    kafka_bootstrap: str, topics: Topics, publisher: Publisher, store_id: UUID, edge_url: str
) -> None:
    doc = store_promotion(store_id, "GONE", 2)
    service = make_service(store_id, edge_url, kafka_bootstrap, topics)
    async with running(service):
        await publisher.publish(published(doc))
        await wait_until(lambda: "GONE" in _names(service), what="promotion stored")
        # when HO withdraws it (a tombstone), and an older version shows up afterwards
        await publisher.publish(withdrawn(doc.id, 2))
        await wait_until(lambda: "GONE" not in _names(service), what="promotion removed")
        await publisher.publish(published(store_promotion(store_id, "GONE", 1)))
        await wait_caught_up(service, kafka_bootstrap, topics)
        # then it stays removed; a higher version brings it back
        assert "GONE" not in _names(service)
        await publisher.publish(published(store_promotion(store_id, "GONE", 3)))
        await wait_until(lambda: _names(service).get("GONE", (0,))[0] == 3, what="republished")


async def test_a_promotion_that_stops_targeting_the_store_is_removed(
    kafka_bootstrap: str, topics: Topics, publisher: Publisher, store_id: UUID, edge_url: str
) -> None:
    service = make_service(store_id, edge_url, kafka_bootstrap, topics)
    async with running(service):
        await publisher.publish(published(store_promotion(store_id, "MOVED", 1)))
        await wait_until(lambda: "MOVED" in _names(service), what="promotion stored")
        # when version 2 targets another store only
        moved = store_promotion(
            store_id,
            "MOVED",
            2,
            targeting={"company_id": str(COMPANY_ID), "stores": [str(OTHER_STORE_ID)]},
        )
        await publisher.publish(published(moved))
        # then the store drops it
        await wait_until(lambda: "MOVED" not in _names(service), what="promotion removed")


async def test_replaying_the_whole_topic_changes_nothing(
    kafka_bootstrap: str, topics: Topics, publisher: Publisher, store_id: UUID, edge_url: str
) -> None:
    # given a store that consumed a history of publications, updates and withdrawals
    events = []
    for n in range(20):
        events.append(published(store_promotion(store_id, f"R{n}", 1)))
        events.append(published(store_promotion(store_id, f"R{n}", 2, name=f"R{n} v2")))
    events += [withdrawn(store_promotion(store_id, f"R{n}").id, 2) for n in range(0, 20, 4)]
    await publisher.publish(*events)
    service = make_service(store_id, edge_url, kafka_bootstrap, topics)
    async with running(service):
        await wait_caught_up(service, kafka_bootstrap, topics)
    state, version = _names(service), service.store.data_version()
    # when another consumer group replays the topic from the beginning into the same store
    replay = make_service(store_id, edge_url, kafka_bootstrap, topics)

    def other_group(settings: object, topic: str) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka_bootstrap,
            group_id=f"replay-{store_id}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )

    replay.consumer._factory = other_group  # type: ignore[assignment]
    async with running(replay):
        await wait_until(lambda: replay.consumer.batches > 0, what="replayed batch")
        await wait_caught_up(replay, kafka_bootstrap, topics)
    # then the promotions and the data version are exactly as before
    assert len(state) == 15
    assert _names(replay) == state
    assert replay.store.data_version() == version


async def test_a_malformed_record_goes_to_the_dead_letter_topic_and_the_sync_keeps_going(
    kafka_bootstrap: str, topics: Topics, publisher: Publisher, store_id: UUID, edge_url: str
) -> None:
    # given a record that is not an event, followed by a valid promotion
    await publisher.raw(b"not-a-uuid", b'{"event_type": "PromotionPublished", "data": 1}')
    await publisher.publish(published(store_promotion(store_id, "AFTER")))
    service = make_service(store_id, edge_url, kafka_bootstrap, topics)
    # when the edge sync consumes them
    async with running(service):
        await wait_until(lambda: "AFTER" in _names(service), what="valid promotion")
    # then the bad record is on the dead-letter topic with the error, and the good one applied
    consumer = AIOKafkaConsumer(
        topics.promotions.dead_letter,
        bootstrap_servers=kafka_bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=5000)
    finally:
        await consumer.stop()
    [record] = [r for records in batch.values() for r in records]
    headers = {name: value.decode() for name, value in record.headers}
    assert record.key == b"not-a-uuid"
    assert "data" in headers["error"]
    assert headers["original_topic"] == topics.promotions.name
    assert headers["consumer_group"] == f"edge-sync.{store_id}"


async def test_sync_status_records_offsets_and_zero_lag_once_caught_up(
    kafka_bootstrap: str, topics: Topics, publisher: Publisher, store_id: UUID, edge_url: str
) -> None:
    await publisher.publish(*(published(store_promotion(store_id, f"S{n}")) for n in range(6)))
    service = make_service(store_id, edge_url, kafka_bootstrap, topics)
    async with running(service):
        await wait_caught_up(service, kafka_bootstrap, topics)
    with service.store.engine.connect() as connection:
        rows = connection.execute(select(es.sync_status)).mappings().all()
    assert rows and all(row["lag"] == 0 for row in rows if row["committed_offset"])
    assert sum(row["records_applied"] for row in rows) == 6
    assert all(row["last_event_at"] is not None for row in rows if row["records_applied"])


async def test_the_edge_store_works_on_postgresql_too(
    kafka_bootstrap: str, topics: Topics, publisher: Publisher, store_id: UUID, database_url: str
) -> None:
    # given the edge store is a PostgreSQL database
    service = make_service(store_id, database_url, kafka_bootstrap, topics)
    async with running(service):
        # when a promotion is published and then updated
        await publisher.publish(published(store_promotion(store_id, "PG", 1)))
        await publisher.publish(published(store_promotion(store_id, "PG", 2, name="v2")))
        # then the latest version is stored
        await wait_until(lambda: _names(service).get("PG") == (2, "v2"), what="v2 on PostgreSQL")
    assert service.store.data_version() >= 1
