"""What the demo imports: the brands, stores, categories and products behind the demo stores.

The stores are the first ``count`` of :func:`promoflow_infra.services.demo_sites` (the London
takeaway first, then GoFood chain outlets; the synthetic café chain when ``../shared/data`` is
absent), so the importer creates exactly the stores the launcher runs edges for. Every brand
of those stores comes with its whole menu. ``sold`` counts the units each product sold in the
dataset's receipts (real for London, generated for the synthetic chain, none for GoFood menus);
the promotion authoring uses it to pick the dishes people actually order. A receipts CSV read
through a column mapping (``demo import --receipts-csv``) gives its own catalogue instead
(:func:`dataset_catalogue`: all of its stores).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from promoflow_infra.datasets import gofood, london_takeaway, paths, synthetic
from promoflow_infra.datasets.model import Brand, Category, Dataset, Product, Store

#: GoFood chains the demo uses (largest first), as in :func:`promoflow_infra.services.demo_sites`.
GOFOOD_BRANDS = 3


@dataclass(slots=True)
class DemoCatalogue:
    """The master data to import, with where it came from (``sources``)."""

    sources: list[str] = field(default_factory=list)
    brands: list[Brand] = field(default_factory=list)
    stores: list[Store] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    sold: Counter[UUID] = field(default_factory=Counter)

    def add(self, dataset: Dataset, stores: list[Store]) -> None:
        """Add ``stores`` of ``dataset`` with the full menus of their brands."""
        if not stores:
            return
        brand_ids = {s.brand_id for s in stores}
        self.sources.append(dataset.source)
        self.stores += stores
        self.brands += [b for b in dataset.brands if b.id in brand_ids]
        self.categories += [c for c in dataset.categories if c.brand_id in brand_ids]
        self.products += [p for p in dataset.products if p.brand_id in brand_ids]
        for receipt in dataset.receipts:
            for line in receipt.lines:
                self.sold[line.product_id] += line.quantity

    def brand_stores(self, brand_id: UUID) -> list[Store]:
        """The stores of one brand, in import order."""
        return [s for s in self.stores if s.brand_id == brand_id]


def all_datasets(data: Path | None) -> list[Dataset]:
    """The demo datasets in store order: London takeaway and GoFood chains, or synthetic."""
    if data is None:
        return [synthetic.generate()]
    return [london_takeaway.read(data), gofood.read(data, max_brands=GOFOOD_BRANDS)]


def load_catalogue(count: int, data: Path | None = None, *, use_env: bool = True) -> DemoCatalogue:
    """The catalogue behind the first ``count`` demo stores.

    ``data`` is the dataset directory; with ``use_env`` and no ``data`` it is found by
    :func:`promoflow_infra.datasets.paths.data_dir` (None there means the synthetic chain).
    """
    if data is None and use_env:
        data = paths.data_dir()
    catalogue = DemoCatalogue()
    remaining = count
    for dataset in all_datasets(data):
        chosen = dataset.stores[: max(remaining, 0)]
        remaining -= len(chosen)
        catalogue.add(dataset, chosen)
    return catalogue


def dataset_catalogue(dataset: Dataset) -> DemoCatalogue:
    """The catalogue of one dataset with all of its stores (e.g. a mapped receipts CSV)."""
    catalogue = DemoCatalogue()
    catalogue.add(dataset, list(dataset.stores))
    return catalogue
