"""Which other active promotions apply to the same items, at the same stores and times.

Two promotions *conflict* (a warning, never an error: stacking is often intended) when their
date ranges overlap, their days of week overlap, they reach a common store, and their item
footprints overlap. A footprint is the items a promotion's rules name (combo items, free or
upsell products, package slots, buy/get and mix-and-match sets) or, when the rules name none,
its scope; categories include their descendants, and a product counts under its category.
The check is conservative: time-of-day windows are ignored, exclusions only narrow an
``all`` scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from promoflow_compiler.domain.master import MasterData
from promoflow_compiler.domain.references import rule_item_ids
from promoflow_compiler.domain.spec import PromotionSpec
from promoflow_compiler.domain.targeting import ALL, resolve_stores
from promoflow_contracts.promotion import ScopeKind


@dataclass(frozen=True, slots=True)
class ExistingPromotion:
    """Another promotion of the company, as the conflict check needs it."""

    id: UUID
    code: str
    spec: PromotionSpec


@dataclass(frozen=True, slots=True)
class Footprint:
    """The items a promotion looks at; ``categories`` include descendants."""

    all_items: bool
    products: frozenset[UUID]
    categories: frozenset[UUID]
    exclude_products: frozenset[UUID]
    exclude_categories: frozenset[UUID]


def _expand(category_ids: list[UUID], master: MasterData) -> frozenset[UUID]:
    expanded: set[UUID] = set()
    for cid in category_ids:
        expanded.add(cid)
        expanded.update(master.descendants(cid))
    return frozenset(expanded)


def footprint(spec: PromotionSpec, master: MasterData) -> Footprint:
    """The item footprint of ``spec`` (see the module docstring)."""
    products, categories = rule_item_ids(spec)
    scope = spec.scope
    excl_p = frozenset(scope.exclude_product_ids)
    excl_c = _expand(list(scope.exclude_category_ids), master)
    if products or categories:
        return Footprint(False, products, _expand(list(categories), master), excl_p, excl_c)
    if scope.apply_to is ScopeKind.ALL:
        return Footprint(True, frozenset(), frozenset(), excl_p, excl_c)
    if scope.apply_to is ScopeKind.CATEGORIES:
        return Footprint(False, frozenset(), _expand(scope.category_ids, master), excl_p, excl_c)
    return Footprint(False, frozenset(scope.product_ids), frozenset(), excl_p, excl_c)


def _category_of(product_id: UUID, master: MasterData) -> UUID | None:
    product = master.products.get(product_id)
    return product.category_id if product is not None else None


def _reaches_beyond(narrow: Footprint, wide: Footprint, master: MasterData) -> bool:
    """True when ``narrow`` names an item that the all-items ``wide`` does not exclude."""
    for pid in narrow.products:
        if pid not in wide.exclude_products and _category_of(pid, master) not in (
            wide.exclude_categories
        ):
            return True
    return bool(narrow.categories - wide.exclude_categories)


def items_overlap(a: Footprint, b: Footprint, master: MasterData) -> bool:
    """True when some item may be in both footprints."""
    if a.all_items and b.all_items:
        return True
    if a.all_items:
        return _reaches_beyond(b, a, master)
    if b.all_items:
        return _reaches_beyond(a, b, master)
    if a.products & b.products or a.categories & b.categories:
        return True
    if any(_category_of(p, master) in b.categories for p in a.products):
        return True
    return any(_category_of(p, master) in a.categories for p in b.products)


def _times_overlap(a: PromotionSpec, b: PromotionSpec) -> bool:
    va, vb = a.validity, b.validity
    if va.start_date > vb.end_date or vb.start_date > va.end_date:
        return False
    if va.days_of_week is not None and vb.days_of_week is not None:
        return bool(set(va.days_of_week) & set(vb.days_of_week))
    return True


def _store_set(spec: PromotionSpec, master: MasterData) -> frozenset[UUID] | None:
    """The targeted store ids (None = every store of the company)."""
    resolved = resolve_stores(spec.targeting, master)
    return None if resolved == ALL else frozenset(resolved)


def _stores_overlap(mine: frozenset[UUID] | None, theirs: frozenset[UUID] | None) -> bool:
    if mine is None or theirs is None:
        return mine != frozenset() and theirs != frozenset()
    return bool(mine & theirs)


def conflicting(
    spec: PromotionSpec,
    others: list[ExistingPromotion],
    master: MasterData,
    *,
    exclude_id: UUID | None = None,
) -> list[ExistingPromotion]:
    """The promotions of ``others`` that overlap ``spec``, sorted by code.

    A promotion never conflicts with itself: ``exclude_id`` (the promotion being edited) and any
    promotion with the same code (codes are unique per company, so that is the same promotion
    validated again before an edit) are left out.
    """
    mine = footprint(spec, master)
    my_stores = _store_set(spec, master)
    found = [
        other
        for other in others
        if other.id != exclude_id
        and other.code.casefold() != spec.code.casefold()
        and other.spec.company_id == spec.company_id
        and _times_overlap(spec, other.spec)
        and _stores_overlap(my_stores, _store_set(other.spec, master))
        and items_overlap(mine, footprint(other.spec, master), master)
    ]
    return sorted(found, key=lambda p: p.code)
