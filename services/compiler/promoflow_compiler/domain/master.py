"""Master data as the pure domain sees it: frozen records and a company-wide snapshot.

A :class:`MasterData` holds one company's brands, stores and category tree in full, and the
products a caller needs (every product a promotion references, at least). Prices are Decimal
in the company currency's major unit; time zones are IANA names (``Asia/Jakarta``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Company:
    """A company: defaults for currency, country and time zone, and its own holidays."""

    id: UUID
    code: str
    name: str
    currency: str = "IDR"
    country_code: str = "ID"
    timezone: str = "Asia/Jakarta"
    holidays: tuple[date, ...] = ()
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class Brand:
    """A brand of a company."""

    id: UUID
    company_id: UUID
    code: str
    name: str
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class Store:
    """A store: IANA time zone, ISO 3166 country, currency, channels and brands served."""

    id: UUID
    company_id: UUID
    code: str
    name: str
    timezone: str = "Asia/Jakarta"
    country_code: str = "ID"
    currency: str = "IDR"
    sales_channels: frozenset[str] = frozenset({"dine_in", "takeaway", "delivery"})
    brand_ids: frozenset[UUID] = frozenset()
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class Category:
    """A category; ``parent_id`` None = a root."""

    id: UUID
    company_id: UUID
    name: str
    code: str | None = None
    brand_id: UUID | None = None
    parent_id: UUID | None = None
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class Product:
    """A product with its HO price (major unit)."""

    id: UUID
    company_id: UUID
    sku: str
    name: str
    price: Decimal
    category_id: UUID | None = None
    brand_id: UUID | None = None
    is_active: bool = True


@dataclass(slots=True)
class MasterData:
    """One company's master data: every brand, store and category; the products given.

    :meth:`descendants` walks the category tree (children of children, any depth); a cycle
    (which the API refuses to create) is walked once and never loops.
    """

    company: Company
    brands: Mapping[UUID, Brand] = field(default_factory=dict)
    stores: Mapping[UUID, Store] = field(default_factory=dict)
    categories: Mapping[UUID, Category] = field(default_factory=dict)
    products: Mapping[UUID, Product] = field(default_factory=dict)
    _children: dict[UUID, list[UUID]] = field(default_factory=dict, init=False, repr=False)
    _descendants: dict[UUID, tuple[UUID, ...]] = field(default_factory=dict, init=False, repr=False)
    _active_stores: list[Store] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._active_stores = None
        for category in self.categories.values():
            if category.parent_id is not None:
                self._children.setdefault(category.parent_id, []).append(category.id)

    @classmethod
    def build(
        cls,
        company: Company,
        *,
        brands: Iterable[Brand] = (),
        stores: Iterable[Store] = (),
        categories: Iterable[Category] = (),
        products: Iterable[Product] = (),
    ) -> MasterData:
        """A snapshot from iterables of records (keyed by id)."""
        return cls(
            company=company,
            brands={b.id: b for b in brands},
            stores={s.id: s for s in stores},
            categories={c.id: c for c in categories},
            products={p.id: p for p in products},
        )

    def descendants(self, category_id: UUID) -> tuple[UUID, ...]:
        """Ids of every category below ``category_id`` (not itself), sorted by id string."""
        cached = self._descendants.get(category_id)
        if cached is not None:
            return cached
        seen: set[UUID] = set()
        stack = list(self._children.get(category_id, ()))
        while stack:
            current = stack.pop()
            if current in seen or current == category_id:
                continue
            seen.add(current)
            stack.extend(self._children.get(current, ()))
        result = tuple(sorted(seen, key=str))
        self._descendants[category_id] = result
        return result

    def ancestors(self, category_id: UUID) -> list[UUID]:
        """Ids from the parent of ``category_id`` up to its root (stops on a cycle)."""
        result: list[UUID] = []
        current = self.categories.get(category_id)
        while current is not None and current.parent_id is not None:
            if current.parent_id in result or current.parent_id == category_id:
                break
            result.append(current.parent_id)
            current = self.categories.get(current.parent_id)
        return result

    def active_stores(self) -> list[Store]:
        """The company's active stores, sorted by id string (computed once; do not mutate)."""
        if self._active_stores is None:
            self._active_stores = sorted(
                (
                    s
                    for s in self.stores.values()
                    if s.is_active and s.company_id == self.company.id
                ),
                key=lambda s: str(s.id),
            )
        return self._active_stores
