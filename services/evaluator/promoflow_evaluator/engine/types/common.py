"""Pieces shared by the promotion types: the ready state, minimum purchase, percent maths."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from promoflow_contracts.results import HintKind, ReasonCode
from promoflow_evaluator.engine.cart import Line
from promoflow_evaluator.engine.hints import near_amount
from promoflow_evaluator.engine.ledger import Env, Ledger
from promoflow_evaluator.engine.money import RAW, half_up_div
from promoflow_evaluator.engine.outcome import HintDraft, Miss


class Ready:
    """A promotion that passed its static checks: its eligible lines, type-specific data
    (e.g. the tier reached) and a hint to show even when it applies (the next tier).
    (An explicit ``__init__``: see :mod:`..outcome` on why not a dataclass.)"""

    __slots__ = ("data", "hint", "lines")

    def __init__(
        self, lines: tuple[Line, ...], data: Any = None, hint: HintDraft | None = None
    ) -> None:
        self.lines = lines
        self.data = data
        self.hint = hint


NO_ITEMS = Miss(ReasonCode.NO_ELIGIBLE_ITEMS, "no eligible items in the cart")


def min_purchase_met(minimum: int, on_cart_subtotal: bool, lines: Sequence[Line], env: Env) -> bool:
    """True when :func:`check_min_purchase` finds no miss (its fast path: no benefit text, no
    hint estimate needed)."""
    if minimum <= 0:
        return True
    if on_cart_subtotal:
        return env.cart.subtotal >= minimum
    return sum(line.gross for line in lines) >= minimum


def check_min_purchase(
    minimum: int,
    on_cart_subtotal: bool,
    lines: Sequence[Line],
    env: Env,
    benefit: Callable[[], str],
    potential: int | None = None,
) -> Miss | None:
    """Minimum purchase, inclusive, measured before any discount.

    ``on_cart_subtotal`` compares the whole cart's subtotal (the seeds' rule and the contract's
    default), otherwise the eligible lines' subtotal. Before discounts, so adding a promotion
    can never make the cart miss another's minimum. Near misses (at least half reached) hint
    "add Rp X more for <benefit>" (``benefit`` is called only then).
    """
    if minimum <= 0:
        return None
    measured = env.cart.subtotal if on_cart_subtotal else sum(line.gross for line in lines)
    if measured >= minimum:
        return None
    missing = minimum - measured
    fmt = env.fmt
    what = "cart subtotal" if on_cart_subtotal else "eligible items"
    hint = None
    if near_amount(measured, minimum):
        hint = HintDraft(
            HintKind.ADD_AMOUNT,
            f"add {fmt.money(missing)} more for {benefit()}",
            missing_amount=missing,
            potential=potential,
        )
    return Miss(
        ReasonCode.MIN_PURCHASE_NOT_MET,
        f"minimum purchase {fmt.money(minimum)} not met ({what} {fmt.money(measured)})",
        hint,
    )


def percent_weights(
    units: Sequence[tuple[Line, int]], percent: int, ledger: Ledger, original: bool
) -> dict[int, int]:
    """Raw percent discount per line for ``(line, units)`` pairs (units share the line)."""
    weights: dict[int, int] = {}
    for line, n in units:
        base = ledger.base(line.idx, original)
        raw = (
            base * percent if n == line.quantity else half_up_div(base * n * percent, line.quantity)
        )
        if raw > 0:
            weights[line.idx] = raw
    return weights


def value_weights(
    units: Sequence[tuple[Line, int]], ledger: Ledger, original: bool
) -> dict[int, int]:
    """Raw value per line of ``(line, units)`` pairs."""
    weights: dict[int, int] = {}
    for line, n in units:
        v = ledger.value(line.idx, n, original)
        if v > 0:
            weights[line.idx] = v
    return weights


def floor_minor(raw: int) -> int:
    """Raw amount down to whole minor units (limits never round up)."""
    return raw // RAW


def benefit_units(units: Sequence[tuple[Line, int]]) -> dict[int, int]:
    """``{line index: units}`` of the units that received a benefit."""
    return {line.idx: n for line, n in units}
