"""Real carts for the engine benchmark, built from the receipts in ``shared/data``.

Primary source: ``uk_indian_takeaway_orders/restaurant-1-orders.csv`` (real London takeaway,
GBP), parsed by the platform's reader :func:`promoflow_infra.datasets.london_takeaway.read` (one
place parses the receipts). One cart = one receipt (all lines of one ``Order Number``); each
item name becomes a product (stable UUID from the name) and gets a keyword-derived category;
mains also get a sub-category by protein (``Mains`` has ``Chicken mains``, ``Lamb mains``...
as descendants), so category promotions exercise the descendant index. The line's ``Product Price`` is authoritative (some
dishes were sold at several prices). Duplicate item lines within an order are kept as
separate lines (the data README: either could be a genuine second till entry).

The data is read from ``PROMOFLOW_DATA_DIR`` (default ``<repo>/../shared/data``) and never
copied into the repository. When it is missing, :func:`synthetic_carts` makes carts of a
made-up menu with a similar shape (and the benchmark says so).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid5

from promoflow_contracts.cart import CartLine, EvaluateRequest
from promoflow_infra.datasets import london_takeaway
from promoflow_infra.datasets.paths import data_dir as datasets_dir

NS = UUID("8d0c3c9e-3a55-4d6b-9f2e-7b3f4d1c2a90")
STORE_ID = uuid5(NS, "store-london-1")
COMPANY_ID = uuid5(NS, "company")
BRAND_ID = uuid5(NS, "brand-takeaway")

ORDERS = Path(london_takeaway.FOLDER) / london_takeaway.ORDERS

#: keyword -> category, first match wins (lower-case item names)
_RULES: list[tuple[tuple[str, ...], str]] = [
    (("coke", "lemonade", "water", "cobra", "wine"), "Drinks"),
    (("sauce", "chutney", "pickle", "raitha", "papadum", "salad"), "Accompaniments"),
    (("naan", "chapati", "roti", "paratha", "kulcha"), "Breads"),
    (("biryani",), "Mains"),
    (("rice",), "Rice"),
    (
        (
            "main",
            "masala",
            "karahi",
            "balti",
            "jalfrezi",
            "korma",
            "madras",
            "vindaloo",
            "curry",
            "bhuna",
            "dhansak",
            "pathia",
            "dupiaza",
            "rogon",
            "methi",
            "pasanda",
            "sizzler",
            "shashlick",
            "shaslick",
            "grill",
            "butter",
            "haryali",
            "mysore",
            "sylhet",
            "achar",
            "roshni",
            "rezala",
            "hari mirch",
            "chilli garlic",
            "lal mirch",
            "persian",
            "hazary",
            "garlic",
            "jeera",
            "kurma",
            "saag -",
            "mushroom -",
            "bengal fry",
        ),
        "Mains",
    ),
    (
        ("bhajee", "aloo", "dall", "paneer", "chana", "bhindi", "gobi", "vegetable curry", "fries"),
        "Sides",
    ),
]
_PROTEINS = (
    ("king prawn", "King prawn mains"),
    ("prawn", "Prawn mains"),
    ("fish", "Fish mains"),
    ("lamb", "Lamb mains"),
    ("chicken", "Chicken mains"),
)


def category_of(name: str) -> tuple[str, str | None]:
    """Category (and, for mains, a protein sub-category) of a menu item, by keyword."""
    low = name.lower()
    category = "Starters"
    for words, cat in _RULES:
        if any(w in low for w in words):
            category = cat
            break
    sub = None
    if category == "Mains":
        sub = next((s for word, s in _PROTEINS if word in low), "Vegetable mains")
    return category, sub


@dataclass
class Catalogue:
    """Products and categories seen in the data (ids are stable UUIDs of the names)."""

    products: dict[UUID, tuple[str, UUID, Decimal]] = field(
        default_factory=dict
    )  # name, category, price
    categories: dict[UUID, str] = field(default_factory=dict)
    children: dict[UUID, set[UUID]] = field(default_factory=dict)

    def category_id(self, name: str, parent: str | None = None) -> UUID:
        cid = uuid5(NS, "cat-" + name)
        self.categories[cid] = name
        if parent is not None:
            self.children.setdefault(self.category_id(parent), set()).add(cid)
        return cid

    def product(self, name: str, price: Decimal) -> tuple[UUID, UUID]:
        pid = uuid5(NS, "prod-" + name)
        if pid not in self.products:
            category, sub = category_of(name)
            cid = self.category_id(sub, category) if sub else self.category_id(category)
            self.products[pid] = (name, cid, price)
        return pid, self.products[pid][1]


def data_dir() -> Path:
    """``PROMOFLOW_DATA_DIR`` or ``<repo>/../shared/data`` (the platform's dataset folder)."""
    found = datasets_dir()
    if found is not None:
        return found
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def takeaway_carts(root: Path) -> tuple[list[EvaluateRequest], Catalogue]:
    """Every order of restaurant 1 as an :class:`EvaluateRequest` (GBP, Europe/London).

    The receipts are parsed by the platform's dataset reader
    (:func:`promoflow_infra.datasets.london_takeaway.read`); this function only turns them into
    carts. The benchmark's catalogue keeps its own categories (with the protein
    sub-categories of mains, see the module docstring) and each product's first observed
    price; a line's price is the price on the receipt. Raises ``FileNotFoundError`` when the
    data is missing.
    """
    dataset = london_takeaway.read(root)
    names = {product.id: product.name for product in dataset.product_by_id().values()}
    catalogue = Catalogue()
    carts: list[EvaluateRequest] = []
    for receipt in dataset.receipts:
        lines = []
        for i, item in enumerate(receipt.lines):
            name = names[item.product_id]
            pid, cid = catalogue.product(name, item.unit_price)
            lines.append(
                CartLine(
                    line_id=str(i + 1),
                    product_id=pid,
                    name=name,
                    category_id=cid,
                    brand_id=BRAND_ID,
                    unit_price=item.unit_price,
                    quantity=item.quantity,
                )
            )
        number = int(receipt.receipt_id)
        carts.append(
            EvaluateRequest(
                store_id=STORE_ID,
                sales_channel="takeaway",
                currency="GBP",
                evaluated_at=receipt.at,
                payment_method=("card", "cash", None)[number % 3],
                customer={"customer_id": f"C{number % 997}", "is_member": number % 4 == 0},
                lines=lines,
            )
        )
    return carts, catalogue


def synthetic_carts(count: int = 5000, seed: int = 7) -> tuple[list[EvaluateRequest], Catalogue]:
    """Carts of a made-up 240-item menu with the data's shape (median 5 lines, mostly qty 1)."""
    rng = random.Random(seed)
    catalogue = Catalogue()
    kinds = [
        "Chicken Tikka Masala",
        "Lamb Balti",
        "Plain Naan",
        "Pilau Rice",
        "Onion Bhaji",
        "Bottle Coke",
        "Mango Chutney",
        "Saag Aloo",
    ]
    menu = []
    for i in range(240):
        name = f"{kinds[i % len(kinds)]} {i}"
        price = Decimal(rng.choice([50, 80, 250, 295, 395, 795, 895, 995, 1295, 1795])) / 100
        menu.append((name, price, *catalogue.product(name, price)))
    carts = []
    for n in range(count):
        size = max(1, min(30, int(rng.lognormvariate(1.5, 0.6))))
        lines = []
        for i in range(size):
            name, price, pid, cid = rng.choice(menu)
            qty = rng.choices([1, 2, 3, 4], weights=[84, 11, 3, 2])[0]
            lines.append(
                CartLine(
                    line_id=str(i + 1),
                    product_id=pid,
                    name=name,
                    category_id=cid,
                    brand_id=BRAND_ID,
                    unit_price=price,
                    quantity=qty,
                )
            )
        carts.append(
            EvaluateRequest(
                store_id=STORE_ID,
                sales_channel="takeaway",
                currency="GBP",
                evaluated_at=datetime(2018, 1 + n % 12, 1 + n % 28, 17 + n % 5, 0),
                payment_method=("card", "cash", None)[n % 3],
                lines=lines,
            )
        )
    return carts, catalogue


def load_carts() -> tuple[list[EvaluateRequest], Catalogue, str]:
    """Real carts when the data is there, synthetic ones otherwise; the third item says which."""
    root = data_dir()
    if (root / ORDERS).is_file():
        carts, catalogue = takeaway_carts(root)
        return carts, catalogue, f"real: {root / ORDERS} ({len(carts)} orders)"
    carts, catalogue = synthetic_carts()
    return carts, catalogue, f"SYNTHETIC carts: {root / ORDERS} not found"
