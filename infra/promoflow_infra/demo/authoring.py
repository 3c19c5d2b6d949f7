"""The demo promotions: one of each of the 12 types per brand, written for that brand's menu.

For the London takeaway (GBP) they read: 20% off curries over £25 (at most £5), £0.50 off up
to two starters, buy 2 breads get the cheapest free, a tikka masala + pilau rice + naan combo,
a free mango chutney over £15, 20% off drinks 17:00-18:30, 5% cashback in points for members
(at most £5), 5% off paying by card over £20 (at most £3), a starter + curry + rice set menu,
any 3 chutneys and sauces for a set price, a beer at half price with the favourite curry, and
5/10/15% off from £40/60/80. Dishes are picked from what the receipts sell most.
GoFood brands get the same shapes on their own sections, in rupiah (:mod:`.amounts`).

Each promotion's identity is its ``code`` (``DEMO-<brand code>-<kind>``, unique per company
at HO), so re-running the importer finds and updates it. Specs are JSON-ready dicts in the
compiler's authoring shape (``PromotionSpec``), targeting every store serving the brand
(``store_brand_ids``), valid 2024-01-01..2030-12-31. Pure and deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from statistics import median
from typing import Any
from uuid import UUID

from promoflow_contracts.base import PromotionType
from promoflow_infra.datasets.model import Brand, Product
from promoflow_infra.demo.amounts import Amounts, amounts_for
from promoflow_infra.demo.catalogue import DemoCatalogue
from promoflow_infra.demo.menu import MenuRoles, read_menu

START_DATE = "2024-01-01"
END_DATE = "2030-12-31"
#: Happy hour windows (store-local) per currency: after-work in London, afternoon in Indonesia.
HAPPY_HOURS = {
    "GBP": ("17:00:00", "18:30:00"),
    "IDR": ("14:00:00", "17:00:00"),
    "USD": ("14:00:00", "16:00:00"),  # the afternoon lull of a coffee shop
}
#: The 12 promotion types, in the contract's order.
PROMOTION_TYPES = tuple(t.value for t in PromotionType)


@dataclass(frozen=True, slots=True)
class AuthoredPromotion:
    """One demo promotion: its code (identity), type, brand and the spec to send."""

    code: str
    promo_type: str
    brand_id: UUID
    currency: str
    spec: dict[str, Any]


def money(amount: Decimal, currency: str) -> str:
    """``£25``, ``£0.50``, ``Rp 150.000``: how the demo names amounts."""
    if currency == "IDR":
        return "Rp " + f"{int(amount):,}".replace(",", ".")
    symbol = {"GBP": "£"}.get(currency, currency + " ")
    return (
        f"{symbol}{amount:.0f}" if amount == amount.to_integral_value() else f"{symbol}{amount:.2f}"
    )


def _ids(*values: UUID) -> list[str]:
    return [str(v) for v in values]


def _num(value: Decimal) -> str:
    """A decimal as JSON text without exponent (``10``, ``0.50``, ``150000``)."""
    return f"{value:f}" if value != value.to_integral_value() else f"{value.to_integral_value():f}"


@dataclass(frozen=True, slots=True)
class _Brand:
    brand: Brand
    menu: MenuRoles
    amounts: Amounts

    def m(self, amount: Decimal) -> str:
        return money(amount, self.amounts.currency)

    def floor(self, amount: Decimal) -> Decimal:
        return self.amounts.floor(amount)


Rule = tuple[str, str, dict[str, Any], dict[str, Any]]  # kind, name, rules, extra spec fields


def _percent(b: _Brand) -> Rule:
    a, main = b.amounts, b.menu.main
    rules = {
        "type": "percent_discount",
        "discount_percent": "20",
        "max_discount_amount": _num(a.percent_cap),
        "min_purchase": _num(a.percent_min_purchase),
    }
    name = f"20% off {main.name} over {b.m(a.percent_min_purchase)} (max {b.m(a.percent_cap)})"
    return "PCT-MAINS", name, rules, {"scope": _categories(main.id)}


def _amount(b: _Brand) -> Rule:
    off, starter = b.amounts.unit_amount_off, b.menu.starter
    rules = {
        "type": "amount_discount",
        "discount_amount": _num(off),
        "apply_per": "unit",
        "target": {"selection": "most_expensive", "max_units_per_cart": 2},
    }
    name = f"{b.m(off)} off up to two {starter.name}"
    return "UNIT-OFF", name, rules, {"scope": _categories(starter.id)}


def _bogo(b: _Brand) -> Rule:
    bread = b.menu.bread
    rules = {
        "type": "buy_x_get_y",
        "buy_quantity": 2,
        "get_quantity": 1,
        "reward": {"kind": "free"},
        "reward_selection": "cheapest",
    }
    return "BUY2GET1", f"Buy 2 {bread.name}, get 1 free", rules, {"scope": _categories(bread.id)}


def _distinct_tops(b: _Brand) -> list[Product]:
    """A main, a staple and the better seller of the top bread and the top drink (the drink
    when nothing was sold): what people order together."""
    menu = b.menu
    bread, drink = menu.top(menu.bread)[0], menu.top(menu.drink)[0]
    third = menu.bread if menu.sold[bread.id] > menu.sold[drink.id] else menu.drink
    picked: list[Product] = []
    for category in (menu.main, menu.staple, third):
        for product in menu.top(category, 5):
            if product.id not in {p.id for p in picked}:
                picked.append(product)
                break
    return picked


def _combo(b: _Brand) -> Rule:
    items = _distinct_tops(b)
    price = b.floor(sum((p.price for p in items), Decimal(0)) * Decimal("0.85"))
    rules = {
        "type": "combo",
        "combo_price": _num(price),
        "items": [{"product_id": str(p.id), "quantity": 1} for p in items],
        "max_combos_per_cart": 2,
    }
    return "COMBO", f"{' + '.join(p.name for p in items)} for {b.m(price)}", rules, {}


def _free_item(b: _Brand) -> Rule:
    a = b.amounts
    free = b.menu.cheapest_popular()
    rules = {
        "type": "free_item",
        "min_purchase": _num(a.free_item_min_purchase),
        "free_product_id": str(free.id),
        "free_quantity": 1,
    }
    return "FREE-ITEM", f"Free {free.name} over {b.m(a.free_item_min_purchase)}", rules, {}


def _happy_hour(b: _Brand) -> Rule:
    start, end = HAPPY_HOURS[b.amounts.currency]
    drink = b.menu.drink
    rules = {
        "type": "happy_hour",
        "time_start": start,
        "time_end": end,
        "discount_percent": "20",
    }
    name = f"Happy hour: 20% off {drink.name} {start[:5]}-{end[:5]}"
    return "HAPPY-HOUR", name, rules, {"scope": _categories(drink.id)}


def _cashback(b: _Brand) -> Rule:
    cap = b.amounts.cashback_cap
    rules = {
        "type": "cashback",
        "cashback_type": "percent",
        "cashback_value": "5",
        "cashback_max": _num(cap),
        "cashback_method": "points",
    }
    extra = {"targeting": {"member_only": True}}
    return "CASHBACK", f"5% back in points for members (max {b.m(cap)})", rules, extra


def _payment(b: _Brand) -> Rule:
    a = b.amounts
    percent = "5" if a.currency == "GBP" else "10"
    rules = {
        "type": "payment_discount",
        "payment_methods": list(a.payment_methods),
        "discount_type": "percent",
        "discount_value": percent,
        "max_discount": _num(a.payment_cap),
        "min_purchase": _num(a.payment_min_purchase),
    }
    methods = "/".join(a.payment_methods).lower()
    name = f"{percent}% off paying by {methods} over {b.m(a.payment_min_purchase)}"
    return "PAY", f"{name} (max {b.m(a.payment_cap)})", rules, {}


def _package(b: _Brand) -> Rule:
    menu = b.menu
    slots = [menu.starter, menu.main, menu.staple]
    price = b.floor(sum((menu.median_price(c) for c in slots), Decimal(0)) * Decimal("0.85"))
    rules = {
        "type": "package",
        "package_name": "Set menu",
        "package_price": _num(price),
        "items": [
            {"item_type": "category", "category_id": str(c.id), "quantity": 1, "name": c.name}
            for c in slots
        ],
        "max_packages_per_cart": 2,
    }
    names = " + ".join(c.name for c in slots)
    return "SET-MENU", f"Set menu: {names} for {b.m(price)}", rules, {}


def _mix_match(b: _Brand) -> Rule:
    """Any 3 of the side dishes priced like the best sellers (up to the median price of the
    top 5) for 80% of three such items."""
    side = b.menu.side
    reference = Decimal(median(p.price for p in b.menu.top(side, 5)))
    items = sorted((p for p in b.menu.products[side.id] if p.price <= reference), key=_by_id)
    price = b.floor(reference * 3 * Decimal("0.8"))
    rules = {
        "type": "mix_match",
        "item_set": {"product_ids": [str(p.id) for p in items]},
        "required_quantity": 3,
        "special_price": _num(price),
        "max_sets_per_cart": 2,
    }
    name = f"Any 3 {side.name} up to {b.m(reference)} for {b.m(price)}"
    return "ANY3", name, rules, {}


def _by_id(product: Product) -> str:
    return str(product.id)


def _upsell(b: _Brand) -> Rule:
    main = b.menu.top(b.menu.main)[0]
    drink = b.menu.top(b.menu.drink)[0]
    price = b.floor(drink.price / 2)
    rules = {
        "type": "upsell",
        "required_product_id": str(main.id),
        "upsell_product_id": str(drink.id),
        "special_price": _num(price),
        "max_quantity": 1,
        "upsell_message": f"Add a {drink.name} for only {b.m(price)}",
    }
    return "UPSELL", f"{drink.name} for {b.m(price)} with {main.name}", rules, {}


def _tiers(b: _Brand) -> Rule:
    tiers = [
        {
            "tier_name": f"Spend {b.m(minimum)}",
            "min_amount": _num(minimum),
            "discount_type": "percent",
            "discount_value": _num(percent),
            "max_discount": _num(cap),
        }
        for minimum, percent, cap in b.amounts.tiers
    ]
    rules = {"type": "threshold_tier", "basis": "amount", "tiers": tiers}
    percents = "/".join(_num(p) for _, p, _ in b.amounts.tiers)
    minimums = "/".join(b.m(m) for m, _, _ in b.amounts.tiers)
    return "TIERS", f"{percents}% off from {minimums}", rules, {}


def _categories(*ids: UUID) -> dict[str, Any]:
    return {"apply_to": "categories", "category_ids": _ids(*ids)}


AUTHORS: tuple[Callable[[_Brand], Rule], ...] = (
    _percent,
    _amount,
    _bogo,
    _combo,
    _free_item,
    _happy_hour,
    _cashback,
    _payment,
    _package,
    _mix_match,
    _upsell,
    _tiers,
)


def author(catalogue: DemoCatalogue, company_id: UUID) -> list[AuthoredPromotion]:
    """The demo promotions of every brand in ``catalogue`` (12 per brand, one per type).

    Raises ``KeyError`` for a brand whose stores sell in a currency without demo amounts.
    """
    promotions: list[AuthoredPromotion] = []
    for brand in catalogue.brands:
        stores = catalogue.brand_stores(brand.id)
        if not stores:
            continue
        amounts = amounts_for(stores[0].currency)
        menu = read_menu(
            [c for c in catalogue.categories if c.brand_id == brand.id],
            [p for p in catalogue.products if p.brand_id == brand.id],
            catalogue.sold,
        )
        context = _Brand(brand, menu, amounts)
        for build in AUTHORS:
            kind, name, rules, extra = build(context)
            code = f"DEMO-{brand.code}-{kind}"
            spec: dict[str, Any] = {
                "company_id": str(company_id),
                "code": code,
                "name": name[:255],
                "description": f"PromoFlow demo promotion for {brand.name}.",
                "brand_id": str(brand.id),
                "currency": amounts.currency,
                "validity": {"start_date": START_DATE, "end_date": END_DATE},
                "rules": rules,
                **extra,
            }
            targeting = {"stores": "all", "store_brand_ids": [str(brand.id)]}
            spec["targeting"] = {**targeting, **extra.get("targeting", {})}
            promotions.append(
                AuthoredPromotion(code, str(rules["type"]), brand.id, amounts.currency, spec)
            )
    return promotions
