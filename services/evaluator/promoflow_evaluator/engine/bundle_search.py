"""Which bundle promotion gets which units: a bounded exact search, priority order past it.

Within one stage, the bundle promotions (buy-x-get-y, combo, package, mix and match, free item,
upsell) compete for units: a unit is consumed by at most one set. The engine picks the
assignment with the largest total discount at the stage's starting line values:

1. Promotions that cannot form a set with a positive benefit are left out. The others are split
   into groups whose units can overlap (by the lines they may touch); each group is solved on
   its own.
2. A group of one promotion takes as many sets as it can (each set has a positive benefit, so
   more is never worse).
3. A larger group is searched exactly: a depth-first search over every order and number of
   set formations (each set formed by its type's unit policy), memoised on the units still
   free and the sets made by promotions that have a cap. Ties keep the solution found first,
   i.e. the one that starts with the higher-priority promotion.
4. The search makes at most ``max_bundle_search`` set-formation attempts in total (context;
   one attempt = one promotion tried in one state, so the cost is bounded whatever the number
   of competing promotions), and no exact search runs for a group of more than
   :data:`MAX_EXACT_UNITS` units. Past the bound the remaining groups are assigned in priority
   order (each promotion takes as many sets as it can, highest priority first) and the
   result's ``search`` says so (``exact = false`` with a note).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter

from promoflow_evaluator.engine.bundles import BundlePlan, BundleSet

#: Groups holding more units than this are assigned in priority order (recursion depth bound).
MAX_EXACT_UNITS = 200


@dataclass(slots=True)
class Assignment:
    """Sets per plan (by position in the plans given), and how they were found."""

    sets: list[list[BundleSet]]
    exact: bool = True
    explored: int = 0
    notes: list[str] = field(default_factory=list)


class _Bound(Exception):
    """The search reached its bound."""


def _groups(plans: Sequence[BundlePlan]) -> list[list[int]]:
    parent = list(range(len(plans)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[int, int] = {}
    for j, plan in enumerate(plans):
        for idx in plan.lines:
            if idx in owner:
                a, b = find(owner[idx]), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[idx] = j
    groups: dict[int, list[int]] = {}
    for j in range(len(plans)):
        groups.setdefault(find(j), []).append(j)
    return sorted(groups.values())


def _can_form(plan: BundlePlan, free: list[int]) -> bool:
    bundle = plan.next_set(free, 0)
    return bundle is not None and plan.benefit(bundle) > 0


def _consume(free: list[int], bundle: BundleSet) -> None:
    for idx, n in bundle.units:
        free[idx] -= n


def _greedy(
    plans: Sequence[BundlePlan], members: list[int], free: list[int], out: list[list[BundleSet]]
) -> None:
    for j in members:
        plan = plans[j]
        while True:
            bundle = plan.next_set(free, len(out[j]))
            if bundle is None or plan.benefit(bundle) <= 0:
                break
            out[j].append(bundle)
            _consume(free, bundle)


class _Search:
    """Exact search over one group of plans (see the module docstring)."""

    def __init__(
        self, plans: Sequence[BundlePlan], members: list[int], free: list[int], budget: int
    ) -> None:
        self.plans = [plans[j] for j in members]
        self.members = members
        self.free = free
        self.lines = sorted({idx for plan in self.plans for idx in plan.lines})
        self.getter = itemgetter(*self.lines) if len(self.lines) > 1 else None
        self.capped = [plan.max_sets is not None for plan in self.plans]
        self.budget = budget
        self.explored = 0
        self.memo: dict[
            tuple[tuple[int, ...], tuple[int, ...]], tuple[int, tuple[tuple[int, BundleSet], ...]]
        ] = {}
        self.prices: dict[tuple[int, BundleSet], int] = {}

    def run(self) -> list[tuple[int, BundleSet]]:
        made = tuple(0 for _ in self.plans)
        _, sequence = self._best(made)
        return [(self.members[k], bundle) for k, bundle in sequence]

    def _benefit(self, k: int, bundle: BundleSet) -> int:
        key = (k, bundle)
        if key not in self.prices:
            self.prices[key] = self.plans[k].benefit(bundle)
        return self.prices[key]

    def _best(self, made: tuple[int, ...]) -> tuple[int, tuple[tuple[int, BundleSet], ...]]:
        free = self.free
        key = (
            self.getter(free) if self.getter is not None else tuple(free[i] for i in self.lines),
            tuple(m for m, c in zip(made, self.capped, strict=True) if c),
        )
        found = self.memo.get(key)
        if found is not None:
            return found
        best_value = 0
        best_seq: tuple[tuple[int, BundleSet], ...] = ()
        for k, plan in enumerate(self.plans):
            self.explored += 1
            if self.explored > self.budget:
                raise _Bound
            bundle = plan.next_set(free, made[k] if self.capped[k] else 0)
            if bundle is None:
                continue
            gain = self._benefit(k, bundle)
            if gain <= 0:
                continue
            _consume(free, bundle)
            after = (*made[:k], made[k] + 1, *made[k + 1 :])
            try:
                value, seq = self._best(after)
            finally:
                for idx, n in bundle.units:
                    free[idx] += n
            if gain + value > best_value:
                best_value = gain + value
                best_seq = ((k, bundle), *seq)
        self.memo[key] = (best_value, best_seq)
        return best_value, best_seq


def assign(plans: Sequence[BundlePlan], free: list[int], max_states: int) -> Assignment:
    """Assign units to ``plans`` (in priority order) from ``free`` (not modified).

    Returns the sets each plan forms; ``exact`` is False when some group was assigned in
    priority order because the bound (``max_states`` set-formation attempts) was reached.
    ``explored`` counts the attempts.
    """
    result = Assignment(sets=[[] for _ in plans])
    if not plans:
        return result
    work = list(free)
    budget = max_states
    # Plans that cannot form a beneficial set now never will (units only get fewer).
    able = [j for j, plan in enumerate(plans) if _can_form(plan, work)]
    for members in _groups([plans[j] for j in able]):
        members = [able[k] for k in members]
        if len(members) == 1:
            _greedy(plans, members, work, result.sets)
            continue
        units = sum(work[idx] for idx in {i for j in members for i in plans[j].lines})
        if units > MAX_EXACT_UNITS or budget <= 0:
            result.exact = False
            result.notes.append(
                f"{len(members)} competing bundle promotions over {units} units assigned in "
                "priority order (search bound reached)"
            )
            _greedy(plans, members, work, result.sets)
            continue
        search = _Search(plans, members, work, budget)
        try:
            chosen = search.run()
        except _Bound:
            result.exact = False
            result.notes.append(
                f"search bound of {max_states} attempts reached; {len(members)} competing bundle "
                "promotions assigned in priority order"
            )
            _greedy(plans, members, work, result.sets)
            result.explored += search.explored
            budget = 0
            continue
        budget -= search.explored
        result.explored += search.explored
        for j, bundle in chosen:
            result.sets[j].append(bundle)
            _consume(work, bundle)
    return result
