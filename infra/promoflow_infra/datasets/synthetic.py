"""A small generated dataset for clones without ``../shared/data`` (say so wherever it is shown).

A café brand in Jakarta (WIB), Makassar (WITA) and Jayapura (WIT), priced in IDR, with receipts
drawn from a seeded random generator whose basket sizes follow the IBM coffee-shop sample's
shape (1-3 lines, mostly 1-2 units).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

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

MENU: dict[str, list[tuple[str, int]]] = {
    "Coffee": [
        ("Espresso", 18000),
        ("Americano", 22000),
        ("Cafe Latte", 28000),
        ("Cappuccino", 28000),
        ("Kopi Susu Gula Aren", 25000),
    ],
    "Tea": [("Teh Tarik", 20000), ("Matcha Latte", 32000), ("Lemon Tea", 18000)],
    "Bakery": [
        ("Croissant", 22000),
        ("Pain au Chocolat", 26000),
        ("Banana Bread", 24000),
        ("Muffin", 21000),
    ],
    "Meals": [("Nasi Goreng", 38000), ("Chicken Sandwich", 42000), ("Beef Lasagna", 55000)],
}
CITIES = (("Jakarta", "Asia/Jakarta"), ("Makassar", "Asia/Makassar"), ("Jayapura", "Asia/Jayapura"))


def generate(receipts: int = 2000, seed: int = 7) -> Dataset:
    """A deterministic synthetic dataset: 1 brand, 3 stores, 15 products, ``receipts`` receipts."""
    rng = random.Random(seed)
    brand = Brand(stable_id("brand", "synthetic", "kopi"), "KOPI", "Kopi Nusantara (synthetic)")
    dataset = Dataset(
        name="synthetic", source="generated (no ../shared/data in this clone)", brands=[brand]
    )
    for code, (city, zone) in enumerate(CITIES, start=1):
        dataset.stores.append(
            Store(
                stable_id("store", "synthetic", city),
                f"KOPI-{code:02d}",
                f"Kopi Nusantara {city}",
                brand.id,
                zone,
                "ID",
                "IDR",
                city,
            )
        )
    for category_name, items in MENU.items():
        category = Category(
            stable_id("category", "synthetic", category_name),
            category_name.upper(),
            category_name,
            brand.id,
        )
        dataset.categories.append(category)
        for name, price in items:
            dataset.products.append(
                Product(
                    stable_id("product", "synthetic", name),
                    f"KOPI-{len(dataset.products) + 1:03d}",
                    name,
                    brand.id,
                    category.id,
                    Decimal(price),
                )
            )
    start = datetime(2026, 3, 2, 7, 0)
    for number in range(receipts):
        chosen = rng.sample(dataset.products, k=rng.choices((1, 2, 3), weights=(75, 22, 3))[0])
        lines = tuple(
            ReceiptLine(p.id, rng.choices((1, 2, 3), weights=(80, 17, 3))[0], p.price)
            for p in chosen
        )
        at = start + timedelta(minutes=number * 7 % (14 * 60), days=number // 120)
        store = dataset.stores[number % len(dataset.stores)]
        dataset.receipts.append(Receipt(f"SYN-{number:06d}", store.id, at, lines))
    return dataset
