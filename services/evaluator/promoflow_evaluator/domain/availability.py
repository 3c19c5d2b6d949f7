"""Is a promotion on offer at a given store-local moment? (for the POS list; pure)

The engine decides for a cart; this answers "should the POS show it now": active flag, the
date range, ISO weekdays, the daily window (a window crossing midnight belongs to the day it
started, as in the engine), the happy-hour window of a happy-hour rule, holidays when excluded
(national calendar of the store's country plus company dates) and HO's exhausted flags.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from uuid import UUID

import holidays

from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.rules import HappyHourRules


@lru_cache(maxsize=64)
def _national(country: str, year: int) -> frozenset[date]:
    try:
        return frozenset(holidays.country_holidays(country, years=year).keys())
    except NotImplementedError:
        return frozenset()


def _window_day(moment: datetime, start: time, end: time) -> date | None:
    """The day whose window holds ``moment``, or None outside the window."""
    clock = moment.time().replace(tzinfo=None)
    if start < end:
        return moment.date() if start <= clock < end else None
    if clock >= start:
        return moment.date()
    if clock < end:
        return moment.date() - timedelta(days=1)
    return None


def available(promotion: CompiledPromotion, moment: datetime, country: str, store_id: UUID) -> bool:
    """True when ``promotion`` can apply at ``moment`` (aware, in the store's zone) in the
    store ``store_id`` of ``country``."""
    if not promotion.is_active or promotion.limit_state.total_exhausted:
        return False
    validity = promotion.validity
    day: date | None = moment.date()
    if validity.time_start is not None and validity.time_end is not None:
        day = _window_day(moment, validity.time_start, validity.time_end)
    rules = promotion.rules
    days = validity.days_of_week
    if isinstance(rules, HappyHourRules):
        hour_day = _window_day(moment, rules.time_start, rules.time_end)
        day = hour_day if day is not None else None
        if (
            hour_day is not None
            and rules.days_of_week
            and hour_day.isoweekday() not in rules.days_of_week
        ):
            return False
    if day is None or not (validity.start_date <= day <= validity.end_date):
        return False
    if days and day.isoweekday() not in days:
        return False
    if validity.exclude_holidays and (
        day in _national(country, day.year) or day in validity.company_holidays
    ):
        return False
    return not any(
        exhausted.business_date == day and exhausted.store_id in (None, store_id)
        for exhausted in promotion.limit_state.exhausted_days
    )
