"""End to end in a store: HO publishes on Kafka → edge_sync → edge store → evaluator."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from promoflow_contracts.topics import Topics
from tests.factories import CROISSANT, LATTE, cart, line
from tests.integration.edge.helpers import (
    Publisher,
    evaluator_settings,
    make_service,
    published,
    running,
    running_api,
    store_promotion,
    wait_until,
    withdrawn,
)


async def test_published_promotion_applies_then_its_update_replaces_it_then_a_tombstone_removes_it(
    kafka_bootstrap: str, topics: Topics, publisher: Publisher, store_id: UUID, edge_url: str
) -> None:
    sync = make_service(store_id, edge_url, kafka_bootstrap, topics)
    settings = evaluator_settings(store_id, edge_url, kafka_bootstrap, topics)
    body = (
        cart(line("1", LATTE, 25000, 2), line("2", CROISSANT, 18000))
        .model_copy(update={"store_id": store_id})
        .model_dump_json()
    )

    async def discount() -> Decimal:
        response = await api.client.post("/api/v1/evaluate", content=body)
        assert response.status_code == 200
        return Decimal(response.json()["total_discount"])

    async with running(sync), running_api(settings) as api:
        assert await discount() == 0
        # when HO publishes 10 % off, the next evaluations apply it
        promo = store_promotion(store_id, "HO10")
        await publisher.publish(published(promo))
        await wait_until(lambda: _is(discount(), Decimal(6800)), 10, "10 % applied")
        # when HO publishes version 2 at 20 %, it replaces version 1
        update = store_promotion(
            store_id, "HO10", 2, rules={"type": "percent_discount", "discount_percent": "20"}
        )
        await publisher.publish(published(update))
        await wait_until(lambda: _is(discount(), Decimal(13600)), 10, "20 % applied")
        # when HO withdraws it (tombstone), nothing applies any more
        await publisher.publish(withdrawn(promo.id, 2))
        await wait_until(lambda: _is(discount(), Decimal(0)), 10, "promotion removed")


async def _is(value: object, expected: Decimal) -> bool:
    return await value == expected  # type: ignore[misc]
