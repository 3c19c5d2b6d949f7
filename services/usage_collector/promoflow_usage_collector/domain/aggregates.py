"""Aggregate deltas of a batch: what to add to each counter row, summed per row key.

Keys (business dates are the store-local ``business_date`` of the redemption or evaluation):

- daily usage: (promotion, business date, store, brand) -> uses, discount, reward, gross sales
  (sum of ``cart_subtotal``), net sales (sum of ``cart_total``)
- distinct customers are not aggregated here: the analytics queries count them from the stored
  redemption states (``usage.redemptions``), which already hold one row per redemption
- customer totals: (customer, promotion) -> uses, discount (per-customer limits)
- promotion totals: promotion -> the same amounts as daily usage (``max_uses``)
- evaluations: (promotion, business date, store) -> evaluated, applied, discount shown, cart
  value of the carts where it applied / did not apply; reasons: (..., reason code) -> skipped

A void is a change with sign -1, so it subtracts exactly what its redemption added. Rows whose
delta is all zero (recorded and voided in one batch) are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from promoflow_contracts.events import EvaluationLogged
from promoflow_usage_collector.domain.redemptions import UsageChange

ZERO = Decimal(0)
#: Reason code stored for a skipped promotion whose evaluation gave none.
UNSPECIFIED_REASON = "unspecified"

DailyKey = tuple[UUID, date, UUID, UUID | None]
CustomerKey = tuple[str, UUID]
EvaluationKey = tuple[UUID, date, UUID]
ReasonKey = tuple[UUID, date, UUID, str]


@dataclass(slots=True)
class Amounts:
    """Counted uses and money (major unit) of redemptions."""

    uses: int = 0
    discount: Decimal = ZERO
    reward: Decimal = ZERO
    gross_sales: Decimal = ZERO
    net_sales: Decimal = ZERO

    def add(self, change: UsageChange) -> None:
        """Add (sign +1) or subtract (sign -1) one redemption."""
        r, sign = change.redemption, change.sign
        self.uses += sign
        self.discount += sign * r.discount
        self.reward += sign * r.reward
        self.gross_sales += sign * r.cart_subtotal
        self.net_sales += sign * (r.cart_total if r.cart_total is not None else ZERO)

    def is_zero(self) -> bool:
        """True when adding this changes nothing."""
        return not (self.uses or self.discount or self.reward or self.gross_sales or self.net_sales)


@dataclass(slots=True)
class CustomerAmounts:
    """A customer's counted uses and discount of one promotion, and their latest redemption."""

    uses: int = 0
    discount: Decimal = ZERO
    last_redeemed_at: datetime | None = None


@dataclass(slots=True)
class UsageDeltas:
    """What one batch of usage changes adds to each aggregate row."""

    daily: dict[DailyKey, Amounts] = field(default_factory=dict)
    customers: dict[CustomerKey, CustomerAmounts] = field(default_factory=dict)
    totals: dict[UUID, Amounts] = field(default_factory=dict)

    @property
    def promotion_ids(self) -> set[UUID]:
        """Promotions whose totals changed."""
        return set(self.totals)


def usage_deltas(changes: Iterable[UsageChange]) -> UsageDeltas:
    """Sum ``changes`` per aggregate row (see the module docstring for the keys)."""
    deltas = UsageDeltas()
    for change in changes:
        r = change.redemption
        daily_key = (r.promotion_id, r.business_date, r.store_id, r.brand_id)
        deltas.daily.setdefault(daily_key, Amounts()).add(change)
        deltas.totals.setdefault(r.promotion_id, Amounts()).add(change)
        if r.customer_id is None:
            continue
        customer = deltas.customers.setdefault((r.customer_id, r.promotion_id), CustomerAmounts())
        customer.uses += change.sign
        customer.discount += change.sign * r.discount
        if change.sign > 0 and r.redeemed_at is not None:
            latest = customer.last_redeemed_at
            customer.last_redeemed_at = (
                r.redeemed_at if latest is None else max(latest, r.redeemed_at)
            )
    deltas.daily = {k: v for k, v in deltas.daily.items() if not v.is_zero()}
    deltas.totals = {k: v for k, v in deltas.totals.items() if not v.is_zero()}
    deltas.customers = {
        k: v
        for k, v in deltas.customers.items()
        if v.uses or v.discount or v.last_redeemed_at is not None
    }
    return deltas


@dataclass(slots=True)
class EvaluationCounts:
    """How often a promotion was evaluated and applied, with the cart values (major unit)."""

    evaluated: int = 0
    applied: int = 0
    applied_discount: Decimal = ZERO
    applied_cart_value: Decimal = ZERO
    skipped_cart_value: Decimal = ZERO


@dataclass(slots=True)
class EvaluationDeltas:
    """What one batch of evaluation logs adds to the evaluation counters."""

    counts: dict[EvaluationKey, EvaluationCounts] = field(default_factory=dict)
    reasons: dict[ReasonKey, int] = field(default_factory=dict)


def evaluation_deltas(events: Iterable[EvaluationLogged]) -> EvaluationDeltas:
    """Count each promotion of each evaluation: applied, or skipped with its reason code.

    A promotion listed twice in one evaluation counts twice (the engine lists it once).
    """
    deltas = EvaluationDeltas()
    for event in events:
        data = event.data
        for item in data.promotions:
            key = (item.promotion_id, data.business_date, data.store_id)
            counts = deltas.counts.setdefault(key, EvaluationCounts())
            counts.evaluated += 1
            if item.applied:
                counts.applied += 1
                counts.applied_discount += item.discount_amount
                counts.applied_cart_value += data.cart_subtotal
            else:
                counts.skipped_cart_value += data.cart_subtotal
                reason = item.reason_code.value if item.reason_code else UNSPECIFIED_REASON
                reason_key = (*key, reason)
                deltas.reasons[reason_key] = deltas.reasons.get(reason_key, 0) + 1
    return deltas
