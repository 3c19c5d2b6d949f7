"""GoFood menus of Surabaya and Medan outlets (February 2026, IDR): brands, outlets, products.

Menus, not receipts: this gives IDR brands with several outlets each (McDonald's, KFC, Pizza
Hut Delivery ...). Quirks handled (see the dataset README): the same outlet in several files and
an item in several sections (dedupe on outlet + item, prefer a real section over "top picks",
take the latest ``scraped_at``), header/failed rows without ``item_uid``, placeholder rows
(price below Rp 1.000, names starting ``Diskon`` or ``GIFTING``). Both cities are WIB
(``Asia/Jakarta``). A brand is the outlet name before ``", "``; a product is one item name of a
brand, its list price the price most outlets charge.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from promoflow_infra.datasets.model import Brand, Category, Dataset, Product, Store, stable_id

FOLDER = "gofood_surabaya_medan_menus_2026"
MIN_PRICE = Decimal(1000)
PSEUDO_PREFIXES = ("diskon", "gifting")
TOP_PICKS = "resto's top picks"


@dataclass(slots=True)
class _Item:
    outlet: str
    name: str
    section: str
    price: Decimal
    scraped_at: str


def _brand_of(outlet_name: str) -> str:
    return outlet_name.split(", ")[0].strip()


def _rows(folder: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def _items(
    rows: list[dict[str, str]],
) -> tuple[dict[tuple[str, str], _Item], dict[str, dict[str, str]]]:
    items: dict[tuple[str, str], _Item] = {}
    outlets: dict[str, dict[str, str]] = {}
    for row in rows:
        name = row["item_name"].strip()
        if row["status"] != "success" or not row["item_uid"] or not row["price_units"]:
            continue
        price = Decimal(row["price_units"])
        if price < MIN_PRICE or name.lower().startswith(PSEUDO_PREFIXES):
            continue
        outlets[row["restaurant_uid"]] = row
        key = (row["restaurant_uid"], row["item_uid"])
        candidate = _Item(
            row["restaurant_uid"], name, row["section_name"].strip(), price, row["scraped_at"]
        )
        current = items.get(key)
        if current is None or _better(candidate, current):
            items[key] = candidate
    return items, outlets


def _better(candidate: _Item, current: _Item) -> bool:
    if candidate.scraped_at != current.scraped_at:
        return candidate.scraped_at > current.scraped_at
    return current.section.lower() == TOP_PICKS and candidate.section.lower() != TOP_PICKS


def read(data_dir: Path, min_outlets: int = 2, max_brands: int | None = None) -> Dataset:
    """Read chains with at least ``min_outlets`` outlets (largest first, ``max_brands`` of them).

    Stores are the outlets (Asia/Jakarta, ID, IDR); categories are menu sections per brand.
    Raises ``FileNotFoundError`` when the dataset is not there.
    """
    folder = data_dir / FOLDER
    if not folder.is_dir():
        raise FileNotFoundError(folder)
    items, outlets = _items(_rows(folder))
    outlets_by_brand: dict[str, list[str]] = defaultdict(list)
    for uid, row in sorted(outlets.items()):
        outlets_by_brand[_brand_of(row["restaurant_name"])].append(uid)
    chains = sorted(
        (b for b, uids in outlets_by_brand.items() if len(uids) >= min_outlets),
        key=lambda b: (-len(outlets_by_brand[b]), b),
    )[:max_brands]
    dataset = Dataset(
        name="gofood", source=f"{FOLDER} (real GoFood menus, Feb 2026, IDR; menus, not receipts)"
    )
    for index, brand_name in enumerate(chains, start=1):
        brand = Brand(stable_id("brand", "gofood", brand_name), f"GF-B{index:02d}", brand_name)
        dataset.brands.append(brand)
        for number, uid in enumerate(outlets_by_brand[brand_name], start=1):
            row = outlets[uid]
            city = row["restaurant_url"].split("/")[1] or "surabaya"
            dataset.stores.append(
                Store(
                    stable_id("store", "gofood", uid),
                    f"{brand.code}-S{number:02d}",
                    row["restaurant_name"],
                    brand.id,
                    "Asia/Jakarta",
                    "ID",
                    "IDR",
                    city.title(),
                )
            )
        _add_menu(
            dataset,
            brand,
            [i for i in items.values() if i.outlet in set(outlets_by_brand[brand_name])],
        )
    return dataset


def _add_menu(dataset: Dataset, brand: Brand, items: list[_Item]) -> None:
    sections: dict[str, Counter[str]] = defaultdict(Counter)
    prices: dict[str, Counter[Decimal]] = defaultdict(Counter)
    for item in items:
        sections[item.name][item.section] += 1
        prices[item.name][item.price] += 1
    categories: dict[str, Category] = {}
    for number, (name, observed) in enumerate(sorted(prices.items()), start=1):
        real_sections = [s for s, _ in sections[name].most_common() if s.lower() != TOP_PICKS]
        section = (real_sections or ["Top picks"])[0]
        if section not in categories:
            categories[section] = Category(
                stable_id("category", "gofood", str(brand.id), section),
                f"{brand.code}-C{len(categories) + 1:02d}",
                section,
                brand.id,
            )
        dataset.products.append(
            Product(
                stable_id("product", "gofood", str(brand.id), name),
                f"{brand.code}-P{number:04d}",
                name,
                brand.id,
                categories[section].id,
                observed.most_common(1)[0][0],
            )
        )
    dataset.categories.extend(categories.values())
