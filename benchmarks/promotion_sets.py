"""Generated promotion sets of mixed types (all 12) for a multi-brand chain.

The chain has ``brands`` brands (default 10). The benchmark store belongs to the first, whose
menu is the real one of the carts; the others get menus of the same shape (same prices and
category tree, their own product and category ids). Each promotion belongs to one brand, drawn
uniformly, uses that brand's products and categories and targets that brand; all of them
target every store (``stores: all``), so the store's index holds all of them. Each runs as a
campaign of 8-80 weeks somewhere in the data's four years (about 20 % of the set is in force
on a given day; the rest is scheduled or finished but still published). With ``brands = 1`` every
promotion is on the store's own menu (the worst case: ~10x more candidates per cart).

The mix follows what a chain runs: mostly product- and category-scoped promotions (bundles
at the item level, item discounts, happy hours), few that apply to any cart (payment
discounts, cashback, cart-level tiers: about 4 %). About 10 % are not stackable, 15 % have a
time window, 10 % weekdays only, 10 % exclude holidays; some use the extended parameters
(unit targets, distinct buy/get sets, quantity tiers, conditions, original compounding,
campaign budgets, member-only); :func:`extend` adds the rest of issue 8's parameters (per-line
unit caps, most-expensive selection, eligible-subtotal minimums, reward selection, once per
order, bought-amount minimums, amount-off rewards, budgets in redemptions). The benchmark gives
every campaign a remaining budget (:data:`CAMPAIGN_BUDGETS`) so budgets are exercised.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from carts import BRAND_ID, COMPANY_ID, NS, Catalogue

from promoflow_contracts.promotion import CompiledPromotion

_TYPES = {
    "percent_discount": 15,
    "amount_discount": 8,
    "buy_x_get_y": 12,
    "combo": 10,
    "free_item": 6,
    "happy_hour": 8,
    "cashback": 3,
    "payment_discount": 2,
    "package": 6,
    "mix_match": 9,
    "upsell": 10,
    "threshold_tier": 6,
}
_COMPILED_AT = datetime(2019, 1, 1, tzinfo=UTC).isoformat()
_FIRST_DAY = date(2015, 6, 1)
_SPAN_DAYS = (date(2019, 8, 3) - _FIRST_DAY).days
CAMPAIGNS = [uuid5(NS, f"campaign-{i}") for i in range(20)]
#: Remaining budgets the benchmark's context gives the campaigns (GBP; redemptions), so the
#: engine shrinks discounts to them: half of the campaigns have little money left.
CAMPAIGN_BUDGETS: dict[UUID, Decimal] = {
    cid: Decimal("5.00") if i % 2 else Decimal("500.00") for i, cid in enumerate(CAMPAIGNS)
}
CAMPAIGN_REDEMPTIONS: dict[UUID, int] = {cid: 1 + i % 3 for i, cid in enumerate(CAMPAIGNS)}


def brand_catalogue(catalogue: Catalogue, brand: int) -> tuple[UUID, Catalogue]:
    """The store's brand (0: the real menu) or another brand's menu of the same shape."""
    if brand == 0:
        return BRAND_ID, catalogue
    brand_id = uuid5(NS, f"brand-{brand}")
    other = Catalogue()
    remap: dict[UUID, UUID] = {cid: uuid5(brand_id, f"cat-{cid}") for cid in catalogue.categories}
    for cid, name in catalogue.categories.items():
        other.categories[remap[cid]] = name
    for parent, kids in catalogue.children.items():
        other.children[remap[parent]] = {remap[k] for k in kids}
    for pid, (name, cid, price) in catalogue.products.items():
        other.products[uuid5(brand_id, f"prod-{pid}")] = (name, remap[cid], price)
    return brand_id, other


class _Gen:
    def __init__(self, catalogue: Catalogue, rng: random.Random, brand_id: UUID = BRAND_ID) -> None:
        self.rng = rng
        self.brand_id = brand_id
        self.cat = catalogue
        self.products = sorted(catalogue.products)
        by_cat: dict[UUID, list[UUID]] = {}
        for pid, (_, cid, _) in catalogue.products.items():
            by_cat.setdefault(cid, []).append(pid)
        self.by_cat = {k: sorted(v) for k, v in by_cat.items()}
        self.categories = sorted(catalogue.categories)

    def price(self, pid: UUID) -> Decimal:
        return self.cat.products[pid][2]

    def money(self, low: float, high: float) -> str:
        return f"{self.rng.uniform(low, high):.2f}"

    def product_ref(self, pid: UUID) -> dict[str, Any]:
        name, cid, price = self.cat.products[pid]
        return {"id": str(pid), "name": name, "price": str(price), "category_id": str(cid)}

    def category_ref(self, cid: UUID) -> dict[str, Any]:
        kids = sorted(self.cat.children.get(cid, ()))
        return {
            "id": str(cid),
            "name": self.cat.categories[cid],
            "descendant_ids": [str(k) for k in kids],
        }

    def scope(self, kinds: tuple[float, float, float]) -> dict[str, Any]:
        """``kinds`` = weights of (products, categories, all)."""
        kind = self.rng.choices(["products", "categories", "all"], weights=kinds)[0]
        if kind == "products":
            picks = self.rng.sample(self.products, self.rng.choice([1, 1, 2, 3]))
            return {"apply_to": "products", "products": [self.product_ref(p) for p in picks]}
        if kind == "categories":
            return {
                "apply_to": "categories",
                "categories": [self.category_ref(self.rng.choice(self.categories))],
            }
        scope: dict[str, Any] = {"apply_to": "all"}
        if self.rng.random() < 0.3:
            scope["exclude_categories"] = [self.category_ref(self.rng.choice(self.categories))]
        return scope

    def rules(self, kind: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """(rules, scope, extra document fields)."""
        rng = self.rng
        if kind == "percent_discount":
            rules: dict[str, Any] = {
                "discount_percent": rng.choice(["5", "10", "15", "20", "25", "12.5"])
            }
            scope = self.scope((50, 45, 1))
            if rng.random() < 0.4:
                rules["max_discount_amount"] = self.money(2, 10)
            if rng.random() < 0.3:
                rules["min_purchase"] = self.money(10, 40)
            if rng.random() < 0.15:
                rules["target"] = {
                    "selection": "cheapest",
                    "max_units_per_cart": rng.choice([1, 2]),
                }
            stage = "cart_level" if scope["apply_to"] == "all" else "item_level"
            return rules, scope, {"execution_stage": stage}
        if kind == "amount_discount":
            rules = {"discount_amount": self.money(0.5, 5), "min_purchase": self.money(0, 30)}
            if rng.random() < 0.3:
                rules["apply_per"] = "unit"
                rules["target"] = {"selection": "all", "max_units_per_cart": 3}
            return rules, self.scope((60, 40, 0)), {}
        if kind == "buy_x_get_y":
            mode = rng.random()
            if mode < 0.5:
                pid = rng.choice(self.products)
                rules = {
                    "buy_quantity": rng.choice([1, 1, 2]),
                    "get_quantity": 1,
                    "same_product_only": True,
                }
                return rules, {"apply_to": "products", "products": [self.product_ref(pid)]}, {}
            if mode < 0.8:
                rules = {
                    "buy_quantity": rng.choice([2, 3]),
                    "get_quantity": 1,
                    "reward": rng.choice(
                        [{"kind": "free"}, {"kind": "percent_off", "value": "50"}]
                    ),
                }
                return rules, self.scope((0, 1, 0)), {}
            buy_cat = rng.choice(self.categories)
            get = rng.choice(self.products)
            rules = {
                "buy_quantity": rng.choice([1, 2]),
                "get_quantity": 1,
                "buy_set": {"category_ids": [str(buy_cat)]},
                "get_set": {"product_ids": [str(get)]},
                "reward": {"kind": "fixed_price", "value": "1.00"},
                "max_reward_units": 2,
            }
            return rules, {"apply_to": "all"}, {}
        if kind == "combo":
            picks = self.rng.sample(self.products, rng.choice([2, 2, 3]))
            total = sum((self.price(p) for p in picks), Decimal(0))
            price = (total * Decimal("0.85")).quantize(Decimal("0.01"))
            rules = {
                "combo_price": str(price),
                "items": [
                    {"product_id": str(p), "product_name": self.cat.products[p][0]} for p in picks
                ],
            }
            if rng.random() < 0.3:
                rules["max_combos_per_cart"] = 1
            return rules, {"apply_to": "all"}, {}
        if kind == "free_item":
            trigger, free = rng.sample(self.products, 2)
            rules = {
                "trigger_product_id": str(trigger),
                "trigger_quantity": rng.choice([1, 2]),
                "free_product_id": str(free),
                "free_product_price": str(self.price(free)),
            }
            return rules, {"apply_to": "all"}, {}
        if kind == "happy_hour":
            start, end = rng.choice([("15:00", "18:00"), ("21:00", "01:00"), ("17:00", "19:00")])
            rules = {"time_start": start, "time_end": end}
            benefit = rng.choice(["discount_percent", "discount_amount", "special_price"])
            rules[benefit] = (
                rng.choice(["10", "20"]) if benefit == "discount_percent" else self.money(0.5, 3)
            )
            return rules, self.scope((40, 60, 0)), {}
        if kind == "cashback":
            rules = {
                "cashback_type": "percent",
                "cashback_value": rng.choice(["5", "10"]),
                "cashback_max": self.money(2, 5),
                "min_purchase": self.money(10, 30),
            }
            return rules, self.scope((0, 60, 40)), {"execution_stage": "cart_level"}
        if kind == "payment_discount":
            rules = {
                "payment_methods": [rng.choice(["card", "OVO", "GoPay"])],
                "discount_type": "percent",
                "discount_value": "10",
                "max_discount": self.money(2, 6),
            }
            return rules, {"apply_to": "all"}, {"execution_stage": "payment_level"}
        if kind == "package":
            main = rng.choice(self.products)
            side_cat = rng.choice(self.categories)
            total = self.price(main) + Decimal(3)
            rules = {
                "package_name": "Set menu",
                "package_price": str(total.quantize(Decimal("0.01"))),
                "items": [
                    {"item_type": "product", "product_id": str(main)},
                    {
                        "item_type": "category",
                        "category_id": str(side_cat),
                        "min_selection": 1,
                        "max_selection": 2,
                    },
                ],
            }
            return rules, {"apply_to": "all"}, {}
        if kind == "mix_match":
            cid = rng.choice(self.categories)
            n = rng.choice([2, 3, 4])
            avg = sum(
                (self.price(p) for p in self.by_cat.get(cid, self.products[:3])), Decimal(0)
            ) / max(1, len(self.by_cat.get(cid, [1])))
            rules = {
                "item_set": {"category_ids": [str(cid)]},
                "required_quantity": n,
                "special_price": str((avg * n * Decimal("0.8")).quantize(Decimal("0.01"))),
            }
            return rules, {"apply_to": "all"}, {}
        if kind == "upsell":
            required, addon = rng.sample(self.products, 2)
            rules = {
                "required_product_id": str(required),
                "upsell_product_id": str(addon),
                "upsell_product_price": str(self.price(addon)),
                "special_price": str(
                    (self.price(addon) * Decimal("0.5")).quantize(Decimal("0.01"))
                ),
                "upsell_message": "Add it for half price!",
            }
            return rules, {"apply_to": "all"}, {}
        if rng.random() < 0.3:
            rules = {
                "basis": "quantity",
                "tiers": [
                    {
                        "tier_name": "3+",
                        "min_quantity": 3,
                        "discount_type": "percent",
                        "discount_value": "5",
                    },
                    {
                        "tier_name": "6+",
                        "min_quantity": 6,
                        "discount_type": "percent",
                        "discount_value": "10",
                    },
                ],
            }
            return rules, self.scope((0, 1, 0)), {}
        rules = {
            "tiers": [
                {
                    "tier_name": "Silver",
                    "min_amount": "25",
                    "discount_type": "amount",
                    "discount_value": "2",
                },
                {
                    "tier_name": "Gold",
                    "min_amount": "50",
                    "discount_type": "percent",
                    "discount_value": "10",
                    "max_discount": "8",
                },
                {
                    "tier_name": "Platinum",
                    "min_amount": "100",
                    "discount_type": "points_multiplier",
                    "points_multiplier": "3",
                },
            ]
        }
        return rules, self.scope((0, 3, 1)), {"execution_stage": "cart_level"}

    def document(self, n: int) -> dict[str, Any]:
        rng = self.rng
        kind = rng.choices(list(_TYPES), weights=list(_TYPES.values()))[0]
        rules, scope, extra = self.rules(kind)
        # Campaigns of 8-80 weeks starting anywhere in the data's four years: ~20 % of the set
        # is in force on a given day (the rest is scheduled or finished), as in a chain's
        # snapshot of published promotions.
        start = _FIRST_DAY + timedelta(days=rng.randrange(0, _SPAN_DAYS))
        end = start + timedelta(weeks=rng.randint(8, 80))
        validity: dict[str, Any] = {"start_date": start.isoformat(), "end_date": end.isoformat()}
        if kind != "happy_hour" and rng.random() < 0.15:
            validity["time_start"], validity["time_end"] = rng.choice(
                [("11:00", "15:00"), ("17:00", "23:00"), ("22:00", "02:00")]
            )
        if rng.random() < 0.10:
            validity["days_of_week"] = rng.sample(range(1, 8), 3)
        if rng.random() < 0.10:
            validity["exclude_holidays"] = True
        targeting: dict[str, Any] = {
            "company_id": str(COMPANY_ID),
            "stores": "all",
            "brands": [str(self.brand_id)],
        }
        if rng.random() < 0.05:
            targeting["member_only"] = True
        code = f"PR{n:05d}"
        doc: dict[str, Any] = {
            "id": str(uuid5(NS, code)),
            "code": code,
            "name": f"Promotion {n}",
            "company_id": str(COMPANY_ID),
            "promo_type": kind,
            "execution_priority": rng.randrange(0, 1000, 10),
            "currency": "GBP",
            "is_stackable": rng.random() > 0.10,
            "validity": validity,
            "scope": scope,
            "targeting": targeting,
            "rules": {"type": kind, **rules},
            "compiled_at": _COMPILED_AT,
            "compiler_version": "bench",
            "version": 1,
            **extra,
        }
        if rng.random() < 0.05:
            doc["compounding"] = "original"
        if rng.random() < 0.05:
            doc["campaign"] = {"campaign_id": str(rng.choice(CAMPAIGNS)), "budget_amount": "1000"}
        if rng.random() < 0.03:
            doc["conditions"] = [
                {"items": {"category_ids": [str(rng.choice(self.categories))]}, "min_quantity": 1}
            ]
        return doc


def generate(
    catalogue: Catalogue, count: int, seed: int = 42, brands: int = 10
) -> list[CompiledPromotion]:
    """``count`` valid compiled promotions of mixed types over ``brands`` brands (see the
    module docstring), deterministic for a seed."""
    rng = random.Random(seed)
    gens = [
        _Gen(menu, rng, brand_id)
        for brand_id, menu in (brand_catalogue(catalogue, b) for b in range(brands))
    ]
    return [
        CompiledPromotion.model_validate(extend(rng.choice(gens).document(n), seed, n))
        for n in range(count)
    ]


def extend(doc: dict[str, Any], seed: int, n: int) -> dict[str, Any]:
    """Issue 8's remaining parameters on some documents, drawn from a generator of their own
    (so the draws above, and the set's shape, do not move): per-line unit caps and the most
    expensive selection, the eligible-subtotal minimum, buy-x-get-y reward selection, once per
    order, a bought-amount minimum and amount-off rewards, campaign budgets in redemptions."""
    rng = random.Random(f"{seed}-extend-{n}")
    rules = doc["rules"]
    kind = rules["type"]
    if kind in ("percent_discount", "amount_discount") and rng.random() < 0.2:
        rules["target"] = {
            "selection": rng.choice(["cheapest", "most_expensive", "all"]),
            "max_units_per_line": rng.choice([1, 2]),
            "max_units_per_cart": rng.choice([None, 2, 3]),
        }
    if kind in ("percent_discount", "amount_discount") and rng.random() < 0.2:
        rules["min_purchase_basis"] = "eligible_subtotal"
    if kind == "buy_x_get_y" and not rules.get("same_product_only"):
        if rng.random() < 0.3:
            rules["reward_selection"] = "most_expensive"
        if rng.random() < 0.2:
            rules["application"] = "once_per_order"
        if rng.random() < 0.2:
            rules["buy_min_amount"] = rng.choice(["10.00", "15.00"])
        if rng.random() < 0.2:
            rules["reward"] = {"kind": "amount_off", "value": rng.choice(["1.00", "2.50"])}
    if doc.get("campaign") is not None and rng.random() < 0.5:
        doc["campaign"]["budget_redemptions"] = rng.choice([5, 50])
    return doc


def type_counts(promotions: list[CompiledPromotion]) -> dict[str, int]:
    """Promotions per type (for the report)."""
    counts: dict[str, int] = {}
    for p in promotions:
        counts[p.promo_type.value] = counts.get(p.promo_type.value, 0) + 1
    return counts
