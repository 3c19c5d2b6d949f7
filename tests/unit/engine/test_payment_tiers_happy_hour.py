"""Payment discounts, cashback, threshold tiers and happy hour."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from promoflow_contracts.results import HintKind, ReasonCode, RewardKind
from tests.factories import CROISSANT, MUFFIN, cart, promotion
from tests.unit.engine.builders import (
    BEVERAGES_SCOPE,
    applied_codes,
    croissant,
    discount_of,
    latte,
    line_discounts,
    reason_of,
    run,
)


def _ovo(**rules: Any) -> Any:
    return promotion(
        "OVO10",
        rules={
            "type": "payment_discount",
            "payment_methods": ["OVO"],
            "discount_type": "percent",
            "discount_value": "10",
            **rules,
        },
        execution_stage="payment_level",
    )


def test_payment_discount_applies_with_a_listed_method_in_any_case() -> None:
    result = run(cart(latte(quantity=2), croissant(), payment_method="ovo"), [_ovo()])
    assert discount_of(result, "OVO10") == Decimal("6500")


def test_payment_method_unknown_gives_a_hint_not_a_discount() -> None:
    result = run(cart(latte(quantity=2), croissant()), [_ovo()])
    assert result.total_discount == 0
    assert reason_of(result, "OVO10") is ReasonCode.PAYMENT_METHOD_REQUIRED
    [hint] = result.hints
    assert (hint.kind, hint.payment_methods, hint.message) == (
        HintKind.PAYMENT_METHOD,
        ["OVO"],
        "pay with OVO to save Rp 6.500",
    )


def test_other_payment_method_is_not_eligible() -> None:
    result = run(cart(latte(), payment_method="cash"), [_ovo()])
    assert reason_of(result, "OVO10") is ReasonCode.PAYMENT_METHOD_NOT_ELIGIBLE


def test_payment_discount_runs_after_item_discounts_on_what_is_left() -> None:
    item = promotion("ITEM20", rules={"type": "percent_discount", "discount_percent": "20"})
    result = run(cart(latte(quantity=2), payment_method="OVO"), [_ovo(), item])
    assert applied_codes(result) == ["ITEM20", "OVO10"]
    assert discount_of(result, "OVO10") == Decimal("4000")


def test_payment_amount_capped_and_minimum() -> None:
    promo = _ovo(discount_type="amount", discount_value="20000", min_purchase="50000")
    assert discount_of(
        run(cart(latte(quantity=2), payment_method="OVO"), [promo]), "OVO10"
    ) == Decimal("20000")
    assert (
        reason_of(run(cart(latte(), payment_method="OVO"), [promo]), "OVO10")
        is ReasonCode.MIN_PURCHASE_NOT_MET
    )


def test_cashback_reduces_nothing_on_the_bill_and_is_a_reward() -> None:
    promo = promotion(
        "CB",
        rules={
            "type": "cashback",
            "cashback_type": "percent",
            "cashback_value": "10",
            "cashback_max": "5000",
            "cashback_method": "wallet",
        },
    )
    result = run(cart(latte(quantity=3)), [promo])
    assert result.total_discount == 0
    assert result.total == Decimal("75000")
    [reward] = result.rewards
    assert (reward.kind, reward.amount, reward.method) == (
        RewardKind.CASHBACK,
        Decimal("5000"),
        "wallet",
    )
    assert applied_codes(result) == ["CB"]
    assert result.applied[0].discount == 0


def test_cashback_for_a_payment_method_needs_it() -> None:
    promo = promotion(
        "CBOVO",
        rules={
            "type": "cashback",
            "cashback_type": "amount",
            "cashback_value": "3000",
            "payment_methods": ["OVO"],
        },
    )
    assert reason_of(run(cart(latte()), [promo]), "CBOVO") is ReasonCode.PAYMENT_METHOD_REQUIRED
    assert run(cart(latte(), payment_method="OVO"), [promo]).rewards[0].amount == Decimal("3000")


def _tiers(basis: str = "amount", tiers: list[dict[str, Any]] | None = None) -> Any:
    return promotion(
        "TIER",
        rules={
            "type": "threshold_tier",
            "basis": basis,
            "tiers": tiers
            or [
                {
                    "tier_name": "Silver",
                    "min_amount": "50000",
                    "discount_type": "percent",
                    "discount_value": "5",
                },
                {
                    "tier_name": "Gold",
                    "min_amount": "100000",
                    "discount_type": "amount",
                    "discount_value": "15000",
                },
            ],
        },
    )


def test_highest_reached_tier_applies_and_next_tier_is_hinted() -> None:
    silver = run(cart(latte(quantity=2), croissant(quantity=2)), [_tiers()])
    assert discount_of(silver, "TIER") == Decimal("4000")
    assert silver.applied[0].details["tier"] == "Silver"
    assert silver.hints[0].message == "add Rp 20.000 more for Gold: Rp 15.000 off"
    gold = run(cart(latte(quantity=4)), [_tiers()])
    assert discount_of(gold, "TIER") == Decimal("15000")


def test_no_tier_reached_is_min_purchase_not_met() -> None:
    assert reason_of(run(cart(latte()), [_tiers()]), "TIER") is ReasonCode.MIN_PURCHASE_NOT_MET


def test_quantity_tiers_count_eligible_units() -> None:
    tiers = [
        {"tier_name": "3+", "min_quantity": 3, "discount_type": "percent", "discount_value": "10"},
        {"tier_name": "6+", "min_quantity": 6, "discount_type": "percent", "discount_value": "15"},
    ]
    result = run(cart(latte(quantity=2), croissant(quantity=4)), [_tiers("quantity", tiers)])
    assert result.applied[0].details["tier"] == "6+"
    assert result.total_discount == Decimal("16500")


def test_free_product_tier_discounts_it_or_offers_it() -> None:
    tiers = [
        {
            "tier_name": "Treat",
            "min_amount": "50000",
            "discount_type": "free_product",
            "free_product_id": str(MUFFIN),
            "free_product_name": "Muffin",
        }
    ]
    offered = run(cart(latte(quantity=2)), [_tiers(tiers=tiers)])
    assert [o.product_id for o in offered.free_item_offers] == [MUFFIN]
    free_croissant = [
        {
            "tier_name": "Treat",
            "min_amount": "50000",
            "discount_type": "free_product",
            "free_product_id": str(CROISSANT),
        }
    ]
    given = run(cart(latte(quantity=2), croissant()), [_tiers(tiers=free_croissant)])
    assert line_discounts(given)["croissant"] == Decimal("15000")


def test_points_multiplier_tier_is_a_reward() -> None:
    tiers = [
        {
            "tier_name": "Double",
            "min_amount": "10000",
            "discount_type": "points_multiplier",
            "points_multiplier": "2",
        }
    ]
    result = run(cart(latte()), [_tiers(tiers=tiers)])
    assert [(r.kind, r.multiplier) for r in result.rewards] == [
        (RewardKind.POINTS_MULTIPLIER, Decimal("2"))
    ]
    assert result.total_discount == 0


def _happy(**rules: Any) -> Any:
    return promotion(
        "HH",
        rules={"type": "happy_hour", "time_start": "15:00", "time_end": "17:00", **rules},
        scope=BEVERAGES_SCOPE,
    )


def test_happy_hour_inside_its_window_only() -> None:
    inside = cart(latte(quantity=2), evaluated_at=datetime(2026, 3, 3, 15, 30))
    outside = cart(latte(quantity=2), evaluated_at=datetime(2026, 3, 3, 17, 0))
    assert discount_of(run(inside, [_happy(discount_percent="50")]), "HH") == Decimal("25000")
    assert (
        reason_of(run(outside, [_happy(discount_percent="50")]), "HH")
        is ReasonCode.OUTSIDE_TIME_WINDOW
    )


def test_happy_hour_special_price_and_amount_per_unit() -> None:
    inside = cart(latte(quantity=2), croissant(), evaluated_at=datetime(2026, 3, 3, 16, 0))
    assert run(inside, [_happy(special_price="18000")]).total_discount == Decimal("14000")
    assert run(inside, [_happy(discount_amount="3000")]).total_discount == Decimal("6000")


def test_happy_hour_window_crossing_midnight_and_its_weekday() -> None:
    late = cart(
        latte(), evaluated_at=datetime(2026, 3, 4, 0, 30)
    )  # Wednesday 00:30 = Tuesday night
    assert applied_codes(
        run(
            late,
            [_happy(time_start="22:00", time_end="01:00", days_of_week=[2], discount_percent="10")],
        )
    ) == ["HH"]
    wrong = run(
        late,
        [_happy(time_start="22:00", time_end="01:00", days_of_week=[3], discount_percent="10")],
    )
    assert reason_of(wrong, "HH") is ReasonCode.WRONG_DAY


def test_happy_hour_and_validity_windows_must_both_hold() -> None:
    promo = promotion(
        "HH",
        rules={
            "type": "happy_hour",
            "time_start": "15:00",
            "time_end": "17:00",
            "discount_percent": "10",
        },
        validity={
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "time_start": "16:00",
            "time_end": "20:00",
        },
    )
    assert (
        reason_of(run(cart(latte(), evaluated_at=datetime(2026, 3, 3, 15, 30)), [promo]), "HH")
        is ReasonCode.OUTSIDE_TIME_WINDOW
    )
    assert applied_codes(
        run(cart(latte(), evaluated_at=datetime(2026, 3, 3, 16, 30)), [promo])
    ) == ["HH"]
