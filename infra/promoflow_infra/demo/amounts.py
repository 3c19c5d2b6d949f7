"""The demo's money, per currency: thresholds, caps and payment methods in round local amounts.

A London takeaway and a Surabaya McDonald's need the same promotions in different money:
"20% off curries over £25, at most £5" is "20% off burgers over Rp 150.000, at most
Rp 30.000". Amounts are Decimal in the currency's major unit. Set prices (combo, package,
mix & match, upsell) are derived from the menu and rounded *down* to :attr:`Amounts.step`,
so they always save the customer something.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal


@dataclass(frozen=True, slots=True)
class Amounts:
    """Round amounts of one currency (major unit) for the demo promotions."""

    currency: str
    #: Set prices are multiples of this.
    step: Decimal
    percent_min_purchase: Decimal
    percent_cap: Decimal
    unit_amount_off: Decimal
    free_item_min_purchase: Decimal
    cashback_cap: Decimal
    payment_min_purchase: Decimal
    payment_cap: Decimal
    payment_methods: tuple[str, ...]
    #: Every payment method a replayed cart may use (``payment_methods`` among them).
    all_payment_methods: tuple[str, ...]
    #: (minimum cart amount, percent off, cap) per threshold tier, increasing.
    tiers: tuple[tuple[Decimal, Decimal, Decimal], ...]

    def floor(self, amount: Decimal) -> Decimal:
        """``amount`` rounded down to a multiple of :attr:`step` (at least one step)."""
        steps = (amount / self.step).to_integral_value(rounding=ROUND_FLOOR)
        return max(steps, Decimal(1)) * self.step


D = Decimal
GBP = Amounts(
    currency="GBP",
    step=D("0.05"),
    percent_min_purchase=D(25),
    percent_cap=D(5),
    unit_amount_off=D("0.50"),
    free_item_min_purchase=D(15),
    cashback_cap=D(5),
    payment_min_purchase=D(20),
    payment_cap=D(3),
    payment_methods=("CARD",),
    all_payment_methods=("CARD", "CASH"),
    tiers=((D(40), D(5), D(4)), (D(60), D(10), D(8)), (D(80), D(15), D(15))),
)
IDR = Amounts(
    currency="IDR",
    step=D(500),
    percent_min_purchase=D(150_000),
    percent_cap=D(30_000),
    unit_amount_off=D(5_000),
    free_item_min_purchase=D(100_000),
    cashback_cap=D(25_000),
    payment_min_purchase=D(75_000),
    payment_cap=D(20_000),
    payment_methods=("OVO", "GOPAY"),
    all_payment_methods=("OVO", "GOPAY", "QRIS", "CASH"),
    tiers=(
        (D(200_000), D(5), D(20_000)),
        (D(350_000), D(10), D(40_000)),
        (D(500_000), D(15), D(75_000)),
    ),
)
USD = Amounts(
    currency="USD",
    step=D("0.05"),
    percent_min_purchase=D(15),
    percent_cap=D(3),
    unit_amount_off=D("0.50"),
    free_item_min_purchase=D(10),
    cashback_cap=D(3),
    payment_min_purchase=D(10),
    payment_cap=D(2),
    payment_methods=("CARD",),
    all_payment_methods=("CARD", "CASH"),
    tiers=((D(20), D(5), D(2)), (D(30), D(10), D(4)), (D(45), D(15), D(8))),
)
BY_CURRENCY = {a.currency: a for a in (GBP, IDR, USD)}


def amounts_for(currency: str) -> Amounts:
    """The demo amounts of ``currency``; raises ``KeyError`` for a currency the demo lacks."""
    return BY_CURRENCY[currency]
