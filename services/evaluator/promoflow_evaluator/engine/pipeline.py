"""One evaluation alternative: stages in order, bundles assigned, promotions applied in order.

For each stage (``item_level``, ``cart_level``, ``payment_level``):

1. the stage's bundle promotions get their units from :func:`.bundle_search.assign`, at the
   line values the stage starts with;
2. every promotion of the stage is then applied in evaluation order (higher priority first,
   ties by code), each computing on what earlier promotions left of its lines (or on the
   original amounts, ``compounding = original``, still never taking more than is left);
3. a grant is rounded half-up to the rounding unit once, capped, limited to what is left on
   its lines and to its campaign budget, and allocated to lines by largest remainder.
"""

from __future__ import annotations

from collections.abc import Sequence

from promoflow_contracts.base import Stage
from promoflow_contracts.results import ReasonCode
from promoflow_evaluator.engine.allocation import allocate
from promoflow_evaluator.engine.bundle_search import assign
from promoflow_evaluator.engine.bundles import BundlePlan, BundleSet
from promoflow_evaluator.engine.ledger import Env, Ledger
from promoflow_evaluator.engine.limits import BUDGET_EXHAUSTED, budget_room, spend_budget
from promoflow_evaluator.engine.model import TYPE_ORDER, Promo
from promoflow_evaluator.engine.money import round_raw
from promoflow_evaluator.engine.outcome import Grant, HintDraft, Miss, OfferDraft, add_units
from promoflow_evaluator.engine.screen import Live
from promoflow_evaluator.engine.types import GRANTS, PLAN_BY_INDEX, GrantFn

_ITEM = Stage.ITEM_LEVEL
_CART = Stage.CART_LEVEL
#: :data:`GRANTS` by :attr:`Promo.type_index` (hashing an Enum member runs Python code; None
#: for a bundle type)
_GRANT_BY_INDEX: tuple[GrantFn | None, ...] = tuple(GRANTS.get(t) for t in TYPE_ORDER)
_NOTHING_LEFT = Miss(ReasonCode.NO_BENEFIT, "nothing left to discount on its items")


class Applied:
    """An applied promotion: bill ``discount`` and its ``shares`` per line (minor units), or a
    ``cashback`` amount; ``capped``/``budget_limited`` say what limited it. ``shares`` is keyed
    in canonical line order (ascending index: the result lists it as it is). (Explicit
    ``__init__`` methods here: see :mod:`.outcome` on why not dataclasses.)"""

    __slots__ = ("budget_limited", "capped", "cashback", "discount", "grant", "promo", "shares")

    def __init__(
        self,
        promo: Promo,
        grant: Grant,
        discount: int,
        shares: dict[int, int],
        cashback: int = 0,
        capped: bool = False,
        budget_limited: bool = False,
    ) -> None:
        self.promo = promo
        self.grant = grant
        self.discount = discount
        self.shares = shares
        self.cashback = cashback
        self.capped = capped
        self.budget_limited = budget_limited


class RunResult:
    """Outcome of one alternative."""

    __slots__ = ("applied", "exact", "explored", "hints", "misses", "notes", "offers")

    def __init__(self) -> None:
        self.applied: list[Applied] = []
        self.misses: list[tuple[Promo, Miss]] = []
        self.offers: list[tuple[Promo, OfferDraft]] = []
        self.hints: list[tuple[Promo, HintDraft]] = []
        self.exact = True
        self.explored = 0
        self.notes: list[str] = []

    @property
    def bill_discount(self) -> int:
        """Total taken off the bill (minor)."""
        total = 0
        for a in self.applied:
            total += a.discount
        return total

    @property
    def benefit(self) -> int:
        """Customer benefit: bill discount plus cashback (minor)."""
        total = 0
        for a in self.applied:
            total += a.discount + a.cashback
        return total


def finalize(
    promo: Promo, grant: Grant, ledger: Ledger, env: Env, holder: int | None = None
) -> Applied | Miss:
    """Round, cap, limit to what is left and to the budget, allocate and book a grant."""
    amount = round_raw(grant.raw, env.context.unit)
    capped = False
    if grant.cap is not None and amount > grant.cap:
        amount, capped = grant.cap, True
    is_cashback = grant.cashback_method is not None
    weights = grant.weights
    remaining = ledger.remaining
    positions: list[int] = []
    if not is_cashback:
        left = 0
        for idx, w in weights.items():
            if w > 0:
                rest = remaining[idx]
                if rest > 0:
                    positions.append(idx)
                    left += rest
        if amount > left:
            amount, capped = left, True
    room = budget_room(promo, ledger)
    limited = False
    if room is not None and amount > room:
        amount, limited = max(room, 0), True
    if amount <= 0 and grant.multiplier is None:
        return BUDGET_EXHAUSTED if limited else _NOTHING_LEFT
    shares: dict[int, int] = {}
    if amount > 0 and not is_cashback:
        if len(positions) == 1:
            # one open line takes it all (``amount`` is at most what is left on it)
            idx = positions[0]
            shares[idx] = amount
            ledger.take(idx, amount, holder)
        else:
            positions.sort()
            line_weights: list[int] = []
            caps: list[int] = []
            for idx in positions:
                line_weights.append(weights[idx])
                caps.append(remaining[idx])
            split = allocate(amount, line_weights, caps)
            for k in range(len(positions)):
                share = split[k]
                if share:
                    idx = positions[k]
                    shares[idx] = share
                    ledger.take(idx, share, holder)
    spend_budget(promo, ledger, amount)
    if is_cashback:
        return Applied(promo, grant, 0, shares, amount, capped, limited)
    return Applied(promo, grant, amount, shares, 0, capped, limited)


def _bundle_grant(plan: BundlePlan, sets: list[BundleSet]) -> Grant:
    raw = 0
    weights: dict[int, int] = {}
    trigger: dict[int, int] = {}
    benefit: dict[int, int] = {}
    for bundle in sets:
        set_raw, set_weights = plan.price(bundle)
        raw += set_raw
        for idx, w in set_weights.items():
            weights[idx] = weights.get(idx, 0) + w
        add_units(trigger, bundle.trigger)
        add_units(benefit, bundle.benefit)
    reason, details = plan.describe(sets)
    return Grant(raw, weights, reason, details, trigger=trigger, benefit=benefit)


def _alone(plan: BundlePlan, ledger: Ledger) -> tuple[BundleSet | None, int]:
    """The set the plan would form on the whole cart, and its benefit at the current values
    of unconsumed units (called before the stage's units are consumed)."""
    alone = plan.next_set([line.quantity for line in ledger.lines], 0)
    return alone, 0 if alone is None else plan.benefit(alone)


def _bundle_miss(plan: BundlePlan, ledger: Ledger, alone: BundleSet | None, benefit: int) -> Miss:
    offers = plan.offers([], ledger.free)
    if offers:
        text = "; ".join(o.message for o in offers)
        return Miss(ReasonCode.INCOMPLETE_BUNDLE, f"earned: {text}", offers=tuple(offers))
    if alone is None:
        return plan.incomplete()
    if benefit <= 0:
        return Miss(ReasonCode.NO_BENEFIT, "its price is not lower than the items' own prices")
    lost: list[str] = []
    for idx, _ in alone.units:
        for code in ledger.consumed_by.get(idx, ()):
            if code not in lost:
                lost.append(code)
    who = ", ".join(lost) if lost else "other promotions"
    return Miss(
        ReasonCode.UNITS_ALREADY_USED, f"its items are already used by {who}", lost_to=tuple(lost)
    )


def run(lives: Sequence[Live], env: Env) -> RunResult:
    """Evaluate one alternative (a set of live promotions, in evaluation order)."""
    out = RunResult()
    if not lives:
        return out
    ledger = Ledger.start(env.cart, env.context)
    by_stage: tuple[list[Live], list[Live], list[Live]] = ([], [], [])
    for live in lives:  # one pass, not one per stage (item, cart, then payment level)
        stage = live.promo.stage
        if stage is _ITEM:
            by_stage[0].append(live)
        elif stage is _CART:
            by_stage[1].append(live)
        else:
            by_stage[2].append(live)
    for stage_lives in by_stage:
        if not stage_lives:
            continue
        plans: dict[int, BundlePlan] = {}
        for pos, live in enumerate(stage_lives):
            if live.promo.is_bundle:
                factory = PLAN_BY_INDEX[live.promo.type_index]
                assert factory is not None
                plans[pos] = factory(live.promo, live.ready, ledger, env)
        if not plans:  # no bundles in this stage: every promotion grants in order
            for live in stage_lives:
                promo = live.promo
                grant = _grant(promo)(promo, live.ready, ledger, env)
                _book(out, promo, grant, ledger, env, None)
            continue
        assigned: dict[int, list[BundleSet]] = {}
        order = sorted(plans)
        assignment = assign([plans[p] for p in order], ledger.free, env.context.max_bundle_search)
        out.exact = out.exact and assignment.exact
        out.explored += assignment.explored
        out.notes.extend(assignment.notes)
        empty = {
            pos: _alone(plans[pos], ledger)
            for pos, sets in zip(order, assignment.sets, strict=True)
            if not sets
        }
        for pos, sets in zip(order, assignment.sets, strict=True):
            assigned[pos] = sets
            owner = stage_lives[pos].promo
            for bundle in sets:
                for idx, n in bundle.units:
                    ledger.consume(idx, n, owner.rank, owner.code)
        # Bundles without sets are explained with what the stage started with.
        unassigned = {pos: _bundle_miss(plans[pos], ledger, *alone) for pos, alone in empty.items()}
        for plan in plans.values():
            plan.holder = plan.promo.rank
        for pos, live in enumerate(stage_lives):
            promo = live.promo
            outcome: Grant | Miss
            if pos in unassigned:
                outcome = unassigned[pos]
            elif pos in plans:
                outcome = _bundle_grant(plans[pos], assigned[pos])
                outcome.offers.extend(plans[pos].offers(assigned[pos], ledger.free))
            else:
                outcome = _grant(promo)(promo, live.ready, ledger, env)
            _book(out, promo, outcome, ledger, env, promo.rank if pos in plans else None)
    return out


def _grant(promo: Promo) -> GrantFn:
    fn = _GRANT_BY_INDEX[promo.type_index]
    assert fn is not None
    return fn


def _book(
    out: RunResult,
    promo: Promo,
    outcome: Grant | Miss,
    ledger: Ledger,
    env: Env,
    holder: int | None,
) -> None:
    """Finalize a grant (or take the miss) and record it in ``out``."""
    if isinstance(outcome, Grant):
        offers = outcome.offers
        result = finalize(promo, outcome, ledger, env, holder)
        if isinstance(result, Applied):
            out.applied.append(result)
            if offers:
                out.offers.extend((promo, o) for o in offers)
            return
        outcome = result
    out.misses.append((promo, outcome))
    if outcome.offers:
        out.offers.extend((promo, o) for o in outcome.offers)
    if outcome.hint is not None:
        out.hints.append((promo, outcome.hint))
