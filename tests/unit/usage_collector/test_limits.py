"""Limit decisions: exhausted at the maximum, available again below it, announced once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from promoflow_usage_collector.domain.limits import (
    LimitKey,
    LimitObservation,
    desired_state,
    limit_event,
    limit_transitions,
)
from tests.factories import STORE_ID
from tests.unit.usage_collector.builders import PROMO_ID

TOTAL = LimitKey(PROMO_ID, "max_uses")
DAILY = LimitKey(PROMO_ID, "max_uses_per_day", date(2026, 3, 3), STORE_ID)


def test_a_limit_is_exhausted_when_uses_reach_the_maximum() -> None:
    assert desired_state(9, 10) == "available"
    assert desired_state(10, 10) == "exhausted"
    assert desired_state(12, 10) == "exhausted"
    assert desired_state(10**6, None) == "available"


def test_reaching_the_maximum_is_announced_once() -> None:
    # given nothing announced yet
    # when the 10th use of max_uses=10 is observed
    first = limit_transitions({}, [LimitObservation(TOTAL, 10, 10)])
    # then one exhausted transition; and observing 11 after announcing it gives none
    assert [(t.key, t.state, t.uses) for t in first] == [(TOTAL, "exhausted", 10)]
    assert limit_transitions({TOTAL: "exhausted"}, [LimitObservation(TOTAL, 11, 10)]) == []


def test_a_void_below_the_maximum_makes_the_limit_available_again() -> None:
    # given an exhausted limit
    # when a void brings uses to 9 of 10
    transitions = limit_transitions({TOTAL: "exhausted"}, [LimitObservation(TOTAL, 9, 10)])
    # then it becomes available
    assert [t.state for t in transitions] == ["available"]


def test_a_removed_limit_makes_an_exhausted_key_available() -> None:
    transitions = limit_transitions({DAILY: "exhausted"}, [LimitObservation(DAILY, 5, None)])
    assert [t.state for t in transitions] == ["available"]


def test_below_the_maximum_nothing_is_announced() -> None:
    assert limit_transitions({}, [LimitObservation(DAILY, 2, 3)]) == []


def test_daily_keys_name_their_date_and_store() -> None:
    assert DAILY.scope_key == f"2026-03-03/{STORE_ID}"
    assert LimitKey(PROMO_ID, "max_uses_per_day", date(2026, 3, 3)).scope_key == "2026-03-03"
    assert TOTAL.scope_key == ""


def test_the_event_carries_limit_date_and_store() -> None:
    # given an exhausted daily transition
    (transition,) = limit_transitions({}, [LimitObservation(DAILY, 3, 3)])
    # when it becomes an event
    event = limit_event(transition, producer="usage-collector/test", at=datetime.now(UTC))
    # then the event names the limit, state, uses, maximum, date and store
    data = event.data
    assert (data.limit, data.state, data.uses, data.max_uses) == (
        "max_uses_per_day",
        "exhausted",
        3,
        3,
    )
    assert (data.business_date, data.store_id, data.promotion_id) == (
        date(2026, 3, 3),
        STORE_ID,
        PROMO_ID,
    )
