"""The running state of one evaluation alternative: what is left on each line, which units
bundles have consumed, and what is left of shared campaign budgets.

Every line's units share its remaining amount evenly: after 10 % off a line of two lattes, each
latte is worth 22,500 to later promotions. ``remaining`` only ever decreases and never goes
below zero; ``free`` counts the units no bundle promotion has consumed yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from promoflow_evaluator.engine.cart import Cart, Line
from promoflow_evaluator.engine.context import EngineContext
from promoflow_evaluator.engine.explain import Fmt
from promoflow_evaluator.engine.money import RAW, half_up_div


@dataclass(frozen=True, slots=True)
class Env:
    """Read-only facts shared by every step of one evaluation."""

    cart: Cart
    context: EngineContext
    fmt: Fmt


@dataclass(slots=True)
class Ledger:
    """Mutable per-alternative state (one per stacking alternative, see :mod:`.stacking`)."""

    lines: tuple[Line, ...]
    remaining: list[int]
    free: list[int]
    budget_redemptions: dict[UUID, int]
    budget_amounts: dict[UUID, int]
    consumed_by: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def start(cls, cart: Cart, context: EngineContext) -> Ledger:
        """Fresh state: nothing discounted, nothing consumed, full campaign budgets.

        Budget amounts are converted to minor units rounding down, so the engine never grants
        more than the budget.
        """
        amounts: dict[UUID, int] = {}
        for cid, amount in context.remaining_budget_amount.items():
            scaled = amount.scaleb(context.digits)
            amounts[cid] = max(0, int(scaled.to_integral_value(rounding="ROUND_FLOOR")))
        return cls(
            lines=cart.lines,
            remaining=[line.gross for line in cart.lines],
            free=[line.quantity for line in cart.lines],
            budget_redemptions=dict(context.remaining_budget_redemptions),
            budget_amounts=amounts,
        )

    def base(self, idx: int, original: bool) -> int:
        """Minor amount a promotion computes on for line ``idx``: the original line amount for
        ``compounding = original``, otherwise what earlier promotions left."""
        return self.lines[idx].gross if original else self.remaining[idx]

    def value(self, idx: int, units: int, original: bool) -> int:
        """Raw value of ``units`` of line ``idx`` (the line's base shared evenly by its units)."""
        line = self.lines[idx]
        base = line.gross if original else self.remaining[idx]
        if units == line.quantity:
            return base * RAW
        return half_up_div(base * units * RAW, line.quantity)

    def unit_key(self, idx: int, original: bool) -> int:
        """Sort key for "cheapest"/"most expensive": raw value of one unit."""
        return self.value(idx, 1, original)
