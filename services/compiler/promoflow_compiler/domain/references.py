"""Every master-data id a promotion spec refers to, by kind and by field path.

Used to load the products a compilation needs, to check that references exist, to fill the
``promotion_refs`` table (which promotions embed product X), and to find item overlaps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from promoflow_compiler.domain.memo import IdentityMemo
from promoflow_compiler.domain.spec import PromotionSpec
from promoflow_contracts.rules import (
    BuyXGetYRules,
    ComboRules,
    FreeItemRules,
    ItemSet,
    MixMatchRules,
    PackageRules,
    ThresholdTierRules,
    UpsellRules,
)


@dataclass(frozen=True, slots=True)
class Ref:
    """One reference: ``kind`` (as stored in ``promotion_refs``), the id, and the field path."""

    kind: str
    id: UUID
    field: str


def _item_set(items: ItemSet, path: str) -> Iterator[Ref]:
    for i, pid in enumerate(items.product_ids):
        yield Ref("rule_product", pid, f"{path}.product_ids.{i}")
    for i, cid in enumerate(items.category_ids):
        yield Ref("rule_category", cid, f"{path}.category_ids.{i}")


def rule_refs(spec: PromotionSpec) -> Iterator[Ref]:
    """References made by the type-specific rules and the cart conditions."""
    rules = spec.rules
    if isinstance(rules, BuyXGetYRules):
        yield from _item_set(rules.buy_set, "rules.buy_set")
        yield from _item_set(rules.get_set, "rules.get_set")
    elif isinstance(rules, ComboRules):
        for i, item in enumerate(rules.items):
            yield Ref("rule_product", item.product_id, f"rules.items.{i}.product_id")
    elif isinstance(rules, FreeItemRules):
        if rules.trigger_product_id is not None:
            yield Ref("rule_product", rules.trigger_product_id, "rules.trigger_product_id")
        yield Ref("rule_product", rules.free_product_id, "rules.free_product_id")
    elif isinstance(rules, PackageRules):
        for i, slot in enumerate(rules.items):
            if slot.item_type == "product" and slot.product_id is not None:
                yield Ref("rule_product", slot.product_id, f"rules.items.{i}.product_id")
            if slot.item_type == "category" and slot.category_id is not None:
                yield Ref("rule_category", slot.category_id, f"rules.items.{i}.category_id")
    elif isinstance(rules, MixMatchRules):
        yield from _item_set(rules.item_set, "rules.item_set")
    elif isinstance(rules, UpsellRules):
        yield Ref("rule_product", rules.required_product_id, "rules.required_product_id")
        yield Ref("rule_product", rules.upsell_product_id, "rules.upsell_product_id")
    elif isinstance(rules, ThresholdTierRules):
        for i, tier in enumerate(rules.tiers):
            if tier.free_product_id is not None:
                yield Ref("rule_product", tier.free_product_id, f"rules.tiers.{i}.free_product_id")
    for i, condition in enumerate(spec.conditions):
        yield from _item_set(condition.items, f"conditions.{i}.items")


def spec_refs(spec: PromotionSpec) -> list[Ref]:
    """Every reference of ``spec`` in a stable order (scope, rules, targeting, cross-brand)."""
    refs: list[Ref] = []
    scope = spec.scope
    refs += [
        Ref("scope_category", c, f"scope.category_ids.{i}")
        for i, c in enumerate(scope.category_ids)
    ]
    refs += [
        Ref("scope_product", p, f"scope.product_ids.{i}") for i, p in enumerate(scope.product_ids)
    ]
    refs += [
        Ref("exclude_category", c, f"scope.exclude_category_ids.{i}")
        for i, c in enumerate(scope.exclude_category_ids)
    ]
    refs += [
        Ref("exclude_product", p, f"scope.exclude_product_ids.{i}")
        for i, p in enumerate(scope.exclude_product_ids)
    ]
    refs += list(rule_refs(spec))
    targeting = spec.targeting
    if targeting.stores != "all":
        refs += [Ref("store", s, f"targeting.stores.{i}") for i, s in enumerate(targeting.stores)]
    refs += [
        Ref("store_brand", b, f"targeting.store_brand_ids.{i}")
        for i, b in enumerate(targeting.store_brand_ids)
    ]
    if targeting.brands != "all":
        refs += [Ref("brand", b, f"targeting.brands.{i}") for i, b in enumerate(targeting.brands)]
    refs += [
        Ref("exclude_brand", b, f"targeting.exclude_brands.{i}")
        for i, b in enumerate(targeting.exclude_brands)
    ]
    if spec.cross_brand is not None:
        cross = spec.cross_brand
        refs += [
            Ref("cross_brand", b, f"cross_brand.trigger_brands.{i}")
            for i, b in enumerate(cross.trigger_brands)
        ]
        refs += [
            Ref("cross_brand", b, f"cross_brand.benefit_brands.{i}")
            for i, b in enumerate(cross.benefit_brands)
        ]
    if spec.brand_id is not None:
        refs.append(Ref("brand_owner", spec.brand_id, "brand_id"))
    return refs


PRODUCT_KINDS = frozenset({"scope_product", "exclude_product", "rule_product"})
CATEGORY_KINDS = frozenset({"scope_category", "exclude_category", "rule_category"})
STORE_KINDS = frozenset({"store"})
BRAND_KINDS = frozenset({"store_brand", "brand", "exclude_brand", "cross_brand", "brand_owner"})


_PRODUCTS: IdentityMemo[PromotionSpec, frozenset[UUID]] = IdentityMemo()
_RULE_ITEMS: IdentityMemo[PromotionSpec, tuple[frozenset[UUID], frozenset[UUID]]] = IdentityMemo()


def product_ids(spec: PromotionSpec) -> frozenset[UUID]:
    """Ids of every product ``spec`` refers to (memoised per spec object)."""
    return _PRODUCTS.get(
        spec, lambda s: frozenset(r.id for r in spec_refs(s) if r.kind in PRODUCT_KINDS)
    )


def rule_item_ids(spec: PromotionSpec) -> tuple[frozenset[UUID], frozenset[UUID]]:
    """(products, categories) the type-specific rules name, without cart conditions."""

    def compute(s: PromotionSpec) -> tuple[frozenset[UUID], frozenset[UUID]]:
        named = [r for r in rule_refs(s) if not r.field.startswith("conditions.")]
        return (
            frozenset(r.id for r in named if r.kind == "rule_product"),
            frozenset(r.id for r in named if r.kind == "rule_category"),
        )

    return _RULE_ITEMS.get(spec, compute)


def category_ids(spec: PromotionSpec) -> set[UUID]:
    """Ids of every category ``spec`` refers to."""
    return {r.id for r in spec_refs(spec) if r.kind in CATEGORY_KINDS}


def noun_of(kind: str) -> str:
    """``product``, ``category``, ``store`` or ``brand`` for a reference kind."""
    if kind in PRODUCT_KINDS:
        return "product"
    if kind in CATEGORY_KINDS:
        return "category"
    if kind in STORE_KINDS:
        return "store"
    return "brand"
