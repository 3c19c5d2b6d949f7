"""Applying the collector's limit events to a promotion's limit state."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from promoflow_compiler.domain.limits import LimitEventError, apply_limit_event, same_state
from promoflow_contracts.events import LimitStateChangedData
from promoflow_contracts.promotion import ExhaustedDay, LimitState
from tests.factories import STORE_ID, uid

AT = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)


def data(**fields: Any) -> LimitStateChangedData:
    return LimitStateChangedData.model_validate(
        {"promotion_id": str(uid("p")), "uses": 10, **fields}
    )


def test_total_limit_exhausted_then_available_again() -> None:
    exhausted = apply_limit_event(LimitState(), data(limit="max_uses", state="exhausted"), AT)
    assert exhausted.total_exhausted and exhausted.updated_at == AT
    available = apply_limit_event(exhausted, data(limit="max_uses", state="available"), AT)
    assert not available.total_exhausted


def test_campaign_budget_exhausts_the_promotion_too() -> None:
    assert apply_limit_event(
        LimitState(), data(limit="campaign_budget", state="exhausted"), AT
    ).total_exhausted


def test_daily_limit_records_and_clears_the_store_day() -> None:
    day = date(2026, 3, 3)
    first = apply_limit_event(
        LimitState(),
        data(
            limit="max_uses_per_day", state="exhausted", business_date=day, store_id=str(STORE_ID)
        ),
        AT,
    )
    assert first.exhausted_days == [ExhaustedDay(business_date=day, store_id=STORE_ID)]
    again = apply_limit_event(
        first,
        data(
            limit="max_uses_per_day", state="exhausted", business_date=day, store_id=str(STORE_ID)
        ),
        AT,
    )
    assert same_state(first, again)
    cleared = apply_limit_event(
        first,
        data(
            limit="max_uses_per_day", state="available", business_date=day, store_id=str(STORE_ID)
        ),
        AT,
    )
    assert cleared.exhausted_days == []


def test_old_exhausted_days_are_dropped() -> None:
    old = LimitState(exhausted_days=[ExhaustedDay(business_date=date(2026, 2, 1))])
    new = apply_limit_event(
        old, data(limit="max_uses_per_day", state="exhausted", business_date=date(2026, 3, 3)), AT
    )
    assert [d.business_date for d in new.exhausted_days] == [date(2026, 3, 3)]


def test_a_daily_event_without_a_business_date_is_refused() -> None:
    with pytest.raises(LimitEventError, match="business_date"):
        apply_limit_event(LimitState(), data(limit="max_uses_per_day", state="exhausted"), AT)
