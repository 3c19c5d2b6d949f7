"""Receipts to POS carts: what the replay sends to a store's evaluator.

Receipts come from the dataset behind the store: the London takeaway's real orders (newest
first, as the file has them), the synthetic café chain's generated ones, or, for GoFood
outlets (menus, no receipts), carts drawn from the brand's menu by a seeded generator: a main,
often a staple and a drink, sometimes a side or dessert, with line counts and quantities shaped
like takeaway orders (:data:`GENERATED_LINES`, :data:`GENERATED_QUANTITIES`). Say so wherever
the results are shown.

A receipt carries no customer or payment, so each cart gets them from a generator seeded by
the receipt id (30% identified members; payment methods per currency, see
:data:`PAYMENT_WEIGHTS`, else :data:`DEFAULT_PAYMENT_WEIGHTS`): the same receipt is always the
same cart, and its transaction id (``rp-<store code>-<receipt id>``) makes a re-run idempotent
at the store. Receipts of a receipts CSV whose mapping names a customer column
(:class:`~promoflow_infra.datasets.receipts_csv.CustomerReceipt`) keep their own customer
instead: a known customer is a member, an anonymous one sends no customer.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from promoflow_infra.datasets import gofood, london_takeaway, synthetic
from promoflow_infra.datasets.model import Dataset, Product, Receipt, ReceiptLine, Store
from promoflow_infra.datasets.receipts_csv import CustomerReceipt
from promoflow_infra.demo.catalogue import GOFOOD_BRANDS
from promoflow_infra.demo.menu import read_menu

#: Share of carts with an identified member.
MEMBER_SHARE = 0.3
#: Payment methods and their weights per currency.
PAYMENT_WEIGHTS: dict[str, tuple[tuple[str, int], ...]] = {
    "GBP": (("CARD", 65), ("CASH", 35)),
    "IDR": (("GOPAY", 35), ("OVO", 25), ("QRIS", 20), ("CASH", 20)),
}
#: Payment methods of a currency without its own weights (a receipts CSV in USD, EUR ...).
DEFAULT_PAYMENT_WEIGHTS: tuple[tuple[str, int], ...] = (("CARD", 70), ("CASH", 30))
#: Sales channel per dataset: a takeaway, a delivery platform, a café.
CHANNELS = {"london_takeaway": "takeaway", "gofood": "delivery", "synthetic": "dine_in"}
#: Lines per generated cart (1..5) and units per line (1..4), weights in percent.
GENERATED_LINES = (15, 30, 28, 17, 10)
GENERATED_QUANTITIES = (84, 11, 3, 2)
DEFAULT_GENERATED = 2000
#: The (nominal) time of generated receipts; the replay checks out at the store's clock.
GENERATED_AT = datetime(2026, 2, 27, 12, 0)


@dataclass(frozen=True, slots=True)
class ReplayCart:
    """One cart to replay: its receipt id, transaction id and the evaluate request body."""

    receipt_id: str
    transaction_id: str
    body: dict[str, Any]


def dataset_for(store: Store, data: Path | None, limit: int | None) -> tuple[Dataset, str]:
    """The dataset holding ``store`` and a note on where its receipts come from.

    Raises ``LookupError`` when no demo dataset has the store.
    """
    if data is None:
        dataset = synthetic.generate(receipts=3 * (limit or DEFAULT_GENERATED))
        if any(s.id == store.id for s in dataset.stores):
            return dataset, "generated receipts of the synthetic cafe chain"
        raise LookupError(f"store {store.code} is not in the synthetic dataset")
    if store.id in {s.id for s in london_takeaway.stores()}:
        return london_takeaway.read(data, limit=limit), "real receipts (London takeaway orders)"
    dataset = gofood.read(data, max_brands=GOFOOD_BRANDS)
    if any(s.id == store.id for s in dataset.stores):
        return dataset, "carts generated from real GoFood menus (seeded; menus have no receipts)"
    raise LookupError(f"store {store.code} is in no demo dataset")


def generated_receipts(dataset: Dataset, store: Store, count: int, seed: int = 7) -> list[Receipt]:
    """``count`` plausible receipts of ``store`` drawn from its brand's menu (deterministic)."""
    products = [p for p in dataset.products if p.brand_id == store.brand_id]
    categories = [c for c in dataset.categories if c.brand_id == store.brand_id]
    menu = read_menu(categories, products, Counter())
    rng = random.Random(f"{seed}/{store.code}")
    plan = ((menu.main, 1.0), (menu.staple, 0.5), (menu.drink, 0.6), (menu.side, 0.35))
    extras = [p for c in menu.ordinary for p in menu.products[c.id]]
    receipts = []
    for number in range(count):
        size = rng.choices(range(1, 6), weights=GENERATED_LINES)[0]
        chosen: list[Product] = []
        for category, share in plan:
            if len(chosen) < size and rng.random() < share:
                chosen.append(_pick(rng, menu.products[category.id]))
        while len(chosen) < size:
            chosen.append(_pick(rng, extras))
        lines = tuple(
            ReceiptLine(p.id, rng.choices(range(1, 5), weights=GENERATED_QUANTITIES)[0], p.price)
            for p in chosen
        )
        receipts.append(Receipt(f"G{number:06d}", store.id, GENERATED_AT, lines))
    return receipts


def _pick(rng: random.Random, ranked: list[Product]) -> Product:
    """A product, favouring the top of the ranking (weight 1 / (rank + 1))."""
    return rng.choices(ranked, weights=[1 / (rank + 1) for rank in range(len(ranked))])[0]


def receipts_for(dataset: Dataset, store: Store, limit: int | None) -> list[Receipt]:
    """The receipts to replay at ``store`` (at most ``limit``)."""
    if dataset.name == "gofood":
        return generated_receipts(dataset, store, limit or DEFAULT_GENERATED)
    mine = [r for r in dataset.receipts if r.store_id == store.id]
    return mine[:limit] if limit is not None else mine


def carts_for(dataset: Dataset, store: Store, limit: int | None) -> list[ReplayCart]:
    """The carts to replay at ``store``: its receipts (at most ``limit``) as requests."""
    products = dataset.product_by_id()
    channel = CHANNELS.get(dataset.name, "dine_in")
    return [to_cart(r, store, products, channel) for r in receipts_for(dataset, store, limit)]


def to_cart(
    receipt: Receipt, store: Store, products: dict[UUID, Product], channel: str
) -> ReplayCart:
    """The evaluate request of ``receipt`` at ``store`` (lines with ids, categories, brands)."""
    rng = random.Random(f"{store.code}/{receipt.receipt_id}")
    payment = PAYMENT_WEIGHTS.get(store.currency, DEFAULT_PAYMENT_WEIGHTS)
    methods, weights = zip(*payment, strict=True)
    body: dict[str, Any] = {
        "store_id": str(store.id),
        "sales_channel": channel,
        "currency": store.currency,
        "payment_method": rng.choices(methods, weights=weights)[0],
        "lines": [
            _line(i, line, products[line.product_id]) for i, line in enumerate(receipt.lines)
        ],
    }
    if isinstance(receipt, CustomerReceipt):
        if receipt.customer_id is not None:
            body["customer"] = {"customer_id": receipt.customer_id, "is_member": True}
    elif rng.random() < MEMBER_SHARE:
        body["customer"] = {"customer_id": f"M{rng.randint(1, 500):05d}", "is_member": True}
    return ReplayCart(receipt.receipt_id, f"rp-{store.code}-{receipt.receipt_id}"[:64], body)


def _line(index: int, line: ReceiptLine, product: Product) -> dict[str, Any]:
    return {
        "line_id": f"L{index + 1:03d}",
        "product_id": str(product.id),
        "sku": product.sku,
        "name": product.name[:255],
        "category_id": str(product.category_id),
        "brand_id": str(product.brand_id),
        "unit_price": str(line.unit_price),
        "quantity": line.quantity,
    }
