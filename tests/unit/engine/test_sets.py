"""Fixed-price sets: combo, package (set menu) and mix and match."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from promoflow_contracts.results import HintKind, ReasonCode
from tests.factories import (
    AMERICANO,
    BAKERY,
    BEVERAGES,
    CROISSANT,
    LATTE,
    MUFFIN,
    cart,
    line,
    promotion,
)
from tests.unit.engine.builders import (
    BAKERY_SCOPE,
    croissant,
    discount_of,
    latte,
    line_discounts,
    reason_of,
    run,
)


def combo(price: str = "35000", **rules: Any) -> Any:
    return promotion(
        "COMBO",
        rules={
            "type": "combo",
            "combo_price": price,
            "items": [
                {"product_id": str(LATTE), "product_name": "Latte"},
                {"product_id": str(CROISSANT), "product_name": "Croissant"},
            ],
            **rules,
        },
    )


def muffin(line_id: str = "muffin", quantity: int = 1, price: int = 12000) -> Any:
    return line(line_id, MUFFIN, price, quantity, category_id=str(BAKERY), name="Muffin")


def test_combo_charges_the_combo_price_for_one_complete_set() -> None:
    result = run(cart(latte(), croissant()), [combo()])
    assert discount_of(result, "COMBO") == Decimal("5000")
    assert result.total == Decimal("35000")
    # 5.000 spread by value: 25/40 and 15/40
    assert line_discounts(result) == {"latte": Decimal("3125"), "croissant": Decimal("1875")}


def test_combo_repeats_for_complete_sets_up_to_its_maximum() -> None:
    request = cart(latte(quantity=3), croissant(quantity=2))
    assert run(request, [combo()]).total_discount == Decimal("10000")
    assert run(request, [combo(max_combos_per_cart=1)]).total_discount == Decimal("5000")


def test_incomplete_combo_names_the_missing_item_and_hints() -> None:
    result = run(cart(latte()), [combo()])
    miss = reason_of(result, "COMBO")
    assert miss is ReasonCode.INCOMPLETE_BUNDLE
    assert result.hints[0].kind is HintKind.ADD_PRODUCT
    assert result.hints[0].product_id == CROISSANT
    assert "Croissant" in result.hints[0].message


def test_combo_price_above_the_items_is_no_benefit() -> None:
    result = run(cart(latte(), croissant()), [combo(price="45000")])
    assert reason_of(result, "COMBO") is ReasonCode.NO_BENEFIT


def test_modifier_upcharge_stays_payable_inside_a_fixed_price_set() -> None:
    # given a latte with an extra shot (+5.000) in the combo
    shot = latte(modifiers=[{"name": "Extra shot", "price": "5000"}])
    result = run(cart(shot, croissant()), [combo()])
    # then the customer pays the combo price plus the upcharge
    assert result.total == Decimal("40000")


def _package(**rules: Any) -> Any:
    return promotion(
        "SET",
        rules={
            "type": "package",
            "package_name": "Breakfast set",
            "package_price": "30000",
            "items": [
                {"item_type": "product", "product_id": str(LATTE), "name": "Latte"},
                {
                    "item_type": "category",
                    "category_id": str(BAKERY),
                    "name": "pastry",
                    "min_selection": 1,
                    "max_selection": 2,
                },
            ],
            **rules,
        },
    )


def test_package_takes_a_fixed_product_and_category_choices() -> None:
    result = run(cart(latte(), croissant(), muffin()), [_package()])
    # latte 25k + croissant 15k + muffin 12k = 52k for 30k
    assert discount_of(result, "SET") == Decimal("22000")
    assert sorted(u.line_id for u in result.applied[0].benefit_units) == [
        "croissant",
        "latte",
        "muffin",
    ]


def test_package_missing_its_category_choice_hints() -> None:
    result = run(cart(latte()), [_package()])
    assert reason_of(result, "SET") is ReasonCode.INCOMPLETE_BUNDLE
    assert "pastry" in result.hints[0].message


def test_package_without_modification_ignores_modified_lines() -> None:
    modified = latte(modifiers=[{"name": "Oat milk", "price": "3000"}])
    result = run(cart(modified, croissant()), [_package(allow_modification=False)])
    assert reason_of(result, "SET") is ReasonCode.INCOMPLETE_BUNDLE


def _mix(**rules: Any) -> Any:
    return promotion(
        "MIX3",
        rules={
            "type": "mix_match",
            "category_id": str(BAKERY),
            "required_quantity": 3,
            "special_price": "30000",
            **rules,
        },
        scope=BAKERY_SCOPE,
    )


def test_mix_and_match_any_three_pastries_for_a_set_price_most_expensive_first() -> None:
    result = run(cart(croissant(quantity=2), muffin(quantity=2, price=12000)), [_mix()])
    # the set is 15k + 15k + 12k = 42k for 30k; one 12k muffin stays at full price
    assert discount_of(result, "MIX3") == Decimal("12000")
    assert result.total == Decimal("42000")


def test_mix_and_match_one_short_hints_to_add_one_more() -> None:
    result = run(cart(croissant(), muffin()), [_mix()])
    assert reason_of(result, "MIX3") is ReasonCode.MIN_QUANTITY_NOT_MET
    assert result.hints[0].message == "add 1 more Pastries for 3 for Rp 30.000"
    assert result.hints[0].category_id == BAKERY


def test_mix_and_match_distinct_products_only() -> None:
    result = run(cart(croissant(quantity=3)), [_mix(allow_same_product=False)])
    assert reason_of(result, "MIX3") is ReasonCode.MIN_QUANTITY_NOT_MET
    three = run(
        cart(
            croissant(), muffin(), line("am", AMERICANO, 20000, category_id=str(BAKERY), name="Bun")
        ),
        [_mix(allow_same_product=False)],
    )
    assert three.total_discount == Decimal("17000")


def test_mix_and_match_set_over_beverages_and_pastries_via_item_set() -> None:
    promo = promotion(
        "ANY2",
        rules={
            "type": "mix_match",
            "item_set": {"category_ids": [str(BEVERAGES), str(BAKERY)]},
            "required_quantity": 2,
            "special_price": "35000",
        },
    )
    assert run(cart(latte(), croissant()), [promo]).total_discount == Decimal("5000")
