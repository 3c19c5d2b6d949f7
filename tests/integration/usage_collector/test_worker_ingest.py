"""A running collector worker counts redemptions, voids and evaluations exactly once, and
dead-letters what it cannot read (real broker, real PostgreSQL, worker subprocess)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from uuid import UUID, uuid4

from promoflow_contracts.results import ReasonCode
from tests.factories import uid
from tests.integration.usage_collector.conftest import CollectorSetup
from tests.integration.usage_collector.helpers import produce, produce_raw, read_topic, wait_until
from tests.unit.usage_collector.builders import evaluation, redemption, void

STORES = [uid(f"usage-store-{i}") for i in range(4)]


def alive(setup: CollectorSetup) -> Callable[[], None]:
    def check() -> None:
        for worker in setup.workers:
            assert worker.process.poll() is None, worker.tail()

    return check


def uses(setup: CollectorSetup, promotion_id: UUID) -> int:
    rows = setup.query(
        "SELECT uses FROM usage.promotion_totals WHERE promotion_id = :p", p=promotion_id
    )
    return int(rows[0][0]) if rows else 0


async def test_n_redemptions_across_stores_are_counted_exactly(
    shared_collector: CollectorSetup,
) -> None:
    # given 200 redemptions of one promotion spread over 4 stores and 7 customers
    setup = shared_collector
    promo = uuid4()
    events = [
        redemption(promotion_id=promo, store_id=STORES[i % 4], customer_id=f"C-{i % 7}")
        for i in range(200)
    ]
    # when they are produced
    await produce(setup.bootstrap, setup.topics, events)
    # then exactly 200 are counted, 50 per store, with 7 distinct customers
    await wait_until(lambda: uses(setup, promo), 200, alive=alive(setup))
    per_store = dict(
        setup.query(
            "SELECT store_id, SUM(uses) FROM usage.promotion_daily WHERE promotion_id = :p "
            "GROUP BY store_id",
            p=promo,
        )
    )
    assert per_store == {store: 50 for store in STORES}
    (customers,) = setup.query(
        "SELECT COUNT(DISTINCT customer_id) FROM usage.redemptions "
        "WHERE promotion_id = :p AND recorded AND NOT voided",
        p=promo,
    )
    assert customers == (7,)
    (discount,) = setup.query(
        "SELECT discount FROM usage.promotion_totals WHERE promotion_id = :p", p=promo
    )
    assert discount == (Decimal("200000"),)


async def test_replayed_events_count_once(shared_collector: CollectorSetup) -> None:
    # given 50 redemptions already counted
    setup = shared_collector
    promo = uuid4()
    events = [redemption(promotion_id=promo, store_id=STORES[i % 2]) for i in range(50)]
    await produce(setup.bootstrap, setup.topics, events)
    await wait_until(lambda: uses(setup, promo), 50, alive=alive(setup))
    # when the same events are produced again, followed by one new one (same partition, so
    # it is processed after the replay)
    sentinel = redemption(promotion_id=promo)
    await produce(setup.bootstrap, setup.topics, [*events, sentinel])
    # then only the new one adds to the count
    await wait_until(lambda: uses(setup, promo), 51, alive=alive(setup))
    ids = [e.event_id for e in [*events, sentinel]]
    (processed,) = setup.query(
        "SELECT COUNT(*) FROM usage.processed_events WHERE event_id = ANY(CAST(:ids AS uuid[]))",
        ids=ids,
    )
    assert processed == (51,)


async def test_the_same_redemption_under_a_new_event_id_counts_once(
    shared_collector: CollectorSetup,
) -> None:
    # given a redemption counted once
    setup = shared_collector
    promo = uuid4()
    first = redemption(promotion_id=promo)
    await produce(setup.bootstrap, setup.topics, [first])
    await wait_until(lambda: uses(setup, promo), 1, alive=alive(setup))
    # when an edge re-sends it as a new event, then sends another redemption
    again = redemption(promotion_id=promo, redemption_id=first.data.redemption_id)
    await produce(setup.bootstrap, setup.topics, [again, redemption(promotion_id=promo)])
    # then the copy is not counted
    await wait_until(lambda: uses(setup, promo), 2, alive=alive(setup))


async def test_voids_subtract_uses_discount_and_customer_counts(
    shared_collector: CollectorSetup,
) -> None:
    # given 20 redemptions of one customer
    setup = shared_collector
    promo = uuid4()
    recorded = [redemption(promotion_id=promo, customer_id="VOIDER") for _ in range(20)]
    await produce(setup.bootstrap, setup.topics, recorded)
    await wait_until(lambda: uses(setup, promo), 20, alive=alive(setup))
    # when 5 are voided (one void sent twice)
    voids = [void(r) for r in recorded[:5]]
    await produce(setup.bootstrap, setup.topics, [*voids, void(recorded[0])])
    # then 15 count, with 15 x 1000 discount, and the customer has 15 uses
    await wait_until(lambda: uses(setup, promo), 15, alive=alive(setup))
    await wait_until(
        lambda: setup.query(
            "SELECT uses, discount FROM usage.customer_usage "
            "WHERE customer_id = 'VOIDER' AND promotion_id = :p",
            p=promo,
        ),
        [(15, Decimal("15000"))],
        alive=alive(setup),
    )


async def test_malformed_records_go_to_the_dead_letter_topic_and_ingest_goes_on(
    shared_collector: CollectorSetup,
) -> None:
    # given a record that is not JSON and an event without its promotion id
    setup = shared_collector
    promo = uuid4()
    topic = setup.topics.redemptions.name
    broken = redemption(promotion_id=promo).model_dump(mode="json")
    del broken["data"]["promotion_id"]
    await produce_raw(setup.bootstrap, topic, str(promo).encode(), b"not json")
    await produce_raw(setup.bootstrap, topic, str(promo).encode(), json.dumps(broken).encode())
    # when a valid redemption follows
    await produce(setup.bootstrap, setup.topics, [redemption(promotion_id=promo)])
    # then it is counted
    await wait_until(lambda: uses(setup, promo), 1, alive=alive(setup))
    # and both bad records are on the dead-letter topic with the error naming the field
    dead = await read_topic(
        setup.bootstrap,
        setup.topics.redemptions.dead_letter,
        at_least=2,
        keep=lambda r: r[0] == str(promo).encode(),
    )
    errors = sorted(dict(headers)["error"].decode() for _, _, headers in dead)
    assert len(errors) == 2
    assert "Invalid JSON" in errors[0] or "Invalid JSON" in errors[1]
    assert any("data.promotion_id" in e for e in errors)
    assert all(dict(h)["original_topic"] == topic.encode() for _, _, h in dead)


async def test_evaluations_are_counted_once_per_promotion_with_skip_reasons(
    shared_collector: CollectorSetup,
) -> None:
    # given evaluations where a promotion applied twice and was skipped once
    setup = shared_collector
    promo, sentinel = uuid4(), uuid4()
    events = [
        evaluation((promo, True, None), subtotal="60000"),
        evaluation((promo, True, None), subtotal="40000"),
        evaluation((promo, False, ReasonCode.MIN_PURCHASE_NOT_MET), subtotal="20000"),
    ]
    await produce(setup.bootstrap, setup.topics, events)

    def counts(pid: UUID) -> list[tuple[object, ...]]:
        return setup.query(
            "SELECT evaluated, applied, applied_cart_value, skipped_cart_value "
            "FROM usage.evaluation_daily WHERE promotion_id = :p",
            p=pid,
        )

    expected = [(3, 2, Decimal("100000"), Decimal("20000"))]
    await wait_until(lambda: counts(promo), expected, alive=alive(setup))
    # when they are replayed, followed by another evaluation of the same store
    await produce(setup.bootstrap, setup.topics, [*events, evaluation((sentinel, True, None))])
    await wait_until(lambda: len(counts(sentinel)), 1, alive=alive(setup))
    # then the counts are unchanged: evaluated 3, applied 2, and one skip reason
    assert counts(promo) == expected
    reasons = setup.query(
        "SELECT reason_code, skipped FROM usage.evaluation_reasons WHERE promotion_id = :p",
        p=promo,
    )
    assert reasons == [("min_purchase_not_met", 1)]
