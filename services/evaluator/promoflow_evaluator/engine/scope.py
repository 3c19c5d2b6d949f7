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

from promoflow_evaluator.engine.cart import Cart, Line
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


# ----------------------------------------------------------------------------- per-cart fast path
# The same rules as above, computed from the cart's product and category maps with set
# operations (the cart has a few lines, a promotion may name hundreds of products), and the
# brand checks of a targeting rule judged once per cart. ``test_scope_fast_path`` checks that
# they agree with the line-by-line functions above.


def _brand_allowed(promo: Promo, cart: Cart) -> frozenset[int] | None:
    """Indices of the lines the promotion's targeting brands allow (None: all of them)."""
    targeting = promo.targeting
    if not cart.line_brands or (targeting.brands is None and not targeting.exclude_brands):
        return None
    key = id(targeting)
    allowed = cart.allowed.get(key)
    if allowed is None:
        allowed = cart.allowed[key] = frozenset(
            line.idx
            for line in cart.lines
            if line.brand is None
            or (
                line.brand not in targeting.exclude_brands
                and (targeting.brands is None or line.brand in targeting.brands)
            )
        )
    return allowed


def _filter(promo: Promo, cart: Cart, lines: list[Line]) -> list[Line]:
    """``lines`` without the ones :func:`_allowed` refuses."""
    if not lines:
        return lines
    allowed = _brand_allowed(promo, cart)
    if allowed is not None and len(allowed) < len(cart.lines):
        lines = [line for line in lines if line.idx in allowed]
    scope = promo.scope
    # Exclusions that name none of the cart's products or categories change nothing (checked
    # without building the intersections: most scopes exclude nothing).
    excluded_products = scope.exclude_products
    excluded_categories = scope.exclude_categories
    if (excluded_products and not excluded_products.isdisjoint(cart.product_keys)) or (
        excluded_categories and not excluded_categories.isdisjoint(cart.category_keys)
    ):
        lines = [
            line
            for line in lines
            if line.product not in excluded_products
            and (line.category is None or line.category not in excluded_categories)
        ]
    cross = promo.cross_brand
    if cross is not None:
        benefit = cross.benefit_brands
        lines = [line for line in lines if line.brand is not None and line.brand in benefit]
    return lines


def matched_lines(items: ItemMatcher, cart: Cart) -> list[Line]:
    """The cart lines whose product or category is in ``items``, in canonical order."""
    products = items.product_ids & cart.product_keys
    categories = items.category_ids & cart.category_keys
    lines = cart.lines
    # One product or one category: its index list is already in canonical order (the cart
    # builds it walking its lines in order), no set and no sort needed.
    if not categories:
        if not products:
            return []
        if len(products) == 1:
            for product in products:
                return [lines[idx] for idx in cart.product_lines[product]]
    elif not products and len(categories) == 1:
        for category in categories:
            return [lines[idx] for idx in cart.category_lines[category]]
    found: set[int] = set()
    for product in products:
        found.update(cart.product_lines[product])
    for category in categories:
        found.update(cart.category_lines[category])
    return [lines[idx] for idx in sorted(found)]


def cart_eligible_lines(promo: Promo, cart: Cart) -> list[Line]:
    """:func:`eligible_lines` of the cart's lines."""
    scope = promo.scope
    if scope.applies_to_all:
        return _filter(promo, cart, list(cart.lines))
    return _filter(promo, cart, matched_lines(scope.items, cart))


def cart_item_lines(
    promo: Promo, items: ItemMatcher | None, cart: Cart, scoped: Sequence[Line]
) -> list[Line]:
    """:func:`item_lines` of the cart's lines."""
    if items is None:
        return list(scoped)
    return _filter(promo, cart, matched_lines(items, cart))


def cart_item_pool(
    promo: Promo, items: ItemMatcher | None, cart: Cart, scoped: tuple[Line, ...]
) -> tuple[Line, ...]:
    """:func:`cart_item_lines` as a tuple: ``scoped`` itself (no copy) when ``items`` is None
    (an empty item set means the promotion's scope)."""
    if items is None:
        return scoped
    return tuple(_filter(promo, cart, matched_lines(items, cart)))


def cart_product_lines(promo: Promo, product: int, cart: Cart) -> list[Line]:
    """:func:`product_lines` of the cart's lines."""
    found = cart.product_lines.get(product)
    if not found:
        return []
    lines = cart.lines
    return _filter(promo, cart, [lines[idx] for idx in found])
