"""Worked examples from the design documents (``shared/seeds``), computed as a cashier would.

* edge guide, "Testing Promotion Evaluation": Latte 2 x Rp 25.000 + Croissant Rp 15.000 =
  Rp 65.000 (and the curl example: Latte 2 x Rp 25.000 = Rp 50.000).
* edge guide, "Example compiled_data structure": 20 % off Beverages, at most Rp 50.000, minimum
  purchase Rp 100.000, weekends of February 2026, dine-in and takeaway, "Premium Blend"
  excluded.
* backend roadmap, preview API: 20 % off a Rp 50.000 cart = Rp 10.000 off, Rp 40.000 to pay.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from promoflow_contracts.results import HintKind, ReasonCode
from tests.factories import (
    BAKERY,
    BEVERAGES,
    BRAND_ID,
    COMPANY_ID,
    STORE_ID,
    cart,
    line,
    promotion,
    uid,
)
from tests.unit.engine.builders import croissant, discount_of, latte, line_discounts, miss_of, run

PREMIUM_BLEND = uid("prod-premium-blend")
SATURDAY = datetime(2026, 2, 7, 11, 0)  # a Saturday in February 2026, store-local
WEDNESDAY = datetime(2026, 2, 4, 11, 0)


def bev20() -> Any:
    """The compiled_data example of the edge guide, as the seeds wrote it (short rule type,
    ``apply_to: category``, float-looking money)."""
    return promotion(
        "BEV20",
        promo_type="percent_discount",
        rules={
            "type": "percent",
            "discount_percent": 20.0,
            "max_discount_amount": 50000.0,
            "min_purchase": 100000.0,
        },
        validity={"start_date": "2026-02-01", "end_date": "2026-02-28", "days_of_week": [6, 7]},
        scope={
            "apply_to": "category",
            "categories": [{"id": str(BEVERAGES), "name": "Beverages", "code": "BEV"}],
            "exclude_products": [
                {
                    "id": str(PREMIUM_BLEND),
                    "name": "Premium Blend",
                    "sku": "BEV-005",
                    "price": 50000.0,
                }
            ],
        },
        targeting={
            "company_id": str(COMPANY_ID),
            "stores": [str(STORE_ID)],
            "brands": [str(BRAND_ID)],
            "member_only": False,
            "customer_type": "all",
            "sales_channels": ["dine_in", "takeaway"],
        },
        limits={"max_uses_per_customer": 1},
    )


def premium(quantity: int = 1) -> Any:
    return line(
        "premium", PREMIUM_BLEND, 50000, quantity, category_id=str(BEVERAGES), name="Premium Blend"
    )


def test_latte_croissant_cart_totals_65000_and_misses_the_100000_minimum() -> None:
    # given the seeds' sample cart on a February Saturday
    result = run(cart(latte(quantity=2), croissant(), evaluated_at=SATURDAY), [bev20()])
    # then the cashier sees Rp 65.000, no discount, and is told Rp 35.000 is missing
    assert (result.subtotal, result.total_discount, result.total) == (
        Decimal("65000"),
        Decimal(0),
        Decimal("65000"),
    )
    assert miss_of(result, "BEV20").reason_code is ReasonCode.MIN_PURCHASE_NOT_MET
    [hint] = result.hints
    assert (hint.kind, hint.missing_amount, hint.message) == (
        HintKind.ADD_AMOUNT,
        Decimal("35000"),
        "add Rp 35.000 more for 20% off",
    )
    # 20 % of the Rp 50.000 of beverages the cart already holds
    assert hint.potential_discount == Decimal("10000")


def test_20_percent_off_beverages_once_the_minimum_is_reached() -> None:
    # 4 lattes (100.000) + 2 croissants (30.000) = 130.000 >= 100.000
    # 20 % of the beverages = 20 % x 100.000 = 20.000; croissants are not beverages
    result = run(cart(latte(quantity=4), croissant(quantity=2), evaluated_at=SATURDAY), [bev20()])
    assert discount_of(result, "BEV20") == Decimal("20000")
    assert line_discounts(result) == {"latte": Decimal("20000"), "croissant": Decimal("0")}
    assert result.total == Decimal("110000")


def test_20_percent_capped_at_50000_on_a_large_order() -> None:
    # 12 lattes = 300.000; 20 % = 60.000 > cap 50.000
    result = run(cart(latte(quantity=12), evaluated_at=SATURDAY), [bev20()])
    assert discount_of(result, "BEV20") == Decimal("50000")
    assert result.total == Decimal("250000")


def test_minimum_purchase_of_exactly_100000_applies() -> None:
    result = run(cart(latte(quantity=4), evaluated_at=SATURDAY), [bev20()])
    assert discount_of(result, "BEV20") == Decimal("20000")


def test_premium_blend_counts_for_the_minimum_but_gets_no_discount() -> None:
    # 2 Premium Blend (100.000) + 1 latte (25.000) = 125.000 >= minimum (cart subtotal)
    # only the latte is discounted: 20 % x 25.000 = 5.000
    result = run(cart(premium(2), latte(), evaluated_at=SATURDAY), [bev20()])
    assert line_discounts(result) == {"premium": Decimal("0"), "latte": Decimal("5000")}


def test_weekday_and_delivery_do_not_get_the_weekend_promotion() -> None:
    weekday = run(cart(latte(quantity=4), evaluated_at=WEDNESDAY), [bev20()])
    assert miss_of(weekday, "BEV20").reason_code is ReasonCode.WRONG_DAY
    delivery = run(
        cart(latte(quantity=4), evaluated_at=SATURDAY, sales_channel="delivery"), [bev20()]
    )
    assert miss_of(delivery, "BEV20").reason_code is ReasonCode.CHANNEL_NOT_TARGETED


def test_preview_example_20_percent_of_50000_is_10000_off_40000_to_pay() -> None:
    promo = promotion("PREVIEW20", rules={"type": "percent_discount", "discount_percent": "20"})
    result = run(cart(latte(quantity=2)), [promo])
    assert (result.total_discount, result.total) == (Decimal("10000"), Decimal("40000"))
    assert result.applied[0].reason == "20% off Rp 50.000 of eligible items"


def test_latte_croissant_cart_with_the_seed_bogo_and_combo_shapes() -> None:
    # the seeds' BOGO ("bogo", same product) gives the second latte free: 65.000 - 25.000
    bogo = promotion(
        "BOGO",
        promo_type="buy_x_get_y",
        rules={
            "type": "bogo",
            "buy_quantity": 1,
            "get_quantity": 1,
            "get_discount_percent": 100.0,
            "same_product_only": True,
        },
    )
    result = run(cart(latte(quantity=2), croissant()), [bogo])
    assert result.total == Decimal("40000")
    # the seeds' combo ("products", "all_required"): latte + croissant for 35.000 saves 5.000
    combo = promotion(
        "COMBO",
        rules={
            "type": "combo",
            "combo_price": 35000.0,
            "products": [
                {"product_id": str(latte().product_id)},
                {"product_id": str(croissant().product_id)},
            ],
            "all_required": True,
        },
    )
    assert run(cart(latte(), croissant()), [combo]).total == Decimal("35000")


def test_seed_mix_and_match_three_pastries_for_a_set_price() -> None:
    promo = promotion(
        "PASTRY3",
        rules={
            "type": "mix_match",
            "category_id": str(BAKERY),
            "required_quantity": 3,
            "special_price": 40000,
            "allow_same_product": True,
        },
    )
    result = run(cart(latte(), croissant(quantity=3)), [promo])
    # 3 croissants 45.000 for 40.000; the latte stays 25.000
    assert result.total == Decimal("65000")
