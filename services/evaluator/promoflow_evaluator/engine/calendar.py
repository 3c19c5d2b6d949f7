"""Store-local calendar: evaluation time in the store's zone, daily windows, holidays.

Rules (``Validity`` docstring of the contracts, DESIGN.md):

* A window ``start..end`` includes ``start`` and excludes ``end``. When ``end < start`` it
  crosses midnight, and the part after midnight belongs to the day the window started: Monday
  22:00-02:00 covers Tuesday 01:30 as *Monday*, so Monday's date, weekday and holiday status
  decide.
* National holidays come from the ``holidays`` library for the store's country (computed, no
  I/O; cached per country and year).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from promoflow_evaluator.engine.errors import MissingEvaluationTime

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def national_holidays(country_code: str, year: int) -> frozenset[date]:
    """The national public holidays of ``country_code`` in ``year``.

    Raises ``NotImplementedError`` (from ``holidays``) for a country it does not know.
    """
    return frozenset(holidays.country_holidays(country_code, years=year).keys())


def local_time(evaluated_at: datetime | None, now: datetime | None, zone: ZoneInfo) -> datetime:
    """The evaluation moment in the store's zone.

    A naive ``evaluated_at`` is read as store-local; an aware one is converted; without one,
    the context's ``now`` is used (raises :class:`MissingEvaluationTime` if that is None too).
    """
    moment = evaluated_at if evaluated_at is not None else now
    if moment is None:
        raise MissingEvaluationTime("the cart has no evaluated_at and the context has no now")
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


_DAY_NAMES = ("", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekday_names(days: frozenset[int]) -> str:
    """ISO weekdays as ``"Saturday, Sunday"``."""
    return ", ".join(_DAY_NAMES[d] for d in sorted(days))


def _micros(clock: time | datetime) -> int:
    """Microseconds since midnight of ``clock``'s wall time."""
    return ((clock.hour * 60 + clock.minute) * 60 + clock.second) * 1_000_000 + clock.microsecond


class Clock:
    """The facts of one store-local evaluation moment that windows, weekdays and holidays are
    judged on, computed once per cart (``datetime`` attributes and methods are not compiled
    code; these are plain ints and dates). ``country_code`` names the national holidays."""

    __slots__ = (
        "country_code",
        "micros",
        "moment",
        "text",
        "today",
        "today_weekday",
        "yesterday",
        "yesterday_weekday",
    )

    def __init__(self, moment: datetime, country_code: str) -> None:
        self.moment = moment
        self.country_code = country_code
        self.today = moment.date()
        self.yesterday = self.today - _ONE_DAY
        self.today_weekday = self.today.isoweekday()
        self.yesterday_weekday = 7 if self.today_weekday == 1 else self.today_weekday - 1
        #: wall time in microseconds since midnight (what :meth:`Window.offset` compares)
        self.micros = _micros(moment)
        #: ``"%H:%M"`` of the moment, for reasons
        self.text = f"{moment.hour:02d}:{moment.minute:02d}"

    def day(self, offset: int) -> date:
        """The business day of a window :meth:`Window.offset` placed the moment in."""
        return self.today if offset == 0 else self.yesterday

    def weekday(self, offset: int) -> int:
        """ISO weekday of :meth:`day`."""
        return self.today_weekday if offset == 0 else self.yesterday_weekday


@dataclass(frozen=True, slots=True)
class Window:
    """A daily time window, ``start`` inclusive, ``end`` exclusive, store-local."""

    start: time
    end: time
    #: ``"22:00-02:00"``, for reasons.
    text: str = field(init=False, compare=False, repr=False)
    #: ``start``/``end`` in microseconds since midnight (what :meth:`offset` compares)
    start_us: int = field(init=False, compare=False, repr=False)
    end_us: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", f"{self.start:%H:%M}-{self.end:%H:%M}")
        object.__setattr__(self, "start_us", _micros(self.start))
        object.__setattr__(self, "end_us", _micros(self.end))

    def day_of(self, moment: datetime) -> date | None:
        """The day whose window holds ``moment`` (the previous day for the part after midnight
        of a crossing window), or None when ``moment`` is outside the window."""
        offset = self.offset(_micros(moment))
        if offset < 0:
            return None
        return moment.date() - _ONE_DAY if offset else moment.date()

    def offset(self, micros: int) -> int:
        """Where a wall time (microseconds since midnight, :attr:`Clock.micros`) falls: 0 in
        the window of its own day, 1 in the part after midnight of the previous day's
        (crossing) window, -1 outside."""
        start = self.start_us
        end = self.end_us
        if start < end:
            return 0 if start <= micros < end else -1
        if micros >= start:
            return 0
        if micros < end:
            return 1
        return -1
