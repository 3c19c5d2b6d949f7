"""Any receipts CSV (one row per receipt line) read through a column mapping into a Dataset.

The mapping (:mod:`.receipts_mapping`, format in ``datasets/README.md``) names the columns of
the receipt (id, timestamp, optional store and customer) and of the line (product, quantity,
unit price or line total, optional category), the constants the file does not hold (brand,
store, currency, country, time zone) and, optionally, lookup CSVs joined on a key (product
names and categories by product id, store names and cities by outlet id).

What comes out is the shape every reader yields (:class:`~.model.Dataset`): one brand, one
store per distinct store value (or one store), categories, products whose list price is the
unit price seen most often (ties: the lower price), and receipts in file order, times naive in
the store's zone. Ids are :func:`~.model.stable_id` of the mapping's dataset name and the
values in the file, so reading the same file again gives the same ids. Rows with a quantity
or unit price of zero or less (refunds, free lines) are skipped and counted in
:attr:`ReadResult.skipped`. Anything unreadable raises :class:`ReceiptsCsvError` naming the
file, line and column.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

from promoflow_contracts.base import MINOR_UNIT_DIGITS
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
from promoflow_infra.datasets.receipts_mapping import Lookup, ReceiptsMapping
from promoflow_infra.datasets.receipts_table import (
    Numbers,
    ReceiptsCsvError,
    Row,
    Table,
    parse_time,
    read_lookup,
    read_rows,
)

__all__ = ["CustomerReceipt", "ReadResult", "ReceiptsCsvError", "load", "read"]

#: Namespace of every id this reader makes (``stable_id("product", NAMESPACE, dataset, key)``).
NAMESPACE = "receipts-csv"
#: The category of products when the mapping names no category column.
DEFAULT_CATEGORY = "All products"
#: Longest customer id the POS contract takes.
MAX_CUSTOMER_ID = 64


@dataclass(frozen=True, slots=True)
class CustomerReceipt(Receipt):
    """A receipt of a file whose mapping names a customer column (``None``: anonymous)."""

    customer_id: str | None = None


@dataclass(slots=True)
class ReadResult:
    """A read: the dataset plus data rows read, lines kept, rows skipped by reason, seconds."""

    dataset: Dataset
    rows: int = 0
    lines: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line: rows, receipts, stores, products, skipped rows, time."""
        d = self.dataset
        skipped = ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items())) or "none"
        return (
            f"{self.rows} rows -> {len(d.receipts)} receipts ({self.lines} lines), "
            f"{len(d.stores)} stores, {len(d.categories)} categories, {len(d.products)} "
            f"products; skipped: {skipped}; {self.seconds:.2f}s"
        )


@dataclass(slots=True)
class _Pending:
    store: Store
    at: datetime
    customer: str | None
    lines: list[tuple[str, int, Decimal]] = field(default_factory=list)


def read(csv_path: Path, mapping: ReceiptsMapping) -> Dataset:
    """The dataset in ``csv_path`` read through ``mapping`` (see :func:`load`)."""
    return load(csv_path, mapping).dataset


def load(csv_path: Path, mapping: ReceiptsMapping) -> ReadResult:
    """Read ``csv_path`` through ``mapping``; raises :class:`ReceiptsCsvError`."""
    started = time.perf_counter()
    reader = _Reader(csv_path, mapping)
    result = reader.run()
    result.seconds = time.perf_counter() - started
    return result


class _Reader:
    """One pass over the receipts file, collecting stores, products and receipts."""

    def __init__(self, path: Path, mapping: ReceiptsMapping) -> None:
        self.path, self.m = path, mapping
        ds = mapping.dataset
        self.brand = Brand(stable_id("brand", NAMESPACE, ds.name), ds.brand_code, ds.brand)
        self.products = self._lookup(mapping.products)
        self.outlets = self._lookup(mapping.stores)
        self.digits = MINOR_UNIT_DIGITS[ds.currency]
        self.stores: dict[str, Store] = {}
        self.minor_unit = Decimal(1).scaleb(-self.digits)
        self.prices: defaultdict[str, Counter[Decimal]] = defaultdict(Counter)
        self.categories: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.fixed_category: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.receipts: dict[tuple[str, str], _Pending] = {}
        self.numbers = Numbers(mapping.csv)
        self.time_cache: dict[tuple[str, str], datetime] = {}
        self.result = ReadResult(Dataset(name=ds.name, source=ds.source))

    def _lookup(self, lookup: Lookup | None) -> Table | None:
        if lookup is None:
            return None
        return read_lookup(self.m.lookup_path(lookup, self.path), lookup)

    def run(self) -> ReadResult:
        for row in read_rows(self.path, self.m):
            self.result.rows += 1
            self._row(row)
        if not self.receipts:
            raise ReceiptsCsvError(f"{self.path}: no receipt lines (skipped: {self._skips()})")
        self._build()
        return self.result

    def _skips(self) -> str:
        return ", ".join(f"{n} {why}" for why, n in self.result.skipped.items()) or "none"

    # --- one row ------------------------------------------------------------------------------

    def _row(self, row: Row) -> None:
        """One receipt line (the hot loop: values by index, parsing cached)."""
        receipt, line, values, index = self.m.receipt, self.m.line, row.values, row.index
        quantity = self._quantity(row)
        if quantity <= 0:
            self.result.skipped["quantity <= 0"] += 1
            return
        if line.unit_price is not None:
            price = self._money(row, line.unit_price)
        else:
            assert line.line_total is not None  # the mapping names one of the two
            total = self._money(row, line.line_total)
            price = (total / quantity).quantize(self.minor_unit, ROUND_HALF_UP)
        if price <= 0:
            self.result.skipped["unit price <= 0"] += 1
            return
        product = self._product(row)
        self.prices[product][price] += 1
        store = self._store(row)
        ids = receipt.id
        number = (
            values[index[ids[0]]].strip()
            if len(ids) == 1
            else "-".join(values[index[c]].strip() for c in ids)
        )
        key = (store.code, number)
        pending = self.receipts.get(key)
        if pending is None:
            if not number.strip("-"):
                raise row.error(ids[0], "empty receipt id")
            at = self._timestamp(row, store)
            pending = self.receipts[key] = _Pending(store, at, self._customer(row))
        pending.lines.append((product, quantity, price))
        self.result.lines += 1

    def _quantity(self, row: Row) -> int:
        column = self.m.line.quantity
        value = self.numbers.read(row, column)
        if value != value.to_integral_value():
            raise row.error(column, f"quantity {row.get(column)!r} is not a whole number")
        return int(value)

    def _money(self, row: Row, column: str) -> Decimal:
        value = self.numbers.read(row, column)
        if value.normalize().as_tuple().exponent < -4:  # type: ignore[operator]
            raise row.error(column, f"price {row.get(column)!r} has more than 4 decimals")
        return value

    def _product(self, row: Row) -> str:
        line = self.m.line
        key = row.values[row.index[line.product]].strip()
        category = row.get(line.category) if line.category else ""
        fixed = self.fixed_category.get(key)
        if fixed is None:
            fixed = self._first_sight(row, key)
        self.categories[key][category or fixed] += 1
        return key

    def _first_sight(self, row: Row, key: str) -> str:
        """Name a product seen for the first time; its category from the lookup (or default)."""
        line = self.m.line
        if not key:
            raise row.error(line.product, "empty product")
        name, category = (key if line.product_key == "name" else f"Product {key}"), ""
        if self.products is not None:
            found = self.products.row(key)
            if found is None:
                raise row.error(line.product, f"product {key!r} is not in {self.products}")
            name = self.products.field(found, "name") or name
            category = self.products.field(found, "category")
        self.names[key] = name
        self.fixed_category[key] = category = category or DEFAULT_CATEGORY
        return category

    def _store(self, row: Row) -> Store:
        column = self.m.receipt.store
        value = row.values[row.index[column]].strip() if column else ""
        store = self.stores.get(value)
        if store is None:
            if column and not value:
                raise row.error(column, "empty store")
            store = self.stores[value] = self._new_store(row, column, value)
        return store

    def _new_store(self, row: Row, column: str | None, value: str) -> Store:
        ds = self.m.dataset
        name, city, zone = ds.store_name, ds.city, ds.timezone
        if column is not None:
            name, code = f"{ds.store_name} {value}", f"{ds.store_code}-{value}"
            if self.outlets is not None:
                found = self.outlets.row(value)
                if found is None:
                    raise row.error(column, f"store {value!r} is not in {self.outlets}")
                label = self.outlets.field(found, "name")
                name = f"{ds.store_name} {label}" if label else name
                city = self.outlets.field(found, "city") or city
                zone = self.outlets.zone(found) or zone
        else:
            code = ds.store_code
        return Store(
            id=stable_id("store", NAMESPACE, ds.name, value),
            code=code[:64],
            name=name,
            brand_id=self.brand.id,
            timezone=zone,
            country=ds.country,
            currency=ds.currency,
            city=city,
        )

    def _timestamp(self, row: Row, store: Store) -> datetime:
        receipt = self.m.receipt
        text = " ".join(row.get(c) for c in receipt.timestamp)
        cached = self.time_cache.get((text, store.timezone))
        if cached is not None:
            return cached
        fmt = receipt.timestamp_format
        try:
            at = parse_time(text, fmt)
        except ValueError as exc:
            raise row.error(
                "+".join(receipt.timestamp), f"cannot read {text!r} as a time with {fmt!r}"
            ) from exc
        if at.tzinfo is None and receipt.timestamp_timezone not in (None, store.timezone):
            at = at.replace(tzinfo=ZoneInfo(str(receipt.timestamp_timezone)))
        if at.tzinfo is not None:
            at = at.astimezone(ZoneInfo(store.timezone)).replace(tzinfo=None)
        self.time_cache[(text, store.timezone)] = at
        return at

    def _customer(self, row: Row) -> str | None:
        column = self.m.receipt.customer
        if column is None:
            return None
        value = row.get(column)
        if value in self.m.receipt.anonymous_customers:
            return None
        if len(value) > MAX_CUSTOMER_ID:
            raise row.error(column, f"customer id longer than {MAX_CUSTOMER_ID} characters")
        return value

    # --- the dataset --------------------------------------------------------------------------

    def _build(self) -> None:
        ds, brand, d = self.m.dataset, self.brand, self.result.dataset
        names = sorted({c.most_common(1)[0][0] for c in self.categories.values()})
        categories = {
            name: Category(
                stable_id("category", NAMESPACE, ds.name, name),
                f"{ds.brand_code}-C{number:02d}"[:64],
                name,
                brand.id,
            )
            for number, name in enumerate(names, start=1)
        }
        by_id = self.m.line.product_key == "id"
        products: dict[str, UUID] = {}
        for number, key in enumerate(sorted(self.prices, key=_natural), start=1):
            observed = self.prices[key]
            top = max(observed.values())
            product = Product(
                id=stable_id("product", NAMESPACE, ds.name, key),
                sku=(f"{ds.brand_code}-{key}" if by_id else f"{ds.brand_code}-P{number:04d}")[:64],
                name=self.names[key][:255],
                brand_id=brand.id,
                category_id=categories[self.categories[key].most_common(1)[0][0]].id,
                price=min(price for price, seen in observed.items() if seen == top),
            )
            products[key] = product.id
            d.products.append(product)
        d.brands.append(brand)
        d.stores.extend(self.stores.values())
        d.categories.extend(categories.values())
        customers = self.m.receipt.customer is not None
        for (_, receipt_id), pending in self.receipts.items():
            lines = tuple(ReceiptLine(products[k], q, p) for k, q, p in pending.lines)
            store_id = pending.store.id
            if customers:
                receipt: Receipt = CustomerReceipt(
                    receipt_id, store_id, pending.at, lines, pending.customer
                )
            else:
                receipt = Receipt(receipt_id, store_id, pending.at, lines)
            d.receipts.append(receipt)


def _natural(key: str) -> tuple[int, str]:
    """Numbers in numeric order (``2`` before ``10``), then text."""
    return (int(key), key) if key.isdigit() else (1 << 62, key)
