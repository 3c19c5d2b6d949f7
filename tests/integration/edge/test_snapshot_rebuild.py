"""The evaluator's snapshot over a real edge store (SQLite): incremental rebuilds give what a
full rebuild gives, and evaluating reads nothing from the store."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import event

from promoflow_contracts.edge_store import create_edge_engine
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.topics import Topics
from promoflow_edge_sync.bootstrap import bootstrap
from promoflow_edge_sync.service import apply_events
from promoflow_evaluator.adapters.repository import EdgeRepository
from promoflow_evaluator.bootstrap import build
from promoflow_evaluator.snapshot import SnapshotHolder
from tests.factories import (
    AMERICANO,
    BAKERY,
    BEVERAGES,
    CROISSANT,
    LATTE,
    MUFFIN,
    SAMPLE_RULES,
    cart,
    line,
    uid,
)
from tests.integration.edge.helpers import (
    checkout_body,
    evaluator_settings,
    published,
    running_api,
    seed_store,
    store_promotion,
    sync_settings,
    withdrawn,
)

UNUSED = Topics("unused.")
COFFEE = uid("cat-coffee")
TEA = uid("cat-tea")


def _beverages(*descendants: UUID) -> dict[str, Any]:
    ref = {
        "id": str(BEVERAGES),
        "name": "Beverages",
        "descendant_ids": [str(d) for d in descendants],
    }
    return {"apply_to": "categories", "categories": [ref]}


def _apply(store_id: UUID, edge_url: str, *events: Any) -> None:
    sync = bootstrap(sync_settings(store_id, edge_url, "127.0.0.1:1", UNUSED))
    apply_events(
        store=sync.store, identity=sync.settings.identity, events=list(events), source="kafka"
    )
    sync.store.engine.dispose()


def _holder(edge_url: str, store_id: UUID) -> SnapshotHolder:
    engine = create_edge_engine(edge_url)
    repository = EdgeRepository(engine, store_id, UNUSED)
    return SnapshotHolder(repository, ZoneInfo("Asia/Jakarta"), 0.05)


def _carts(store_id: UUID) -> list[Any]:
    coffee = {"category_id": str(COFFEE)}
    tea = {"category_id": str(TEA)}
    carts = [
        cart(line("1", LATTE, 25000, 2, **coffee), line("2", CROISSANT, 18000)),
        cart(line("1", AMERICANO, 22000, 3, **tea), line("2", MUFFIN, 15000, 2)),
        cart(line("1", LATTE, 25000, 1, **tea), line("2", LATTE, 25000, 1, **coffee)),
        cart(line("1", CROISSANT, 18000, 4, category_id=str(BAKERY)), payment_method="OVO"),
    ]
    return [c.model_copy(update={"store_id": store_id}) for c in carts]


def _state(holder: SnapshotHolder, store_id: UUID) -> tuple[Any, ...]:
    """What the engine sees: promotions (id, version) in order, the index's evaluation order,
    and the full results of a few carts."""
    settings = evaluator_settings(store_id, "sqlite://", "127.0.0.1:1", UNUSED)
    container = build(settings)
    container.evaluator.snapshots = holder
    catalog = holder.catalog
    assert catalog is not None
    results = [
        container.evaluator.evaluate_now(c).model_dump(mode="json") for c in _carts(store_id)
    ]
    return (
        [(p.id, p.version) for p in catalog.promotions],
        [(p.id, p.version) for p in catalog.index.promotions],
        results,
    )


def test_incremental_rebuilds_equal_a_full_rebuild_after_every_change(
    store_id: UUID, edge_url: str
) -> None:
    def promo(code: str, version: int = 1, **fields: Any) -> CompiledPromotion:
        return store_promotion(store_id, code, version, **fields)

    initial = [
        promo("TEN"),
        promo("BEV", scope=_beverages(COFFEE), rules={**SAMPLE_RULES["percent_discount"]}),
        promo("BOGO", rules=SAMPLE_RULES["buy_x_get_y"], execution_priority=5),
        promo("COMBO", rules=SAMPLE_RULES["combo"]),
        promo("MIX", rules=SAMPLE_RULES["mix_match"]),
        promo("OVO", rules=SAMPLE_RULES["payment_discount"]),
    ]
    seed_store(store_id, edge_url, *initial)
    incremental = _holder(edge_url, store_id)
    incremental.refresh()
    changes: list[list[Any]] = [
        # a new version that moves ahead in evaluation order
        [
            published(
                promo(
                    "TEN",
                    2,
                    execution_priority=50,
                    rules={**SAMPLE_RULES["percent_discount"], "discount_percent": "12"},
                )
            )
        ],
        # a withdrawal
        [withdrawn(initial[3].id, 2)],
        # a new promotion that widens the descendants known for Beverages (re-parses BEV)
        [published(promo("TEA", scope=_beverages(COFFEE, TEA), rules=SAMPLE_RULES["cashback"]))],
        # the withdrawn one back, and two changes in one batch
        [
            published(promo("COMBO", 3, rules=SAMPLE_RULES["combo"])),
            published(promo("MIX", 2, is_stackable=False, rules=SAMPLE_RULES["mix_match"])),
            withdrawn(initial[5].id, 2),
        ],
        # the promotion that widened Beverages goes away again
        [withdrawn(uid("promo-TEA"), 2)],
    ]
    for step, events in enumerate(changes):
        # when edge_sync applies the change and the worker refreshes incrementally
        _apply(store_id, edge_url, *events)
        assert incremental.refresh()
        full = _holder(edge_url, store_id)
        full.refresh()
        # then the worker sees exactly what a fresh full build of the store sees
        assert _state(incremental, store_id) == _state(full, store_id), f"after change {step}"
    assert incremental.rebuilds == 1 + len(changes)


async def test_evaluating_a_members_cart_reads_nothing_from_the_store(
    store_id: UUID, edge_url: str
) -> None:
    # given a promotion a customer may use once, and the customer has just used it
    once = store_promotion(store_id, "ONCE", limits={"max_uses_per_customer": 1})
    seed_store(store_id, edge_url, once)
    # (the poller's next look is 10 s away: any pool checkout below would be the request's)
    settings = evaluator_settings(
        store_id, edge_url, "127.0.0.1:1", UNUSED, snapshot_poll_ms=10_000
    )
    member = {"customer_id": "cust-7", "is_member": True}
    async with running_api(settings) as api:
        first = await api.client.post(
            "/api/v1/transactions", json=checkout_body(store_id, "T-1", customer=member)
        )
        assert [r["code"] for r in first.json()["redemptions"]] == ["ONCE"]
        await asyncio.to_thread(api.container.snapshots.refresh)
        checkouts: list[object] = []

        def count(*_: object) -> None:
            checkouts.append(1)

        pool = api.container.repository.engine.pool
        event.listen(pool, "checkout", count)
        # when the POS evaluates that customer's next cart, and another customer's
        body = checkout_body(store_id, "unused", customer=member)
        del body["transaction_id"]
        again = await api.client.post("/api/v1/evaluate", json=body)
        other = await api.client.post(
            "/api/v1/evaluate", json={**body, "customer": {"customer_id": "cust-8"}}
        )
        event.remove(pool, "checkout", count)
    # then the limit is known from the snapshot, and no connection was taken from the pool
    assert [n["reason_code"] for n in again.json()["not_applied"]] == ["customer_limit_reached"]
    assert [a["code"] for a in other.json()["applied"]] == ["ONCE"]
    assert checkouts == []
