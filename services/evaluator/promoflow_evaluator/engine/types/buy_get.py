"""Buy X get Y (type 3): buy ``buy_quantity`` units, get ``get_quantity`` units rewarded.

* Pools: the buy set and the get set (each empty = the promotion's scope). Same set = pooled
  ("buy 2 get 1" over all beverages); ``same_product_only`` forms every set within one product.
* One set = buy units first (outside the get set first, then from the other end of the price
  order than the rewards, i.e. most expensive first for "cheapest free"), then the reward units
  by ``reward_selection`` (default cheapest; ``all`` behaves as cheapest). A unit is never both
  bought and rewarded within a set. ``buy_min_amount`` adds units until their prices (before
  discounts) reach it. Over several sets the rewarded units are the cheapest ones, as in the
  seeds' "cheapest items free" rule.
* Rewards: free, percent off, amount off per unit, or a fixed unit price (modifiers payable).
* ``application = once_per_order`` = one set; ``max_reward_units`` caps the rewarded units
  (the last set may reward fewer).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from promoflow_contracts.results import HintKind, ReasonCode
from promoflow_contracts.rules import RewardKind
from promoflow_evaluator.engine.bundles import BundlePlan, BundleSet
from promoflow_evaluator.engine.cart import Line
from promoflow_evaluator.engine.explain import lines_label
from promoflow_evaluator.engine.hints import near_quantity
from promoflow_evaluator.engine.ledger import Env, Ledger
from promoflow_evaluator.engine.model import BuyGetRule, Promo
from promoflow_evaluator.engine.outcome import MISS_MEMO_LIMIT, HintDraft, Miss
from promoflow_evaluator.engine.scope import cart_item_pool
from promoflow_evaluator.engine.types.common import NO_ITEMS, Ready
from promoflow_evaluator.engine.units import merge, take

_EMPTY: frozenset[UUID] = frozenset()


def reward_text(rule: BuyGetRule, env: Env) -> str:
    """``"free"``, ``"50% off"``, ``"Rp 5.000 off"``, ``"for Rp 10.000"``."""
    fmt = env.fmt
    if rule.reward is RewardKind.FREE:
        return "free"
    if rule.reward is RewardKind.PERCENT_OFF:
        return f"{fmt.percent(rule.reward_value)} off"
    if rule.reward is RewardKind.AMOUNT_OFF:
        return f"{fmt.money(rule.reward_value)} off"
    return f"for {fmt.money(rule.reward_value)}"


def precheck_buy_get(promo: Promo, env: Env, lines: tuple[Line, ...]) -> Miss | Ready:
    """The buy and get pools of the cart (each empty set = the scope)."""
    rule = promo.rule
    assert isinstance(rule, BuyGetRule)
    buy = cart_item_pool(promo, rule.buy_items, env.cart, lines)
    get = cart_item_pool(promo, rule.get_items, env.cart, lines)
    if not buy and not get:
        return NO_ITEMS
    return Ready(lines, (buy, get))


def _pooled_units(rule: BuyGetRule, buy: tuple[Line, ...], get: tuple[Line, ...]) -> int:
    """Units a pooled set can draw from: the pool, or the best single product."""
    counts: dict[int, int] = {}
    pool = {ln.idx: ln for ln in (*buy, *get)}.values()
    for ln in pool:
        key = ln.product if rule.same_product else 0
        counts[key] = counts.get(key, 0) + ln.quantity
    return max(counts.values(), default=0)


class BuyGetPlan(BundlePlan):
    """Sets of a buy-x-get-y promotion (see the module docstring for the unit policy)."""

    __slots__ = ("buy", "buy_order", "get", "groups", "reward_order", "rule")

    def __init__(self, promo: Promo, ready: Ready, ledger: Ledger, env: Env) -> None:
        rule = promo.rule
        assert isinstance(rule, BuyGetRule)
        buy, get = ready.data
        super().__init__(promo, ledger, env, frozenset(ln.idx for ln in (*buy, *get)))
        self.rule = rule
        self.buy: tuple[Line, ...] = buy
        self.get: tuple[Line, ...] = get
        self.max_sets = rule.max_sets
        self.reward_order: list[int] = []
        self.buy_order: list[int] = []
        self.groups: list[tuple[list[int], list[int]]] = []

    def impossible(self) -> bool:
        rule = self.rule
        if rule.pooled:
            return _pooled_units(rule, self.buy, self.get) < rule.buy_quantity + rule.get_quantity
        buy_units = sum(ln.quantity for ln in self.buy)
        return buy_units < rule.buy_quantity or not self.get

    def prepare(self) -> None:
        rule = self.rule
        ledger = self.ledger
        buy, get = self.buy, self.get
        sign = 1 if rule.cheapest_first else -1
        get_ids = {ln.idx for ln in get}
        self.reward_order = self.unit_order(get, cheapest=rule.cheapest_first)
        self.buy_order = [
            ln.idx
            for ln in sorted(
                buy, key=lambda ln: (ln.idx in get_ids, -sign * self.value(ln.idx, 1), ln.idx)
            )
        ]
        if rule.same_product:
            products: dict[int, int] = {}
            for idx in self.reward_order:
                products.setdefault(ledger.lines[idx].product, len(products))
            for product in products:
                b = [i for i in self.buy_order if ledger.lines[i].product == product]
                r = [i for i in self.reward_order if ledger.lines[i].product == product]
                if b and r:
                    self.groups.append((b, r))

    def form(self, free: list[int] | tuple[int, ...], made: int) -> BundleSet | None:
        rule = self.rule
        reward_n = rule.get_quantity
        if rule.max_reward_units is not None:
            reward_n = min(reward_n, rule.max_reward_units - made * rule.get_quantity)
            if reward_n <= 0:
                return None
        if rule.same_product:
            for buy_order, reward_order in self.groups:
                found = self._form(buy_order, reward_order, free, reward_n)
                if found is not None:
                    return found
            return None
        return self._form(self.buy_order, self.reward_order, free, reward_n)

    def _form(
        self,
        buy_order: list[int],
        reward_order: list[int],
        free: list[int] | tuple[int, ...],
        reward_n: int,
    ) -> BundleSet | None:
        used: dict[int, int] = {}
        buys = self._take_buy(buy_order, free, used)
        if buys is None:
            return None
        rewards = take(reward_order, free, used, reward_n)
        if rewards is None:
            return None
        return BundleSet(merge(buys), merge(rewards), merge(buys, rewards))

    def _take_buy(
        self, order: list[int], free: list[int] | tuple[int, ...], used: dict[int, int]
    ) -> list[tuple[int, int]] | None:
        rule = self.rule
        lines = self.ledger.lines
        out: list[tuple[int, int]] = []
        count = amount = 0
        for idx in order:
            avail = free[idx] - used.get(idx, 0)
            if avail <= 0:
                continue
            price = lines[idx].unit_price
            need = max(rule.buy_quantity - count, 0)
            if amount < rule.buy_min_amount:
                need = max(need, -(-(rule.buy_min_amount - amount) // price))
            n = min(avail, need)
            out.append((idx, n))
            used[idx] = used.get(idx, 0) + n
            count += n
            amount += n * price
            if count >= rule.buy_quantity and amount >= rule.buy_min_amount:
                return out
        return None

    def price(self, bundle: BundleSet) -> tuple[int, dict[int, int]]:
        return self.rewards(bundle.benefit, self.rule.reward, self.rule.reward_value)

    def describe(self, sets: list[BundleSet]) -> tuple[str, dict[str, Any]]:
        rule = self.rule
        rewarded = sum(n for s in sets for _, n in s.benefit)
        text = f"buy {rule.buy_quantity} get {rule.get_quantity} {reward_text(rule, self.env)}"
        reason = f"{text}: {self.units_text(merge(*(s.benefit for s in sets)))}"
        if len(sets) > 1:
            reason += f" ({len(sets)} sets)"
        return reason, {"sets": len(sets), "reward_units": rewarded, "reward": rule.reward.value}

    def incomplete(self) -> Miss:
        return _buy_get_miss(self.promo, self.rule, self.buy, self.get, self.env)


def _buy_label(rule: BuyGetRule, buy: tuple[Line, ...]) -> str:
    # ``rule.buy_label`` is the embedded label of the buy set (parse): "" when the promotion
    # names none of its items, and the cart lines' names label it then
    return rule.buy_label or lines_label(buy)


def _get_label(rule: BuyGetRule, get: tuple[Line, ...]) -> str:
    return rule.get_label or lines_label(get)


def _too_few(text: str, label: str, have: int, need: int) -> Miss:
    """``need`` units of ``label`` are needed and the cart has ``have``: the miss, with an
    "add N more" hint when near."""
    missing = need - have
    hint = None
    if near_quantity(have, need):
        message = f"add {missing} more {label} for {text}"
        hint = HintDraft(HintKind.ADD_QUANTITY, message, missing_quantity=missing)
    reason = f"{text} needs {need} x {label} (cart has {have})"
    return Miss(ReasonCode.MIN_QUANTITY_NOT_MET, reason, hint)


def _buy_get_miss(
    promo: Promo, rule: BuyGetRule, buy: tuple[Line, ...], get: tuple[Line, ...], env: Env
) -> Miss:
    """Why a buy-x-get-y cannot form a set from the ``buy`` and ``get`` pools of the cart."""
    text = f"buy {rule.buy_quantity} get {rule.get_quantity} {reward_text(rule, env)}"
    buy_units = sum(ln.quantity for ln in buy)
    get_units = sum(ln.quantity for ln in get)
    buy_label = _buy_label(rule, buy)
    if rule.pooled:
        have = _pooled_units(rule, buy, get)
        need = rule.buy_quantity + rule.get_quantity
        if have >= need:
            return Miss(
                ReasonCode.MIN_PURCHASE_NOT_MET,
                f"{text}: the bought units must add up to {env.fmt.money(rule.buy_min_amount)}",
            )
        return _too_few(text, buy_label, have, need)
    get_label = _get_label(rule, get)
    if buy_units < rule.buy_quantity:
        return _too_few(text, buy_label, buy_units, rule.buy_quantity)
    if get_units == 0:
        items = rule.get_items
        product = next(iter(items.product_ids)) if items and len(items.product_ids) == 1 else None
        return Miss(
            ReasonCode.INCOMPLETE_BUNDLE,
            f"{text}: add {get_label} to the cart",
            HintDraft(
                HintKind.ADD_PRODUCT,
                f"add {rule.get_quantity} x {get_label} {reward_text(rule, env)}",
                missing_quantity=rule.get_quantity,
                product_id=product,
            ),
        )
    buy_amount = sum(ln.gross for ln in buy)
    if buy_amount < rule.buy_min_amount:
        return Miss(
            ReasonCode.MIN_PURCHASE_NOT_MET,
            f"{text} needs {env.fmt.money(rule.buy_min_amount)} of {buy_label} "
            f"(cart has {env.fmt.money(buy_amount)})",
        )
    return Miss(
        ReasonCode.MIN_QUANTITY_NOT_MET,
        f"{text} needs {rule.buy_quantity} x {buy_label} and "
        f"{rule.get_quantity} x {get_label}, a unit cannot count as both",
    )


def buy_get_shortfall(promo: Promo, ready: Ready, env: Env) -> Miss | None:
    """The buy-x-get-y's miss when the whole cart's unit counts cannot form a set (what
    :class:`BuyGetPlan` reports then: ``impossible()`` then ``incomplete()``), else None.

    Remembered on the rule across carts: the miss is a function of the rule, the unit counts,
    the currency format and the buy and get labels only (the labels are in the key: the rule's
    embedded ones, or the cart lines' names when it has none), and a :class:`Miss` is never
    changed once made; ``test_shortfall_memo`` compares it with the plan's own and with fresh
    ones.
    """
    rule = promo.rule
    assert isinstance(rule, BuyGetRule)
    buy: tuple[Line, ...]
    get: tuple[Line, ...]
    buy, get = ready.data
    if rule.pooled:
        have = _pooled_units(rule, buy, get)
        if have >= rule.buy_quantity + rule.get_quantity:
            return None
        key_a, key_b = have, 0
        get_label = ""  # a pooled miss does not name the get set
    else:
        buy_units = 0
        for ln in buy:
            buy_units += ln.quantity
        if buy_units >= rule.buy_quantity and get:
            return None
        # its miss: too few buy units (their count), else no get units at all
        key_a, key_b = min(buy_units, rule.buy_quantity), 1
        get_label = _get_label(rule, get)
    fmt = env.fmt
    key = (fmt.currency, fmt.digits, key_a, key_b, _buy_label(rule, buy), get_label)
    miss = rule.misses.get(key)
    if miss is None:
        if len(rule.misses) >= MISS_MEMO_LIMIT:  # bounded, whatever carts come
            rule.misses.clear()
        miss = rule.misses[key] = _buy_get_miss(promo, rule, buy, get, env)
    return miss
