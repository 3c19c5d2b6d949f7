"""The index's date filter: candidates are exactly the promotions filed for the cart within
HORIZON_DAYS of their validity dates, whichever period of the narrowed tables the day is in."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from promoflow_contracts.promotion import CompiledPromotion
from promoflow_evaluator.engine.cart import prepare_cart
from promoflow_evaluator.engine.index import BUCKET_DAYS, HORIZON_DAYS, PromotionIndex
from tests.factories import CROISSANT, LATTE, SAMPLE_RULES, cart, line, promotion
from tests.unit.engine.builders import context

CTX = context()


def _window(code: str, start: date, end: date, rules: str) -> CompiledPromotion:
    return promotion(
        code,
        SAMPLE_RULES[rules],
        validity={"start_date": start.isoformat(), "end_date": end.isoformat()},
    )


def test_candidates_are_the_promotions_near_their_dates_on_every_day_of_several_periods() -> None:
    # given "always" and product-filed promotions with short windows around period edges
    base = date(2026, 1, 1)
    docs = []
    for i in range(12):
        start = base + timedelta(days=9 * i)
        end = start + timedelta(days=3 + i % 4 * 5)
        docs.append(_window(f"ALL{i}", start, end, "percent_discount"))
        docs.append(_window(f"COMBO{i}", start + timedelta(days=3), end, "combo"))
    index = PromotionIndex.build(docs)
    # when the same cart is evaluated on every day from before the first to after the last
    for offset in range(-20, 4 * BUCKET_DAYS + 20):
        day = base + timedelta(days=offset)
        request = cart(
            line("1", LATTE, 30000),
            line("2", CROISSANT, 20000),
            evaluated_at=datetime(day.year, day.month, day.day, 12, 0),
        )
        found = [p.code for p in index.candidates(prepare_cart(request, CTX))]
        # then they are exactly those within HORIZON_DAYS of their dates, in evaluation order
        ordinal = day.toordinal()
        expected = [
            p.code
            for p in index.promotions
            if p.start_day <= ordinal + HORIZON_DAYS and p.end_day >= ordinal - HORIZON_DAYS
        ]
        assert found == expected, day
    assert len(index._buckets) >= 4
