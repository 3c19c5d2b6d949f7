"""Fixed-price sets: combo (type 4), package / set menu (type 9), mix and match (type 10).

Each set is priced as a whole: discount = value of its units - (set price + the units'
modifier upcharges), nothing when that is not positive (``no_benefit``). Units are taken most
expensive first (the set price is fixed, so this is the customer's best choice and what a
cashier does when asked), and the discount is spread over the set's units by value.

* combo: every listed product in its quantity; repeated while complete sets remain, up to
  ``max_combos_per_cart``.
* package: product slots first (their quantity; optional slots take what is there), then
  category slots (between ``min_selection`` and ``max_selection`` units, as many as possible);
  with ``allow_modification = false`` lines with modifiers cannot fill a slot.
* mix and match: any ``required_quantity`` units of the item set (``allow_same_product =
  false``: distinct products within a set), up to ``max_sets_per_cart``.
"""

from __future__ import annotations

from typing import Any

from promoflow_contracts.results import HintKind, ReasonCode
from promoflow_evaluator.engine.bundles import BundlePlan, BundleSet
from promoflow_evaluator.engine.cart import Line
from promoflow_evaluator.engine.explain import Fmt, plural, product_name
from promoflow_evaluator.engine.hints import near_quantity
from promoflow_evaluator.engine.ledger import Env, Ledger
from promoflow_evaluator.engine.model import ComboRule, MixMatchRule, PackageRule, Promo
from promoflow_evaluator.engine.outcome import MISS_MEMO_LIMIT, HintDraft, Miss
from promoflow_evaluator.engine.scope import cart_item_pool, cart_product_lines
from promoflow_evaluator.engine.types.common import NO_ITEMS, Ready
from promoflow_evaluator.engine.units import merge, take, take_up_to


def _sets_text(count: int) -> str:
    return "" if count == 1 else f" ({count} sets)"


# ----------------------------------------------------------------------------- combo


def precheck_combo(promo: Promo, env: Env, lines: tuple[Line, ...]) -> Miss | Ready:
    """The cart lines of each combo product."""
    rule = promo.rule
    assert isinstance(rule, ComboRule)
    per_item = tuple(tuple(cart_product_lines(promo, pid, env.cart)) for pid, _ in rule.items)
    if not any(per_item):
        return NO_ITEMS
    return Ready(lines, per_item)


class ComboPlan(BundlePlan):
    """Sets of a combo: each listed product in its quantity, most expensive units first."""

    __slots__ = ("orders", "per_item", "rule")

    def __init__(self, promo: Promo, ready: Ready, ledger: Ledger, env: Env) -> None:
        rule = promo.rule
        assert isinstance(rule, ComboRule)
        per_item: tuple[tuple[Line, ...], ...] = ready.data
        super().__init__(
            promo, ledger, env, frozenset(ln.idx for group in per_item for ln in group)
        )
        self.rule = rule
        self.per_item = per_item
        self.max_sets = rule.max_sets
        self.orders: list[list[int]] = []

    def impossible(self) -> bool:
        return any(
            sum(ln.quantity for ln in group) < quantity
            for group, (_, quantity) in zip(self.per_item, self.rule.items, strict=True)
        )

    def prepare(self) -> None:
        self.orders = [self.unit_order(group, cheapest=False) for group in self.per_item]

    def form(self, free: list[int] | tuple[int, ...], made: int) -> BundleSet | None:
        used: dict[int, int] = {}
        taken: list[tuple[int, int]] = []
        for order, (_, quantity) in zip(self.orders, self.rule.items, strict=True):
            got = take(order, free, used, quantity)
            if got is None:
                return None
            taken.extend(got)
        units = merge(taken)
        return BundleSet(units, units, units)

    def price(self, bundle: BundleSet) -> tuple[int, dict[int, int]]:
        return self.fixed_price(bundle, self.rule.price)

    def describe(self, sets: list[BundleSet]) -> tuple[str, dict[str, Any]]:
        fmt = self.env.fmt
        reason = f"combo for {fmt.money(self.rule.price)}{_sets_text(len(sets))}"
        return reason, {"sets": len(sets), "combo_price": fmt.decimal(self.rule.price)}

    def incomplete(self) -> Miss:
        cart_lines = self.env.cart.lines
        haves: list[int] = []
        names: list[str] = []
        for group, (pid, quantity) in zip(self.per_item, self.rule.items, strict=True):
            have = sum(ln.quantity for ln in group)
            haves.append(have)
            if have < quantity:
                names.append(product_name(self.promo, pid, cart_lines))
        return _combo_miss(self.rule, tuple(haves), tuple(names), self.env.fmt)


def _combo_miss(rule: ComboRule, haves: tuple[int, ...], names: tuple[str, ...], fmt: Fmt) -> Miss:
    """Why a combo cannot form a set, given the cart's units per item and the names of the
    items it lacks (in item order)."""
    missing: list[tuple[int, str, int]] = []
    have_units = need_units = 0
    for have, (pid, quantity) in zip(haves, rule.items, strict=True):
        need_units += quantity
        have_units += min(have, quantity)
        if have < quantity:
            missing.append((pid, names[len(missing)], quantity - have))
    pid = missing[0][0]
    text = ", ".join(plural(n, nm) for _, nm, n in missing)
    hint = None
    if near_quantity(have_units, need_units):
        hint = HintDraft(
            HintKind.ADD_PRODUCT,
            f"add {text} for the combo at {fmt.money(rule.price)}",
            missing_quantity=sum(n for *_, n in missing),
            product_id=pid if len(missing) == 1 else None,
        )
    return Miss(ReasonCode.INCOMPLETE_BUNDLE, f"combo incomplete: missing {text}", hint)


def combo_shortfall(promo: Promo, ready: Ready, env: Env) -> Miss | None:
    """The combo's miss when some item has fewer units in the whole cart than the combo needs
    (what :class:`ComboPlan` reports then), else None.

    Remembered on the rule across carts: the miss is a function of the rule, the units per
    item, the names of the missing items (embedded, else the cart's: both in the key) and the
    currency format only, and a :class:`Miss` is never changed once made;
    ``test_shortfall_memo`` compares it with the plan's own and with fresh ones.
    """
    rule = promo.rule
    assert isinstance(rule, ComboRule)
    per_item: tuple[tuple[Line, ...], ...] = ready.data
    lines = env.cart.lines
    haves: list[int] = []
    names: list[str] = []
    for group, (pid, quantity) in zip(per_item, rule.items, strict=True):
        have = 0
        for ln in group:
            have += ln.quantity
        haves.append(have)
        if have < quantity:
            names.append(product_name(promo, pid, lines))
    if not names:
        return None
    fmt = env.fmt
    key = (fmt.currency, fmt.digits, tuple(haves), tuple(names))
    miss = rule.misses.get(key)
    if miss is None:
        if len(rule.misses) >= MISS_MEMO_LIMIT:  # bounded, whatever carts come
            rule.misses.clear()
        miss = rule.misses[key] = _combo_miss(rule, key[2], key[3], fmt)
    return miss


# ----------------------------------------------------------------------------- package


def precheck_package(promo: Promo, env: Env, lines: tuple[Line, ...]) -> Miss | Ready:
    """The cart lines that may fill each package slot."""
    rule = promo.rule
    assert isinstance(rule, PackageRule)
    per_slot: list[tuple[Line, ...]] = []
    for slot in rule.slots:
        if slot.product_id is not None:
            found = tuple(cart_product_lines(promo, slot.product_id, env.cart))
        else:
            assert slot.category is not None
            found = cart_item_pool(promo, slot.category, env.cart, lines)
        if not rule.allow_modification:
            found = tuple([ln for ln in found if ln.modifiers == 0])
        per_slot.append(found)
    if not any(per_slot):
        return NO_ITEMS
    return Ready(lines, tuple(per_slot))


class PackagePlan(BundlePlan):
    """Sets of a package: product slots, then category choices, most expensive units first."""

    __slots__ = ("orders", "per_slot", "rule")

    def __init__(self, promo: Promo, ready: Ready, ledger: Ledger, env: Env) -> None:
        rule = promo.rule
        assert isinstance(rule, PackageRule)
        per_slot: tuple[tuple[Line, ...], ...] = ready.data
        super().__init__(
            promo, ledger, env, frozenset(ln.idx for group in per_slot for ln in group)
        )
        self.rule = rule
        self.per_slot = per_slot
        self.max_sets = rule.max_sets
        self.orders: list[list[int]] = []

    def impossible(self) -> bool:
        return any(
            sum(ln.quantity for ln in group) < slot.minimum
            for group, slot in zip(self.per_slot, self.rule.slots, strict=True)
        )

    def incomplete(self) -> Miss:
        haves = tuple(sum(ln.quantity for ln in group) for group in self.per_slot)
        return _package_miss(self.rule, haves, self.env.fmt)

    def prepare(self) -> None:
        self.orders = [self.unit_order(group, cheapest=False) for group in self.per_slot]

    def form(self, free: list[int] | tuple[int, ...], made: int) -> BundleSet | None:
        used: dict[int, int] = {}
        taken: list[tuple[int, int]] = []
        for order, slot in zip(self.orders, self.rule.slots, strict=True):
            got = take_up_to(order, free, used, slot.maximum)
            if sum(n for _, n in got) < slot.minimum:
                return None
            taken.extend(got)
        if not taken:
            return None
        units = merge(taken)
        return BundleSet(units, units, units)

    def price(self, bundle: BundleSet) -> tuple[int, dict[int, int]]:
        return self.fixed_price(bundle, self.rule.price)

    def describe(self, sets: list[BundleSet]) -> tuple[str, dict[str, Any]]:
        fmt = self.env.fmt
        rule = self.rule
        reason = f"{rule.name} for {fmt.money(rule.price)}{_sets_text(len(sets))}"
        return reason, {"sets": len(sets), "package_price": fmt.decimal(rule.price)}


def _package_miss(rule: PackageRule, haves: tuple[int, ...], fmt: Fmt) -> Miss:
    """Why a package cannot form a set, given the cart's units per slot."""
    short = []
    for have, slot in zip(haves, rule.slots, strict=True):
        if have < slot.minimum:
            short.append((slot, slot.minimum - have))
    if not short:
        return Miss(ReasonCode.INCOMPLETE_BUNDLE, f"{rule.name}: no item to fill it")
    slot, missing = short[0]
    text = ", ".join(plural(n, s.label) for s, n in short)
    hint = None
    if len(short) == 1:
        hint = HintDraft(
            HintKind.ADD_PRODUCT,
            f"add {plural(missing, slot.label)} for {rule.name} at {fmt.money(rule.price)}",
            missing_quantity=missing,
            product_id=slot.product_id,
        )
    return Miss(ReasonCode.INCOMPLETE_BUNDLE, f"{rule.name} incomplete: missing {text}", hint)


def package_shortfall(promo: Promo, ready: Ready, env: Env) -> Miss | None:
    """The package's miss when some slot has fewer units in the whole cart than its minimum
    (what :class:`PackagePlan` reports then), else None.

    Remembered on the rule across carts: the miss is a function of the rule, the units per
    slot and the currency format only (no cart names or prices), and a :class:`Miss` is never
    changed once made; ``test_shortfall_memo`` compares it with the plan's own.
    """
    rule = promo.rule
    assert isinstance(rule, PackageRule)
    per_slot: tuple[tuple[Line, ...], ...] = ready.data
    short = False
    haves: list[int] = []
    for group, slot in zip(per_slot, rule.slots, strict=True):
        have = 0
        for ln in group:
            have += ln.quantity
        haves.append(have)
        if have < slot.minimum:
            short = True
    if not short:
        return None
    fmt = env.fmt
    key = (fmt.currency, fmt.digits, tuple(haves))
    miss = rule.misses.get(key)
    if miss is None:
        if len(rule.misses) >= MISS_MEMO_LIMIT:  # bounded, whatever carts come
            rule.misses.clear()
        miss = rule.misses[key] = _package_miss(rule, key[2], fmt)
    return miss


# ----------------------------------------------------------------------------- mix and match


def precheck_mix_match(promo: Promo, env: Env, lines: tuple[Line, ...]) -> Miss | Ready:
    """The cart lines of the mix-and-match item set."""
    rule = promo.rule
    assert isinstance(rule, MixMatchRule)
    pool = cart_item_pool(promo, rule.items, env.cart, lines)
    if not pool:
        return NO_ITEMS
    return Ready(lines, pool)


class MixMatchPlan(BundlePlan):
    """Sets of a mix and match: any N units of the set (distinct products if asked), most expensive
    first."""

    __slots__ = ("order", "pool", "rule")

    def __init__(self, promo: Promo, ready: Ready, ledger: Ledger, env: Env) -> None:
        rule = promo.rule
        assert isinstance(rule, MixMatchRule)
        pool: tuple[Line, ...] = ready.data
        super().__init__(promo, ledger, env, frozenset(ln.idx for ln in pool))
        self.rule = rule
        self.pool = pool
        self.max_sets = rule.max_sets
        self.order: list[int] = []

    def impossible(self) -> bool:
        if self.rule.allow_same_product:
            return sum(ln.quantity for ln in self.pool) < self.rule.quantity
        return len({ln.product for ln in self.pool}) < self.rule.quantity

    def prepare(self) -> None:
        self.order = self.unit_order(self.pool, cheapest=False)

    def form(self, free: list[int] | tuple[int, ...], made: int) -> BundleSet | None:
        rule = self.rule
        used: dict[int, int] = {}
        if rule.allow_same_product:
            got = take(self.order, free, used, rule.quantity)
            if got is None:
                return None
            units = merge(got)
            return BundleSet(units, units, units)
        lines = self.ledger.lines
        seen: set[object] = set()
        picked: list[tuple[int, int]] = []
        for idx in self.order:
            product = lines[idx].product
            if product in seen or free[idx] <= 0:
                continue
            seen.add(product)
            picked.append((idx, 1))
            if len(picked) == rule.quantity:
                units = merge(picked)
                return BundleSet(units, units, units)
        return None

    def price(self, bundle: BundleSet) -> tuple[int, dict[int, int]]:
        return self.fixed_price(bundle, self.rule.price)

    def describe(self, sets: list[BundleSet]) -> tuple[str, dict[str, Any]]:
        fmt = self.env.fmt
        rule = self.rule
        reason = (
            f"any {rule.quantity} {rule.label} for {fmt.money(rule.price)}{_sets_text(len(sets))}"
        )
        return reason, {
            "sets": len(sets),
            "set_size": rule.quantity,
            "set_price": fmt.decimal(rule.price),
        }

    def incomplete(self) -> Miss:
        return _mix_match_miss(self.rule, _mix_match_have(self.rule, self.pool), self.env.fmt)


def _mix_match_have(rule: MixMatchRule, pool: tuple[Line, ...]) -> int:
    """Units of the pool (distinct products when a set needs distinct products)."""
    if rule.allow_same_product:
        return sum(ln.quantity for ln in pool)
    return len({ln.product for ln in pool})


def _mix_match_miss(rule: MixMatchRule, have: int, fmt: Fmt) -> Miss:
    """Why a mix and match cannot form a set with ``have`` units (or products) in the cart."""
    missing = rule.quantity - have
    offer = f"{rule.quantity} for {fmt.money(rule.price)}"
    hint = None
    if near_quantity(have, rule.quantity):
        category = (
            next(iter(rule.items.category_ids))
            if rule.items and len(rule.items.category_ids) == 1
            else None
        )
        what = rule.label if rule.allow_same_product else f"different {rule.label}"
        hint = HintDraft(
            HintKind.ADD_QUANTITY,
            f"add {missing} more {what} for {offer}",
            missing_quantity=missing,
            category_id=category,
        )
    kind = "" if rule.allow_same_product else " different"
    return Miss(
        ReasonCode.MIN_QUANTITY_NOT_MET,
        f"{offer} needs {rule.quantity}{kind} {rule.label} (cart has {have})",
        hint,
    )


def mix_match_shortfall(promo: Promo, ready: Ready, env: Env) -> Miss | None:
    """The mix and match's miss when the whole cart holds fewer units (or distinct products)
    than one set needs (what :class:`MixMatchPlan` reports then), else None.

    Remembered on the rule across carts: the miss is a function of the rule, that count and
    the currency format only, and a :class:`Miss` is never changed once made;
    ``test_shortfall_memo`` compares it with the plan's own.
    """
    rule = promo.rule
    assert isinstance(rule, MixMatchRule)
    have = _mix_match_have(rule, ready.data)
    if have >= rule.quantity:
        return None
    fmt = env.fmt
    key = (fmt.currency, fmt.digits, have)
    miss = rule.misses.get(key)
    if miss is None:
        if len(rule.misses) >= MISS_MEMO_LIMIT:  # bounded, whatever carts come
            rule.misses.clear()
        miss = rule.misses[key] = _mix_match_miss(rule, have, fmt)
    return miss


__all__ = [
    "ComboPlan",
    "MixMatchPlan",
    "PackagePlan",
    "mix_match_shortfall",
    "package_shortfall",
]
