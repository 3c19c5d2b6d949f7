"""The replay's arithmetic: outcomes per cart in, totals by promotion and type, latencies out.

Pure (no I/O). Money is Decimal in the store currency's major unit, as the checkout answered
it; latencies are milliseconds. Percentiles are nearest-rank (p50 of 1..100 ms is 50 ms).
A checkout answered as a retry of an earlier run (``replayed``) counts as replayed and in the
discount totals, but not in :attr:`ReplayStats.new_by_promotion`: HO already counted it before
this run, so only new redemptions may move HO's analytics.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank ``p``-th percentile (0 < p <= 100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True)
class Redemption:
    """One promotion redeemed by a checkout: bill discount and non-bill reward (cashback)."""

    promotion_id: UUID
    code: str
    promo_type: str
    discount: Decimal
    reward: Decimal = Decimal(0)


@dataclass(slots=True)
class Totals:
    """Uses and amounts of one promotion or one type."""

    uses: int = 0
    discount: Decimal = Decimal(0)
    reward: Decimal = Decimal(0)

    def add(self, redemption: Redemption) -> None:
        """Count one redemption."""
        self.uses += 1
        self.discount += redemption.discount
        self.reward += redemption.reward


@dataclass(slots=True)
class ReplayStats:
    """Everything the replay measured (see the module docstring for what counts where)."""

    carts: int = 0
    replayed: int = 0
    discounted: int = 0
    errors: int = 0
    retries: int = 0
    error_samples: list[str] = field(default_factory=list)
    evaluate_checkout_differ: int = 0
    total_discount: Decimal = Decimal(0)
    total_reward: Decimal = Decimal(0)
    evaluate_ms: list[float] = field(default_factory=list)
    checkout_ms: list[float] = field(default_factory=list)
    by_type: dict[str, Totals] = field(default_factory=dict)
    by_promotion: dict[UUID, Totals] = field(default_factory=dict)
    new_by_promotion: dict[UUID, Totals] = field(default_factory=dict)
    codes: dict[UUID, tuple[str, str]] = field(default_factory=dict)

    def error(self, message: str, keep: int = 5) -> None:
        """Count a failed cart, keeping the first ``keep`` messages."""
        self.errors += 1
        if len(self.error_samples) < keep:
            self.error_samples.append(message)

    def checkout(
        self,
        redemptions: Sequence[Redemption],
        *,
        replayed: bool,
        evaluated_discount: Decimal | None = None,
        checkout_discount: Decimal | None = None,
    ) -> None:
        """Count one recorded checkout and its redemptions.

        ``evaluated_discount``/``checkout_discount``: the bill discounts evaluate promised and
        checkout granted, when both are known (a difference is counted, not an error: the
        checkout re-evaluates with the store's clock and limits; a replayed answer is the
        first run's and is not compared).
        """
        self.carts += 1
        self.replayed += replayed
        if not replayed and evaluated_discount is not None and checkout_discount is not None:
            self.evaluate_checkout_differ += evaluated_discount != checkout_discount
        if any(r.discount > 0 or r.reward > 0 for r in redemptions):
            self.discounted += 1
        for r in redemptions:
            self.total_discount += r.discount
            self.total_reward += r.reward
            self.codes[r.promotion_id] = (r.code, r.promo_type)
            self.by_type.setdefault(r.promo_type, Totals()).add(r)
            self.by_promotion.setdefault(r.promotion_id, Totals()).add(r)
            if not replayed:
                self.new_by_promotion.setdefault(r.promotion_id, Totals()).add(r)

    def latency(self, name: str, p: float) -> float | None:
        """Percentile ``p`` of ``evaluate`` or ``checkout`` latencies (ms)."""
        return percentile(self.evaluate_ms if name == "evaluate" else self.checkout_ms, p)

    def summary(self, currency: str, seconds: float) -> list[str]:
        """Printable summary lines."""
        rate = self.carts / seconds if seconds > 0 else 0.0
        lines = [
            f"receipts replayed: {self.carts} ({self.replayed} already recorded by an earlier "
            f"run) in {seconds:.1f}s = {rate:.1f}/s; errors: {self.errors}; checkout retries: "
            f"{self.retries}",
            f"carts with a discount or reward: {self.discounted}; total discount "
            f"{self.total_discount} {currency}, rewards {self.total_reward} {currency}",
            f"checkout granted another discount than evaluate: {self.evaluate_checkout_differ}",
        ]
        for name in ("evaluate", "checkout"):
            p50, p99 = self.latency(name, 50), self.latency(name, 99)
            lines.append(f"{name:8} latency p50 {_ms(p50)} p99 {_ms(p99)}")
        lines.append(f"{'type':18} {'uses':>7} {'discount':>12} {'reward':>10}")
        for promo_type, t in sorted(self.by_type.items()):
            lines.append(f"{promo_type:18} {t.uses:>7} {t.discount:>12} {t.reward:>10}")
        lines += [f"error: {message}" for message in self.error_samples]
        return lines


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} ms"
