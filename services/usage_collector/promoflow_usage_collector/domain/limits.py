"""Usage limits: when a promotion's counted uses make a limit exhausted or available again.

A limit is *exhausted* when ``uses >= maximum`` and *available* otherwise (also when the
promotion has no such limit any more). The collector remembers the last state it announced
per limit key and emits ``LimitStateChanged`` only on a change, so the first state of a key is
"available" and never announced.

- ``max_uses`` counts every store for the whole life of the promotion (key: promotion).
- ``max_uses_per_day`` counts one store-local ``business_date``. The seeds are ambiguous about
  whether a daily limit is per store or across stores (the edge schema counts ``usage_date``
  in each store's own database, i.e. per store; the HO roadmap only compiles the number).
  Chosen rule: **per store** by default (:attr:`DailyScope.STORE`, key: promotion, date,
  store), because that is what a store can enforce by itself while offline and what its
  cashiers see; ``DailyScope.ALL_STORES`` (key: promotion, date; ``store_id`` None in the
  event, as the contract provides) is a setting for chains that mean a chain-wide daily cap.
  A daily limit needs no "available" event the next day: the exhausted key names its date.
- A void that brings a count back under its maximum makes the limit available again; so does a
  republished promotion with a higher (or no) maximum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal
from uuid import UUID

from promoflow_contracts.events import LimitStateChanged, LimitStateChangedData

LimitName = Literal["max_uses", "max_uses_per_day"]
LimitStateName = Literal["exhausted", "available"]


class DailyScope(StrEnum):
    """What ``max_uses_per_day`` counts: each store's day, or the day across all stores."""

    STORE = "store"
    ALL_STORES = "all_stores"


@dataclass(frozen=True, slots=True)
class LimitKey:
    """One limit of one promotion: ``max_uses``, or ``max_uses_per_day`` for one date (and
    one store under :attr:`DailyScope.STORE`)."""

    promotion_id: UUID
    limit: LimitName
    business_date: date | None = None
    store_id: UUID | None = None

    @property
    def sort_key(self) -> tuple[UUID, str, str]:
        """Order of keys: promotion, limit, date/store (lock order in the database)."""
        return (self.promotion_id, self.limit, self.scope_key)

    @property
    def scope_key(self) -> str:
        """Stable text form of the date/store part: ``""``, ``"2026-03-03"`` or
        ``"2026-03-03/<store id>"`` (part of the primary key of ``usage.limit_states``)."""
        if self.business_date is None:
            return ""
        if self.store_id is None:
            return self.business_date.isoformat()
        return f"{self.business_date.isoformat()}/{self.store_id}"


@dataclass(frozen=True, slots=True)
class LimitObservation:
    """The counted ``uses`` of a limit key now, and its ``maximum`` (None = no limit)."""

    key: LimitKey
    uses: int
    maximum: int | None


@dataclass(frozen=True, slots=True)
class LimitTransition:
    """A limit key changed state; ``uses``/``maximum`` are the figures that changed it."""

    key: LimitKey
    state: LimitStateName
    uses: int
    maximum: int | None


def desired_state(uses: int, maximum: int | None) -> LimitStateName:
    """``exhausted`` when a maximum exists and ``uses`` reached it, else ``available``."""
    return "exhausted" if maximum is not None and uses >= maximum else "available"


def limit_transitions(
    announced: Mapping[LimitKey, LimitStateName], observations: Iterable[LimitObservation]
) -> list[LimitTransition]:
    """The keys whose desired state differs from the ``announced`` one (default available).

    Sorted by key, one transition per key (the last observation of a key wins).
    """
    latest = {obs.key: obs for obs in observations}
    out: list[LimitTransition] = []
    for key in sorted(latest, key=lambda k: k.sort_key):
        obs = latest[key]
        state = desired_state(obs.uses, obs.maximum)
        if state != announced.get(key, "available"):
            out.append(LimitTransition(key, state, obs.uses, obs.maximum))
    return out


def limit_event(
    transition: LimitTransition,
    *,
    producer: str,
    at: datetime,
    campaign_id: UUID | None = None,
) -> LimitStateChanged:
    """The ``LimitStateChanged`` announcing ``transition`` (``at`` must be timezone-aware)."""
    key = transition.key
    return LimitStateChanged(
        occurred_at=at,
        producer=producer,
        data=LimitStateChangedData(
            promotion_id=key.promotion_id,
            limit=key.limit,
            state=transition.state,
            uses=max(transition.uses, 0),
            max_uses=transition.maximum,
            business_date=key.business_date,
            store_id=key.store_id,
            campaign_id=campaign_id,
        ),
    )
