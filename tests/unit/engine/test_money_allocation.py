"""Exact money: conversions, half-up rounding to the rounding unit, largest-remainder splits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from promoflow_evaluator.engine.allocation import allocate
from promoflow_evaluator.engine.errors import AmountPrecisionError
from promoflow_evaluator.engine.money import (
    RAW,
    format_money,
    from_minor,
    round_raw,
    round_to_unit,
    to_minor,
)


def test_major_amounts_convert_exactly_to_minor_units() -> None:
    assert to_minor(Decimal("25000"), 0, what="price") == 25000
    assert to_minor(Decimal("7.95"), 2, what="price") == 795
    assert from_minor(795, 2) == Decimal("7.95")


def test_amount_finer_than_the_minor_unit_is_a_clear_error() -> None:
    with pytest.raises(AmountPrecisionError, match=r"unit_price 25000\.5 is finer"):
        to_minor(Decimal("25000.5"), 0, what="unit_price")


@pytest.mark.parametrize(
    ("raw_minor", "unit", "expected"),
    [
        (Decimal("1234.5"), 1, 1235),  # half goes up
        (Decimal("1234.49"), 1, 1234),
        (Decimal("12349"), 100, 12300),
        (Decimal("12350"), 100, 12400),  # half of the rounding unit goes up
        (Decimal("0"), 100, 0),
    ],
)
def test_discounts_round_half_up_to_the_rounding_unit(
    raw_minor: Decimal, unit: int, expected: int
) -> None:
    assert round_raw(int(raw_minor * RAW), unit) == expected


def test_cash_rounding_rounds_half_up_to_the_cash_unit() -> None:
    assert round_to_unit(40_050, 100) == 40_100
    assert round_to_unit(40_049, 100) == 40_000


def test_money_reads_as_a_cashier_writes_it() -> None:
    assert format_money(1_500_000, "IDR", 0) == "Rp 1.500.000"
    assert format_money(795, "GBP", 2) == "£7.95"


def test_allocation_sums_exactly_and_gives_leftover_units_to_largest_remainders() -> None:
    # given 100 split over three equal lines
    shares = allocate(100, [1, 1, 1], [1000, 1000, 1000])
    # then the shares sum exactly and the extra unit goes to the first line (tie by position)
    assert shares == [34, 33, 33]


def test_allocation_never_takes_a_line_below_zero() -> None:
    # given a line that has only 10 left but the largest weight
    shares = allocate(60, [90, 10, 10], [10, 100, 100])
    assert shares[0] == 10
    assert sum(shares) == 60
    assert all(s <= c for s, c in zip(shares, [10, 100, 100], strict=True))


def test_allocation_skips_lines_without_weight() -> None:
    assert allocate(50, [0, 5], [100, 100]) == [0, 50]


def test_allocating_more_than_is_left_is_a_bug() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        allocate(300, [1, 1], [100, 100])
