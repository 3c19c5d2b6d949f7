"""Type-specific checks of the validator (one function per promotion type that needs one).

Completeness: a BOGO with a distinct reward set is not ``same_product_only``; a combo holds at
least two units of distinct products; a package has a required slot; a free item has a trigger
product or a minimum purchase; an upsell's add-on differs from the required product; a
happy hour's window differs from the promotion's own. Savings: a combo, package, upsell or
special price that is not below the embedded prices saves nothing (warning).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from uuid import UUID

from promoflow_compiler.domain.findings import Findings
from promoflow_compiler.domain.master import MasterData
from promoflow_compiler.domain.spec import PromotionSpec
from promoflow_contracts.rules import (
    AmountDiscountRules,
    BuyXGetYRules,
    ComboRules,
    FreeItemRules,
    HappyHourRules,
    PackageRules,
    PercentDiscountRules,
    ThresholdTierRules,
    UpsellRules,
)

#: A percent discount at or above this is flagged as unusually deep (warning).
DEEP_DISCOUNT_PERCENT = Decimal(80)


def _price(master: MasterData, product_id: UUID | None) -> Decimal | None:
    product = master.products.get(product_id) if product_id is not None else None
    return product.price if product is not None else None


def _percent(spec: PromotionSpec, master: MasterData, out: Findings) -> None:
    rules = spec.rules
    assert isinstance(rules, PercentDiscountRules)
    if rules.discount_percent >= DEEP_DISCOUNT_PERCENT:
        out.warn("rules.discount_percent", "deep_discount", f"{rules.discount_percent}% is unusual")


def _amount(spec: PromotionSpec, master: MasterData, out: Findings) -> None:
    rules = spec.rules
    assert isinstance(rules, AmountDiscountRules)
    if rules.min_purchase > 0 and rules.discount_amount >= rules.min_purchase:
        out.warn(
            "rules.discount_amount", "exceeds_minimum", "the discount is not below min_purchase"
        )


def _bogo(spec: PromotionSpec, master: MasterData, out: Findings) -> None:
    rules = spec.rules
    assert isinstance(rules, BuyXGetYRules)
    if rules.same_product_only and not rules.get_set.is_empty:
        out.error(
            "rules.get_set", "contradiction", "same_product_only rewards the bought product itself"
        )


def _combo(spec: PromotionSpec, master: MasterData, out: Findings) -> None:
    rules = spec.rules
    assert isinstance(rules, ComboRules)
    ids = [item.product_id for item in rules.items]
    if len(set(ids)) != len(ids):
        out.error("rules.items", "duplicate", "a product appears twice; raise its quantity")
    if sum(item.quantity for item in rules.items) < 2:
        out.error("rules.items", "incomplete_combo", "a combo needs at least two units")
    prices = [_price(master, item.product_id) for item in rules.items]
    if all(p is not None for p in prices):
        total = sum(
            (p * item.quantity for p, item in zip(prices, rules.items, strict=True) if p),
            Decimal(0),
        )
        if rules.combo_price >= total:
            out.warn("rules.combo_price", "no_saving", f"not below the items' total {total}")


def _free_item(spec: PromotionSpec, master: MasterData, out: Findings) -> None:
    rules = spec.rules
    assert isinstance(rules, FreeItemRules)
    if rules.trigger_product_id is None and rules.min_purchase <= 0:
        out.error(
            "rules.trigger_product_id",
            "incomplete_free_item",
            "a free item needs a trigger product or a min_purchase above 0",
        )


def _happy_hour(spec: PromotionSpec, master: MasterData, out: Findings) -> None:
    rules = spec.rules
    assert isinstance(rules, HappyHourRules)
    v = spec.validity
    if v.time_start is not None and (v.time_start, v.time_end) != (
        rules.time_start,
        rules.time_end,
    ):
        out.warn("validity.time_start", "two_windows", "both validity and rules set a time window")
    if rules.special_price is not None:
        for pid in spec.scope.product_ids:
            price = _price(master, pid)
            if price is not None and rules.special_price >= price:
                out.warn("rules.special_price", "no_saving", f"not below the price of {pid}")


def _package(spec: PromotionSpec, master: MasterData, out: Findings) -> None:
    rules = spec.rules
    assert isinstance(rules, PackageRules)
    if not any(slot.is_required for slot in rules.items):
        out.error("rules.items", "incomplete_package", "a package needs a required item")
    fixed = [s for s in rules.items if s.item_type == "product" and s.is_required]
    prices = [_price(master, s.product_id) for s in fixed]
    if fixed and all(p is not None for p in prices):
        total = sum((p * s.quantity for p, s in zip(prices, fixed, strict=True) if p), Decimal(0))
        if rules.package_price >= total and len(fixed) == len(rules.items):
            out.warn("rules.package_price", "no_saving", f"not below the items' total {total}")


def _upsell(spec: PromotionSpec, master: MasterData, out: Findings) -> None:
    rules = spec.rules
    assert isinstance(rules, UpsellRules)
    if rules.required_product_id == rules.upsell_product_id:
        out.error(
            "rules.upsell_product_id", "contradiction", "the add-on must differ from the product"
        )
    price = _price(master, rules.upsell_product_id)
    if price is not None and rules.special_price >= price:
        out.warn("rules.special_price", "no_saving", f"not below the add-on's price {price}")


def _threshold(spec: PromotionSpec, master: MasterData, out: Findings) -> None:
    rules = spec.rules
    assert isinstance(rules, ThresholdTierRules)
    for i, tier in enumerate(rules.tiers):
        low, high = tier.min_amount, tier.max_amount
        if low is not None and high is not None and high < low:
            out.error(f"rules.tiers.{i}.max_amount", "range", "max_amount is below min_amount")
        fewest, most = tier.min_quantity, tier.max_quantity
        if fewest is not None and most is not None and most < fewest:
            out.error(
                f"rules.tiers.{i}.max_quantity", "range", "max_quantity is below min_quantity"
            )


CHECKS: dict[str, Callable[[PromotionSpec, MasterData, Findings], None]] = {
    "percent_discount": _percent,
    "amount_discount": _amount,
    "buy_x_get_y": _bogo,
    "combo": _combo,
    "free_item": _free_item,
    "happy_hour": _happy_hour,
    "package": _package,
    "upsell": _upsell,
    "threshold_tier": _threshold,
}


def check_rules(spec: PromotionSpec, master: MasterData, out: Findings) -> None:
    """Run the type-specific checks of ``spec.rules.type`` (none for the remaining types:
    their constraints are all per-field and enforced when parsing)."""
    check = CHECKS.get(spec.rules.type)
    if check is not None:
        check(spec, master, out)
