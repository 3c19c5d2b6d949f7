"""Usage limits and campaign budgets, cart errors, empty carts, cash rounding, result shape."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.results import ReasonCode
from promoflow_evaluator.engine import (
    AmountPrecisionError,
    CurrencyMismatch,
    InvalidContext,
    MissingEvaluationTime,
    PromotionIndex,
    StoreMismatch,
    evaluate,
)
from tests.factories import LATTE, OTHER_STORE_ID, STORE_ID, cart, promotion, uid
from tests.unit.engine.builders import (
    applied_codes,
    context,
    croissant,
    discount_of,
    latte,
    miss_of,
    run,
)

TEN = {"type": "percent_discount", "discount_percent": "10"}
CAMPAIGN = uid("campaign-ramadan")


def test_empty_cart_evaluates_to_zero() -> None:
    result = run(cart(), [promotion("P", rules=TEN)])
    zero = Decimal(0)
    assert (result.subtotal, result.total_discount, result.total, result.payable) == (
        zero,
        zero,
        zero,
        zero,
    )
    assert result.lines == []
    assert result.applied == []
    assert miss_of(result, "P").reason_code is ReasonCode.NO_ELIGIBLE_ITEMS


@pytest.mark.parametrize(
    ("field", "value"),
    [("quantity", 0), ("quantity", -1), ("unit_price", "0"), ("unit_price", "-5000")],
)
def test_zero_or_negative_quantities_and_prices_are_rejected_by_the_contract(
    field: str, value: Any
) -> None:
    data = {
        "store_id": str(STORE_ID),
        "lines": [
            {
                "line_id": "1",
                "product_id": str(LATTE),
                "unit_price": "25000",
                "quantity": 1,
                field: value,
            }
        ],
    }
    with pytest.raises(ValidationError, match=f"lines.0.{field}"):
        EvaluateRequest.model_validate(data)


def test_price_finer_than_the_minor_unit_is_a_clear_engine_error() -> None:
    with pytest.raises(AmountPrecisionError, match="line latte unit_price"):
        run(cart(latte(price="25000.50")), [])


def test_cart_in_another_currency_is_refused() -> None:
    with pytest.raises(CurrencyMismatch):
        run(cart(latte(), currency="GBP"), [])


def test_cart_of_another_store_is_refused() -> None:
    request = EvaluateRequest(store_id=OTHER_STORE_ID, lines=[latte()])
    with pytest.raises(StoreMismatch):
        evaluate(request, PromotionIndex.build([]), context())


def test_cart_without_time_needs_the_context_clock() -> None:
    request = EvaluateRequest(store_id=STORE_ID, lines=[latte()])
    with pytest.raises(MissingEvaluationTime):
        evaluate(request, PromotionIndex.build([]), context(now=None))
    assert evaluate(request, PromotionIndex.build([]), context()).evaluated_at.hour == 12


@pytest.mark.parametrize(
    "overrides",
    [
        {"timezone": "Mars/Olympus"},
        {"currency": "XXX"},
        {"rounding_unit": Decimal("0.5")},
        {"country_code": "QQ"},
    ],
)
def test_unusable_context_is_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(InvalidContext):
        context(**overrides)


def test_usage_allowances_from_the_service_stop_a_promotion() -> None:
    promo = promotion("P", rules=TEN)
    for field, reason in [
        ("remaining_uses", ReasonCode.USAGE_LIMIT_REACHED),
        ("remaining_uses_today", ReasonCode.DAILY_LIMIT_REACHED),
        ("remaining_uses_customer", ReasonCode.CUSTOMER_LIMIT_REACHED),
    ]:
        result = run(cart(latte()), [promo], context(**{field: {promo.id: 0}}))
        assert miss_of(result, "P").reason_code is reason
    assert applied_codes(run(cart(latte()), [promo], context(remaining_uses={promo.id: 1}))) == [
        "P"
    ]


def test_limit_state_from_ho_stops_a_promotion_for_the_day_or_for_good() -> None:
    exhausted = promotion("P", rules=TEN, limit_state={"total_exhausted": True})
    assert (
        miss_of(run(cart(latte()), [exhausted]), "P").reason_code is ReasonCode.USAGE_LIMIT_REACHED
    )
    today = promotion(
        "P",
        rules=TEN,
        limit_state={"exhausted_days": [{"business_date": date(2026, 3, 3).isoformat()}]},
    )
    assert miss_of(run(cart(latte()), [today]), "P").reason_code is ReasonCode.DAILY_LIMIT_REACHED


def _campaign_promo(code: str, percent: str, priority: int = 500) -> Any:
    return promotion(
        code,
        rules={"type": "percent_discount", "discount_percent": percent},
        campaign={"campaign_id": str(CAMPAIGN), "budget_amount": "1000000"},
        execution_priority=priority,
    )


def test_budget_smaller_than_the_discount_shrinks_it_and_says_so() -> None:
    ctx = context(remaining_budget_amount={CAMPAIGN: Decimal("3000")})
    result = run(cart(latte(quantity=2)), [_campaign_promo("RAM", "20")], ctx)
    assert discount_of(result, "RAM") == Decimal("3000")
    assert result.applied[0].budget_limited is True
    assert "campaign budget" in result.applied[0].reason


def test_budget_is_shared_by_the_campaign_promotions_in_priority_order() -> None:
    ctx = context(remaining_budget_amount={CAMPAIGN: Decimal("12000")})
    result = run(
        cart(latte(quantity=2)), [_campaign_promo("A", "20", 900), _campaign_promo("B", "10")], ctx
    )
    assert (discount_of(result, "A"), discount_of(result, "B")) == (
        Decimal("10000"),
        Decimal("2000"),
    )


def test_budget_redemptions_run_out_within_the_cart() -> None:
    ctx = context(remaining_budget_redemptions={CAMPAIGN: 1})
    result = run(
        cart(latte(quantity=2)), [_campaign_promo("A", "20", 900), _campaign_promo("B", "10")], ctx
    )
    assert applied_codes(result) == ["A"]
    assert miss_of(result, "B").reason_code is ReasonCode.BUDGET_EXHAUSTED


def test_exhausted_budget_does_not_apply() -> None:
    ctx = context(remaining_budget_amount={CAMPAIGN: Decimal("0")})
    assert (
        miss_of(run(cart(latte()), [_campaign_promo("A", "20")], ctx), "A").reason_code
        is ReasonCode.BUDGET_EXHAUSTED
    )


def test_campaign_without_redemptions_left_does_not_apply_and_others_still_do() -> None:
    # given a context whose campaign has no redemptions left, and a promotion outside it
    ctx = context(remaining_budget_redemptions={CAMPAIGN: 0})
    outside = promotion("FREE", rules={"type": "percent_discount", "discount_percent": "5"})
    # when both are evaluated
    result = run(cart(latte()), [_campaign_promo("A", "20"), outside], ctx)
    # then the campaign's promotion is rejected for its budget and the other applies
    assert miss_of(result, "A").reason_code is ReasonCode.BUDGET_EXHAUSTED
    assert applied_codes(result) == ["FREE"]


def test_cash_rounding_is_reported_apart_from_discounts() -> None:
    promo = promotion("P", rules={"type": "percent_discount", "discount_percent": "7"})
    result = run(
        cart(latte(), croissant(price=15150)), [promo], context(cash_rounding_unit=Decimal(100))
    )
    # 40.150 - 2.811 (7 %) = 37.339 -> payable 37.300
    assert (result.total_discount, result.total, result.cash_rounding, result.payable) == (
        Decimal("2811"),
        Decimal("37339"),
        Decimal("-39"),
        Decimal("37300"),
    )


def test_lines_keep_the_request_order_and_allocations_follow_applied() -> None:
    promos = [promotion("A", rules=TEN, execution_priority=900), promotion("B", rules=TEN)]
    result = run(cart(latte("z"), croissant("a")), promos)
    assert [ln.line_id for ln in result.lines] == ["z", "a"]
    assert [a.amount for a in result.lines[0].allocations] == [Decimal("2500"), Decimal("2250")]


def test_modifiers_are_part_of_the_unit_price_for_percent_discounts() -> None:
    shot = latte(modifiers=[{"name": "Extra shot", "price": "4000", "quantity": 2}])
    result = run(cart(shot), [promotion("P", rules=TEN)])
    assert result.lines[0].unit_price == Decimal("33000")
    assert result.total_discount == Decimal("3300")


def test_index_keeps_the_highest_version_of_a_promotion() -> None:
    old = promotion("P", rules=TEN, version=1)
    new = promotion("P", rules={"type": "percent_discount", "discount_percent": "20"}, version=2)
    assert run(cart(latte()), [new, old]).total_discount == Decimal("5000")
