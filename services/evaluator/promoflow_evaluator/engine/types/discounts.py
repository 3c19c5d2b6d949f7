"""Percent discount (type 1), amount discount (type 2) and happy hour (type 6).

* percent: ``discount_percent`` of the eligible amount (or of the targeted units), rounded
  half-up once, capped at ``max_discount_amount``.
* amount, ``apply_per = cart``: ``discount_amount`` once, never more than the eligible amount
  (the seeds' code could exceed it); ``unit``: off each targeted unit, never below zero.
* happy hour: inside its own daily window and weekdays (checked in addition to ``validity``;
  both must hold, each window judged on its own day as ``calendar.Window`` says), each eligible
  unit gets the percent, the amount off, or the special unit price (modifiers stay payable).
"""

from __future__ import annotations

from promoflow_contracts.results import ReasonCode
from promoflow_evaluator.engine.cart import Line
from promoflow_evaluator.engine.ledger import Env, Ledger
from promoflow_evaluator.engine.model import AmountRule, HappyHourRule, PercentRule, Promo
from promoflow_evaluator.engine.money import RAW
from promoflow_evaluator.engine.outcome import Grant, Miss
from promoflow_evaluator.engine.types.common import (
    NO_ITEMS,
    Ready,
    benefit_units,
    check_min_purchase,
    floor_minor,
    min_purchase_met,
    percent_weights,
    value_weights,
)
from promoflow_evaluator.engine.units import select_target_units
from promoflow_evaluator.engine.validity import days_text, window_text


def precheck_percent(promo: Promo, env: Env, lines: tuple[Line, ...]) -> Miss | Ready:
    """Static checks of a percent discount: eligible lines, minimum purchase (with hint)."""
    rule = promo.rule
    assert isinstance(rule, PercentRule)
    if not lines:
        return NO_ITEMS
    if min_purchase_met(rule.min_purchase, rule.on_cart_subtotal, lines, env):
        return Ready(lines)
    eligible = sum(line.gross for line in lines)
    potential = eligible * rule.percent // RAW
    if rule.cap is not None:
        potential = min(potential, rule.cap)
    miss = check_min_purchase(
        rule.min_purchase,
        rule.on_cart_subtotal,
        lines,
        env,
        lambda: f"{env.fmt.percent(rule.percent)} off",
        potential or None,
    )
    return miss or Ready(lines)


def grant_percent(promo: Promo, ready: Ready, ledger: Ledger, env: Env) -> Grant | Miss:
    """The percent of what is left (or the original amounts) of the eligible or targeted units."""
    rule = promo.rule
    assert isinstance(rule, PercentRule)
    original = promo.original_amounts
    units = select_target_units(ready.lines, rule.target, ledger, original)
    weights = percent_weights(units, rule.percent, ledger, original)
    base = sum(ledger.base(line.idx, original) * n // line.quantity for line, n in units)
    fmt = env.fmt
    details = {
        "percent": fmt.percent(rule.percent).rstrip("%"),
        "eligible_amount": fmt.decimal(base),
        "max_discount": None if rule.cap is None else fmt.decimal(rule.cap),
    }
    return Grant(
        raw=sum(weights.values()),
        weights=weights,
        reason=f"{fmt.percent(rule.percent)} off {fmt.money(base)} of eligible items",
        details=details,
        cap=rule.cap,
        benefit=benefit_units(units),
    )


def precheck_amount(promo: Promo, env: Env, lines: tuple[Line, ...]) -> Miss | Ready:
    """Static checks of an amount discount: eligible lines, minimum purchase (with hint)."""
    rule = promo.rule
    assert isinstance(rule, AmountRule)
    if not lines:
        return NO_ITEMS
    if min_purchase_met(rule.min_purchase, rule.on_cart_subtotal, lines, env):
        return Ready(lines)
    miss = check_min_purchase(
        rule.min_purchase,
        rule.on_cart_subtotal,
        lines,
        env,
        lambda: f"{env.fmt.money(rule.amount)} off",
        rule.amount,
    )
    return miss or Ready(lines)


def grant_amount(promo: Promo, ready: Ready, ledger: Ledger, env: Env) -> Grant | Miss:
    """The amount once (never more than the eligible amount) or per targeted unit."""
    rule = promo.rule
    assert isinstance(rule, AmountRule)
    original = promo.original_amounts
    units = select_target_units(ready.lines, rule.target, ledger, original)
    values = value_weights(units, ledger, original)
    fmt = env.fmt
    if rule.per_unit:
        weights: dict[int, int] = {}
        for line, n in units:
            raw = min(values.get(line.idx, 0), rule.amount * n * RAW)
            if raw > 0:
                weights[line.idx] = raw
        count = sum(n for _, n in units)
        return Grant(
            raw=sum(weights.values()),
            weights=weights,
            reason=f"{fmt.money(rule.amount)} off each of {count} units",
            details={"amount_per_unit": fmt.decimal(rule.amount), "units": count},
            benefit=benefit_units(units),
        )
    eligible = floor_minor(sum(values.values()))
    return Grant(
        raw=rule.amount * RAW,
        weights=values,
        reason=f"{fmt.money(min(rule.amount, eligible))} off",
        details={"amount": fmt.decimal(rule.amount), "eligible_amount": fmt.decimal(eligible)},
        cap=eligible,
        benefit=benefit_units(units),
    )


def precheck_happy_hour(promo: Promo, env: Env, lines: tuple[Line, ...]) -> Miss | Ready:
    """Happy hour's own window and weekdays (its business day), then eligible lines."""
    rule = promo.rule
    assert isinstance(rule, HappyHourRule)
    # Its own window and weekdays: one verdict per (window, weekdays) per cart.
    key = rule.time_key
    memo = env.happy_hours
    if key in memo:
        miss = memo[key]
    else:
        miss = memo[key] = _happy_hour_time(rule, env)
    if miss is not None:
        return miss
    if not lines:
        return NO_ITEMS
    return Ready(lines)


def _happy_hour_time(rule: HappyHourRule, env: Env) -> Miss | None:
    clock = env.clock
    offset = rule.window.offset(clock.micros)
    if offset < 0:
        return Miss(
            ReasonCode.OUTSIDE_TIME_WINDOW,
            f"happy hour {window_text(rule.window)} only (now {clock.text})",
        )
    if rule.days is not None and clock.weekday(offset) not in rule.days:
        return Miss(ReasonCode.WRONG_DAY, f"happy hour on {days_text(rule.days)} only")
    return None


def grant_happy_hour(promo: Promo, ready: Ready, ledger: Ledger, env: Env) -> Grant | Miss:
    """Percent, amount off or special price on each eligible or targeted unit."""
    rule = promo.rule
    assert isinstance(rule, HappyHourRule)
    original = promo.original_amounts
    units = select_target_units(ready.lines, rule.target, ledger, original)
    fmt = env.fmt
    window = window_text(rule.window)
    if rule.percent is not None:
        weights = percent_weights(units, rule.percent, ledger, original)
        reason = f"happy hour {window}: {fmt.percent(rule.percent)} off"
        details = {"percent": fmt.percent(rule.percent).rstrip("%")}
    else:
        values = value_weights(units, ledger, original)
        weights = {}
        for line, n in units:
            value = values.get(line.idx, 0)
            if rule.amount is not None:
                raw = min(value, rule.amount * n * RAW)
            else:
                price = rule.special_price or 0
                raw = max(0, value - (price + line.modifiers) * n * RAW)
            if raw > 0:
                weights[line.idx] = raw
        if rule.amount is not None:
            reason = f"happy hour {window}: {fmt.money(rule.amount)} off each item"
            details = {"amount_per_unit": fmt.decimal(rule.amount)}
        else:
            price = rule.special_price or 0
            reason = f"happy hour {window}: {fmt.money(price)} each"
            details = {"special_price": fmt.decimal(price)}
    details["window"] = window
    return Grant(
        raw=sum(weights.values()),
        weights=weights,
        reason=reason,
        details=details,
        benefit=benefit_units(units),
    )
