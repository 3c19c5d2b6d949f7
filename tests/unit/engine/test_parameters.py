"""Issue 8's parameters at their boundaries, with carts a cashier can check by hand.

Prices: latte Rp 25.000 (Beverages), croissant Rp 15.000 (Bakery), americano as given.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from promoflow_contracts.results import ReasonCode
from tests.factories import AMERICANO, BAKERY, BEVERAGES, LATTE, cart, line, promotion, uid
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

CAMPAIGN = uid("campaign-parameters")


def _percent(code: str, percent: str, **rules: Any) -> Any:
    return promotion(
        code,
        rules={"type": "percent_discount", "discount_percent": percent, **rules},
        scope=BEVERAGES_SCOPE,
    )


# 1. per-unit application with caps -------------------------------------------------------


def test_per_cart_unit_cap_exactly_reached_discounts_every_unit() -> None:
    # given 2 lattes and Rp 5.000 off each unit, at most 2 units per cart
    promo = promotion(
        "UNIT",
        rules={
            "type": "amount_discount",
            "discount_amount": "5000",
            "apply_per": "unit",
            "target": {"max_units_per_cart": 2},
        },
        scope=BEVERAGES_SCOPE,
    )
    # when evaluated
    result = run(cart(latte(quantity=2)), [promo])
    # then both units get Rp 5.000 off: 10.000, nothing cut
    assert discount_of(result, "UNIT") == Decimal("10000")
    assert result.applied[0].benefit_units[0].quantity == 2
    assert "capped" not in result.applied[0].details


def test_per_line_unit_cap_limits_each_line() -> None:
    # given 3 lattes on one line and 2 americanos (20.000) on another; 10 % off at most 1 unit
    # per line
    americano = line("americano", AMERICANO, 20000, 2, category_id=str(BEVERAGES))
    promo = _percent("LINE1", "10", target={"max_units_per_line": 1})
    # when evaluated
    result = run(cart(latte(quantity=3), americano), [promo])
    # then one latte (2.500) and one americano (2.000) are discounted
    assert line_discounts(result) == {"latte": Decimal("2500"), "americano": Decimal("2000")}


# 2. target selection -----------------------------------------------------------------------


def test_cheapest_unit_tied_in_price_goes_to_the_first_line_id() -> None:
    # given two lattes at the same price on lines "a" and "b"; 50 % off the cheapest unit
    promo = _percent("CHEAP", "50", target={"selection": "cheapest", "max_units_per_cart": 1})
    # when evaluated with the lines in reverse order
    result = run(cart(latte("b"), latte("a")), [promo])
    # then line "a" (first by line id) gets 12.500, line "b" nothing
    assert line_discounts(result) == {"b": Decimal("0"), "a": Decimal("12500")}


def test_most_expensive_unit_gets_the_discount() -> None:
    # given a latte (25.000) and an americano (20.000); 20 % off the most expensive unit
    americano = line("americano", AMERICANO, 20000, 1, category_id=str(BEVERAGES))
    promo = _percent("TOP", "20", target={"selection": "most_expensive", "max_units_per_cart": 1})
    # when evaluated
    result = run(cart(americano, latte()), [promo])
    # then the latte gets 5.000 off
    assert line_discounts(result) == {"americano": Decimal("0"), "latte": Decimal("5000")}


def test_free_item_once_per_order_versus_per_set() -> None:
    # given 4 lattes and 2 croissants; buy 2 lattes, get a croissant free
    def free_item(application: str) -> Any:
        return promotion(
            "FREE",
            rules={
                "type": "free_item",
                "trigger_product_id": str(LATTE),
                "trigger_quantity": 2,
                "free_product_id": str(uid("prod-croissant")),
                "application": application,
            },
        )

    request = cart(latte(quantity=4), croissant(quantity=2))
    # then once per order gives 1 croissant, per set gives 2
    assert discount_of(run(request, [free_item("once_per_order")]), "FREE") == Decimal("15000")
    assert discount_of(run(request, [free_item("per_set")]), "FREE") == Decimal("30000")


# 3. buy x get y with distinct sets ---------------------------------------------------------


def test_distinct_buy_and_get_sets_with_a_reward_cap_exactly_reached() -> None:
    # given 2 lattes and 3 croissants; buy 1 beverage, get 1 bakery item 50 % off, at most 2
    # rewarded units
    promo = promotion(
        "B1G1",
        rules={
            "type": "buy_x_get_y",
            "buy_quantity": 1,
            "get_quantity": 1,
            "buy_set": {"category_ids": [str(BEVERAGES)]},
            "get_set": {"category_ids": [str(BAKERY)]},
            "reward": {"kind": "percent_off", "value": "50"},
            "max_reward_units": 2,
        },
    )
    # when evaluated
    result = run(cart(latte(quantity=2), croissant(quantity=3)), [promo])
    # then exactly 2 croissants are half price (2 x 7.500), the lattes are only bought
    assert discount_of(result, "B1G1") == Decimal("15000")
    assert line_discounts(result) == {"latte": Decimal("0"), "croissant": Decimal("15000")}
    assert [(u.line_id, u.quantity) for u in result.applied[0].trigger_units] == [("latte", 2)]


def test_overlapping_sets_a_unit_is_bought_or_rewarded_never_both() -> None:
    # given 1 latte only; buy 1 beverage get 1 beverage free (the sets overlap by design)
    promo = promotion(
        "SAME",
        rules={
            "type": "buy_x_get_y",
            "buy_quantity": 1,
            "get_quantity": 1,
            "buy_set": {"category_ids": [str(BEVERAGES)]},
            "get_set": {"category_ids": [str(BEVERAGES)]},
        },
    )
    # when evaluated with one latte, then with two
    one = run(cart(latte()), [promo])
    two = run(cart(latte(quantity=2)), [promo])
    # then one latte cannot be both bought and free; with two, one is free
    assert reason_of(one, "SAME") is ReasonCode.MIN_QUANTITY_NOT_MET
    assert discount_of(two, "SAME") == Decimal("25000")


# 4. quantity tiers ---------------------------------------------------------------------------


def test_quantity_tier_boundary_exactly_reached() -> None:
    # given 3+ beverages 10 %, 6+ beverages 15 %
    promo = promotion(
        "QT",
        rules={
            "type": "threshold_tier",
            "basis": "quantity",
            "tiers": [
                {
                    "tier_name": "3+",
                    "min_quantity": 3,
                    "discount_type": "percent",
                    "discount_value": "10",
                },
                {
                    "tier_name": "6+",
                    "min_quantity": 6,
                    "discount_type": "percent",
                    "discount_value": "15",
                },
            ],
        },
        scope=BEVERAGES_SCOPE,
    )
    # then 5 lattes (125.000) get 10 % = 12.500, exactly 6 (150.000) get 15 % = 22.500,
    # and a croissant does not count
    assert discount_of(run(cart(latte(quantity=5), croissant()), [promo]), "QT") == Decimal("12500")
    assert discount_of(run(cart(latte(quantity=6)), [promo]), "QT") == Decimal("22500")


def test_a_quantity_band_is_not_reached_above_its_maximum() -> None:
    # given only a band: 3 to 5 beverages 10 %
    band = {
        "tier_name": "3-5",
        "min_quantity": 3,
        "max_quantity": 5,
        "discount_type": "percent",
        "discount_value": "10",
    }
    rules = {"type": "threshold_tier", "basis": "quantity", "tiers": [band]}
    promo = promotion("BAND", rules=rules, scope=BEVERAGES_SCOPE)
    # then exactly 5 lattes (125.000) get 12.500 and 6 lattes get nothing
    assert discount_of(run(cart(latte(quantity=5)), [promo]), "BAND") == Decimal("12500")
    above = run(cart(latte(quantity=6)), [promo])
    assert reason_of(above, "BAND") is ReasonCode.MIN_QUANTITY_NOT_MET and not above.applied


# 5. cross-line conditions ----------------------------------------------------------------


def test_condition_amount_exactly_met_unlocks_the_other_lines() -> None:
    # given 20 % off bakery when the cart holds at least Rp 50.000 of beverages
    promo = promotion(
        "COND",
        rules={"type": "percent_discount", "discount_percent": "20"},
        scope={"apply_to": "categories", "categories": [{"id": str(BAKERY), "name": "Bakery"}]},
        conditions=[{"items": {"category_ids": [str(BEVERAGES)]}, "min_amount": "50000"}],
    )
    # then 2 lattes (exactly 50.000) unlock 3.000 off the croissant; 1 latte does not
    assert discount_of(run(cart(latte(quantity=2), croissant()), [promo]), "COND") == Decimal(
        "3000"
    )
    short = run(cart(latte(), croissant()), [promo])
    assert reason_of(short, "COND") is ReasonCode.CONDITION_NOT_MET


# 6. compounding ------------------------------------------------------------------------------


def test_compounding_policy_is_stated_in_the_result() -> None:
    # given 10 % (priority 900) then 10 % on the original amounts (priority 100) on 2 lattes
    first = promotion(
        "FIRST",
        rules={"type": "percent_discount", "discount_percent": "10"},
        execution_priority=900,
    )
    second = promotion(
        "SECOND",
        rules={"type": "percent_discount", "discount_percent": "10"},
        execution_priority=100,
        compounding="original",
    )
    result = run(cart(latte(quantity=2)), [first, second])
    # then both take 5.000 (the second on the original 50.000) and say how they computed
    assert [(a.code, a.discount, a.compounding) for a in result.applied] == [
        ("FIRST", Decimal("5000"), "remaining"),
        ("SECOND", Decimal("5000"), "original"),
    ]


# 7. campaign budgets -------------------------------------------------------------------------


def _campaign(code: str, priority: int) -> Any:
    return promotion(
        code,
        rules={"type": "percent_discount", "discount_percent": "20"},
        execution_priority=priority,
        campaign={"campaign_id": str(CAMPAIGN), "budget_amount": "1000000"},
    )


def test_budget_exactly_equal_to_the_discount_is_not_limited() -> None:
    # given Rp 10.000 left and 20 % of 2 lattes = 10.000
    ctx = context(remaining_budget_amount={CAMPAIGN: Decimal("10000")})
    result = run(cart(latte(quantity=2)), [_campaign("EXACT", 500)], ctx)
    # then the whole discount is granted and not flagged
    assert discount_of(result, "EXACT") == Decimal("10000")
    assert result.applied[0].budget_limited is False


def test_budget_smaller_than_the_discount_leaves_nothing_for_the_next_promotion() -> None:
    # given Rp 4.000 left shared by two promotions of the campaign
    ctx = context(remaining_budget_amount={CAMPAIGN: Decimal("4000")})
    result = run(cart(latte(quantity=2)), [_campaign("A", 900), _campaign("B", 100)], ctx)
    # then A is shrunk to 4.000 (flagged) and B gets nothing: budget exhausted
    assert discount_of(result, "A") == Decimal("4000")
    assert result.applied[0].budget_limited is True
    assert miss_of(result, "B").reason_code is ReasonCode.BUDGET_EXHAUSTED
