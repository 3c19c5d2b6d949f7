"""Derived figures of the analytics reports: ratios and averages, exact and rounded half-up."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from promoflow_usage_collector.exceptions import InvalidDateRange

RATIO_PLACES = Decimal("0.0001")
MONEY_PLACES = Decimal("0.01")
#: Longest date range a report accepts (days, inclusive).
MAX_RANGE_DAYS = 3660


def ratio(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """``numerator / denominator`` to 4 places (half-up); None when the denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES, ROUND_HALF_UP)


def average(total: Decimal, count: int) -> Decimal | None:
    """``total / count`` to 2 places (half-up); None when ``count`` is 0 or negative."""
    if count <= 0:
        return None
    return (total / count).quantize(MONEY_PLACES, ROUND_HALF_UP)


def check_range(date_from: date, date_to: date) -> None:
    """Raise :class:`InvalidDateRange` (field ``date_to``) for a reversed or too long range."""
    if date_to < date_from:
        raise InvalidDateRange("date_to", "must not be before date_from")
    if (date_to - date_from).days + 1 > MAX_RANGE_DAYS:
        raise InvalidDateRange("date_to", f"the range may span at most {MAX_RANGE_DAYS} days")
