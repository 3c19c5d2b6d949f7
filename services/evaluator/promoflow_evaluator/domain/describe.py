"""A short human description of a promotion for POS displays (pure).

``describe(promotion)`` → e.g. ``"20% off Beverages (max Rp 50.000), min. purchase
Rp 100.000 · Sat-Sun · members only"``. Money is written the way the currency is read locally:
IDR with ``.`` thousands and no decimals (``Rp 50.000``), GBP ``£7.95``, USD ``$7.95``, others
``CODE 1,234.50``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from uuid import UUID

from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.rules import (
    AmountDiscountRules,
    BuyXGetYRules,
    CashbackRules,
    ComboRules,
    FreeItemRules,
    HappyHourRules,
    ItemSet,
    MixMatchRules,
    PackageRules,
    PaymentDiscountRules,
    PercentDiscountRules,
    RewardKind,
    ThresholdTierRules,
    TierBenefit,
    UpsellRules,
)

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "SGD": "S$", "MYR": "RM "}


def money(amount: Decimal, currency: str) -> str:
    """``amount`` (major unit) as people read it in ``currency``."""
    if currency == "IDR":
        whole = f"{amount.quantize(Decimal(1)):,}".replace(",", ".")
        return f"Rp {whole}"
    text = f"{amount.quantize(Decimal('0.01')):,}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{currency} {text}"


def percent(value: Decimal) -> str:
    """``Decimal("12.50")`` → ``"12.5%"``."""
    normalized = value.normalize()
    text = f"{normalized:f}" if normalized != normalized.to_integral_value() else f"{int(value)}"
    return text + "%"


class _Names:
    """Product and category names embedded in a promotion, by id."""

    def __init__(self, promotion: CompiledPromotion) -> None:
        scope = promotion.scope
        self.products = {p.id: p.name for p in [*scope.products, *scope.exclude_products]}
        self.categories = {c.id: c.name for c in [*scope.categories, *scope.exclude_categories]}

    def product(self, pid: UUID | None, fallback: str | None = None) -> str:
        if pid is None:
            return fallback or "an item"
        return fallback or self.products.get(pid, "selected item")

    def items(self, items: ItemSet, default: str) -> str:
        if items.is_empty:
            return default
        names = [self.products.get(p, "selected item") for p in items.product_ids]
        names += [self.categories.get(c, "selected category") for c in items.category_ids]
        return _join(names)


def _join(names: Iterable[str]) -> str:
    unique = list(dict.fromkeys(names))
    if len(unique) > 3:
        return ", ".join(unique[:3]) + f" +{len(unique) - 3} more"
    return ", ".join(unique)


def scope_text(promotion: CompiledPromotion) -> str:
    """What the promotion applies to: ``all items``, category or product names."""
    scope = promotion.scope
    if scope.apply_to.value == "categories":
        return _join(c.name for c in scope.categories)
    if scope.apply_to.value == "products":
        return _join(p.name for p in scope.products)
    return "all items"


def benefit(promotion: CompiledPromotion) -> str:
    """The promotion's benefit in a few words."""
    rules = promotion.rules
    cur = promotion.currency
    names = _Names(promotion)
    where = scope_text(promotion)
    if isinstance(rules, PercentDiscountRules):
        text = f"{percent(rules.discount_percent)} off {where}"
        if rules.max_discount_amount:
            text += f" (max {money(rules.max_discount_amount, cur)})"
        return text + _min_purchase(rules.min_purchase, cur)
    if isinstance(rules, AmountDiscountRules):
        each = " each" if rules.apply_per == "unit" else ""
        return f"{money(rules.discount_amount, cur)} off {where}{each}" + _min_purchase(
            rules.min_purchase, cur
        )
    if isinstance(rules, BuyXGetYRules):
        buy = names.items(rules.buy_set, where)
        get = names.items(rules.get_set, "")
        reward = {
            RewardKind.FREE: "free",
            RewardKind.PERCENT_OFF: f"{percent(rules.reward.value or Decimal(0))} off",
            RewardKind.AMOUNT_OFF: f"{money(rules.reward.value or Decimal(0), cur)} off",
            RewardKind.FIXED_PRICE: f"for {money(rules.reward.value or Decimal(0), cur)}",
        }[rules.reward.kind]
        target = f" {get}" if get else ""
        return f"Buy {rules.buy_quantity} {buy}, get {rules.get_quantity}{target} {reward}"
    if isinstance(rules, ComboRules):
        parts = [
            f"{i.quantity}x {names.product(i.product_id, i.product_name)}"
            if i.quantity > 1
            else names.product(i.product_id, i.product_name)
            for i in rules.items
        ]
        return f"{' + '.join(parts)} for {money(rules.combo_price, cur)}"
    if isinstance(rules, FreeItemRules):
        free = names.product(rules.free_product_id, rules.free_product_name)
        count = f"{rules.free_quantity}x " if rules.free_quantity > 1 else ""
        if rules.trigger_product_id is not None:
            trigger = names.product(rules.trigger_product_id)
            return f"Free {count}{free} with {rules.trigger_quantity}x {trigger}"
        return f"Free {count}{free} with purchase of {money(rules.min_purchase, cur)}"
    if isinstance(rules, HappyHourRules):
        window = f"{rules.time_start:%H:%M}-{rules.time_end:%H:%M}"
        if rules.discount_percent is not None:
            deal = f"{percent(rules.discount_percent)} off {where}"
        elif rules.discount_amount is not None:
            deal = f"{money(rules.discount_amount, cur)} off each of {where}"
        else:
            deal = f"{where} at {money(rules.special_price or Decimal(0), cur)} each"
        return f"Happy hour {window}: {deal}"
    if isinstance(rules, CashbackRules):
        value = (
            percent(rules.cashback_value)
            if rules.cashback_type == "percent"
            else money(rules.cashback_value, cur)
        )
        text = f"{value} cashback as {rules.cashback_method}"
        if rules.cashback_max:
            text += f" (max {money(rules.cashback_max, cur)})"
        if rules.payment_methods:
            text += f" with {_join(rules.payment_methods)}"
        return text + _min_purchase(rules.min_purchase, cur)
    if isinstance(rules, PaymentDiscountRules):
        value = (
            percent(rules.discount_value)
            if rules.discount_type == "percent"
            else money(rules.discount_value, cur)
        )
        text = f"{value} off when paying with {_join(rules.payment_methods)}"
        if rules.max_discount:
            text += f" (max {money(rules.max_discount, cur)})"
        return text + _min_purchase(rules.min_purchase, cur)
    if isinstance(rules, PackageRules):
        return f"{rules.package_name} for {money(rules.package_price, cur)}"
    if isinstance(rules, MixMatchRules):
        items = names.items(rules.item_set, where)
        return f"Any {rules.required_quantity} of {items} for {money(rules.special_price, cur)}"
    if isinstance(rules, UpsellRules):
        add = names.product(rules.upsell_product_id, rules.upsell_product_name)
        with_ = names.product(rules.required_product_id)
        return f"Add {add} for {money(rules.special_price, cur)} with {with_}"
    if isinstance(rules, ThresholdTierRules):
        return "; ".join(_tier(t, rules.basis, cur, names) for t in rules.tiers)
    return promotion.name  # pragma: no cover - the rules union is closed


def _tier(tier: object, basis: str, cur: str, names: _Names) -> str:
    from promoflow_contracts.rules import Tier

    assert isinstance(tier, Tier)
    reach = (
        f"Spend {money(tier.min_amount or Decimal(0), cur)}"
        if basis == "amount"
        else f"Buy {tier.min_quantity}"
    )
    if tier.discount_type is TierBenefit.PERCENT:
        gain = f"{percent(tier.discount_value)} off"
    elif tier.discount_type is TierBenefit.AMOUNT:
        gain = f"{money(tier.discount_value, cur)} off"
    elif tier.discount_type is TierBenefit.FREE_PRODUCT:
        gain = f"free {names.product(tier.free_product_id, tier.free_product_name)}"
    else:
        gain = f"{tier.points_multiplier}x points"
    return f"{reach}: {gain}"


def _min_purchase(amount: Decimal, currency: str) -> str:
    return f", min. purchase {money(amount, currency)}" if amount > 0 else ""


def conditions(promotion: CompiledPromotion) -> list[str]:
    """Short notes on when and for whom: days, hours, members, vouchers, channels."""
    notes: list[str] = []
    validity = promotion.validity
    if validity.days_of_week:
        notes.append(_days(validity.days_of_week))
    if validity.time_start is not None and validity.time_end is not None:
        notes.append(f"{validity.time_start:%H:%M}-{validity.time_end:%H:%M}")
    targeting = promotion.targeting
    if targeting.member_only or targeting.member_tiers:
        tiers = f" ({', '.join(targeting.member_tiers)})" if targeting.member_tiers else ""
        notes.append(f"members only{tiers}")
    if targeting.sales_channels:
        notes.append(", ".join(c.value.replace("_", " ") for c in targeting.sales_channels))
    if promotion.require_voucher:
        notes.append("voucher required")
    if not promotion.is_stackable:
        notes.append("not combinable")
    return notes


def _days(days: list[int]) -> str:
    ordered = sorted(set(days))
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{_DAYS[ordered[0] - 1]}-{_DAYS[ordered[-1] - 1]}"
    return ", ".join(_DAYS[d - 1] for d in ordered)


def describe(promotion: CompiledPromotion) -> str:
    """One line: the benefit, then the conditions, separated by ``·``."""
    return " · ".join([benefit(promotion), *conditions(promotion)])
