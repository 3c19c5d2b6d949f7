"""Payment discount (type 8) and cashback (type 7).

* payment discount: applies only when the cart's ``payment_method`` is known and listed
  (case-insensitive). Unknown method: not applied (``payment_method_required``) with a hint
  "pay with OVO to save Rp 10.000" (the saving estimated on the amounts before discounts);
  a different method: ``payment_method_not_eligible`` with the same hint. The percent or amount
  is taken off what earlier promotions left of the eligible lines, capped at ``max_discount``.
* cashback: reduces nothing on the bill; it is a reward (points, wallet, voucher) of the percent
  of what the customer pays for the eligible lines (after earlier discounts), capped at
  ``cashback_max``, or a fixed amount no larger than that. ``payment_methods`` empty = any.

Minimum purchases compare the cart subtotal before discounts (as the seeds do).
"""

from __future__ import annotations

from promoflow_contracts.results import HintKind, ReasonCode
from promoflow_evaluator.engine.cart import Line
from promoflow_evaluator.engine.ledger import Env, Ledger
from promoflow_evaluator.engine.model import CashbackRule, PaymentRule, Promo
from promoflow_evaluator.engine.money import RAW
from promoflow_evaluator.engine.outcome import Grant, HintDraft, Miss
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


def _estimate(is_percent: bool, value: int, cap: int | None, eligible: int) -> int:
    amount = eligible * value // RAW if is_percent else min(value, eligible)
    return min(amount, cap) if cap is not None else amount


def _method_miss(rule: PaymentRule | CashbackRule, env: Env, saving: int, what: str) -> Miss | None:
    methods = rule.methods
    if not methods:
        return None
    key = env.cart.payment_key
    if key is not None and key in methods:
        return None
    display = rule.methods_display
    names = rule.methods_text
    hint = HintDraft(
        HintKind.PAYMENT_METHOD,
        f"pay with {names} to {what} {env.fmt.money(saving)}",
        payment_methods=display,
        potential=saving,
    )
    if key is None:
        return Miss(ReasonCode.PAYMENT_METHOD_REQUIRED, f"needs payment with {names}", hint)
    return Miss(
        ReasonCode.PAYMENT_METHOD_NOT_ELIGIBLE,
        f"needs payment with {names} (paying with {env.cart.request.payment_method})",
        hint,
    )


def precheck_payment(promo: Promo, env: Env, lines: tuple[Line, ...]) -> Miss | Ready:
    """Eligible lines, minimum purchase, then a known and listed payment method (else a hint)."""
    rule = promo.rule
    assert isinstance(rule, PaymentRule)
    if not lines:
        return NO_ITEMS
    saving = _estimate(rule.is_percent, rule.value, rule.cap, sum(ln.gross for ln in lines))
    miss = None
    if not min_purchase_met(rule.min_purchase, True, lines, env):
        fmt = env.fmt

        def benefit() -> str:
            return f"{fmt.percent(rule.value) if rule.is_percent else fmt.money(rule.value)} off"

        miss = check_min_purchase(rule.min_purchase, True, lines, env, benefit, saving)
    return miss or _method_miss(rule, env, saving, "save") or Ready(lines)


def grant_payment(promo: Promo, ready: Ready, ledger: Ledger, env: Env) -> Grant | Miss:
    """The payment discount on what is left of the eligible lines, capped."""
    rule = promo.rule
    assert isinstance(rule, PaymentRule)
    original = promo.original_amounts
    units = [(line, line.quantity) for line in ready.lines]
    fmt = env.fmt
    method = env.cart.request.payment_method or ""
    details = {
        "payment_method": method,
        "max_discount": None if rule.cap is None else fmt.decimal(rule.cap),
    }
    if rule.is_percent:
        weights = percent_weights(units, rule.value, ledger, original)
        return Grant(
            raw=sum(weights.values()),
            weights=weights,
            reason=f"{fmt.percent(rule.value)} off paying with {method}",
            details={**details, "percent": fmt.percent(rule.value).rstrip("%")},
            cap=rule.cap,
            benefit=benefit_units(units),
        )
    values = value_weights(units, ledger, original)
    eligible = floor_minor(sum(values.values()))
    cap = eligible if rule.cap is None else min(eligible, rule.cap)
    return Grant(
        raw=rule.value * RAW,
        weights=values,
        reason=f"{fmt.money(min(rule.value, cap))} off paying with {method}",
        details={**details, "amount": fmt.decimal(rule.value)},
        cap=cap,
        benefit=benefit_units(units),
    )


def precheck_cashback(promo: Promo, env: Env, lines: tuple[Line, ...]) -> Miss | Ready:
    """Eligible lines, minimum purchase, then the payment method when the cashback names some."""
    rule = promo.rule
    assert isinstance(rule, CashbackRule)
    if not lines:
        return NO_ITEMS
    earn = _estimate(rule.is_percent, rule.value, rule.cap, sum(ln.gross for ln in lines))
    miss = None
    if not min_purchase_met(rule.min_purchase, True, lines, env):
        miss = check_min_purchase(
            rule.min_purchase, True, lines, env, lambda: f"{env.fmt.money(earn)} cashback", earn
        )
    return miss or _method_miss(rule, env, earn, "earn") or Ready(lines)


def grant_cashback(promo: Promo, ready: Ready, ledger: Ledger, env: Env) -> Grant | Miss:
    """The cashback reward on what the customer pays for the eligible lines, capped."""
    rule = promo.rule
    assert isinstance(rule, CashbackRule)
    original = promo.original_amounts
    units = [(line, line.quantity) for line in ready.lines]
    values = value_weights(units, ledger, original)
    paid = floor_minor(sum(values.values()))
    fmt = env.fmt
    if rule.is_percent:
        weights = percent_weights(units, rule.value, ledger, original)
        raw = sum(weights.values())
        what = f"{fmt.percent(rule.value)} cashback"
    else:
        weights = values
        raw = rule.value * RAW
        what = "cashback"
    cap = paid if rule.cap is None else min(paid, rule.cap)
    return Grant(
        raw=raw,
        weights=weights,
        reason=f"{what} as {rule.method}, credited after payment",
        details={"method": rule.method, "paid_amount": fmt.decimal(paid)},
        cap=cap,
        benefit=benefit_units(units),
        cashback_method=rule.method,
    )
