"""Buy X get Y: same product, pooled, distinct buy/get sets, rewards, caps and unit choice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from promoflow_contracts.results import HintKind, ReasonCode
from tests.factories import AMERICANO, BAKERY, BEVERAGES, CROISSANT, LATTE, cart, line, promotion
from tests.unit.engine.builders import (
    BEVERAGES_SCOPE,
    croissant,
    discount_of,
    latte,
    line_discounts,
    reason_of,
    run,
)


def bogo(code: str = "BOGO", **rules: Any) -> Any:
    return promotion(
        code,
        rules={"type": "buy_x_get_y", "buy_quantity": 1, "get_quantity": 1, **rules},
        scope=BEVERAGES_SCOPE,
    )


def americano(line_id: str = "am", quantity: int = 1, price: int = 20000) -> Any:
    return line(line_id, AMERICANO, price, quantity, category_id=str(BEVERAGES), name="Americano")


def test_buy_one_get_one_makes_one_latte_free_and_records_units() -> None:
    result = run(cart(latte(quantity=2)), [bogo(same_product_only=True)])
    applied = result.applied[0]
    assert applied.discount == Decimal("25000")
    assert [(u.line_id, u.quantity) for u in applied.trigger_units] == [("latte", 1)]
    assert [(u.line_id, u.quantity) for u in applied.benefit_units] == [("latte", 1)]


def test_duplicate_lines_of_one_product_pool_their_units() -> None:
    result = run(cart(latte("a"), latte("b")), [bogo(same_product_only=True)])
    assert result.total_discount == Decimal("25000")


def test_pooled_sets_reward_the_cheapest_units() -> None:
    # given buy 2 get 1 over beverages: latte 25k, americano 20k, latte 25k, americano 20k, + 1 espresso-priced
    promo = bogo("B2G1", buy_quantity=2, get_quantity=1)
    result = run(
        cart(latte(quantity=2), americano(quantity=2), americano("cheap", price=10000, quantity=2)),
        [promo],
    )
    # 6 units -> 2 sets -> the two cheapest units (2 x 10k) are free
    assert line_discounts(result)["cheap"] == Decimal("20000")
    assert result.total_discount == Decimal("20000")


def test_same_product_only_never_mixes_products_in_a_set() -> None:
    result = run(cart(latte(), americano()), [bogo(same_product_only=True)])
    assert reason_of(result, "BOGO") is ReasonCode.MIN_QUANTITY_NOT_MET
    assert result.hints[0].kind is HintKind.ADD_QUANTITY
    assert result.hints[0].missing_quantity == 1


def test_different_reward_product_from_the_seed_shape() -> None:
    # given the seeds' shape: buy a latte, get a croissant at 50 %
    promo = promotion(
        "LATTE_CROI",
        rules={
            "type": "buy_x_get_y",
            "buy_quantity": 1,
            "get_quantity": 1,
            "get_product_id": str(CROISSANT),
            "get_discount_percent": 50,
        },
        scope={"apply_to": "products", "products": [{"id": str(LATTE), "name": "Latte"}]},
    )
    result = run(cart(latte(), croissant()), [promo])
    assert line_discounts(result) == {"latte": Decimal("0"), "croissant": Decimal("7500")}


def test_get_unit_that_is_also_a_buy_unit_is_never_both_in_one_set() -> None:
    # given buy 1 beverage get 1 beverage free with only one beverage
    promo = promotion(
        "OVERLAP",
        rules={
            "type": "buy_x_get_y",
            "buy_quantity": 1,
            "get_quantity": 1,
            "buy_set": {"category_ids": [str(BEVERAGES)]},
            "get_set": {"category_ids": [str(BEVERAGES), str(BAKERY)]},
        },
    )
    one = run(cart(latte()), [promo])
    assert one.total_discount == 0
    two = run(cart(latte(), croissant()), [promo])
    # the latte is bought, the croissant (outside the buy set) is the reward
    assert line_discounts(two) == {"latte": Decimal("0"), "croissant": Decimal("15000")}


def test_units_tied_in_price_are_chosen_by_line_id_buy_units_first() -> None:
    # given two americanos at the same price, listed in either order
    for request in (cart(americano("b"), americano("a")), cart(americano("a"), americano("b"))):
        result = run(request, [bogo(same_product_only=False)])
        # then line "a" (first by line_id) is the bought unit and "b" the reward
        assert line_discounts(result) == {"a": Decimal("0"), "b": Decimal("20000")}


def test_reward_kinds_percent_amount_and_fixed_price() -> None:
    base = cart(latte(quantity=2))
    pct = run(base, [bogo(reward={"kind": "percent_off", "value": "50"})])
    amount = run(base, [bogo(reward={"kind": "amount_off", "value": "30000"})])
    fixed = run(base, [bogo(reward={"kind": "fixed_price", "value": "10000"})])
    assert (pct.total_discount, amount.total_discount, fixed.total_discount) == (
        Decimal("12500"),
        Decimal("25000"),
        Decimal("15000"),
    )


def test_max_reward_units_and_once_per_order() -> None:
    base = cart(latte(quantity=6))
    assert run(base, [bogo()]).total_discount == Decimal("75000")
    assert run(base, [bogo(max_reward_units=2)]).total_discount == Decimal("50000")
    assert run(base, [bogo(application="once_per_order")]).total_discount == Decimal("25000")


def test_buy_minimum_amount_needs_the_bought_units_to_add_up() -> None:
    # given "spend Rp 40.000 on lattes, get a croissant free"
    promo = promotion(
        "MIN",
        rules={
            "type": "buy_x_get_y",
            "buy_quantity": 1,
            "get_quantity": 1,
            "buy_set": {"product_ids": [str(LATTE)]},
            "buy_min_amount": "40000",
            "get_set": {"product_ids": [str(CROISSANT)]},
        },
    )
    short = run(cart(latte(), croissant()), [promo])
    assert reason_of(short, "MIN") is ReasonCode.MIN_PURCHASE_NOT_MET
    enough = run(cart(latte(quantity=2), croissant()), [promo])
    assert discount_of(enough, "MIN") == Decimal("15000")
    assert [(u.line_id, u.quantity) for u in enough.applied[0].trigger_units] == [("latte", 2)]


def test_missing_get_product_hints_to_add_it() -> None:
    promo = promotion(
        "GETCROI",
        rules={
            "type": "buy_x_get_y",
            "buy_quantity": 1,
            "get_quantity": 1,
            "buy_set": {"product_ids": [str(LATTE)]},
            "get_set": {"product_ids": [str(CROISSANT)]},
        },
    )
    result = run(cart(latte()), [promo])
    assert reason_of(result, "GETCROI") is ReasonCode.INCOMPLETE_BUNDLE
    assert result.hints[0].kind is HintKind.ADD_PRODUCT
    assert result.hints[0].product_id == CROISSANT
