"""The running state of one evaluation alternative: what is left on each line, which units
bundles hold, and what is left of shared campaign budgets.

``remaining`` (minor units per line) is authoritative: it only decreases and never goes below
zero. To value *units*, each line's remaining amount is also kept in buckets (raw units): the
units no bundle has consumed (``free``/``free_value``) and, per bundle promotion, the units it
holds (``held``). A line-wide discount (percent, amount, tier, payment) lowers every bucket of
the line in proportion; a bundle's discount lowers only the bucket of the units it holds. So a
latte made free by a buy-one-get-one is worth its own price even if a combo discounted the
other latte of the same line, and after 10 % off a line of two lattes each is worth 22,500.
"""

from __future__ import annotations

from uuid import UUID

from promoflow_evaluator.engine.calendar import Clock
from promoflow_evaluator.engine.cart import Cart, Line
from promoflow_evaluator.engine.context import EngineContext
from promoflow_evaluator.engine.explain import Fmt
from promoflow_evaluator.engine.money import RAW, half_up_div
from promoflow_evaluator.engine.outcome import Miss


class Env:
    """Read-only facts shared by every step of one evaluation. (Plain classes with an
    explicit ``__init__`` here: see :mod:`.outcome` on why not dataclasses.)"""

    __slots__ = ("budget_exhausted", "cart", "clock", "context", "fmt", "happy_hours")

    def __init__(
        self,
        cart: Cart,
        context: EngineContext,
        fmt: Fmt,
        happy_hours: dict[int, Miss | None] | None = None,
    ) -> None:
        self.cart = cart
        self.context = context
        self.fmt = fmt
        #: the cart's store-local moment as windows and weekdays judge it
        self.clock = Clock(cart.local, context.country_code)
        #: per-cart memo of happy-hour time verdicts by ``HappyHourRule.time_key``
        self.happy_hours: dict[int, Miss | None] = {} if happy_hours is None else happy_hours
        #: ``UUID.int`` of the campaigns whose remaining redemptions or amount the context
        #: gives as 0 or less (see :attr:`.Promo.campaign_key`; ``UUID.__hash__`` is Python)
        exhausted: set[int] = set()
        for cid, count in context.remaining_budget_redemptions.items():
            if count <= 0:
                exhausted.add(cid.int)
        for cid, amount in context.remaining_budget_amount.items():
            if amount <= 0:
                exhausted.add(cid.int)
        self.budget_exhausted = exhausted


class Ledger:
    """Mutable per-alternative state (one per stacking alternative, see :mod:`.stacking`).

    ``held`` maps ``(line index, holder)`` to ``[units, raw value]`` where the holder is the
    rank of the bundle promotion that consumed the units.
    """

    __slots__ = (
        "budget_amounts",
        "budget_redemptions",
        "budgets_loaded",
        "consumed_by",
        "context",
        "free",
        "free_value",
        "held",
        "holders",
        "lines",
        "remaining",
    )

    def __init__(
        self,
        lines: tuple[Line, ...],
        remaining: list[int],
        free: list[int],
        free_value: list[int],
        context: EngineContext,
    ) -> None:
        self.lines = lines
        self.remaining = remaining
        self.free = free
        self.free_value = free_value
        self.context = context
        #: what is left of the campaign budgets this alternative touched, keyed by the
        #: campaign's ``UUID.int`` and loaded from the context on first use (:meth:`budget`)
        self.budget_redemptions: dict[int, int] = {}
        self.budget_amounts: dict[int, int] = {}
        self.budgets_loaded: set[int] = set()
        self.held: dict[tuple[int, int], list[int]] = {}
        self.holders: dict[int, list[int]] = {}
        self.consumed_by: dict[int, list[str]] = {}

    @classmethod
    def start(cls, cart: Cart, context: EngineContext) -> Ledger:
        """Fresh state: nothing discounted, nothing consumed, full campaign budgets.

        Budget amounts are converted to minor units rounding down, so the engine never grants
        more than the budget. A campaign's budget is copied from the context when the
        alternative first touches it (:meth:`load_budget`).
        """
        lines = cart.lines
        remaining = [line.gross for line in lines]
        return cls(
            lines,
            remaining,
            [line.quantity for line in lines],
            [gross * RAW for gross in remaining],
            context,
        )

    def load_budget(self, key: int, campaign: UUID) -> None:
        """Copy campaign ``campaign``'s remaining redemptions and amount (minor units) from the
        context, keyed by ``key`` (its ``UUID.int``), unless this alternative already has them.
        (Keyed by int: ``UUID.__hash__`` is Python code; this hashes the UUID once per campaign
        per alternative instead of on every look-up.)"""
        if key in self.budgets_loaded:
            return
        self.budgets_loaded.add(key)
        context = self.context
        redemptions = context.remaining_budget_redemptions.get(campaign)
        if redemptions is not None:
            self.budget_redemptions[key] = redemptions
        amount = context.budget_minor.get(campaign)
        if amount is not None:
            self.budget_amounts[key] = amount

    # ---------------------------------------------------------------- line-wide values

    def base(self, idx: int, original: bool) -> int:
        """Minor amount a line-wide promotion computes on for line ``idx``: the original line
        amount for ``compounding = original``, otherwise what earlier promotions left."""
        return self.lines[idx].gross if original else self.remaining[idx]

    def value(self, idx: int, units: int, original: bool) -> int:
        """Raw value of ``units`` of line ``idx`` for line-wide promotions (the line's base
        shared evenly by its units)."""
        line = self.lines[idx]
        base = line.gross if original else self.remaining[idx]
        if units == line.quantity:
            return base * RAW
        return half_up_div(base * units * RAW, line.quantity)

    def unit_key(self, idx: int, original: bool) -> int:
        """Sort key for "cheapest"/"most expensive" among whole lines: one unit's value."""
        return self.value(idx, 1, original)

    # ---------------------------------------------------------------- bundle units

    def unit_value(self, idx: int, units: int, original: bool, holder: int | None) -> int:
        """Raw value of ``units`` bundle units of line ``idx``: unconsumed units (``holder``
        None, used while choosing sets) or units held by bundle ``holder``."""
        if original:
            return self.lines[idx].unit_price * units * RAW
        if holder is None:
            count, value = self.free[idx], self.free_value[idx]
        else:
            count, value = self.held.get((idx, holder), (0, 0))
        if count <= 0:
            return 0
        if units == count:
            return value
        return half_up_div(value * units, count)

    def consume(self, idx: int, units: int, holder: int, code: str) -> None:
        """Move ``units`` unconsumed units of line ``idx`` to bundle ``holder``."""
        value = self.unit_value(idx, units, False, None)
        self.free[idx] -= units
        self.free_value[idx] -= value
        bucket = self.held.setdefault((idx, holder), [0, 0])
        bucket[0] += units
        bucket[1] += value
        owners = self.holders.setdefault(idx, [])
        if holder not in owners:
            owners.append(holder)
        self.consumed_by.setdefault(idx, []).append(code)

    def take(self, idx: int, amount: int, holder: int | None) -> None:
        """Book ``amount`` minor units off line ``idx``: off the holder's units for a bundle,
        else off every bucket of the line in proportion to its value."""
        self.remaining[idx] -= amount
        raw = amount * RAW
        if holder is not None and (idx, holder) in self.held:
            bucket = self.held[(idx, holder)]
            bucket[1] = max(0, bucket[1] - raw)
            return
        owners = self.holders.get(idx)
        if not owners:
            self.free_value[idx] = max(0, self.free_value[idx] - raw)
            return
        buckets = [self.held[(idx, h)] for h in owners]
        total = self.free_value[idx] + sum(b[1] for b in buckets)
        if total <= 0:
            return
        left = raw
        for bucket in buckets:
            part = raw * bucket[1] // total
            bucket[1] = max(0, bucket[1] - part)
            left -= part
        self.free_value[idx] = max(0, self.free_value[idx] - left)
