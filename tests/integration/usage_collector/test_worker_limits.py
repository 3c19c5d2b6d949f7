"""The worker learns limits from ``promotions.v1`` and announces ``LimitStateChanged`` on
``limits.v1`` exactly when a limit is reached or becomes available again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from promoflow_contracts.events import (
    PromotionPublished,
    PromotionPublishedData,
    PromotionWithdrawn,
    PromotionWithdrawnData,
)
from tests.factories import promotion, uid
from tests.integration.usage_collector.conftest import CollectorSetup
from tests.integration.usage_collector.helpers import limit_events, produce, wait_until
from tests.unit.usage_collector.builders import redemption, void

STORE_A, STORE_B = uid("limit-store-a"), uid("limit-store-b")
AT = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)


def published(promotion_id: UUID, version: int = 1, **limits: Any) -> PromotionPublished:
    doc = promotion(
        f"L{str(promotion_id)[:6]}", id=str(promotion_id), limits=limits, version=version
    )
    return PromotionPublished(
        occurred_at=AT, producer="compiler/test", data=PromotionPublishedData(promotion=doc)
    )


def alive(setup: CollectorSetup) -> Callable[[], None]:
    def check() -> None:
        for worker in setup.workers:
            assert worker.process.poll() is None, worker.tail()

    return check


def known_limits(setup: CollectorSetup, promotion_id: UUID) -> list[tuple[object, ...]]:
    return setup.query(
        "SELECT max_uses, max_uses_per_day, version, withdrawn FROM usage.promotions "
        "WHERE promotion_id = :p",
        p=promotion_id,
    )


def uses(setup: CollectorSetup, promotion_id: UUID) -> int:
    rows = setup.query(
        "SELECT uses FROM usage.promotion_totals WHERE promotion_id = :p", p=promotion_id
    )
    return int(rows[0][0]) if rows else 0


async def test_the_tenth_redemption_of_max_uses_10_emits_exactly_one_exhausted(
    shared_collector: CollectorSetup,
) -> None:
    # given a promotion with max_uses = 10 known to the collector
    setup = shared_collector
    promo = uuid4()
    await produce(setup.bootstrap, setup.topics, [published(promo, max_uses=10)])
    await wait_until(lambda: known_limits(setup, promo), [(10, None, 1, False)], alive=alive(setup))
    # when 9 redemptions are counted, then 3 more
    first = [redemption(promotion_id=promo, store_id=STORE_A) for _ in range(9)]
    await produce(setup.bootstrap, setup.topics, first)
    await wait_until(lambda: uses(setup, promo), 9, alive=alive(setup))
    more = [redemption(promotion_id=promo, store_id=STORE_B) for _ in range(3)]
    await produce(setup.bootstrap, setup.topics, more)
    await wait_until(lambda: uses(setup, promo), 12, alive=alive(setup))
    # then exactly one LimitStateChanged says max_uses is exhausted
    (event,) = await limit_events(setup.bootstrap, setup.topics, promo, at_least=1)
    data = event.data
    assert (data.limit, data.state, data.max_uses) == ("max_uses", "exhausted", 10)
    assert 10 <= data.uses <= 12
    # and when voids bring it back to 9 of 10, one "available" follows
    await produce(setup.bootstrap, setup.topics, [void(r) for r in more])
    events = await limit_events(setup.bootstrap, setup.topics, promo, at_least=2)
    assert [(e.data.state, e.data.uses) for e in events][1:] == [("available", 9)]


async def test_a_daily_limit_counts_per_store_and_business_date(
    shared_collector: CollectorSetup,
) -> None:
    # given a promotion with max_uses_per_day = 3
    setup = shared_collector
    promo = uuid4()
    day = date(2026, 3, 4)
    await produce(setup.bootstrap, setup.topics, [published(promo, max_uses_per_day=3)])
    await wait_until(lambda: known_limits(setup, promo), [(None, 3, 1, False)], alive=alive(setup))
    # when store A redeems it 3 times that day, store B twice, and store A once the next day
    events = [redemption(promotion_id=promo, store_id=STORE_A, business_date=day) for _ in "abc"]
    events += [redemption(promotion_id=promo, store_id=STORE_B, business_date=day) for _ in "ab"]
    events.append(redemption(promotion_id=promo, store_id=STORE_A, business_date=date(2026, 3, 5)))
    await produce(setup.bootstrap, setup.topics, events)
    await wait_until(lambda: uses(setup, promo), 6, alive=alive(setup))
    # then only store A's day is exhausted
    (event,) = await limit_events(setup.bootstrap, setup.topics, promo, at_least=1)
    data = event.data
    assert (data.limit, data.state, data.business_date, data.store_id, data.uses) == (
        "max_uses_per_day",
        "exhausted",
        day,
        STORE_A,
        3,
    )


async def test_a_limit_learned_after_the_redemptions_is_still_announced(
    shared_collector: CollectorSetup,
) -> None:
    # given 5 redemptions of a promotion the collector does not know yet
    setup = shared_collector
    promo = uuid4()
    await produce(setup.bootstrap, setup.topics, [redemption(promotion_id=promo) for _ in "abcde"])
    await wait_until(lambda: uses(setup, promo), 5, alive=alive(setup))
    # when it is published with max_uses = 5, and then republished with max_uses = 8
    await produce(setup.bootstrap, setup.topics, [published(promo, max_uses=5)])
    first = await limit_events(setup.bootstrap, setup.topics, promo, at_least=1)
    await produce(setup.bootstrap, setup.topics, [published(promo, version=2, max_uses=8)])
    both = await limit_events(setup.bootstrap, setup.topics, promo, at_least=2)
    # then it is announced exhausted, then available again
    assert [(e.data.state, e.data.max_uses) for e in first] == [("exhausted", 5)]
    assert [(e.data.state, e.data.max_uses) for e in both] == [
        ("exhausted", 5),
        ("available", 8),
    ]


async def test_a_tombstone_marks_the_promotion_withdrawn_and_an_old_version_is_ignored(
    shared_collector: CollectorSetup,
) -> None:
    # given a promotion at version 2
    setup = shared_collector
    promo = uuid4()
    await produce(setup.bootstrap, setup.topics, [published(promo, version=2, max_uses=50)])
    await wait_until(lambda: known_limits(setup, promo), [(50, None, 2, False)], alive=alive(setup))
    # when version 1 arrives late, then the promotion is withdrawn
    withdrawn = PromotionWithdrawn(
        occurred_at=AT,
        producer="compiler/test",
        data=PromotionWithdrawnData(promotion_id=promo, version=2, reason="deleted"),
    )
    await produce(setup.bootstrap, setup.topics, [published(promo, max_uses=1), withdrawn])
    # then version 2's limits stay and it is withdrawn
    await wait_until(lambda: known_limits(setup, promo), [(50, None, 2, True)], alive=alive(setup))
