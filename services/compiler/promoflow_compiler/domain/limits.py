"""Applying a collector's ``LimitStateChanged`` to a promotion's ``LimitState`` (pure).

``max_uses`` and ``campaign_budget`` switch ``total_exhausted``; ``max_uses_per_day`` adds or
removes the ``(business_date, store_id)`` pair in ``exhausted_days`` (``store_id`` None =
across stores). Days more than :data:`KEEP_DAYS` before the event's business date are
dropped, so the list stays short (a daily limit only matters on its own day).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from promoflow_contracts.events import LimitStateChangedData
from promoflow_contracts.promotion import ExhaustedDay, LimitState

KEEP_DAYS = 7


class LimitEventError(ValueError):
    """The event cannot be applied (names the field)."""


def apply_limit_event(
    state: LimitState, data: LimitStateChangedData, occurred_at: datetime
) -> LimitState:
    """The state after the event; equal to ``state`` (but for ``updated_at``) if it was
    already so. Raises :class:`LimitEventError` for a daily event without a business date."""
    exhausted = data.state == "exhausted"
    if data.limit in ("max_uses", "campaign_budget"):
        return LimitState(
            total_exhausted=exhausted, exhausted_days=state.exhausted_days, updated_at=occurred_at
        )
    if data.business_date is None:
        raise LimitEventError("data.business_date: required for max_uses_per_day")
    day = ExhaustedDay(business_date=data.business_date, store_id=data.store_id)
    horizon = data.business_date - timedelta(days=KEEP_DAYS)
    days = {d for d in state.exhausted_days if d.business_date >= horizon and d != day}
    if exhausted:
        days.add(day)
    ordered = sorted(days, key=lambda d: (d.business_date, str(d.store_id or "")))
    return LimitState(
        total_exhausted=state.total_exhausted, exhausted_days=ordered, updated_at=occurred_at
    )


def same_state(a: LimitState, b: LimitState) -> bool:
    """True when ``a`` and ``b`` differ at most in ``updated_at``."""
    return (a.total_exhausted, a.exhausted_days) == (b.total_exhausted, b.exhausted_days)
