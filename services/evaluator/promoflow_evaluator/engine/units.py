"""Choosing cart units: orders of preference and taking units from what is still free.

Unit-selection policies (the docs list which type uses which, and why):

* **cheapest first** for rewards (the units a buy-x-get-y or a free item makes free or cheaper;
  the industry's and the seeds' rule: "cheapest items free"),
* **most expensive first** for units that fill a fixed-price set (combo, package, mix and match,
  upsell add-on): the set price is fixed, so this is what the customer would choose,
* **buy units** of a buy-x-get-y are taken from units outside the get set first, then from
  the other end of the price order than the rewards (so rewards stay available).

Every order breaks ties by canonical line position (``line_id`` order).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from promoflow_contracts.rules import UnitSelection
from promoflow_evaluator.engine.cart import Line
from promoflow_evaluator.engine.ledger import Ledger
from promoflow_evaluator.engine.model import UnitTargetRule

Units = tuple[tuple[int, int], ...]


def take(
    order: Sequence[int], free: Sequence[int], used: dict[int, int], count: int
) -> list[tuple[int, int]] | None:
    """Take exactly ``count`` free units walking ``order``; None (``used`` then partly updated,
    discard it) when fewer are free. ``used`` counts units already taken for the same set."""
    out: list[tuple[int, int]] = []
    need = count
    for idx in order:
        avail = free[idx] - used.get(idx, 0)
        if avail <= 0:
            continue
        n = avail if avail < need else need
        out.append((idx, n))
        used[idx] = used.get(idx, 0) + n
        need -= n
        if need == 0:
            return out
    return None


def take_up_to(
    order: Sequence[int], free: Sequence[int], used: dict[int, int], count: int
) -> list[tuple[int, int]]:
    """Take up to ``count`` free units walking ``order`` (possibly none)."""
    out: list[tuple[int, int]] = []
    need = count
    for idx in order:
        if need == 0:
            break
        avail = free[idx] - used.get(idx, 0)
        if avail <= 0:
            continue
        n = avail if avail < need else need
        out.append((idx, n))
        used[idx] = used.get(idx, 0) + n
        need -= n
    return out


def merge(*parts: Iterable[tuple[int, int]]) -> Units:
    """Sum ``(line index, units)`` pairs into a sorted tuple."""
    acc: dict[int, int] = {}
    for part in parts:
        for idx, n in part:
            acc[idx] = acc.get(idx, 0) + n
    return tuple(sorted(acc.items()))


def select_target_units(
    lines: Sequence[Line], target: UnitTargetRule | None, ledger: Ledger, original: bool
) -> list[tuple[Line, int]]:
    """Units a per-unit benefit goes to: all units of the eligible lines without a target;
    with one, the cheapest or most expensive (``all`` with a cart cap: most expensive first,
    what a customer would pick), at most ``max_per_line`` per line and ``max_per_cart``."""
    if target is None:
        return [(line, line.quantity) for line in lines]
    cheapest = target.selection is UnitSelection.CHEAPEST
    ordered = sorted(
        lines,
        key=lambda ln: ((1 if cheapest else -1) * ledger.unit_key(ln.idx, original), ln.idx),
    )
    left = target.max_per_cart
    out: list[tuple[Line, int]] = []
    for line in ordered:
        n = line.quantity
        if target.max_per_line is not None:
            n = min(n, target.max_per_line)
        if left is not None:
            n = min(n, left)
            left -= n
        if n > 0:
            out.append((line, n))
        if left == 0:
            break
    return out
