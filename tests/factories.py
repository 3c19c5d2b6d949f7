"""Builders of contract objects for tests: valid documents with every field defaulted.

``promotion(rules=..., **overrides)`` returns a :class:`CompiledPromotion` targeting
``STORE_ID``/``BRAND_ID`` of ``COMPANY_ID``, valid all of 2026, with the given rules; ``cart``
returns an :class:`EvaluateRequest`. Products and categories of a small café menu are constants.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid5

from promoflow_contracts.cart import CartLine, EvaluateRequest
from promoflow_contracts.promotion import CompiledPromotion

_NS = UUID("6f1c7d2e-1b0a-4c59-9a57-3f6f0c8f2a10")


def uid(name: str) -> UUID:
    """A stable UUID for a readable test name."""
    return uuid5(_NS, name)


COMPANY_ID = uid("company")
BRAND_ID = uid("brand-kopi")
OTHER_BRAND_ID = uid("brand-bakery")
STORE_ID = uid("store-jakarta")
OTHER_STORE_ID = uid("store-makassar")
BEVERAGES = uid("cat-beverages")
BAKERY = uid("cat-bakery")
LATTE = uid("prod-latte")
AMERICANO = uid("prod-americano")
CROISSANT = uid("prod-croissant")
MUFFIN = uid("prod-muffin")

COMPILED_AT = datetime(2026, 1, 27, 3, 0, tzinfo=UTC)


def promotion(
    code: str = "PROMO", rules: dict[str, Any] | None = None, **overrides: Any
) -> CompiledPromotion:
    """A compiled promotion; ``rules`` defaults to 10 % off, ``promo_type`` follows ``rules``."""
    rules = rules or {"type": "percent_discount", "discount_percent": "10"}
    doc: dict[str, Any] = {
        "id": str(uid("promo-" + code)),
        "code": code,
        "name": f"Promotion {code}",
        "company_id": str(COMPANY_ID),
        "promo_type": rules["type"],
        "validity": {"start_date": "2026-01-01", "end_date": "2026-12-31"},
        "targeting": {"company_id": str(COMPANY_ID), "stores": [str(STORE_ID)]},
        "rules": rules,
        "compiled_at": COMPILED_AT.isoformat(),
        "compiler_version": "test",
        "version": 1,
    }
    doc.update(overrides)
    return CompiledPromotion.model_validate(doc)


def line(
    line_id: str, product_id: UUID, price: str | int, quantity: int = 1, **fields: Any
) -> CartLine:
    """A cart line; ``price`` is the unit price in the major unit."""
    return CartLine.model_validate(
        {
            "line_id": line_id,
            "product_id": str(product_id),
            "unit_price": str(price),
            "quantity": quantity,
            **fields,
        }
    )


def cart(*lines: CartLine, **fields: Any) -> EvaluateRequest:
    """An evaluate request at ``STORE_ID`` on a Tuesday noon (WIB) unless overridden."""
    fields.setdefault("evaluated_at", datetime(2026, 3, 3, 12, 0))
    return EvaluateRequest(store_id=STORE_ID, lines=list(lines), **fields)


#: One valid rules object per promotion type, in the seeds' shapes where they differ (over the
#: café catalogue above).
SAMPLE_RULES: dict[str, dict[str, Any]] = {
    "percent_discount": {
        "type": "percent_discount",
        "discount_percent": "20",
        "max_discount_amount": "50000",
    },
    "amount_discount": {
        "type": "amount_discount",
        "discount_amount": "10000",
        "min_purchase": "50000",
    },
    "buy_x_get_y": {
        "type": "buy_x_get_y",
        "buy_quantity": 1,
        "get_quantity": 1,
        "same_product_only": True,
    },
    "combo": {
        "type": "combo",
        "combo_price": "35000",
        "items": [{"product_id": str(LATTE)}, {"product_id": str(CROISSANT)}],
    },
    "free_item": {
        "type": "free_item",
        "trigger_product_id": str(LATTE),
        "free_product_id": str(CROISSANT),
    },
    "happy_hour": {
        "type": "happy_hour",
        "time_start": "14:00",
        "time_end": "17:00",
        "discount_percent": "30",
    },
    "cashback": {
        "type": "cashback",
        "cashback_type": "percent",
        "cashback_value": "5",
        "cashback_max": "20000",
    },
    "payment_discount": {
        "type": "payment_discount",
        "payment_methods": ["OVO"],
        "discount_type": "amount",
        "discount_value": "10000",
    },
    "package": {
        "type": "package",
        "package_name": "Breakfast set",
        "package_price": "45000",
        "items": [
            {"item_type": "product", "product_id": str(LATTE)},
            {
                "item_type": "category",
                "category_id": str(BEVERAGES),
                "min_selection": 1,
                "max_selection": 2,
            },
        ],
    },
    "mix_match": {
        "type": "mix_match",
        "category_id": str(BEVERAGES),
        "required_quantity": 3,
        "special_price": "50000",
    },
    "upsell": {
        "type": "upsell",
        "required_product_id": str(LATTE),
        "upsell_product_id": str(CROISSANT),
        "special_price": "10000",
        "upsell_message": "Add a croissant for Rp 10.000",
    },
    "threshold_tier": {
        "type": "threshold_tier",
        "tiers": [
            {
                "tier_name": "Silver",
                "min_amount": "100000",
                "discount_type": "percent",
                "discount_value": "5",
            },
            {
                "tier_name": "Gold",
                "min_amount": "200000",
                "discount_type": "points_multiplier",
                "points_multiplier": "2",
            },
        ],
    },
}
