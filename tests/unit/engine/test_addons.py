"""Free item and upsell: triggers, "add it free" offers, add-on prices and their hints."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from promoflow_contracts.results import HintKind, ReasonCode
from tests.factories import CROISSANT, LATTE, cart, promotion
from tests.unit.engine.builders import croissant, discount_of, latte, line_discounts, reason_of, run


def free_croissant(**rules: Any) -> Any:
    return promotion(
        "FREE",
        rules={
            "type": "free_item",
            "trigger_product_id": str(LATTE),
            "trigger_quantity": 2,
            "free_product_id": str(CROISSANT),
            "free_product_name": "Croissant",
            "free_product_price": "15000",
            **rules,
        },
    )


def test_free_item_in_the_cart_is_made_free() -> None:
    result = run(cart(latte(quantity=2), croissant()), [free_croissant()])
    assert line_discounts(result) == {"latte": Decimal("0"), "croissant": Decimal("15000")}
    assert [(u.line_id, u.quantity) for u in result.applied[0].trigger_units] == [("latte", 2)]


def test_free_item_not_in_the_cart_is_offered_to_add() -> None:
    result = run(cart(latte(quantity=2)), [free_croissant()])
    assert reason_of(result, "FREE") is ReasonCode.INCOMPLETE_BUNDLE
    [offer] = result.free_item_offers
    assert (offer.product_id, offer.quantity, offer.unit_price) == (CROISSANT, 1, Decimal("15000"))


def test_free_item_once_per_order_by_default_per_set_when_asked() -> None:
    request = cart(latte(quantity=4), croissant(quantity=2))
    assert run(request, [free_croissant()]).total_discount == Decimal("15000")
    assert run(request, [free_croissant(application="per_set")]).total_discount == Decimal("30000")


def test_free_item_earned_twice_with_one_in_the_cart_offers_the_second() -> None:
    result = run(cart(latte(quantity=4), croissant()), [free_croissant(application="per_set")])
    assert result.total_discount == Decimal("15000")
    assert [o.quantity for o in result.free_item_offers] == [1]


def test_free_item_missing_trigger_units_hints() -> None:
    result = run(cart(latte(), croissant()), [free_croissant()])
    assert reason_of(result, "FREE") is ReasonCode.MIN_QUANTITY_NOT_MET
    assert result.hints[0].product_id == LATTE


def test_free_item_on_minimum_purchase_only() -> None:
    promo = promotion(
        "SPEND",
        rules={"type": "free_item", "min_purchase": "50000", "free_product_id": str(CROISSANT)},
    )
    assert discount_of(run(cart(latte(quantity=2), croissant()), [promo]), "SPEND") == Decimal(
        "15000"
    )
    assert (
        reason_of(run(cart(latte(), croissant()), [promo]), "SPEND")
        is ReasonCode.MIN_PURCHASE_NOT_MET
    )


def _upsell(**rules: Any) -> Any:
    return promotion(
        "UP",
        rules={
            "type": "upsell",
            "required_product_id": str(LATTE),
            "upsell_product_id": str(CROISSANT),
            "upsell_product_name": "Croissant",
            "upsell_product_price": "15000",
            "special_price": "10000",
            "upsell_message": "Add a croissant for only Rp 10.000!",
            **rules,
        },
    )


def test_upsell_prices_the_add_on_when_the_required_product_is_there() -> None:
    result = run(cart(latte(), croissant(quantity=2)), [_upsell()])
    assert discount_of(result, "UP") == Decimal("5000")
    assert run(
        cart(latte(quantity=2), croissant(quantity=2)), [_upsell()]
    ).total_discount == Decimal("10000")


def test_upsell_without_the_add_on_hints_with_its_message() -> None:
    result = run(cart(latte()), [_upsell()])
    assert reason_of(result, "UP") is ReasonCode.INCOMPLETE_BUNDLE
    [hint] = result.hints
    assert (hint.kind, hint.message, hint.potential_discount) == (
        HintKind.ADD_PRODUCT,
        "Add a croissant for only Rp 10.000!",
        Decimal("5000"),
    )


def test_upsell_without_the_required_product_does_not_apply() -> None:
    result = run(cart(croissant()), [_upsell()])
    assert reason_of(result, "UP") is ReasonCode.INCOMPLETE_BUNDLE
    assert result.total_discount == 0
