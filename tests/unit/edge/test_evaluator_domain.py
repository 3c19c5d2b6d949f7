"""Pure service logic of the evaluator: allowances, descriptions, availability, events."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from promoflow_contracts.checkout import CheckoutRequest
from promoflow_evaluator.domain.availability import available
from promoflow_evaluator.domain.describe import describe, money
from promoflow_evaluator.domain.events import request_hash
from promoflow_evaluator.domain.limits import LocalUsage, allowances, is_limited
from promoflow_evaluator.domain.pos_contract import number, to_evaluate_request
from promoflow_evaluator.schemas import SeedCart
from tests.factories import LATTE, STORE_ID, promotion, uid

JAKARTA = ZoneInfo("Asia/Jakarta")
CAMPAIGN = uid("campaign")


def test_total_allowance_subtracts_ho_count_and_the_store_uses_ho_has_not_seen() -> None:
    promo = promotion("LIM", limits={"max_uses": 100, "current_uses": 90})
    allowed = allowances([promo], LocalUsage(pending={promo.id: 4}))
    assert allowed.remaining_uses == {promo.id: 6}


def test_daily_customer_and_campaign_allowances_come_from_their_counts() -> None:
    promo = promotion(
        "MIX",
        limits={"max_uses_per_day": 10, "max_uses_per_customer": 2},
        campaign={
            "campaign_id": str(CAMPAIGN),
            "budget_redemptions": 50,
            "budget_amount": "1000000",
        },
    )
    usage = LocalUsage(
        today={promo.id: 3},
        campaign_count={CAMPAIGN: 20},
        campaign_amount={CAMPAIGN: Decimal("250000")},
    )
    allowed = allowances([promo], usage, customer_uses={promo.id: 2})
    assert allowed.remaining_uses_today == {promo.id: 7}
    assert allowed.remaining_uses_customer == {promo.id: 0}
    assert allowed.remaining_budget_redemptions == {CAMPAIGN: 30}
    assert allowed.remaining_budget_amount == {CAMPAIGN: Decimal("750000")}


def test_per_customer_limits_are_not_checked_without_a_customer() -> None:
    promo = promotion("PC", limits={"max_uses_per_customer": 1})
    assert allowances([promo], LocalUsage()).remaining_uses_customer == {}
    assert is_limited(promo) and not is_limited(promotion("FREE"))


def test_descriptions_read_like_a_pos_display() -> None:
    capped = promotion(
        "P",
        rules={
            "type": "percent_discount",
            "discount_percent": "12.5",
            "max_discount_amount": "50000",
            "min_purchase": "100000",
        },
        validity={
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "days_of_week": [1, 2, 3, 4, 5],
            "time_start": "14:00",
            "time_end": "17:00",
        },
    )
    assert describe(capped) == (
        "12.5% off all items (max Rp 50.000), min. purchase Rp 100.000 · Mon-Fri · 14:00-17:00"
    )
    bogo = promotion("B", rules={"type": "buy_x_get_y", "buy_quantity": 2, "get_quantity": 1})
    assert describe(bogo) == "Buy 2 all items, get 1 free"
    assert money(Decimal("7.5"), "GBP") == "£7.50"


def test_availability_follows_dates_days_and_windows_crossing_midnight() -> None:
    late = promotion(
        "LATE",
        validity={
            "start_date": "2026-03-01",
            "end_date": "2026-03-31",
            "days_of_week": [2],
            "time_start": "22:00",
            "time_end": "02:00",
        },
    )
    tuesday_night = datetime(2026, 3, 3, 23, 0, tzinfo=JAKARTA)
    wednesday_early = datetime(2026, 3, 4, 1, 30, tzinfo=JAKARTA)  # still Tuesday's window
    wednesday_night = datetime(2026, 3, 4, 23, 0, tzinfo=JAKARTA)
    assert available(late, tuesday_night, "ID", STORE_ID)
    assert available(late, wednesday_early, "ID", STORE_ID)
    assert not available(late, wednesday_night, "ID", STORE_ID)
    assert not available(promotion("OFF", is_active=False), tuesday_night, "ID", STORE_ID)


def test_a_retry_with_a_new_timestamp_hashes_the_same_but_another_cart_does_not() -> None:
    base = {
        "store_id": str(STORE_ID),
        "transaction_id": "T",
        "lines": [{"line_id": "1", "product_id": str(LATTE), "unit_price": "25000", "quantity": 1}],
    }
    first = CheckoutRequest.model_validate({**base, "evaluated_at": "2026-03-03T12:00:00"})
    retry = CheckoutRequest.model_validate({**base, "evaluated_at": "2026-03-03T12:00:05"})
    other = CheckoutRequest.model_validate({**base, "lines": [{**base["lines"][0], "quantity": 2}]})  # type: ignore[dict-item]
    assert request_hash(first) == request_hash(retry) != request_hash(other)


def test_a_seed_cart_maps_to_the_contract_with_positions_as_line_ids() -> None:
    cart = SeedCart.model_validate(
        {
            "items": [{"product_id": str(LATTE), "name": "Latte", "price": 25000, "quantity": 2}],
            "subtotal": 1,
            "customer": {"id": "c1", "is_member": True, "tier": "gold"},
        }
    )
    request = to_evaluate_request(cart, STORE_ID)
    assert request.lines[0].line_id == "1" and request.lines[0].unit_price == 25000
    assert request.customer is not None and request.customer.tier == "gold"
    assert number(Decimal("15000.00")) == 15000 and number(Decimal("7.95")) == 7.95
