"""When a promotion's validity has ended, in the time zones of the stores it targets.

Validity dates are store-local (contract: ``Validity``). A promotion has *ended* once its
``end_date`` is over in every targeted store's zone (for Indonesia: at midnight WIB, the last
of WIB/WITA/WIT). Chosen rule for the start: a promotion is published as soon as it is
activated, even with a future ``start_date``: the edge engine checks validity itself
(``NOT_STARTED``), and stores that are offline at the start still apply it on time.
The scheduler therefore only withdraws ended promotions and (re)publishes active ones that
are unpublished and not ended.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from promoflow_compiler.domain.master import MasterData
from promoflow_compiler.domain.spec import PromotionSpec
from promoflow_compiler.domain.targeting import targeted_stores


def zones_for(spec: PromotionSpec, master: MasterData) -> list[str]:
    """IANA zones of the stores ``spec`` targets (the company's zone if none)."""
    zones = sorted({s.timezone for s in targeted_stores(spec.targeting, master)})
    return zones or [master.company.timezone]


def local_dates(zones: Iterable[str], now: datetime) -> list[date]:
    """Today's date in each zone (``now`` must be timezone-aware)."""
    return [now.astimezone(ZoneInfo(zone)).date() for zone in zones]


def has_ended(end_date: date, zones: Iterable[str], now: datetime) -> bool:
    """True when ``end_date`` is in the past in every one of ``zones``."""
    return all(today > end_date for today in local_dates(zones, now))


def has_started(start_date: date, zones: Iterable[str], now: datetime) -> bool:
    """True when ``start_date`` has arrived in at least one of ``zones``."""
    return any(today >= start_date for today in local_dates(zones, now))
