"""Free item (type 5) and upsell (type 11): a trigger unlocks a benefit on another product.

* free item: ``trigger_quantity`` units of the trigger product (and/or a cart subtotal of
  ``min_purchase``, before discounts) earn ``free_quantity`` units of the free product free,
  once per order by default or once per trigger set (``application = per_set``; without a
  trigger product, once). The free units are the cheapest units of the free product in the
  cart; units earned but not in the cart become a :class:`FreeItemOffer` ("add it free") and
  the promotion is reported ``incomplete_bundle`` until they are added.
* upsell: each ``required_min_qty`` units of the required product let up to ``max_quantity``
  units of the add-on cost ``special_price`` each (most expensive add-on units first;
  modifiers stay payable). Without the add-on, a hint carries ``upsell_message``.

Trigger units are consumed like any bundle unit, most expensive first.
"""

from __future__ import annotations

from typing import Any

from promoflow_contracts.results import HintKind, ReasonCode
from promoflow_evaluator.engine.bundles import BundlePlan, BundleSet
from promoflow_evaluator.engine.cart import Line
from promoflow_evaluator.engine.explain import plural, product_name
from promoflow_evaluator.engine.hints import near_quantity
from promoflow_evaluator.engine.ledger import Env, Ledger
from promoflow_evaluator.engine.model import FreeItemRule, Promo, UpsellRule
from promoflow_evaluator.engine.money import RAW
from promoflow_evaluator.engine.outcome import HintDraft, Miss, OfferDraft
from promoflow_evaluator.engine.scope import cart_product_lines
from promoflow_evaluator.engine.types.common import Ready, check_min_purchase
from promoflow_evaluator.engine.units import merge, take, take_up_to

# ----------------------------------------------------------------------------- free item


def precheck_free_item(promo: Promo, env: Env, lines: tuple[Line, ...]) -> Miss | Ready:
    """Minimum purchase and trigger units (with hints), then the trigger and free product lines."""
    rule = promo.rule
    assert isinstance(rule, FreeItemRule)
    cart_lines = env.cart.lines
    name = rule.free_name or product_name(promo, rule.free_product, cart_lines)
    benefit = f"{plural(rule.free_quantity, name)} free"
    miss = check_min_purchase(rule.min_purchase, True, cart_lines, env, lambda: benefit, None)
    if miss is not None:
        return miss
    triggers: tuple[Line, ...] = ()
    if rule.trigger_product is not None:
        triggers = tuple(cart_product_lines(promo, rule.trigger_product, env.cart))
        have = sum(ln.quantity for ln in triggers)
        if have < rule.trigger_quantity:
            trigger_name = product_name(promo, rule.trigger_product, cart_lines)
            missing = rule.trigger_quantity - have
            hint = None
            if near_quantity(have, rule.trigger_quantity):
                hint = HintDraft(
                    HintKind.ADD_QUANTITY,
                    f"add {plural(missing, trigger_name)} to get {benefit}",
                    missing_quantity=missing,
                    product_id=rule.trigger_product,
                )
            code = ReasonCode.MIN_QUANTITY_NOT_MET if have else ReasonCode.NO_ELIGIBLE_ITEMS
            return Miss(
                code, f"needs {plural(rule.trigger_quantity, trigger_name)} (cart has {have})", hint
            )
    frees = tuple(cart_product_lines(promo, rule.free_product, env.cart))
    return Ready(lines, (triggers, frees))


class FreeItemPlan(BundlePlan):
    """Sets of a free item: trigger units (most expensive first), the cheapest free units, offers
    for the rest."""

    __slots__ = ("free_order", "frees", "name", "rule", "trigger_order", "triggers")

    def __init__(self, promo: Promo, ready: Ready, ledger: Ledger, env: Env) -> None:
        rule = promo.rule
        assert isinstance(rule, FreeItemRule)
        triggers, frees = ready.data
        super().__init__(promo, ledger, env, frozenset(ln.idx for ln in (*triggers, *frees)))
        self.rule = rule
        self.triggers: tuple[Line, ...] = triggers
        self.max_sets = rule.max_sets
        self.frees: tuple[Line, ...] = frees
        self.trigger_order: list[int] = []
        self.free_order: list[int] = []
        self.name = rule.free_name or product_name(promo, rule.free_product, env.cart.lines)

    def prepare(self) -> None:
        self.trigger_order = self.unit_order(self.triggers, cheapest=False)
        self.free_order = self.unit_order(self.frees, cheapest=True)

    def form(self, free: list[int] | tuple[int, ...], made: int) -> BundleSet | None:
        rule = self.rule
        used: dict[int, int] = {}
        trigger: list[tuple[int, int]] = []
        if rule.trigger_product is not None:
            got = take(self.trigger_order, free, used, rule.trigger_quantity)
            if got is None:
                return None
            trigger = got
        rewards = take_up_to(self.free_order, free, used, rule.free_quantity)
        if not rewards:
            return None
        return BundleSet(merge(trigger), merge(rewards), merge(trigger, rewards))

    def price(self, bundle: BundleSet) -> tuple[int, dict[int, int]]:
        weights: dict[int, int] = {}
        for idx, n in bundle.benefit:
            v = self.value(idx, n)
            if v > 0:
                weights[idx] = v
        return sum(weights.values()), weights

    def describe(self, sets: list[BundleSet]) -> tuple[str, dict[str, Any]]:
        given = sum(n for s in sets for _, n in s.benefit)
        return f"{plural(given, self.name)} free", {"sets": len(sets), "free_units": given}

    def offers(self, sets: list[BundleSet], free: list[int]) -> list[OfferDraft]:
        """Units earned but not in the cart: the shortfall of the formed sets, plus whole sets
        the unconsumed trigger units still earn (up to the cap on sets)."""
        rule = self.rule
        missing = sum(rule.free_quantity - sum(n for _, n in s.benefit) for s in sets)
        room = None if self.max_sets is None else self.max_sets - len(sets)
        if rule.trigger_product is not None:
            extra = sum(free[ln.idx] for ln in self.triggers) // rule.trigger_quantity
        else:
            extra = 0 if sets else 1
        if room is not None:
            extra = min(extra, room)
        missing += extra * rule.free_quantity
        if missing <= 0:
            return []
        return [
            OfferDraft(
                rule.free_product,
                self.name,
                missing,
                rule.free_price,
                f"add {plural(missing, self.name)} free",
            )
        ]

    def incomplete(self) -> Miss:
        return Miss(
            ReasonCode.INCOMPLETE_BUNDLE,
            f"add {plural(self.rule.free_quantity, self.name)} to get it free",
        )


# ----------------------------------------------------------------------------- upsell


def precheck_upsell(promo: Promo, env: Env, lines: tuple[Line, ...]) -> Miss | Ready:
    """The required product in the cart, then the add-on (else a hint with the upsell message)."""
    rule = promo.rule
    assert isinstance(rule, UpsellRule)
    cart_lines = env.cart.lines
    required = tuple(cart_product_lines(promo, rule.required_product, env.cart))
    addons = tuple(cart_product_lines(promo, rule.upsell_product, env.cart))
    fmt = env.fmt
    addon_name = rule.upsell_name or product_name(promo, rule.upsell_product, cart_lines)
    required_name = product_name(promo, rule.required_product, cart_lines)
    have = sum(ln.quantity for ln in required)
    if have < rule.required_quantity:
        return Miss(
            ReasonCode.INCOMPLETE_BUNDLE,
            f"{addon_name} for {fmt.money(rule.price)} needs "
            f"{plural(rule.required_quantity, required_name)} (cart has {have})",
        )
    if not addons:
        potential = None
        if rule.upsell_price is not None and rule.upsell_price > rule.price:
            potential = (rule.upsell_price - rule.price) * rule.max_quantity
        message = rule.message or f"add {addon_name} for only {fmt.money(rule.price)}"
        return Miss(
            ReasonCode.INCOMPLETE_BUNDLE,
            f"add {addon_name} to get it for {fmt.money(rule.price)}",
            HintDraft(
                HintKind.ADD_PRODUCT,
                message,
                missing_quantity=rule.max_quantity,
                product_id=rule.upsell_product,
                potential=potential,
            ),
        )
    return Ready(lines, (required, addons, addon_name))


class UpsellPlan(BundlePlan):
    """Sets of an upsell: required units, then up to ``max_quantity`` add-on units (most expensive
    first)."""

    __slots__ = ("addon_order", "addons", "name", "required", "required_order", "rule")

    def __init__(self, promo: Promo, ready: Ready, ledger: Ledger, env: Env) -> None:
        rule = promo.rule
        assert isinstance(rule, UpsellRule)
        required, addons, name = ready.data
        super().__init__(promo, ledger, env, frozenset(ln.idx for ln in (*required, *addons)))
        self.rule = rule
        self.name: str = name
        self.required: tuple[Line, ...] = required
        self.addons: tuple[Line, ...] = addons
        self.required_order: list[int] = []
        self.addon_order: list[int] = []

    def prepare(self) -> None:
        self.required_order = self.unit_order(self.required, cheapest=False)
        self.addon_order = self.unit_order(self.addons, cheapest=False)

    def form(self, free: list[int] | tuple[int, ...], made: int) -> BundleSet | None:
        rule = self.rule
        used: dict[int, int] = {}
        trigger = take(self.required_order, free, used, rule.required_quantity)
        if trigger is None:
            return None
        addons = take_up_to(self.addon_order, free, used, rule.max_quantity)
        if not addons:
            return None
        return BundleSet(merge(trigger), merge(addons), merge(trigger, addons))

    def price(self, bundle: BundleSet) -> tuple[int, dict[int, int]]:
        ledger = self.ledger
        weights: dict[int, int] = {}
        for idx, n in bundle.benefit:
            value = self.value(idx, n)
            raw = value - (self.rule.price + ledger.lines[idx].modifiers) * n * RAW
            if raw > 0:
                weights[idx] = raw
        return sum(weights.values()), weights

    def describe(self, sets: list[BundleSet]) -> tuple[str, dict[str, Any]]:
        fmt = self.env.fmt
        count = sum(n for s in sets for _, n in s.benefit)
        reason = f"{plural(count, self.name)} for {fmt.money(self.rule.price)} each"
        return reason, {
            "sets": len(sets),
            "units": count,
            "special_price": fmt.decimal(self.rule.price),
        }

    def incomplete(self) -> Miss:
        return Miss(ReasonCode.INCOMPLETE_BUNDLE, f"{self.name} offer needs its required product")
