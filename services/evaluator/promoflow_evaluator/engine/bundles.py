"""Bundle promotions: plans that form sets of cart units, one set at a time.

A *set* is one application of a bundle promotion (one combo, one "buy 2 get 1", one package):
the units that trigger it and the units that receive its benefit, all of them consumed (a unit
is consumed by at most one bundle set, DESIGN.md). A :class:`BundlePlan` knows how to form the
next set from the units still free (:meth:`BundlePlan.next_set`) and what a set is worth at the
current line values (:meth:`BundlePlan.price`); :mod:`.bundle_search` decides how many sets of
which promotion the cart gets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any, NamedTuple

from promoflow_contracts.rules import RewardKind
from promoflow_evaluator.engine.cart import Line
from promoflow_evaluator.engine.ledger import Env, Ledger
from promoflow_evaluator.engine.model import Promo
from promoflow_evaluator.engine.money import RAW, half_up_div
from promoflow_evaluator.engine.outcome import Miss, OfferDraft
from promoflow_evaluator.engine.units import Units


def _no_lines(free: Sequence[int]) -> tuple[int, ...]:
    """The memo key of a plan without lines."""
    return ()


class BundleSet(NamedTuple):
    """One set: ``trigger`` and ``benefit`` units as sorted ``(line index, units)`` pairs, and
    ``units``, their union (what the set consumes). A named tuple: cheap to build, hashable."""

    trigger: Units
    benefit: Units
    units: Units


class BundlePlan:
    """How one bundle promotion forms sets in one evaluation alternative.

    ``lines`` are the canonical line indices the plan may ever touch (used to split the search
    into independent groups); ``max_sets`` None means as many sets as the cart holds.
    """

    __slots__ = (
        "_cache",
        "_getter",
        "_prepared",
        "env",
        "holder",
        "ledger",
        "lines",
        "max_sets",
        "original",
        "promo",
    )

    def __init__(self, promo: Promo, ledger: Ledger, env: Env, lines: frozenset[int]) -> None:
        self.promo = promo
        self.ledger = ledger
        self.env = env
        self.lines = lines
        self.original = promo.original_amounts
        self.max_sets: int | None = None
        #: None while sets are chosen (units valued as unconsumed units); the promotion's rank
        #: once its units are consumed (valued as the units it holds).
        self.holder: int | None = None
        self._cache: dict[tuple[int, tuple[int, ...]], BundleSet | None] = {}
        self._prepared = False
        #: the free counts of the plan's lines, as a tuple (the memo key of :meth:`next_set`);
        #: made with the first set (most plans of the screening's bundle check never get there)
        self._getter: Callable[[Sequence[int]], tuple[int, ...]] = _no_lines

    # -- to implement per type ------------------------------------------------------------

    def impossible(self) -> bool:
        """True when unit counts alone show the whole cart cannot form a set (cheap check
        before :meth:`next_set`; then :meth:`incomplete` says why)."""
        return False

    def prepare(self) -> None:
        """Compute the unit orders :meth:`form` walks (called once, before the first set)."""

    def form(self, free: list[int] | tuple[int, ...], made: int) -> BundleSet | None:
        """The next set from ``free`` units (counts per canonical line), given ``made`` sets."""
        raise NotImplementedError

    def price(self, bundle: BundleSet) -> tuple[int, dict[int, int]]:
        """Raw discount of one set at the current line values, and per-line raw weights."""
        raise NotImplementedError

    def incomplete(self) -> Miss:
        """Why the cart cannot form even one set (with a near-miss hint when close)."""
        raise NotImplementedError

    def describe(self, sets: list[BundleSet]) -> tuple[str, dict[str, Any]]:
        """Readable reason and structured details for the applied sets."""
        raise NotImplementedError

    def offers(self, sets: list[BundleSet], free: list[int]) -> list[OfferDraft]:
        """Free items earned but not in the cart (free-item promotions only)."""
        return []

    # -- shared ---------------------------------------------------------------------------

    def next_set(self, free: list[int] | tuple[int, ...], made: int) -> BundleSet | None:
        """:meth:`form` with the cap on sets applied, memoised on the free units it can see."""
        if self.max_sets is not None and made >= self.max_sets:
            return None
        if not self._prepared:
            self.prepare()
            self._prepared = True
            order = sorted(self.lines)
            if len(order) == 1:
                only = order[0]
                self._getter = lambda free: (free[only],)
            elif order:
                self._getter = itemgetter(*order)
        key = (made, self._getter(free))
        try:
            return self._cache[key]
        except KeyError:
            found = self.form(free, made)
            self._cache[key] = found
            return found

    def benefit(self, bundle: BundleSet) -> int:
        """Raw discount of one set at the current values (the search's objective)."""
        return self.price(bundle)[0]

    def fixed_price(self, bundle: BundleSet, set_price: int) -> tuple[int, dict[int, int]]:
        """A fixed set price: the units' value minus the price, modifiers staying payable.

        The set price replaces the units' base prices; modifier upcharges on them (size up,
        extra shot) are still paid, so a set menu never swallows an upgrade. The discount is
        spread over the units in proportion to their value.
        """
        ledger = self.ledger
        weights: dict[int, int] = {}
        value = 0
        modifiers = 0
        for idx, n in bundle.units:
            v = ledger.unit_value(idx, n, self.original, self.holder)
            weights[idx] = weights.get(idx, 0) + v
            value += v
            modifiers += ledger.lines[idx].modifiers * n
        raw = value - (set_price + modifiers) * RAW
        return (raw, weights) if raw > 0 else (0, {})

    def rewards(self, units: Units, kind: RewardKind, amount: int) -> tuple[int, dict[int, int]]:
        """Per-unit rewards on ``units``: free, percent off (``amount`` = percent_micro),
        amount off per unit, or a fixed unit price (modifiers stay payable); never below 0."""
        ledger = self.ledger
        weights: dict[int, int] = {}
        for idx, n in units:
            value = ledger.unit_value(idx, n, self.original, self.holder)
            if kind is RewardKind.FREE:
                raw = value
            elif kind is RewardKind.PERCENT_OFF:
                raw = half_up_div(value * amount, RAW)
            elif kind is RewardKind.AMOUNT_OFF:
                raw = min(value, amount * n * RAW)
            else:
                raw = max(0, value - (amount + ledger.lines[idx].modifiers) * n * RAW)
            if raw > 0:
                weights[idx] = weights.get(idx, 0) + raw
        return sum(weights.values()), weights

    def value(self, idx: int, units: int) -> int:
        """Raw value of ``units`` units of line ``idx`` as this bundle sees them."""
        return self.ledger.unit_value(idx, units, self.original, self.holder)

    def unit_order(self, lines: Iterable[Line], *, cheapest: bool) -> list[int]:
        """Line indices by the value of one unconsumed unit, cheapest or most expensive first
        (ties by canonical position)."""
        sign = 1 if cheapest else -1
        ledger = self.ledger
        original = self.original
        return [
            ln.idx
            for ln in sorted(
                lines, key=lambda ln: (sign * ledger.unit_value(ln.idx, 1, original, None), ln.idx)
            )
        ]

    def units_text(self, units: Units) -> str:
        """``"2 x Latte, 1 Croissant"`` for a units tuple."""
        lines = self.ledger.lines
        parts = []
        for idx, n in units:
            name = lines[idx].name or self.promo.names.get(lines[idx].product) or "item"
            parts.append(f"{n} {name}" if n == 1 else f"{n} x {name}")
        return ", ".join(parts)
