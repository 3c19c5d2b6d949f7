"""The promotion index: built once per snapshot, so per-cart work follows the cart.

:meth:`PromotionIndex.build` parses every promotion once (:mod:`.parse`) into its evaluation
order (stage, priority, code) and files it under every product and category (descendants
included) that can make it apply: its scope, its rule's products and item sets, its
conditions. Promotions that can apply to any cart (scope ``all`` with nothing narrower, e.g.
a cart-level percent, cashback, payment discount or threshold tier) are filed as "always".
:meth:`PromotionIndex.candidates` then unions the entries of the cart's products and categories
with "always" and returns them in evaluation order. A promotion none of whose products or
categories is in the cart is not a candidate and is not reported in ``not_applied``.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from promoflow_contracts.promotion import CompiledPromotion
from promoflow_evaluator.engine.cart import Cart
from promoflow_evaluator.engine.model import (
    BuyGetRule,
    ComboRule,
    FreeItemRule,
    ItemMatcher,
    MixMatchRule,
    PackageRule,
    Promo,
    TierRule,
    UpsellRule,
)
from promoflow_evaluator.engine.parse import descendant_map, parse_promotion, sort_key


def _keys(promo: Promo) -> tuple[set[UUID], set[UUID], bool]:
    """Products and categories that can make ``promo`` apply, and whether it can apply to any
    cart."""
    products: set[UUID] = set()
    categories: set[UUID] = set()
    scope = promo.scope
    rule = promo.rule
    narrowed = False

    def add(items: ItemMatcher | None) -> None:
        if items is not None:
            products.update(items.product_ids)
            categories.update(items.category_ids)

    if isinstance(rule, BuyGetRule):
        narrowed = rule.buy_items is not None or rule.get_items is not None
        add(rule.buy_items)
        add(rule.get_items)
    elif isinstance(rule, ComboRule):
        narrowed = True
        products.update(pid for pid, _ in rule.items)
    elif isinstance(rule, FreeItemRule):
        narrowed = rule.trigger_product is not None
        products.add(rule.free_product)
        if rule.trigger_product is not None:
            products.add(rule.trigger_product)
    elif isinstance(rule, PackageRule):
        narrowed = True
        for slot in rule.slots:
            if slot.product_id is not None:
                products.add(slot.product_id)
            add(slot.category)
    elif isinstance(rule, MixMatchRule):
        narrowed = rule.items is not None
        add(rule.items)
    elif isinstance(rule, UpsellRule):
        narrowed = True
        products.update((rule.required_product, rule.upsell_product))
    elif isinstance(rule, TierRule):
        for tier in rule.tiers:
            if tier.free_product is not None:
                products.add(tier.free_product)
    for cond in promo.conditions:
        narrowed = True
        add(cond.items)
    if not scope.applies_to_all:
        narrowed = True
        add(scope.items)
    return products, categories, not narrowed


class PromotionIndex:
    """Candidates by product, category and "always", in evaluation order (see module doc).

    Build with :meth:`build`; immutable afterwards and safe to share between threads.
    """

    __slots__ = ("_always", "_by_category", "_by_product", "promotions")

    def __init__(
        self,
        promotions: tuple[Promo, ...],
        by_product: dict[UUID, tuple[int, ...]],
        by_category: dict[UUID, tuple[int, ...]],
        always: tuple[int, ...],
    ) -> None:
        self.promotions = promotions
        self._by_product = by_product
        self._by_category = by_category
        self._always = always

    @classmethod
    def build(cls, promotions: Iterable[CompiledPromotion]) -> PromotionIndex:
        """Parse and index a snapshot. A promotion id given twice keeps its highest version.

        Cost is linear in the snapshot (≈ tens of µs per promotion); rebuild when the store's
        promotions change.
        """
        latest: dict[UUID, CompiledPromotion] = {}
        for promo in promotions:
            kept = latest.get(promo.id)
            if kept is None or promo.version > kept.version:
                latest[promo.id] = promo
        ordered = sorted(latest.values(), key=sort_key)
        descendants = descendant_map(ordered)
        parsed = tuple(parse_promotion(p, rank, descendants) for rank, p in enumerate(ordered))
        by_product: dict[UUID, list[int]] = {}
        by_category: dict[UUID, list[int]] = {}
        always: list[int] = []
        for item in parsed:
            products, categories, anywhere = _keys(item)
            if anywhere:
                always.append(item.rank)
                continue
            for pid in products:
                by_product.setdefault(pid, []).append(item.rank)
            for cid in categories:
                by_category.setdefault(cid, []).append(item.rank)
        return cls(
            parsed,
            {k: tuple(v) for k, v in by_product.items()},
            {k: tuple(v) for k, v in by_category.items()},
            tuple(always),
        )

    def __len__(self) -> int:
        return len(self.promotions)

    def candidates(self, cart: Cart) -> list[Promo]:
        """Promotions that may apply to ``cart``, in evaluation order."""
        found: set[int] = set(self._always)
        by_product = self._by_product
        by_category = self._by_category
        for pid in cart.product_ids:
            hit = by_product.get(pid)
            if hit:
                found.update(hit)
        for cid in cart.category_ids:
            hit = by_category.get(cid)
            if hit:
                found.update(hit)
        promotions = self.promotions
        return [promotions[rank] for rank in sorted(found)]
