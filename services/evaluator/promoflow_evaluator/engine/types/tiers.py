"""Threshold tiers (type 12): the highest tier the cart reaches applies.

The measure is the eligible lines' subtotal before discounts (``basis = amount``) or their
number of units (``basis = quantity``). A tier is reached when the measure is at least its
minimum and, if it has a ``max_amount``, at most that (a band); the highest reached tier wins.
Benefits: a percent of (or an amount off) what is left of the eligible lines, capped at
``max_discount``; free units of a product (the cheapest units of it in the cart that no bundle
consumed first, else any; missing units are offered "add it free"); or a points multiplier
(a reward, nothing off the bill). When the next tier is near, a hint says how much is missing.
"""

from __future__ import annotations

from promoflow_contracts.results import HintKind, ReasonCode
from promoflow_evaluator.engine.cart import Line
from promoflow_evaluator.engine.explain import plural, product_name
from promoflow_evaluator.engine.hints import near_amount, near_quantity
from promoflow_evaluator.engine.ledger import Env, Ledger
from promoflow_evaluator.engine.model import Promo, TierRule, TierSpec
from promoflow_evaluator.engine.money import RAW
from promoflow_evaluator.engine.outcome import Grant, HintDraft, Miss, OfferDraft
from promoflow_evaluator.engine.scope import cart_product_lines
from promoflow_evaluator.engine.types.common import (
    NO_ITEMS,
    Ready,
    benefit_units,
    floor_minor,
    percent_weights,
    value_weights,
)


def _benefit_text(tier: TierSpec, env: Env, promo: Promo) -> str:
    fmt = env.fmt
    if tier.benefit == "percent":
        return f"{fmt.percent(tier.value)} off"
    if tier.benefit == "amount":
        return f"{fmt.money(tier.value)} off"
    if tier.benefit == "free_product" and tier.free_product is not None:
        name = tier.free_name or product_name(promo, tier.free_product, env.cart.lines)
        return f"{plural(tier.free_quantity, name)} free"
    return f"{tier.multiplier}x points"


def _hint(
    tier: TierSpec, measured: int, by_quantity: bool, env: Env, promo: Promo
) -> HintDraft | None:
    missing = tier.minimum - measured
    # Near first: the benefit text (money formatting) only for a hint that is shown.
    if by_quantity:
        if not near_quantity(measured, tier.minimum):
            return None
        text = f"{tier.name}: {_benefit_text(tier, env, promo)}"
        return HintDraft(
            HintKind.ADD_QUANTITY, f"add {missing} more items for {text}", missing_quantity=missing
        )
    if not near_amount(measured, tier.minimum):
        return None
    text = f"{tier.name}: {_benefit_text(tier, env, promo)}"
    return HintDraft(
        HintKind.ADD_AMOUNT, f"add {env.fmt.money(missing)} more for {text}", missing_amount=missing
    )


def precheck_tier(promo: Promo, env: Env, lines: tuple[Line, ...]) -> Miss | Ready:
    """The highest reached tier (before discounts) and a hint for the next one when near."""
    rule = promo.rule
    assert isinstance(rule, TierRule)
    if not lines:
        return NO_ITEMS
    if rule.by_quantity:
        measured = sum(line.quantity for line in lines)
    else:
        measured = sum(line.gross for line in lines)
    reached: TierSpec | None = None
    following: TierSpec | None = None
    for tier in rule.tiers:
        if measured >= tier.minimum:
            if tier.maximum is None or measured <= tier.maximum:
                reached = tier
        elif following is None:
            following = tier
    hint = None if following is None else _hint(following, measured, rule.by_quantity, env, promo)
    if reached is None:
        lowest = rule.tiers[0]
        if rule.by_quantity:
            return Miss(
                ReasonCode.MIN_QUANTITY_NOT_MET,
                f"lowest tier needs {lowest.minimum} items (cart has {measured})",
                hint,
            )
        fmt = env.fmt
        return Miss(
            ReasonCode.MIN_PURCHASE_NOT_MET,
            f"lowest tier needs {fmt.money(lowest.minimum)} (eligible {fmt.money(measured)})",
            hint,
        )
    return Ready(lines, reached, hint)


def grant_tier(promo: Promo, ready: Ready, ledger: Ledger, env: Env) -> Grant | Miss:
    """The reached tier's benefit: percent, amount, free units (or an offer), points multiplier."""
    tier = ready.data
    assert isinstance(tier, TierSpec)
    original = promo.original_amounts
    details: dict[str, object] = {"tier": tier.name, "benefit": tier.benefit}
    text = f"tier {tier.name}: {_benefit_text(tier, env, promo)}"
    units = [(line, line.quantity) for line in ready.lines]
    if tier.benefit == "percent":
        weights = percent_weights(units, tier.value, ledger, original)
        return Grant(
            sum(weights.values()), weights, text, details, tier.cap, benefit=benefit_units(units)
        )
    if tier.benefit == "amount":
        values = value_weights(units, ledger, original)
        cap = floor_minor(sum(values.values()))
        cap = cap if tier.cap is None else min(cap, tier.cap)
        return Grant(tier.value * RAW, values, text, details, cap, benefit=benefit_units(units))
    if tier.benefit == "points_multiplier":
        details["multiplier"] = tier.multiplier
        return Grant(0, {}, text, details, multiplier=tier.multiplier)
    return _free_product(promo, tier, ledger, env, text, details)


def _free_product(
    promo: Promo, tier: TierSpec, ledger: Ledger, env: Env, text: str, details: dict[str, object]
) -> Grant | Miss:
    assert tier.free_product is not None
    original = promo.original_amounts
    candidates = cart_product_lines(promo, tier.free_product, env.cart)
    candidates.sort(
        key=lambda ln: (ledger.free[ln.idx] == 0, ledger.unit_key(ln.idx, original), ln.idx)
    )
    want = tier.free_quantity
    units: list[tuple[Line, int]] = []
    for line in candidates:
        if want == 0:
            break
        n = min(line.quantity, want)
        units.append((line, n))
        want -= n
    name = tier.free_name or product_name(promo, tier.free_product, env.cart.lines)
    offers = []
    if want:
        offers.append(
            OfferDraft(
                tier.free_product,
                name,
                want,
                tier.free_price,
                f"tier {tier.name}: add {plural(want, name)} free",
            )
        )
    if not units:
        return Miss(
            ReasonCode.INCOMPLETE_BUNDLE,
            f"tier {tier.name} reached: add {plural(tier.free_quantity, name)} free",
            offers=tuple(offers),
        )
    weights = value_weights(units, ledger, original)
    details["free_units"] = sum(n for _, n in units)
    return Grant(
        sum(weights.values()), weights, text, details, benefit=benefit_units(units), offers=offers
    )
