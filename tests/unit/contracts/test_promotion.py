"""The compiled promotion document: the seeds' shape validates, bad documents name the field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from promoflow_contracts.base import PromotionType
from promoflow_contracts.promotion import CompiledPromotion, ScopeKind
from promoflow_contracts.rules import BuyXGetYRules, RewardKind
from tests.factories import (
    BEVERAGES,
    BRAND_ID,
    COMPANY_ID,
    CROISSANT,
    SAMPLE_RULES,
    STORE_ID,
    promotion,
    uid,
)

RULES = SAMPLE_RULES


def test_every_promotion_type_has_a_sample() -> None:
    assert set(RULES) == {t.value for t in PromotionType}


@pytest.mark.parametrize("promo_type", sorted(RULES))
def test_each_type_validates_and_round_trips(promo_type: str) -> None:
    promo = promotion(promo_type.upper(), rules=RULES[promo_type])
    assert promo.promo_type.value == promo_type
    assert CompiledPromotion.model_validate_json(promo.model_dump_json()) == promo


def test_seed_compiled_data_validates_with_upcasts() -> None:
    """The edge guide's "Example compiled_data structure" (ids made real) is accepted."""
    seed = {
        "validity": {"start_date": "2026-02-01", "end_date": "2026-02-28", "days_of_week": [6, 7]},
        "scope": {
            "apply_to": "category",
            "categories": [
                {
                    "id": str(BEVERAGES),
                    "company_id": str(COMPANY_ID),
                    "brand_id": str(BRAND_ID),
                    "name": "Beverages",
                    "code": "BEV",
                }
            ],
            "products": [],
            "exclude_categories": [],
            "exclude_products": [
                {
                    "id": str(uid("premium")),
                    "company_id": str(COMPANY_ID),
                    "brand_id": str(BRAND_ID),
                    "name": "Premium Blend",
                    "sku": "BEV-005",
                    "price": 50000.0,
                }
            ],
        },
        "targeting": {
            "stores": [str(STORE_ID)],
            "brands": [str(BRAND_ID)],
            "company_id": str(COMPANY_ID),
            "member_only": False,
            "customer_type": "all",
            "sales_channels": ["dine_in", "takeaway"],
        },
        "rules": {
            "type": "percent",
            "discount_percent": 20.0,
            "max_discount_amount": 50000.0,
            "min_purchase": 100000.0,
        },
        "limits": {
            "max_uses": None,
            "max_uses_per_customer": 1,
            "max_uses_per_day": None,
            "current_uses": 0,
        },
        "cross_brand": None,
        "compiled_at": "2026-01-27T10:00:00+07:00",
        "compiler_version": "1.0",
    }
    promo = promotion("SEED", rules=seed.pop("rules"), promo_type="percent_discount", **seed)
    assert promo.scope.apply_to is ScopeKind.CATEGORIES
    assert promo.rules.type == "percent_discount"
    assert promo.rules.min_purchase == Decimal("100000")
    assert promo.scope.exclude_products[0].price == Decimal("50000")


def test_seed_bogo_with_get_product_is_upcast() -> None:
    promo = promotion(
        "BOGO",
        rules={
            "type": "bogo",
            "buy_quantity": 2,
            "get_quantity": 1,
            "get_discount_percent": 50.0,
            "get_product_id": str(CROISSANT),
        },
        promo_type="buy_x_get_y",
    )
    assert isinstance(promo.rules, BuyXGetYRules)
    assert promo.rules.get_set.product_ids == [CROISSANT]
    assert promo.rules.reward.kind is RewardKind.PERCENT_OFF
    assert promo.rules.reward.value == Decimal("50")


def _error_locations(exc: ValidationError) -> list[str]:
    return [".".join(str(p) for p in e["loc"]) for e in exc.errors()]


@pytest.mark.parametrize(
    ("overrides", "location", "message"),
    [
        (
            {"rules": {"type": "percent_discount", "discount_percent": "120"}},
            "rules.percent_discount.discount_percent",
            "less than or equal to 100",
        ),
        (
            {"rules": {"type": "happy_hour", "time_start": "14:00", "time_end": "17:00"}},
            "rules.happy_hour",
            "exactly one",
        ),
        (
            {"validity": {"start_date": "2026-02-01", "end_date": "2026-01-01"}},
            "validity",
            "end_date",
        ),
        (
            {
                "validity": {
                    "start_date": "2026-01-01",
                    "end_date": "2026-02-01",
                    "days_of_week": [8],
                }
            },
            "validity.days_of_week.0",
            "less than or equal to 7",
        ),
        ({"scope": {"apply_to": "products"}}, "scope", "products must not be empty"),
        ({"require_voucher": True}, "", "voucher_codes"),
        ({"promo_type": "combo"}, "", "does not match promo_type"),
        ({"surprise": 1}, "surprise", "Extra inputs"),
    ],
)
def test_bad_document_names_the_field(
    overrides: dict[str, Any], location: str, message: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        promotion("BAD", **overrides)
    errors = excinfo.value.errors()
    assert any(
        ".".join(str(p) for p in e["loc"]) == location and message in e["msg"] for e in errors
    ), errors


def test_tiers_must_increase() -> None:
    rules = {
        "type": "threshold_tier",
        "tiers": [
            {
                "tier_name": "A",
                "min_amount": "200000",
                "discount_type": "amount",
                "discount_value": "10000",
            },
            {
                "tier_name": "B",
                "min_amount": "100000",
                "discount_type": "amount",
                "discount_value": "20000",
            },
        ],
    }
    with pytest.raises(ValidationError, match="strictly increasing min_amount"):
        promotion("TIERS", rules=rules)
