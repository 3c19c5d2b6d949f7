"""EngineContext: places checked once per (time zone, country), budgets converted on demand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from promoflow_evaluator.engine.errors import InvalidContext
from tests.factories import uid
from tests.unit.engine.builders import context


def test_a_known_place_is_checked_once_and_an_unknown_one_is_still_refused() -> None:
    # given a context built for Jakarta, ID (its place is now remembered)
    first = context()
    # when the same place is used again, and then unknown zones or countries
    second = context()
    # then the zone is the same object, and unknown ones raise every time
    assert second.zone is first.zone
    assert str(second.zone) == "Asia/Jakarta"
    for _ in range(2):
        with pytest.raises(InvalidContext, match="time zone"):
            context(timezone="Mars/Olympus")
        with pytest.raises(InvalidContext, match="holiday calendar"):
            context(country_code="XX")
    # an unknown zone is reported before an unknown country
    with pytest.raises(InvalidContext, match="time zone"):
        context(timezone="Mars/Olympus", country_code="XX")


def test_budget_amounts_are_minor_units_rounded_down_never_negative() -> None:
    # given budgets in major units, one below zero, one with a fraction of the minor unit
    ctx = context(
        currency="USD",
        remaining_budget_amount={
            uid("c1"): Decimal("12.349"),
            uid("c2"): Decimal("-3"),
            uid("c3"): Decimal("0"),
        },
    )
    # when read in minor units
    # then rounded down, at least 0, and None for a campaign without a budget
    assert ctx.budget_minor.get(uid("c1")) == 1234
    assert ctx.budget_minor.get(uid("c2")) == 0
    assert ctx.budget_minor.get(uid("c3")) == 0
    assert ctx.budget_minor.get(uid("c4")) is None
