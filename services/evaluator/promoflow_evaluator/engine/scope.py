"""Which cart lines a promotion may touch: scope, exclusions, line brands, cross-brand.

A line is *eligible* for a promotion when it is in the scope (all, or one of the products, or
a category or one of its descendants), not excluded (excluded products and categories,
descendants included), of a targeted brand when the line names its brand (targeting ``brands``
and ``exclude_brands`` also apply per line, for multi-brand stores), and, for a cross-brand
promotion, of a benefit brand. A rule's own item set (buy set, get set, mix-and-match set)
narrows to its products and categories but keeps the exclusions and the brand checks; an empty
item set means the scope.
"""

from __future__ import annotations

from collections.abc import Sequence

from promoflow_evaluator.engine.cart import Line
from promoflow_evaluator.engine.model import ItemMatcher, Promo


def matches(items: ItemMatcher, line: Line) -> bool:
    """True when the line's product or category (descendants included) is in ``items``."""
    return line.product in items.product_ids or (
        line.category is not None and line.category in items.category_ids
    )


def _allowed(promo: Promo, line: Line) -> bool:
    scope = promo.scope
    if line.product in scope.exclude_products:
        return False
    if line.category is not None and line.category in scope.exclude_categories:
        return False
    brand = line.brand
    targeting = promo.targeting
    if brand is not None:
        if brand in targeting.exclude_brands:
            return False
        if targeting.brands is not None and brand not in targeting.brands:
            return False
    cross = promo.cross_brand
    return cross is None or (brand is not None and brand in cross.benefit_brands)


def eligible_lines(promo: Promo, lines: Sequence[Line]) -> list[Line]:
    """The lines in the promotion's scope, in canonical order."""
    scope = promo.scope
    if scope.applies_to_all:
        return [line for line in lines if _allowed(promo, line)]
    items = scope.items
    return [line for line in lines if matches(items, line) and _allowed(promo, line)]


def item_lines(
    promo: Promo, items: ItemMatcher | None, lines: Sequence[Line], scoped: Sequence[Line]
) -> list[Line]:
    """Lines of a rule's item set (``None`` = the scope, already computed as ``scoped``)."""
    if items is None:
        return list(scoped)
    return [line for line in lines if matches(items, line) and _allowed(promo, line)]


def product_lines(promo: Promo, product: int, lines: Sequence[Line]) -> list[Line]:
    """Lines of one product (``UUID.int``) that the promotion may touch (exclusions and brands
    still apply)."""
    return [line for line in lines if line.product == product and _allowed(promo, line)]
