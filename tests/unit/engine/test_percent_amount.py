"""Percent and amount discounts: caps, minimum purchase, never more than the eligible amount."""

from __future__ import annotations

from decimal import Decimal

from promoflow_contracts.results import ReasonCode
from tests.factories import AMERICANO, BEVERAGES, cart, line, promotion
from tests.unit.engine.builders import (
    BEVERAGES_SCOPE,
    context,
    croissant,
    discount_of,
    latte,
    line_discounts,
    miss_of,
    reason_of,
    run,
)


def test_percent_discount_takes_its_percent_of_the_eligible_lines_only() -> None:
    promo = promotion(
        "BEV10", rules={"type": "percent_discount", "discount_percent": "10"}, scope=BEVERAGES_SCOPE
    )
    result = run(cart(latte(quantity=2), croissant()), [promo])
    assert discount_of(result, "BEV10") == Decimal("5000")
    assert line_discounts(result) == {"latte": Decimal("5000"), "croissant": Decimal("0")}
    assert result.total == Decimal("60000")


def test_cap_smaller_than_the_discount_limits_it_to_the_cap() -> None:
    # given 20 % of Rp 300.000 = Rp 60.000 against a cap of Rp 50.000
    promo = promotion(
        "BEV20",
        rules={
            "type": "percent_discount",
            "discount_percent": "20",
            "max_discount_amount": "50000",
        },
        scope=BEVERAGES_SCOPE,
    )
    result = run(cart(latte(quantity=12)), [promo])
    assert discount_of(result, "BEV20") == Decimal("50000")
    assert result.applied[0].details["capped"] is True
    assert "capped at Rp 50.000" in result.applied[0].reason


def test_cap_exactly_reached_gives_the_cap_without_cutting_anything() -> None:
    # given 20 % of Rp 250.000 = Rp 50.000, exactly the cap
    promo = promotion(
        "BEV20",
        rules={
            "type": "percent_discount",
            "discount_percent": "20",
            "max_discount_amount": "50000",
        },
        scope=BEVERAGES_SCOPE,
    )
    result = run(cart(latte(quantity=10)), [promo])
    assert discount_of(result, "BEV20") == Decimal("50000")
    assert "capped" not in result.applied[0].details


def test_minimum_purchase_exactly_met_applies() -> None:
    promo = promotion(
        "MIN50",
        rules={"type": "percent_discount", "discount_percent": "10", "min_purchase": "50000"},
    )
    result = run(cart(latte(quantity=2)), [promo])
    assert discount_of(result, "MIN50") == Decimal("5000")


def test_minimum_purchase_one_rupiah_short_does_not_apply_and_hints() -> None:
    promo = promotion(
        "MIN50",
        rules={"type": "percent_discount", "discount_percent": "10", "min_purchase": "50001"},
    )
    result = run(cart(latte(quantity=2)), [promo])
    assert reason_of(result, "MIN50") is ReasonCode.MIN_PURCHASE_NOT_MET
    assert result.hints[0].missing_amount == Decimal("1")
    assert result.hints[0].message == "add Rp 1 more for 10% off"


def test_minimum_purchase_on_the_eligible_subtotal_ignores_other_lines() -> None:
    promo = promotion(
        "BEVMIN",
        rules={
            "type": "percent_discount",
            "discount_percent": "10",
            "min_purchase": "50000",
            "min_purchase_basis": "eligible_subtotal",
        },
        scope=BEVERAGES_SCOPE,
    )
    result = run(cart(latte(), croissant(quantity=3)), [promo])
    assert reason_of(result, "BEVMIN") is ReasonCode.MIN_PURCHASE_NOT_MET


def test_flat_amount_larger_than_the_eligible_amount_gives_only_the_eligible_amount() -> None:
    # given Rp 50.000 off beverages but only one Rp 25.000 latte is a beverage
    promo = promotion(
        "FLAT50",
        rules={"type": "amount_discount", "discount_amount": "50000"},
        scope=BEVERAGES_SCOPE,
    )
    result = run(cart(latte(), croissant()), [promo])
    assert discount_of(result, "FLAT50") == Decimal("25000")
    assert line_discounts(result)["croissant"] == Decimal("0")
    assert result.total == Decimal("15000")


def test_flat_amount_is_split_over_lines_in_proportion_and_sums_exactly() -> None:
    promo = promotion("FLAT10", rules={"type": "amount_discount", "discount_amount": "10000"})
    result = run(cart(latte(quantity=2), croissant()), [promo])
    shares = line_discounts(result)
    # 10.000 x 50/65 = 7692.3 and 10.000 x 15/65 = 2307.7: the extra rupiah goes to the croissant
    assert shares == {"latte": Decimal("7692"), "croissant": Decimal("2308")}


def test_amount_per_unit_never_takes_a_unit_below_zero() -> None:
    promo = promotion(
        "UNIT", rules={"type": "amount_discount", "discount_amount": "20000", "apply_per": "unit"}
    )
    result = run(cart(latte(quantity=2), croissant()), [promo])
    # 2 x 20.000 on lattes, the 15.000 croissant only down to zero
    assert discount_of(result, "UNIT") == Decimal("55000")
    assert line_discounts(result)["croissant"] == Decimal("15000")


def test_percent_on_the_cheapest_unit_only() -> None:
    promo = promotion(
        "CHEAP50",
        rules={
            "type": "percent_discount",
            "discount_percent": "50",
            "target": {"selection": "cheapest", "max_units_per_cart": 1},
        },
    )
    result = run(cart(latte(quantity=2), croissant()), [promo])
    assert discount_of(result, "CHEAP50") == Decimal("7500")
    assert line_discounts(result) == {"latte": Decimal("0"), "croissant": Decimal("7500")}


def test_amount_off_the_most_expensive_units_with_caps_per_line_and_cart() -> None:
    promo = promotion(
        "TOP2",
        rules={
            "type": "amount_discount",
            "discount_amount": "1000",
            "apply_per": "unit",
            "target": {
                "selection": "most_expensive",
                "max_units_per_line": 1,
                "max_units_per_cart": 2,
            },
        },
    )
    result = run(
        cart(
            latte(quantity=3),
            line("am", AMERICANO, 20000, 2, category_id=str(BEVERAGES)),
            croissant(),
        ),
        [promo],
    )
    assert line_discounts(result) == {
        "latte": Decimal("1000"),
        "am": Decimal("1000"),
        "croissant": Decimal("0"),
    }


def test_amount_off_the_cheapest_unit_is_limited_to_that_unit() -> None:
    promo = promotion(
        "CHEAPFLAT",
        rules={
            "type": "amount_discount",
            "discount_amount": "30000",
            "target": {"selection": "cheapest", "max_units_per_cart": 1},
        },
    )
    result = run(cart(latte(quantity=2), croissant()), [promo])
    assert discount_of(result, "CHEAPFLAT") == Decimal("15000")


def test_rounding_unit_of_100_rounds_the_discount_half_up() -> None:
    promo = promotion("P7", rules={"type": "percent_discount", "discount_percent": "7"})
    # 7 % of 65.000 = 4.550 -> 4.600 with a rounding unit of Rp 100
    result = run(cart(latte(quantity=2), croissant()), [promo], context(rounding_unit=Decimal(100)))
    assert discount_of(result, "P7") == Decimal("4600")


def test_percent_with_decimals_is_exact() -> None:
    promo = promotion("P125", rules={"type": "percent_discount", "discount_percent": "12.5"})
    result = run(cart(croissant(price=15003)), [promo])
    # 12.5 % of 15.003 = 1875.375 -> 1875
    assert discount_of(result, "P125") == Decimal("1875")


def test_no_eligible_items_is_reported() -> None:
    promo = promotion(
        "BEV10",
        rules={"type": "percent_discount", "discount_percent": "10"},
        scope={
            **BEVERAGES_SCOPE,
            "exclude_products": [{"id": str(latte().product_id), "name": "Latte"}],
        },
    )
    result = run(cart(latte()), [promo])
    assert miss_of(result, "BEV10").reason_code is ReasonCode.NO_ELIGIBLE_ITEMS
