"""Stages and priority, compounding, non-stackable competition and the bundle search."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from promoflow_contracts.results import ReasonCode
from tests.factories import AMERICANO, BEVERAGES, CROISSANT, LATTE, cart, line, promotion
from tests.unit.engine.builders import (
    BEVERAGES_SCOPE,
    applied_codes,
    context,
    croissant,
    discount_of,
    latte,
    miss_of,
    run,
)


def pct(code: str, percent: str, **fields: Any) -> Any:
    return promotion(
        code, rules={"type": "percent_discount", "discount_percent": percent}, **fields
    )


def test_stages_run_in_order_and_priority_decides_within_a_stage() -> None:
    promos = [
        pct("CART", "10", execution_stage="cart_level", execution_priority=900),
        pct("LOW", "10", execution_priority=100),
        pct("HIGH", "10", execution_priority=900),
        pct("AAA", "10", execution_priority=100),
    ]
    result = run(cart(latte(quantity=4)), promos)
    assert applied_codes(result) == ["HIGH", "AAA", "LOW", "CART"]


def test_later_promotions_compute_on_what_is_left() -> None:
    result = run(cart(latte(quantity=4)), [pct("A", "10", execution_priority=900), pct("B", "10")])
    # 100.000 -> 10.000 off -> 9.000 off the 90.000 left
    assert (discount_of(result, "A"), discount_of(result, "B")) == (
        Decimal("10000"),
        Decimal("9000"),
    )
    assert result.applied[1].compounding == "remaining"


def test_original_compounding_computes_on_the_original_amounts() -> None:
    result = run(
        cart(latte(quantity=4)),
        [pct("A", "10", execution_priority=900), pct("B", "10", compounding="original")],
    )
    assert discount_of(result, "B") == Decimal("10000")
    assert result.applied[1].compounding == "original"


def test_original_compounding_still_never_takes_more_than_is_left() -> None:
    result = run(
        cart(latte()),
        [pct("A", "80", execution_priority=900), pct("B", "50", compounding="original")],
    )
    assert discount_of(result, "B") == Decimal("5000")
    assert result.total == 0


def test_non_stackable_with_the_larger_benefit_wins_alone() -> None:
    promos = [pct("SMALL1", "10"), pct("SMALL2", "5"), pct("BIG", "30", is_stackable=False)]
    result = run(cart(latte(quantity=2)), promos)
    assert applied_codes(result) == ["BIG"]
    lost = miss_of(result, "SMALL1")
    assert (lost.reason_code, lost.lost_to) == (ReasonCode.NOT_STACKABLE, ["BIG"])


def test_stackable_group_with_the_larger_benefit_beats_the_non_stackable() -> None:
    promos = [pct("A", "20"), pct("B", "20"), pct("SOLO", "30", is_stackable=False)]
    result = run(cart(latte(quantity=2)), promos)
    assert applied_codes(result) == ["A", "B"]
    assert miss_of(result, "SOLO").lost_to == ["A", "B"]


def test_tie_between_group_and_non_stackable_keeps_the_group() -> None:
    result = run(cart(latte(quantity=2)), [pct("A", "10"), pct("SOLO", "10", is_stackable=False)])
    assert applied_codes(result) == ["A"]


def test_two_non_stackables_tie_goes_to_the_first_in_evaluation_order() -> None:
    promos = [pct("ZED", "10", is_stackable=False), pct("ABC", "10", is_stackable=False)]
    assert applied_codes(run(cart(latte()), promos)) == ["ABC"]
    promos = [
        pct("ZED", "10", is_stackable=False, execution_priority=900),
        pct("ABC", "10", is_stackable=False),
    ]
    assert applied_codes(run(cart(latte()), promos)) == ["ZED"]


def _bogo_lattes(code: str = "BOGO", **fields: Any) -> Any:
    return promotion(
        code,
        rules={
            "type": "buy_x_get_y",
            "buy_quantity": 1,
            "get_quantity": 1,
            "same_product_only": True,
        },
        scope={"apply_to": "products", "products": [{"id": str(LATTE), "name": "Latte"}]},
        **fields,
    )


def _combo(code: str = "COMBO", price: str = "30000", **fields: Any) -> Any:
    return promotion(
        code,
        rules={
            "type": "combo",
            "combo_price": price,
            "items": [{"product_id": str(LATTE)}, {"product_id": str(CROISSANT)}],
        },
        **fields,
    )


def test_two_bundles_competing_for_the_same_units_get_the_best_assignment() -> None:
    # given 2 lattes + 1 croissant; BOGO (latte free, 25k) outranks the combo (10k) in priority
    # but the units allow only one of them... unless the combo wins priority: search ignores it
    request = cart(latte(quantity=2), croissant())
    result = run(request, [_bogo_lattes(execution_priority=100), _combo(execution_priority=900)])
    assert applied_codes(result) == ["BOGO"]
    assert discount_of(result, "BOGO") == Decimal("25000")
    lost = miss_of(result, "COMBO")
    assert (lost.reason_code, lost.lost_to) == (ReasonCode.UNITS_ALREADY_USED, ["BOGO"])
    assert result.search.exact is True


def test_search_combines_bundles_when_that_is_better_than_either_alone() -> None:
    # given 3 lattes + 1 croissant: BOGO on 2 lattes (25k) + combo on latte + croissant (10k)
    result = run(
        cart(latte(quantity=3), croissant()), [_combo(execution_priority=900), _bogo_lattes()]
    )
    assert sorted(applied_codes(result)) == ["BOGO", "COMBO"]
    assert result.total_discount == Decimal("35000")


def test_a_unit_is_consumed_by_at_most_one_bundle() -> None:
    result = run(cart(latte(quantity=2)), [_bogo_lattes("B1"), _bogo_lattes("B2")])
    assert result.total_discount == Decimal("25000")
    assert applied_codes(result) == ["B1"]
    assert miss_of(result, "B2").reason_code is ReasonCode.UNITS_ALREADY_USED


def test_search_past_its_bound_falls_back_to_priority_order_and_says_so() -> None:
    request = cart(latte(quantity=2), croissant())
    promos = [_combo(execution_priority=900), _bogo_lattes(execution_priority=100)]
    result = run(request, promos, context(max_bundle_search=0))
    assert applied_codes(result) == ["COMBO"]
    assert result.search.exact is False
    assert result.search.note is not None and "priority order" in result.search.note


def test_item_level_bundles_consume_before_cart_level_bundles() -> None:
    request = cart(latte(quantity=2), croissant())
    promos = [_combo(execution_stage="cart_level"), _bogo_lattes()]
    result = run(request, promos)
    assert applied_codes(result) == ["BOGO"]


def test_percent_discount_applies_to_what_a_bundle_left() -> None:
    promos = [_bogo_lattes(), pct("TEN", "10", execution_stage="cart_level")]
    result = run(
        cart(latte(quantity=2), line("am", AMERICANO, 20000, category_id=str(BEVERAGES))), promos
    )
    assert discount_of(result, "TEN") == Decimal("4500")


def test_non_stackable_bundle_competes_as_a_whole() -> None:
    promos = [pct("TEN", "10", scope=BEVERAGES_SCOPE), _bogo_lattes(is_stackable=False)]
    result = run(cart(latte(quantity=2)), promos)
    assert applied_codes(result) == ["BOGO"]
