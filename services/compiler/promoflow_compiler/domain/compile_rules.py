"""Compiling the type-specific rules: embed names and prices, expand item sets, sort sets.

Each function returns a new contract model (the authored one is frozen and never changed).
Author-supplied embedded fields (``product_name``, ``unit_price``, ...) are overwritten with
master data. ``ItemSet.category_ids`` are expanded with every descendant category, so a store
matches a line's category against the list without the tree.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from promoflow_compiler.domain.exceptions import CompileError
from promoflow_compiler.domain.master import MasterData, Product
from promoflow_contracts.promotion import CartCondition
from promoflow_contracts.rules import (
    BuyXGetYRules,
    CashbackRules,
    ComboItem,
    ComboRules,
    FreeItemRules,
    ItemSet,
    MixMatchRules,
    PackageItem,
    PackageRules,
    PaymentDiscountRules,
    PromotionRules,
    ThresholdTierRules,
    Tier,
    UpsellRules,
)


def _product(master: MasterData, product_id: UUID, path: str) -> Product:
    product = master.products.get(product_id)
    if product is None:
        raise CompileError(f"{path}: unknown product {product_id}")
    return product


def expand_item_set(items: ItemSet, master: MasterData) -> ItemSet:
    """``items`` with sorted, unique product ids and categories expanded with descendants."""
    categories: set[UUID] = set()
    for cid in items.category_ids:
        categories.add(cid)
        categories.update(master.descendants(cid))
    return ItemSet(
        product_ids=sorted(set(items.product_ids), key=str),
        category_ids=sorted(categories, key=str),
    )


def _combo(rules: ComboRules, master: MasterData) -> ComboRules:
    items = []
    for i, item in enumerate(sorted(rules.items, key=lambda it: str(it.product_id))):
        product = _product(master, item.product_id, f"rules.items.{i}.product_id")
        items.append(
            ComboItem(
                product_id=item.product_id,
                quantity=item.quantity,
                product_name=product.name,
                unit_price=product.price,
            )
        )
    return rules.model_copy(update={"items": items})


def _free_item(rules: FreeItemRules, master: MasterData) -> FreeItemRules:
    product = _product(master, rules.free_product_id, "rules.free_product_id")
    return rules.model_copy(
        update={"free_product_name": product.name, "free_product_price": product.price}
    )


def _upsell(rules: UpsellRules, master: MasterData) -> UpsellRules:
    product = _product(master, rules.upsell_product_id, "rules.upsell_product_id")
    return rules.model_copy(
        update={"upsell_product_name": product.name, "upsell_product_price": product.price}
    )


def _package(rules: PackageRules, master: MasterData) -> PackageRules:
    slots: list[PackageItem] = []
    for i, slot in enumerate(rules.items):
        name: str | None
        if slot.item_type == "product" and slot.product_id is not None:
            name = _product(master, slot.product_id, f"rules.items.{i}.product_id").name
        else:
            category = master.categories.get(slot.category_id) if slot.category_id else None
            name = category.name if category is not None else slot.name
        slots.append(slot.model_copy(update={"name": name}))
    return rules.model_copy(update={"items": slots})


def _threshold(rules: ThresholdTierRules, master: MasterData) -> ThresholdTierRules:
    tiers: list[Tier] = []
    for i, tier in enumerate(rules.tiers):
        if tier.free_product_id is None:
            tiers.append(tier)
            continue
        product = _product(master, tier.free_product_id, f"rules.tiers.{i}.free_product_id")
        tiers.append(
            tier.model_copy(
                update={"free_product_name": product.name, "free_product_price": product.price}
            )
        )
    return rules.model_copy(update={"tiers": tiers})


def compile_rules(rules: PromotionRules, master: MasterData) -> PromotionRules:
    """The compiled form of ``rules`` (see the module docstring)."""
    update: dict[str, Any]
    if isinstance(rules, BuyXGetYRules):
        update = {
            "buy_set": expand_item_set(rules.buy_set, master),
            "get_set": expand_item_set(rules.get_set, master),
        }
        return rules.model_copy(update=update)
    if isinstance(rules, MixMatchRules):
        return rules.model_copy(update={"item_set": expand_item_set(rules.item_set, master)})
    if isinstance(rules, ComboRules):
        return _combo(rules, master)
    if isinstance(rules, FreeItemRules):
        return _free_item(rules, master)
    if isinstance(rules, UpsellRules):
        return _upsell(rules, master)
    if isinstance(rules, PackageRules):
        return _package(rules, master)
    if isinstance(rules, ThresholdTierRules):
        return _threshold(rules, master)
    if isinstance(rules, CashbackRules | PaymentDiscountRules):
        methods = sorted(set(rules.payment_methods))
        return rules.model_copy(update={"payment_methods": methods})
    return rules


def compile_conditions(conditions: list[CartCondition], master: MasterData) -> list[CartCondition]:
    """Cart conditions with their item sets expanded (order kept)."""
    return [c.model_copy(update={"items": expand_item_set(c.items, master)}) for c in conditions]
