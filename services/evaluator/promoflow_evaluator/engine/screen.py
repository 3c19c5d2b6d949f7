"""Static screening of candidates: everything that does not depend on other promotions.

For each candidate, in order (the first failure is its reason): currency, active flag,
validity, targeting, voucher or manual selection, usage limits, cross-line conditions and
cross-brand trigger (both measured before discounts), then the type's own precheck on its
eligible lines. Vouchers match case-insensitively; a promotion that is not auto-applied is
applied when the cart's voucher codes hold its code or one of its voucher codes.
"""

from __future__ import annotations

from collections.abc import Sequence

from promoflow_contracts.results import HintKind, ReasonCode
from promoflow_evaluator.engine.cart import Line
from promoflow_evaluator.engine.hints import near_amount, near_quantity
from promoflow_evaluator.engine.ledger import Env, Ledger
from promoflow_evaluator.engine.limits import check_limits
from promoflow_evaluator.engine.model import Promo
from promoflow_evaluator.engine.outcome import HintDraft, Miss
from promoflow_evaluator.engine.scope import cart_eligible_lines, matched_lines
from promoflow_evaluator.engine.targeting import targeting_miss
from promoflow_evaluator.engine.types import (
    PLAN_BY_INDEX,
    PRECHECK_BY_INDEX,
    SHORTFALL_BY_INDEX,
    Ready,
)
from promoflow_evaluator.engine.validity import judge_timing

_INACTIVE = Miss(ReasonCode.INACTIVE, "promotion is inactive")
_VOUCHER = Miss(ReasonCode.VOUCHER_REQUIRED, "needs a voucher code")
_MANUAL = Miss(ReasonCode.NOT_AUTO_APPLY, "applied only when the cashier selects it")
#: marks a targeting rule not judged yet in this cart (its memo holds None for "passes")
_UNJUDGED = Miss(ReasonCode.INACTIVE, "not judged yet")


class Live:
    """A candidate that passed every static check (an explicit ``__init__``: see
    :mod:`.outcome` on why not a dataclass)."""

    __slots__ = ("promo", "ready")

    def __init__(self, promo: Promo, ready: Ready) -> None:
        self.promo = promo
        self.ready = ready


class Screened:
    """Candidates split into live ones and rejected ones (with their miss); an explicit
    ``__init__`` like :class:`Live`."""

    __slots__ = ("live", "rejected")

    def __init__(self, live: list[Live], rejected: list[tuple[Promo, Miss]]) -> None:
        self.live = live
        self.rejected = rejected


def _conditions(promo: Promo, env: Env) -> Miss | None:
    lines = env.cart.lines
    fmt = env.fmt
    for cond in promo.conditions:
        found = matched_lines(cond.items, env.cart)
        units = sum(ln.quantity for ln in found)
        amount = sum(ln.gross for ln in found)
        if cond.min_quantity is not None and units < cond.min_quantity:
            missing = cond.min_quantity - units
            hint = None
            if near_quantity(units, cond.min_quantity):
                hint = HintDraft(
                    HintKind.ADD_QUANTITY,
                    f"add {missing} more {cond.label} to unlock {promo.name}",
                    missing_quantity=missing,
                )
            return Miss(
                ReasonCode.CONDITION_NOT_MET,
                f"needs {cond.min_quantity} x {cond.label} (cart has {units})",
                hint,
            )
        if cond.min_amount is not None and amount < cond.min_amount:
            missing = cond.min_amount - amount
            hint = None
            if near_amount(amount, cond.min_amount):
                hint = HintDraft(
                    HintKind.ADD_AMOUNT,
                    f"add {fmt.money(missing)} more of {cond.label} to unlock {promo.name}",
                    missing_amount=missing,
                )
            return Miss(
                ReasonCode.CONDITION_NOT_MET,
                f"needs {fmt.money(cond.min_amount)} of {cond.label} "
                f"(cart has {fmt.money(amount)})",
                hint,
            )
    cross = promo.cross_brand
    if cross is not None:
        trigger = [ln for ln in lines if ln.brand is not None and ln.brand in cross.trigger_brands]
        amount = sum(ln.gross for ln in trigger)
        if not trigger or amount < cross.trigger_min:
            missing = max(cross.trigger_min - amount, 0)
            hint = None
            if trigger and near_amount(amount, cross.trigger_min):
                hint = HintDraft(
                    HintKind.ADD_AMOUNT,
                    f"add {fmt.money(missing)} more from the partner brand to unlock {promo.name}",
                    missing_amount=missing,
                )
            return Miss(
                ReasonCode.CONDITION_NOT_MET,
                f"needs {fmt.money(cross.trigger_min)} from the trigger brands "
                f"(cart has {fmt.money(amount)})",
                hint,
            )
    return None


_NO_BENEFIT = Miss(ReasonCode.NO_BENEFIT, "its price is not lower than the items' own prices")


def _bundle_check(promo: Promo, ready: Ready, env: Env, ledgers: list[Ledger]) -> Miss | None:
    """A bundle that cannot form one set from the whole cart at full prices never will: its
    miss is decided here, once, instead of in every alternative. (Prices only go down and
    units only get fewer, so a set price that is no saving now is none later either.)
    ``ledgers`` holds the full-price ledger once made (on demand)."""
    shortfall = SHORTFALL_BY_INDEX[promo.type_index]
    if shortfall is not None:
        miss = shortfall(promo, ready, env)
        if miss is not None:
            return miss
    if not ledgers:
        ledgers.append(Ledger.start(env.cart, env.context))
    ledger = ledgers[0]
    factory = PLAN_BY_INDEX[promo.type_index]
    assert factory is not None
    plan = factory(promo, ready, ledger, env)
    if plan.impossible():
        return plan.incomplete()
    bundle = plan.next_set(ledger.free, 0)
    if bundle is None:
        offers = plan.offers([], ledger.free)
        if offers:
            return None  # earned free items are reported by the alternative that runs it
        return plan.incomplete()
    return None if plan.benefit(bundle) > 0 else _NO_BENEFIT


def _after_targeting(
    promo: Promo,
    env: Env,
    eligible_memo: dict[int, tuple[Line, ...]],
    ledgers: list[Ledger],
    uses: bool,
) -> Miss | Ready:
    """Voucher, limits (``uses``: the context has per-promotion allowances), conditions,
    eligible lines, the type's precheck and the bundle check."""
    cart = env.cart
    if promo.require_voucher:
        if cart.voucher_keys.isdisjoint(promo.voucher_keys):
            return _VOUCHER
    elif not promo.auto_apply and (
        promo.code_key not in cart.voucher_keys and cart.voucher_keys.isdisjoint(promo.voucher_keys)
    ):
        return _MANUAL
    if (
        uses
        or promo.total_exhausted
        or promo.exhausted_days
        or (promo.campaign_key is not None and env.budget_exhausted)
    ):
        miss = check_limits(promo, env)
        if miss is not None:
            return miss
    if promo.conditions or promo.cross_brand is not None:
        miss = _conditions(promo, env)
        if miss is not None:
            return miss
    # Scope, targeting and cross-brand rules are interned: equal rules share one verdict.
    key = promo.eligible_key
    lines = eligible_memo.get(key)
    if lines is None:
        lines = eligible_memo[key] = tuple(cart_eligible_lines(promo, cart))
    outcome = PRECHECK_BY_INDEX[promo.type_index](promo, env, lines)  # never mutates it
    if promo.is_bundle and isinstance(outcome, Ready):
        return _bundle_check(promo, outcome, env, ledgers) or outcome
    return outcome


def screen(candidates: Sequence[Promo], env: Env) -> Screened:
    """Run the static checks over ``candidates`` (already in evaluation order)."""
    cart = env.cart
    context = env.context
    currency = context.currency
    clock = env.clock
    # Validity and targeting rules are interned: one verdict (and one Miss) per rule per cart.
    timing_memo: dict[int, tuple[int, Miss | None]] = {}
    targeting_memo: dict[int, Miss | None] = {}
    eligible_memo: dict[int, tuple[Line, ...]] = {}
    ledgers: list[Ledger] = []  # the full-price ledger of the bundle checks, made on demand
    uses = bool(
        context.remaining_uses or context.remaining_uses_today or context.remaining_uses_customer
    )
    live: list[Live] = []
    rejected: list[tuple[Promo, Miss]] = []
    for promo in candidates:
        if promo.currency != currency:
            rejected.append(
                (
                    promo,
                    Miss(
                        ReasonCode.CURRENCY_MISMATCH, f"priced in {promo.currency}, not {currency}"
                    ),
                )
            )
            continue
        if not promo.is_active:
            rejected.append((promo, _INACTIVE))
            continue
        # Window, weekday and holidays are judged once per (interned) timing, then the dates
        # against its business day, before the timing's own failure (check_validity's order).
        timing = promo.validity.timing
        judged = timing_memo.get(id(timing))
        if judged is None:
            day, timing_miss = judge_timing(timing, clock)
            judged = timing_memo[id(timing)] = (day.toordinal(), timing_miss)
        ordinal, miss = judged
        # The date range first (check_dates' order and texts, made once per rule).
        if ordinal < promo.start_day:
            miss = promo.validity.not_started
        elif ordinal > promo.end_day:
            miss = promo.validity.expired
        if miss is not None:
            rejected.append((promo, miss))
            continue
        key = id(promo.targeting)
        miss = targeting_memo.get(key, _UNJUDGED)
        if miss is _UNJUDGED:
            miss = targeting_memo[key] = targeting_miss(promo.targeting, cart, context)
        if miss is not None:
            if miss.code is ReasonCode.MEMBER_ONLY and isinstance(
                _after_targeting(promo, env, eligible_memo, ledgers, uses), Ready
            ):
                miss = Miss(
                    miss.code,
                    miss.reason,
                    HintDraft(HintKind.MEMBERSHIP, f"join as a member for {promo.name}"),
                )
            rejected.append((promo, miss))
            continue
        outcome = _after_targeting(promo, env, eligible_memo, ledgers, uses)
        if isinstance(outcome, Miss):
            rejected.append((promo, outcome))
        else:
            live.append(Live(promo, outcome))
    return Screened(live, rejected)
