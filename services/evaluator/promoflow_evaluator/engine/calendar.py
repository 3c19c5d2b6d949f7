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


@dataclass(frozen=True, slots=True)
class Window:
    """A daily time window, ``start`` inclusive, ``end`` exclusive, store-local."""

    start: time
    end: time
    #: ``"22:00-02:00"``, for reasons.
    text: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", f"{self.start:%H:%M}-{self.end:%H:%M}")

    def day_of(self, moment: datetime) -> date | None:
        """The day whose window holds ``moment`` (the previous day for the part after midnight
        of a crossing window), or None when ``moment`` is outside the window."""
        clock = moment.time().replace(tzinfo=None)
        if self.start < self.end:
            return moment.date() if self.start <= clock < self.end else None
        if clock >= self.start:
            return moment.date()
        if clock < self.end:
            return moment.date() - _ONE_DAY
        return None
