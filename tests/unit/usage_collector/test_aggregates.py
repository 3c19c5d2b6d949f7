"""Aggregate deltas: sums per row key, voids subtract, evaluation counts per reason."""

from __future__ import annotations

from decimal import Decimal

from promoflow_contracts.results import ReasonCode
from promoflow_usage_collector.domain.aggregates import (
    UNSPECIFIED_REASON,
    evaluation_deltas,
    usage_deltas,
)
from promoflow_usage_collector.domain.redemptions import apply_redemption_events
from tests.factories import BRAND_ID, OTHER_STORE_ID, STORE_ID, uid
from tests.unit.usage_collector.builders import DAY, PROMO_ID, evaluation, redemption, void


def test_usage_is_summed_per_promotion_day_store_and_brand() -> None:
    # given three redemptions, two at one store and one at another
    events = [
        redemption(store_id=STORE_ID, customer_id="C-1"),
        redemption(store_id=STORE_ID, customer_id="C-2", discount="500", total="9500"),
        redemption(store_id=OTHER_STORE_ID, customer_id="C-1"),
    ]
    # when their changes are aggregated
    deltas = usage_deltas(apply_redemption_events({}, events).changes)
    # then the daily row of the first store holds two uses and their sums
    first = deltas.daily[(PROMO_ID, DAY, STORE_ID, BRAND_ID)]
    assert (first.uses, first.discount, first.gross_sales, first.net_sales) == (
        2,
        Decimal("1500"),
        Decimal("20000"),
        Decimal("18500"),
    )
    # and the total and per-customer rows add up across stores
    assert deltas.totals[PROMO_ID].uses == 3
    assert deltas.customers[("C-1", PROMO_ID)].uses == 2


def test_a_void_in_a_later_batch_subtracts_every_figure() -> None:
    # given a redemption counted in an earlier batch
    recorded = redemption(discount="2000", subtotal="30000", total="28000")
    first = apply_redemption_events({}, [recorded])
    # when its void is aggregated
    second = apply_redemption_events(first.states, [void(recorded)])
    deltas = usage_deltas(second.changes)
    # then every figure is the negative of what was added
    total = deltas.totals[PROMO_ID]
    assert (total.uses, total.discount, total.gross_sales, total.net_sales) == (
        -1,
        Decimal("-2000"),
        Decimal("-30000"),
        Decimal("-28000"),
    )
    assert deltas.customers[("C-1", PROMO_ID)].uses == -1


def test_a_redemption_recorded_and_voided_in_one_batch_leaves_no_rows() -> None:
    # given a redemption and its void in the same batch
    recorded = redemption()
    # when aggregated
    deltas = usage_deltas(apply_redemption_events({}, [recorded, void(recorded)]).changes)
    # then no row would be touched
    assert not deltas.daily and not deltas.totals


def test_anonymous_redemptions_count_but_have_no_customer_rows() -> None:
    # given a redemption without a customer
    deltas = usage_deltas(apply_redemption_events({}, [redemption(customer_id=None)]).changes)
    # then it counts in totals but not per customer
    assert deltas.totals[PROMO_ID].uses == 1
    assert deltas.customers == {}


def test_evaluations_count_applied_and_skipped_with_reasons() -> None:
    # given evaluations where the promotion applied once and was skipped twice
    other = uid("other-promo")
    events = [
        evaluation((PROMO_ID, True, None), (other, False, ReasonCode.MIN_PURCHASE_NOT_MET)),
        evaluation((PROMO_ID, False, ReasonCode.MIN_PURCHASE_NOT_MET), subtotal="20000"),
        evaluation((PROMO_ID, False, None), subtotal="10000"),
    ]
    # when aggregated
    deltas = evaluation_deltas(events)
    # then evaluated/applied and cart values per promotion are summed
    counts = deltas.counts[(PROMO_ID, DAY, evaluation().data.store_id)]
    assert (counts.evaluated, counts.applied) == (3, 1)
    assert counts.applied_cart_value == Decimal("50000")
    assert counts.skipped_cart_value == Decimal("30000")
    # and skips are counted per reason code (unspecified when none was given)
    store = evaluation().data.store_id
    assert deltas.reasons[(PROMO_ID, DAY, store, "min_purchase_not_met")] == 1
    assert deltas.reasons[(PROMO_ID, DAY, store, UNSPECIFIED_REASON)] == 1
    assert deltas.reasons[(other, DAY, store, "min_purchase_not_met")] == 1
