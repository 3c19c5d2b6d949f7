"""When a promotion may apply: dates, daily window, weekdays and holidays, store-local.

Order of checks (the first failure is the reason): the business date is the local calendar
date, or, inside a window that crossed midnight, the day the window started; then the date
range (``not_started``/``expired``), the window (``outside_time_window``), the weekday
(``wrong_day``) and the holiday exclusion (``holiday_excluded``: national holidays of the
store's country from ``holidays`` plus the promotion's ``company_holidays``).
"""

from __future__ import annotations

from datetime import date, datetime

from promoflow_contracts.results import ReasonCode
from promoflow_evaluator.engine.calendar import Clock, Window, national_holidays, weekday_names
from promoflow_evaluator.engine.model import Timing, ValidityRule
from promoflow_evaluator.engine.outcome import Miss

Failure = tuple[ReasonCode, str]


def is_holiday(day: date, country_code: str, company_days: frozenset[date]) -> bool:
    """True on a national holiday of ``country_code`` or one of the company's own dates."""
    return day in company_days or day in national_holidays(country_code, day.year)


def window_text(window: Window) -> str:
    """``"22:00-02:00"``."""
    return window.text


def days_text(days: frozenset[int]) -> str:
    """``"Saturday, Sunday"``."""
    return weekday_names(days)


def check_timing(
    timing: Timing, moment: datetime, country_code: str
) -> tuple[date, Failure | None]:
    """The business day at ``moment`` (the window's day inside a window crossing midnight)
    and the first failure of the window, weekday and holiday checks (None: all hold).

    The date range is checked in between by :func:`check_validity`, against the business
    day; this part is the same for every promotion sharing the (interned) ``timing``.
    """
    day, miss = judge_timing(timing, Clock(moment, country_code))
    return day, None if miss is None else (miss.code, miss.reason)


def judge_timing(timing: Timing, clock: Clock) -> tuple[date, Miss | None]:
    """:func:`check_timing` on a cart's :class:`Clock` (its moment's facts computed once),
    the failure as a :class:`Miss` (the wrong-day one is the timing's own, made once)."""
    window = timing.window
    offset = 0
    if window is not None:
        offset = window.offset(clock.micros)
        if offset < 0:
            return clock.today, Miss(
                ReasonCode.OUTSIDE_TIME_WINDOW,
                f"valid {window.text} only (now {clock.text})",
            )
    day = clock.day(offset)
    if timing.days is not None and clock.weekday(offset) not in timing.days:
        return day, timing.wrong_day
    if timing.exclude_holidays and is_holiday(day, clock.country_code, timing.company_holidays):
        return day, Miss(ReasonCode.HOLIDAY_EXCLUDED, f"not valid on holidays ({day.isoformat()})")
    return day, None


def check_dates(rule: ValidityRule, day: date) -> Failure | None:
    """The date range (inclusive) against the business ``day``."""
    if day < rule.start:
        return ReasonCode.NOT_STARTED, f"starts on {rule.start.isoformat()}"
    if day > rule.end:
        return ReasonCode.EXPIRED, f"ended on {rule.end.isoformat()}"
    return None


def check_validity(rule: ValidityRule, moment: datetime, country_code: str) -> Failure | None:
    """None when the promotion is in force at the store-local ``moment``, else the reason:
    the date range first (against the business day), then window, weekday, holidays."""
    day, failure = check_timing(rule.timing, moment, country_code)
    return check_dates(rule, day) or failure
