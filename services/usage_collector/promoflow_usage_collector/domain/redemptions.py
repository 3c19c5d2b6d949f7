"""Redemption state: which redemptions count, and the usage changes a batch of events makes.

A redemption counts while a ``RedemptionRecorded`` was seen for it and no ``RedemptionVoided``.
Rules (DESIGN.md "usage_collector"; the chosen rules where the seeds are silent):

- Events are deduplicated by ``event_id`` before they get here (``processed_events``); this
  module also deduplicates by ``redemption_id``: a second ``RedemptionRecorded`` for the same
  redemption (a producer that re-created the event with a new id) changes nothing.
- A void subtracts exactly what the recorded redemption added (its amounts, store, brand,
  customer and business date are taken from the stored redemption, not from the void, which
  lacks ``cart_total`` and ``brand_id``). A second void changes nothing.
- A void that arrives before its redemption (or without one) is remembered: the redemption is
  then recorded as already voided and never counts.
- Money is ``Decimal`` in the currency's major unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple
from uuid import UUID

from promoflow_contracts.events import (
    RedemptionRecorded,
    RedemptionRecordedData,
    RedemptionVoided,
    RedemptionVoidedData,
)

RedemptionEvent = RedemptionRecorded | RedemptionVoided


class Redemption(NamedTuple):
    """What the collector keeps of one redemption (a row of ``usage.redemptions``).

    ``recorded``: a ``RedemptionRecorded`` was seen; ``voided``: a ``RedemptionVoided`` was
    seen. ``cart_total`` and ``brand_id`` are unknown (None) for a void-only redemption.
    Immutable; a named tuple rather than a frozen dataclass because the ingest path builds one
    per event (about 1 us instead of 5 us).
    """

    redemption_id: UUID
    promotion_id: UUID
    store_id: UUID
    brand_id: UUID | None
    campaign_id: UUID | None
    customer_id: str | None
    business_date: date
    currency: str
    discount: Decimal
    reward: Decimal
    cart_subtotal: Decimal
    cart_total: Decimal | None
    redeemed_at: datetime | None
    verified: bool
    recorded: bool
    voided: bool
    voided_at: datetime | None = None

    @property
    def counts(self) -> bool:
        """True while the redemption counts towards usage (recorded and not voided)."""
        return self.recorded and not self.voided

    @classmethod
    def from_recorded(cls, data: RedemptionRecordedData) -> Redemption:
        """The state right after ``RedemptionRecorded``."""
        return cls(
            redemption_id=data.redemption_id,
            promotion_id=data.promotion_id,
            store_id=data.store_id,
            brand_id=data.brand_id,
            campaign_id=data.campaign_id,
            customer_id=data.customer_id,
            business_date=data.business_date,
            currency=data.currency,
            discount=data.discount_amount,
            reward=data.reward_amount,
            cart_subtotal=data.cart_subtotal,
            cart_total=data.cart_total,
            redeemed_at=data.redeemed_at,
            verified=data.verified,
            recorded=True,
            voided=False,
        )

    @classmethod
    def from_void(cls, data: RedemptionVoidedData) -> Redemption:
        """A redemption known only from its void (its record has not arrived)."""
        return cls(
            redemption_id=data.redemption_id,
            promotion_id=data.promotion_id,
            store_id=data.store_id,
            brand_id=None,
            campaign_id=None,
            customer_id=data.customer_id,
            business_date=data.business_date,
            currency=data.currency,
            discount=data.discount_amount,
            reward=data.reward_amount,
            cart_subtotal=data.cart_subtotal,
            cart_total=None,
            redeemed_at=None,
            verified=True,
            recorded=False,
            voided=True,
            voided_at=data.voided_at,
        )


@dataclass(frozen=True, slots=True)
class UsageChange:
    """``redemption`` starts (``sign`` +1) or stops (``sign`` -1) counting."""

    sign: int
    redemption: Redemption


@dataclass(slots=True)
class RedemptionOutcome:
    """New states to store (by redemption id) and the usage changes, in event order."""

    states: dict[UUID, Redemption] = field(default_factory=dict)
    changes: list[UsageChange] = field(default_factory=list)


def apply_redemption_events(
    known: Mapping[UUID, Redemption], events: Iterable[RedemptionEvent]
) -> RedemptionOutcome:
    """Fold ``events`` (in topic order) over the ``known`` states of their redemptions.

    ``known`` must hold the stored state of every redemption id the events name that the
    database has. Returns only the states that changed.
    """
    current: dict[UUID, Redemption] = dict(known)
    outcome = RedemptionOutcome()
    for event in events:
        if isinstance(event, RedemptionRecorded):
            new, change = _record(current.get(event.data.redemption_id), event.data)
        else:
            new, change = _void(current.get(event.data.redemption_id), event.data)
        if new is None:
            continue
        current[new.redemption_id] = new
        outcome.states[new.redemption_id] = new
        if change is not None:
            outcome.changes.append(change)
    return outcome


def _record(
    stored: Redemption | None, data: RedemptionRecordedData
) -> tuple[Redemption | None, UsageChange | None]:
    if stored is not None and stored.recorded:
        return None, None  # the same redemption again: counted once
    new = Redemption.from_recorded(data)
    if stored is not None and stored.voided:
        # its void came first: remember both, count nothing
        return new._replace(voided=True, voided_at=stored.voided_at), None
    return new, UsageChange(+1, new)


def _void(
    stored: Redemption | None, data: RedemptionVoidedData
) -> tuple[Redemption | None, UsageChange | None]:
    if stored is None:
        return Redemption.from_void(data), None
    if stored.voided:
        return None, None
    new = stored._replace(voided=True, voided_at=data.voided_at)
    return new, (UsageChange(-1, stored) if stored.recorded else None)
