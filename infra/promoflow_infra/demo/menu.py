"""Reading a brand's menu for promotion authoring: which category is the mains, the drinks ...

Menus come with free-text section names (``Curries``, ``Burger & McNuggets``, ``Beverages``,
``Paket Hemat``), so roles are found by keywords, in priority order, among the brand's
categories; a role with no match falls back to the largest unused ordinary category. Set or
bundle sections (``Paket``, ``Kombo``, ``Hot Deals``, gift cards, merchandise) are never used
as a role: their items are already bundles. Within a category the "top" products are the ones
sold most in the dataset's receipts, else the ones priced closest to the category's median.
Pure and deterministic: the same menu always gives the same roles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import median
from uuid import UUID

from promoflow_infra.datasets.model import Category, Product

#: Keywords per role, in priority order (matched case-insensitively in the category name).
#: ``main`` and ``drink`` take a category of their own; the other roles prefer a category no
#: earlier role took, but may share one (a small menu has few sections).
ROLE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "main": ("curr", "burger", "pizza", "meal", "chicken", "ayam", "main", "nasi", "rice bowl"),
    "drink": ("drink", "beverage", "minuman", "coffee", "kopi", "tea"),
    "staple": ("rice", "nasi", "fries", "pasta", "bread", "bakery"),
    "side": ("side", "snack", "alacarte", "receh", "goceng", "vegetable"),
    "bread": ("bread", "naan", "bakery", "dessert", "donut", "snack"),
    "starter": ("starter", "appeti", "snack", "dessert", "side", "bakery"),
}
EXCLUSIVE_ROLES = ("main", "drink")
#: Sections whose items are bundles, gifts or non-food: never a role.
EXCLUDED_KEYWORDS = (
    "paket",
    "package",
    "bundle",
    "promo",
    "combo",
    "kombo",
    "deal",
    "special",
    "hampers",
    "merch",
    "card",
    "say it",
    "gift",
    "traktir",
    "ulang tahun",
    "eksklusif",
    "exclusive",
    "bucket",
    "brand day",
    "top picks",
    "ramadhan",
)


@dataclass(frozen=True, slots=True)
class MenuRoles:
    """A brand's menu, read for authoring: one category per role and its top products."""

    main: Category
    drink: Category
    staple: Category
    bread: Category
    side: Category
    starter: Category
    #: Every ordinary (non-bundle) category holding products.
    ordinary: tuple[Category, ...]
    products: dict[UUID, list[Product]]
    sold: Counter[UUID]

    def top(self, category: Category, n: int = 1) -> list[Product]:
        """The ``n`` top products of ``category`` (fewer when it has fewer)."""
        return self.products[category.id][:n]

    def median_price(self, category: Category) -> Decimal:
        """The median list price of ``category``."""
        return Decimal(median(p.price for p in self.products[category.id]))

    def cheapest_popular(self, best: int = 20) -> Product:
        """The cheapest of the ``best`` best-selling single items of the ordinary categories
        (the cheapest of them all when nothing was sold; ties by name): a free-item reward
        that customers actually order."""
        pool = [p for c in self.ordinary for p in self.products[c.id] if not _bundle_like(p)]
        pool = pool or [p for c in self.ordinary for p in self.products[c.id]]
        if any(self.sold[p.id] for p in pool):
            pool = sorted(pool, key=lambda p: (-self.sold[p.id], p.name))[:best]
        return min(pool, key=lambda p: (p.price, p.name))


def _ordinary(category: Category) -> bool:
    name = category.name.lower()
    return not any(word in name for word in EXCLUDED_KEYWORDS)


def _bundle_like(product: Product) -> bool:
    name = product.name.lower()
    return "+" in name or any(word in name for word in EXCLUDED_KEYWORDS)


def _ranked(products: list[Product], sold: Counter[UUID]) -> list[Product]:
    middle = median(p.price for p in products)
    return sorted(
        products,
        key=lambda p: (_bundle_like(p), -sold[p.id], abs(p.price - middle), p.name),
    )


def read_menu(
    categories: Sequence[Category], products: Sequence[Product], sold: Counter[UUID]
) -> MenuRoles:
    """The roles of one brand's menu (``categories`` and ``products`` of that brand).

    Raises ``ValueError`` when the brand has no category holding a product.
    """
    by_category: dict[UUID, list[Product]] = {}
    for product in products:
        by_category.setdefault(product.category_id, []).append(product)
    stocked = [c for c in categories if by_category.get(c.id)]
    if not stocked:
        raise ValueError("the brand has no category with products")
    ordinary = [c for c in stocked if _ordinary(c)] or stocked
    used: set[UUID] = set()
    chosen: dict[str, Category] = {}
    for role, keywords in ROLE_KEYWORDS.items():
        if role in EXCLUSIVE_ROLES:
            pick = _by_keywords(ordinary, keywords, used) or _largest(ordinary, used, by_category)
        else:
            exclusive = {chosen[r].id for r in EXCLUSIVE_ROLES}
            pick = (
                _by_keywords(ordinary, keywords, used)
                or _by_keywords(ordinary, keywords, exclusive)
                or _cheapest(ordinary, exclusive, by_category)
            )
        chosen[role] = pick
        used.add(pick.id)
    ranked = {c.id: _ranked(by_category[c.id], sold) for c in stocked}
    return MenuRoles(ordinary=tuple(ordinary), products=ranked, sold=sold, **chosen)


def _by_keywords(
    categories: list[Category], keywords: tuple[str, ...], used: set[UUID]
) -> Category | None:
    for keyword in keywords:
        for category in sorted(categories, key=lambda c: c.name):
            if category.id not in used and keyword in category.name.lower():
                return category
    return None


def _cheapest(
    categories: list[Category], excluded: set[UUID], by_category: dict[UUID, list[Product]]
) -> Category:
    pool = [c for c in categories if c.id not in excluded] or categories
    return min(
        pool,
        key=lambda c: (
            len(by_category[c.id]) < 2,
            median(p.price for p in by_category[c.id]),
            c.name,
        ),
    )


def _largest(
    categories: list[Category], used: set[UUID], by_category: dict[UUID, list[Product]]
) -> Category:
    unused = [c for c in categories if c.id not in used] or categories
    return max(unused, key=lambda c: (len(by_category[c.id]), c.name))
