"""A small café group's master data and authored promotions for the compiler's unit tests.

Company with two brands (coffee, bakery), stores in WIB/WITA/WIT (one inactive), a category
tree (Beverages > Coffee > Espresso drinks; Bakery > Pastry) and a handful of products.
``spec(rules)`` builds a valid :class:`PromotionSpec`; ``RULES`` has one valid rules object
per promotion type, referring to this catalogue.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from promoflow_compiler.domain.master import Brand, Category, Company, MasterData, Product, Store
from promoflow_compiler.domain.spec import PromotionSpec
from tests.factories import (
    AMERICANO,
    BAKERY,
    BEVERAGES,
    BRAND_ID,
    COMPANY_ID,
    CROISSANT,
    LATTE,
    MUFFIN,
    OTHER_BRAND_ID,
    OTHER_STORE_ID,
    SAMPLE_RULES,
    STORE_ID,
    uid,
)

COFFEE = uid("cat-coffee")
ESPRESSO = uid("cat-espresso")
PASTRY = uid("cat-pastry")
PAPUA_STORE = uid("store-jayapura")
CLOSED_STORE = uid("store-closed")
RETIRED = uid("prod-retired")
MOCHA = uid("prod-mocha")

COMPANY = Company(id=COMPANY_ID, code="CAFE", name="Café Group", holidays=())
BRANDS = [
    Brand(id=BRAND_ID, company_id=COMPANY_ID, code="KOPI", name="Kopi"),
    Brand(id=OTHER_BRAND_ID, company_id=COMPANY_ID, code="ROTI", name="Roti"),
]
STORES = [
    Store(
        id=STORE_ID,
        company_id=COMPANY_ID,
        code="JKT",
        name="Jakarta",
        timezone="Asia/Jakarta",
        brand_ids=frozenset({BRAND_ID}),
    ),
    Store(
        id=OTHER_STORE_ID,
        company_id=COMPANY_ID,
        code="MKS",
        name="Makassar",
        timezone="Asia/Makassar",
        brand_ids=frozenset({BRAND_ID, OTHER_BRAND_ID}),
    ),
    Store(
        id=PAPUA_STORE,
        company_id=COMPANY_ID,
        code="DJJ",
        name="Jayapura",
        timezone="Asia/Jayapura",
        brand_ids=frozenset({OTHER_BRAND_ID}),
        sales_channels=frozenset({"dine_in"}),
    ),
    Store(id=CLOSED_STORE, company_id=COMPANY_ID, code="OLD", name="Closed", is_active=False),
]
CATEGORIES = [
    Category(id=BEVERAGES, company_id=COMPANY_ID, name="Beverages", code="BEV", brand_id=BRAND_ID),
    Category(id=COFFEE, company_id=COMPANY_ID, name="Coffee", code="COF", parent_id=BEVERAGES),
    Category(
        id=ESPRESSO, company_id=COMPANY_ID, name="Espresso drinks", code="ESP", parent_id=COFFEE
    ),
    Category(id=BAKERY, company_id=COMPANY_ID, name="Bakery", code="BAK", brand_id=OTHER_BRAND_ID),
    Category(id=PASTRY, company_id=COMPANY_ID, name="Pastry", code="PAS", parent_id=BAKERY),
]
PRODUCTS = [
    Product(
        id=LATTE,
        company_id=COMPANY_ID,
        sku="LAT",
        name="Caffè Latte",
        price=Decimal(32000),
        category_id=ESPRESSO,
        brand_id=BRAND_ID,
    ),
    Product(
        id=AMERICANO,
        company_id=COMPANY_ID,
        sku="AME",
        name="Americano",
        price=Decimal(25000),
        category_id=COFFEE,
        brand_id=BRAND_ID,
    ),
    Product(
        id=MOCHA,
        company_id=COMPANY_ID,
        sku="MOC",
        name="Mocha",
        price=Decimal(36000),
        category_id=ESPRESSO,
        brand_id=BRAND_ID,
    ),
    Product(
        id=CROISSANT,
        company_id=COMPANY_ID,
        sku="CRO",
        name="Croissant",
        price=Decimal(18000),
        category_id=PASTRY,
        brand_id=OTHER_BRAND_ID,
    ),
    Product(
        id=MUFFIN,
        company_id=COMPANY_ID,
        sku="MUF",
        name="Muffin",
        price=Decimal(15000),
        category_id=BAKERY,
        brand_id=OTHER_BRAND_ID,
    ),
    Product(
        id=RETIRED,
        company_id=COMPANY_ID,
        sku="OLD",
        name="Retired cake",
        price=Decimal(20000),
        category_id=BAKERY,
        is_active=False,
    ),
]


def master(**replace: Any) -> MasterData:
    """The catalogue above; keyword arguments replace whole collections."""
    company = replace.pop("company", COMPANY)
    parts: dict[str, Any] = {
        "brands": BRANDS,
        "stores": STORES,
        "categories": CATEGORIES,
        "products": PRODUCTS,
    }
    parts.update(replace)
    return MasterData.build(company, **parts)


#: One valid rules object per promotion type, on this catalogue (the shared samples, with the
#: types whose compiler checks need this catalogue's categories and products replaced).
RULES: dict[str, dict[str, Any]] = {
    **SAMPLE_RULES,
    "buy_x_get_y": {
        "type": "buy_x_get_y",
        "buy_quantity": 2,
        "get_quantity": 1,
        "buy_set": {"category_ids": [str(COFFEE)]},
        "get_set": {"product_ids": [str(CROISSANT)]},
    },
    "combo": {
        "type": "combo",
        "combo_price": "42000",
        "items": [{"product_id": str(LATTE)}, {"product_id": str(CROISSANT)}],
    },
    "free_item": {
        "type": "free_item",
        "trigger_product_id": str(LATTE),
        "trigger_quantity": 2,
        "free_product_id": str(MUFFIN),
    },
    "cashback": {
        "type": "cashback",
        "cashback_type": "percent",
        "cashback_value": "5",
        "cashback_max": "20000",
        "payment_methods": ["OVO", "GOPAY"],
    },
    "package": {
        "type": "package",
        "package_name": "Breakfast set",
        "package_price": "45000",
        "items": [
            {"item_type": "product", "product_id": str(LATTE)},
            {
                "item_type": "category",
                "category_id": str(BAKERY),
                "min_selection": 1,
                "max_selection": 2,
            },
        ],
    },
    "mix_match": {
        "type": "mix_match",
        "item_set": {"category_ids": [str(BAKERY)]},
        "required_quantity": 3,
        "special_price": "40000",
    },
    "threshold_tier": {
        "type": "threshold_tier",
        "tiers": [
            {
                "tier_name": "Silver",
                "min_amount": "100000",
                "discount_type": "percent",
                "discount_value": "5",
            },
            {
                "tier_name": "Gold",
                "min_amount": "200000",
                "discount_type": "free_product",
                "free_product_id": str(MUFFIN),
            },
        ],
    },
}


def spec_dict(rules: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid authoring document (JSON-like) with the given rules and top-level overrides."""
    doc: dict[str, Any] = {
        "company_id": str(COMPANY_ID),
        "code": "PROMO",
        "name": "A promotion",
        "validity": {"start_date": "2026-01-01", "end_date": "2026-12-31"},
        "rules": rules or RULES["percent_discount"],
    }
    doc.update(overrides)
    return doc


def spec(rules: dict[str, Any] | None = None, **overrides: Any) -> PromotionSpec:
    """A valid :class:`PromotionSpec` (see :func:`spec_dict`)."""
    return PromotionSpec.model_validate(spec_dict(rules, **overrides))
