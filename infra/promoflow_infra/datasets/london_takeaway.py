"""The UK Indian takeaway orders (restaurant 1, London, GBP): real multi-line receipts.

Quirks handled (see the dataset README): day-first dates (``03/08/2019 20:25``), GBP unit prices
on each line (authoritative, the price list has one price per item), generic dish names sold at
several prices (one product per name, list price = most frequent observed price), duplicate rows
kept as separate lines, no categories (derived by keyword from the item name, first match wins).
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from promoflow_infra.datasets.model import (
    Brand,
    Category,
    Dataset,
    Product,
    Receipt,
    ReceiptLine,
    Store,
    stable_id,
)

FOLDER = "uk_indian_takeaway_orders"
ORDERS = "restaurant-1-orders.csv"

#: Category derived from an item name: the first rule whose keyword occurs in the name wins.
CATEGORY_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Drinks", ("coke", "lemonade", "water", "cobra", "wine")),
    ("Sides & Sauces", ("sauce", "chutney", "pickle", "raitha", "salad", "fries")),
    ("Papadums", ("papadum",)),
    ("Breads", ("naan", "chapati", "roti", "paratha", "puree", "kulcha")),
    ("Rice", ("rice",)),
    ("Biryani", ("biryani",)),
    (
        "Starters",
        ("bhaji", "samosa", "chaat", "pakora", "kebab", "kehab", "roll", "starter", "butterfly"),
    ),
    ("Vegetable Sides", ("bhajee", "aloo", "dall", "paneer", "chana", "mysore", "vegetable")),
    ("Tandoori", ("tandoori", "shashlick", "shaslick", "tikka (main)", "sizzler")),
)
DEFAULT_CATEGORY = "Curries"


def category_for(item_name: str) -> str:
    """The derived category of an item name (``DEFAULT_CATEGORY`` when no keyword matches)."""
    lowered = item_name.lower()
    for category, keywords in CATEGORY_RULES:
        if any(keyword in lowered for keyword in keywords):
            return category
    return DEFAULT_CATEGORY


BRAND = Brand(stable_id("brand", "london-takeaway"), "LDN-TAKEAWAY", "London Indian Takeaway")


def stores() -> list[Store]:
    """The dataset's one store: restaurant 1 in London (Europe/London, GB, GBP)."""
    return [
        Store(
            id=stable_id("store", "london-takeaway", "1"),
            code="LDN-001",
            name="London Indian Takeaway (restaurant 1)",
            brand_id=BRAND.id,
            timezone="Europe/London",
            country="GB",
            currency="GBP",
            city="London",
        )
    ]


def read(data_dir: Path, limit: int | None = None) -> Dataset:
    """Read the orders into one brand, one London store (Europe/London, GBP) and receipts.

    ``limit`` keeps only the first N receipts (in file order, newest first). Raises
    ``FileNotFoundError`` when the dataset is not there.
    """
    path = data_dir / FOLDER / ORDERS
    brand = BRAND
    [store] = stores()
    prices: dict[str, Counter[Decimal]] = defaultdict(Counter)
    orders: dict[str, tuple[datetime, list[tuple[str, int, Decimal]]]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row["Item Name"].strip()
            price = Decimal(row["Product Price"])
            quantity = int(row["Quantity"])
            prices[name][price] += 1
            number = row["Order Number"]
            if number not in orders:
                if limit is not None and len(orders) >= limit:
                    continue
                orders[number] = (datetime.strptime(row["Order Date"], "%d/%m/%Y %H:%M"), [])
            orders[number][1].append((name, quantity, price))
    categories = {
        name: Category(stable_id("category", "london", name), name.upper()[:12], name, brand.id)
        for name in sorted({category_for(item) for item in prices})
    }
    products = {
        name: Product(
            id=stable_id("product", "london", name),
            sku=f"LDN-{index:04d}",
            name=name,
            brand_id=brand.id,
            category_id=categories[category_for(name)].id,
            price=observed.most_common(1)[0][0],
        )
        for index, (name, observed) in enumerate(sorted(prices.items()), start=1)
    }
    receipts = [
        Receipt(
            receipt_id=number,
            store_id=store.id,
            at=at,
            lines=tuple(ReceiptLine(products[name].id, qty, price) for name, qty, price in lines),
        )
        for number, (at, lines) in orders.items()
    ]
    return Dataset(
        name="london_takeaway",
        source=f"{FOLDER}/{ORDERS} (real orders of a London Indian takeaway, GBP)",
        brands=[brand],
        stores=[store],
        categories=list(categories.values()),
        products=list(products.values()),
        receipts=receipts,
    )
