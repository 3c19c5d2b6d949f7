"""Dataset shapes shared by every reader: catalogue and receipts, ids stable across runs.

Ids are UUID5 of readable names under one namespace (:func:`stable_id`), so re-reading a dataset
gives the same product, category and store ids every time (the importer is idempotent and a
replay can address products imported earlier).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from uuid import UUID, uuid5

_NAMESPACE = UUID("0d9f5b8e-52a4-4f0e-9a43-7b2f3c1d6e55")


def stable_id(*parts: str) -> UUID:
    """A UUID5 for the readable key ``parts`` (e.g. ``("product", "london", "Plain Naan")``)."""
    return uuid5(_NAMESPACE, "/".join(parts))


@dataclass(frozen=True, slots=True)
class Brand:
    """A brand of the demo company."""

    id: UUID
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Store:
    """An outlet: IANA time zone, ISO country, ISO 4217 currency."""

    id: UUID
    code: str
    name: str
    brand_id: UUID
    timezone: str
    country: str
    currency: str
    city: str


@dataclass(frozen=True, slots=True)
class Category:
    """A menu section / product category of one brand."""

    id: UUID
    code: str
    name: str
    brand_id: UUID


@dataclass(frozen=True, slots=True)
class Product:
    """A product with its list price in the currency's major unit."""

    id: UUID
    sku: str
    name: str
    brand_id: UUID
    category_id: UUID
    price: Decimal


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """``quantity`` units of a product at ``unit_price`` (the price the till charged)."""

    product_id: UUID
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class Receipt:
    """One real order: store-local time (naive, in the store's time zone) and its lines."""

    receipt_id: str
    store_id: UUID
    at: datetime
    lines: tuple[ReceiptLine, ...]

    @property
    def subtotal(self) -> Decimal:
        """Sum of quantity x unit price over the lines."""
        return sum((line.unit_price * line.quantity for line in self.lines), Decimal(0))


@dataclass(slots=True)
class Dataset:
    """A catalogue plus receipts, with where it came from (shown whenever results are)."""

    name: str
    source: str
    brands: list[Brand] = field(default_factory=list)
    stores: list[Store] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)

    def product_by_id(self) -> dict[UUID, Product]:
        """Products keyed by id."""
        return {product.id: product for product in self.products}
