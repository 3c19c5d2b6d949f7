"""Scope with exclusions and sub-categories, cross-line conditions and cross-brand triggers."""

from __future__ import annotations

from decimal import Decimal

from promoflow_contracts.results import HintKind, ReasonCode
from tests.factories import (
    BAKERY,
    BEVERAGES,
    BRAND_ID,
    MUFFIN,
    OTHER_BRAND_ID,
    cart,
    line,
    promotion,
    uid,
)
from tests.unit.engine.builders import croissant, discount_of, latte, line_discounts, reason_of, run

TEN = {"type": "percent_discount", "discount_percent": "10"}
ICED = uid("cat-iced-coffee")


def test_category_scope_includes_descendant_categories() -> None:
    scope = {
        "apply_to": "categories",
        "categories": [{"id": str(BEVERAGES), "name": "Beverages", "descendant_ids": [str(ICED)]}],
    }
    iced = line("iced", uid("prod-iced-latte"), 30000, category_id=str(ICED))
    result = run(cart(iced, croissant()), [promotion("BEV", rules=TEN, scope=scope)])
    assert line_discounts(result) == {"iced": Decimal("3000"), "croissant": Decimal("0")}


def test_excluded_category_and_product_get_nothing() -> None:
    scope = {
        "apply_to": "all",
        "exclude_categories": [{"id": str(BAKERY), "name": "Bakery"}],
        "exclude_products": [{"id": str(MUFFIN), "name": "Muffin"}],
    }
    muffin = line("muffin", MUFFIN, 12000, category_id=str(BEVERAGES))
    result = run(cart(latte(), croissant(), muffin), [promotion("ALL", rules=TEN, scope=scope)])
    assert line_discounts(result) == {
        "latte": Decimal("2500"),
        "croissant": Decimal("0"),
        "muffin": Decimal("0"),
    }


def test_cross_line_condition_unlocks_a_discount_on_other_lines() -> None:
    # given "buy 2 pastries, get 20 % off beverages"
    promo = promotion(
        "PAIR",
        rules={"type": "percent_discount", "discount_percent": "20"},
        scope={
            "apply_to": "categories",
            "categories": [{"id": str(BEVERAGES), "name": "Beverages"}],
        },
        conditions=[{"items": {"category_ids": [str(BAKERY)]}, "min_quantity": 2}],
    )
    one = run(cart(latte(), croissant()), [promo])
    assert reason_of(one, "PAIR") is ReasonCode.CONDITION_NOT_MET
    assert one.hints[0].kind is HintKind.ADD_QUANTITY
    two = run(cart(latte(), croissant(quantity=2)), [promo])
    assert line_discounts(two) == {"latte": Decimal("5000"), "croissant": Decimal("0")}


def test_condition_on_an_amount_counts_before_discounts() -> None:
    promo = promotion(
        "SPEND",
        rules=TEN,
        conditions=[
            {"items": {"product_ids": [str(croissant().product_id)]}, "min_amount": "30000"}
        ],
    )
    assert discount_of(run(cart(latte(), croissant(quantity=2)), [promo]), "SPEND") == Decimal(
        "5500"
    )


def test_cross_brand_trigger_unlocks_the_benefit_brand_only() -> None:
    promo = promotion(
        "XB",
        rules=TEN,
        cross_brand={
            "trigger_brands": [str(OTHER_BRAND_ID)],
            "trigger_min_amount": "20000",
            "benefit_brands": [str(BRAND_ID)],
        },
    )
    bakery_line = croissant(quantity=2, brand_id=str(OTHER_BRAND_ID))
    coffee_line = latte(brand_id=str(BRAND_ID))
    result = run(cart(coffee_line, bakery_line), [promo])
    assert line_discounts(result) == {"latte": Decimal("2500"), "croissant": Decimal("0")}
    short = run(cart(coffee_line, croissant(brand_id=str(OTHER_BRAND_ID))), [promo])
    assert reason_of(short, "XB") is ReasonCode.CONDITION_NOT_MET
