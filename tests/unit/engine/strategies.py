"""Hypothesis strategies: café carts and promotions of all 12 types with random parameters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from promoflow_contracts.base import PromotionType
from promoflow_contracts.cart import CartLine, EvaluateRequest
from promoflow_contracts.promotion import CompiledPromotion
from tests.factories import (
    AMERICANO,
    BAKERY,
    BEVERAGES,
    CROISSANT,
    LATTE,
    MUFFIN,
    STORE_ID,
    line,
    promotion,
    uid,
)

TEA = uid("prod-tea")
#: The campaign some generated promotions share (budgets come from the test's context).
CAMPAIGN = uid("campaign-property")
#: (product, category, list price)
MENU = [
    (LATTE, BEVERAGES, 25000),
    (AMERICANO, BEVERAGES, 20000),
    (TEA, BEVERAGES, 18000),
    (CROISSANT, BAKERY, 15000),
    (MUFFIN, BAKERY, 12000),
]
PRODUCTS = [m[0] for m in MENU]
CATEGORIES = [BEVERAGES, BAKERY]

money = st.integers(min_value=1, max_value=120).map(lambda k: str(k * 500))
percent = st.sampled_from(["5", "10", "12.5", "20", "33.3333", "50", "100"])
product = st.sampled_from(PRODUCTS)
category = st.sampled_from(CATEGORIES)


@st.composite
def cart_lines(draw: st.DrawFn, max_lines: int = 6) -> list[CartLine]:
    count = draw(st.integers(min_value=0, max_value=max_lines))
    lines = []
    for i in range(count):
        pid, cid, price = draw(st.sampled_from(MENU))
        price = draw(st.sampled_from([price, price + 3000, price - 1001]))
        mods = draw(st.sampled_from([[], [{"name": "Extra shot", "price": "4000"}]]))
        lines.append(
            line(f"L{i}", pid, price, draw(st.integers(1, 4)), category_id=str(cid), modifiers=mods)
        )
    return lines


@st.composite
def carts(draw: st.DrawFn) -> EvaluateRequest:
    return EvaluateRequest(
        store_id=STORE_ID,
        lines=draw(cart_lines()),
        evaluated_at=datetime(2026, 3, 3, draw(st.sampled_from([9, 16, 23])), 0),
        payment_method=draw(st.sampled_from([None, "OVO", "cash"])),
        customer={"is_member": draw(st.booleans())},
    )


def _scope(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["all", "categories", "products"]))
    if kind == "categories":
        return {
            "apply_to": "categories",
            "categories": [{"id": str(draw(category)), "name": "Cat"}],
        }
    if kind == "products":
        ids = draw(st.lists(product, min_size=1, max_size=3, unique=True))
        return {"apply_to": "products", "products": [{"id": str(p), "name": "Prod"} for p in ids]}
    return {"apply_to": "all"}


def _target(draw: st.DrawFn) -> dict[str, Any]:
    """Per-unit application: selection and caps per line and per cart (issue 8)."""
    return {
        "selection": draw(st.sampled_from(["cheapest", "most_expensive", "all"])),
        "max_units_per_line": draw(st.one_of(st.none(), st.integers(1, 2))),
        "max_units_per_cart": draw(st.one_of(st.none(), st.integers(1, 3))),
    }


def _rules(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    if kind == "percent_discount":
        rules: dict[str, Any] = {
            "discount_percent": draw(percent),
            "min_purchase": draw(st.sampled_from(["0", "40000"])),
        }
        if draw(st.booleans()):
            rules["max_discount_amount"] = draw(money)
        if draw(st.booleans()):
            rules["target"] = _target(draw)
        if draw(st.booleans()):
            rules["min_purchase_basis"] = "eligible_subtotal"
        return rules
    if kind == "amount_discount":
        rules = {
            "discount_amount": draw(money),
            "apply_per": draw(st.sampled_from(["cart", "unit"])),
            "min_purchase": draw(st.sampled_from(["0", "40000"])),
            "min_purchase_basis": draw(st.sampled_from(["cart_subtotal", "eligible_subtotal"])),
        }
        if draw(st.booleans()):
            rules["target"] = _target(draw)
        return rules
    if kind == "buy_x_get_y":
        rules = {
            "buy_quantity": draw(st.integers(1, 3)),
            "get_quantity": draw(st.integers(1, 2)),
            "same_product_only": draw(st.booleans()),
        }
        if draw(st.booleans()):
            rules["get_set"] = {"product_ids": [str(draw(product))]}
        if draw(st.booleans()):
            rules["buy_set"] = {"category_ids": [str(draw(category))]}
        if draw(st.integers(0, 3)) == 0:
            rules["buy_min_amount"] = draw(st.sampled_from(["20000", "45000"]))
        rules["reward_selection"] = draw(st.sampled_from(["cheapest", "most_expensive", "all"]))
        rules["application"] = draw(st.sampled_from(["per_set", "once_per_order"]))
        rules["reward"] = draw(
            st.sampled_from(
                [
                    {"kind": "free"},
                    {"kind": "percent_off", "value": "50"},
                    {"kind": "amount_off", "value": "5000"},
                    {"kind": "fixed_price", "value": "10000"},
                ]
            )
        )
        if draw(st.booleans()):
            rules["max_reward_units"] = draw(st.integers(1, 3))
        return rules
    if kind == "combo":
        items = draw(st.lists(product, min_size=2, max_size=3, unique=True))
        return {"combo_price": draw(money), "items": [{"product_id": str(p)} for p in items]}
    if kind == "free_item":
        return {
            "trigger_product_id": str(draw(product)),
            "trigger_quantity": draw(st.integers(1, 2)),
            "free_product_id": str(draw(product)),
            "application": draw(st.sampled_from(["per_set", "once_per_order"])),
        }
    if kind == "happy_hour":
        benefit = draw(st.sampled_from(["discount_percent", "discount_amount", "special_price"]))
        value = draw(percent) if benefit == "discount_percent" else draw(money)
        return {
            "time_start": "15:00",
            "time_end": draw(st.sampled_from(["17:00", "01:00"])),
            benefit: value,
        }
    if kind == "cashback":
        return {
            "cashback_type": "percent",
            "cashback_value": draw(percent),
            "cashback_max": draw(money),
        }
    if kind == "payment_discount":
        return {
            "payment_methods": ["OVO"],
            "discount_type": "percent",
            "discount_value": draw(percent),
            "max_discount": draw(money),
        }
    if kind == "package":
        return {
            "package_name": "Set",
            "package_price": draw(money),
            "items": [
                {"item_type": "product", "product_id": str(draw(product))},
                {
                    "item_type": "category",
                    "category_id": str(draw(category)),
                    "min_selection": 1,
                    "max_selection": 2,
                },
            ],
        }
    if kind == "mix_match":
        return {
            "item_set": {"category_ids": [str(draw(category))]},
            "required_quantity": draw(st.integers(2, 4)),
            "special_price": draw(money),
        }
    if kind == "upsell":
        return {
            "required_product_id": str(draw(product)),
            "upsell_product_id": str(draw(product)),
            "special_price": draw(money),
            "max_quantity": draw(st.integers(1, 2)),
        }
    if draw(st.booleans()):
        top_type, top_value = draw(st.sampled_from([("percent", "15"), ("amount", "5000")]))
        return {
            "basis": "quantity",
            "tiers": [
                {
                    "tier_name": "Q3",
                    "min_quantity": 3,
                    "discount_type": "percent",
                    "discount_value": draw(percent),
                },
                {
                    "tier_name": "Q6",
                    "min_quantity": 6,
                    "discount_type": top_type,
                    "discount_value": top_value,
                },
            ],
        }
    return {
        "basis": "amount",
        "tiers": [
            {
                "tier_name": "T1",
                "min_amount": "30000",
                "discount_type": "percent",
                "discount_value": draw(percent),
            },
            {
                "tier_name": "T2",
                "min_amount": "80000",
                "discount_type": "amount",
                "discount_value": draw(money),
            },
        ],
    }


TYPES = [t.value for t in PromotionType]


@st.composite
def promotions(
    draw: st.DrawFn,
    code: str,
    *,
    types: list[str] | None = None,
    stackable: bool | None = None,
    stage: str | None = None,
    priority: int | None = None,
) -> CompiledPromotion:
    kind = draw(st.sampled_from(types or TYPES))
    rules = {"type": kind, **_rules(draw, kind)}
    extra: dict[str, Any] = {}
    if draw(st.integers(0, 4)) == 0:
        extra["campaign"] = {
            "campaign_id": str(CAMPAIGN),
            "budget_amount": "100000",
            "budget_redemptions": 2,
        }
    if draw(st.integers(0, 5)) == 0:
        condition: dict[str, Any] = {"items": {"category_ids": [str(draw(category))]}}
        if draw(st.booleans()):
            condition["min_quantity"] = draw(st.integers(1, 3))
        else:
            condition["min_amount"] = draw(st.sampled_from(["15000", "50000"]))
        extra["conditions"] = [condition]
    return promotion(
        code,
        **extra,
        rules=rules,
        scope=_scope(draw),
        is_stackable=draw(st.booleans()) if stackable is None else stackable,
        execution_stage=stage
        or draw(st.sampled_from(["item_level", "cart_level", "payment_level"])),
        execution_priority=draw(st.integers(0, 1000)) if priority is None else priority,
        compounding=draw(st.sampled_from(["remaining", "original"])),
    )


@st.composite
def promotion_sets(draw: st.DrawFn, max_size: int = 6) -> list[CompiledPromotion]:
    size = draw(st.integers(0, max_size))
    return [draw(promotions(f"P{i}")) for i in range(size)]


BUNDLE_TYPES_NAMES = ["buy_x_get_y", "combo", "free_item", "package", "mix_match", "upsell"]
NON_BUNDLE_TYPES = [t for t in TYPES if t not in BUNDLE_TYPES_NAMES]
