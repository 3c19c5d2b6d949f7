"""The column mapping of a receipts CSV: a small TOML file naming which column holds what.

The format is documented with examples in ``datasets/README.md``; ready mappings are in
``datasets/mappings/`` (:func:`mapping_path` finds them by name). :func:`load_mapping` parses a
file with :mod:`tomllib` and checks it completely before any CSV is read: unknown tables or
keys, missing required keys, wrong types, an unknown IANA time zone or a currency PromoFlow does
not price (:data:`promoflow_contracts.base.MINOR_UNIT_DIGITS`) raise :class:`MappingError`
naming the file and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from promoflow_contracts.base import MINOR_UNIT_DIGITS

#: Where the shipped mappings are (``ibm_coffee_shop.toml``, ``example_generic.toml``).
MAPPINGS_DIR = Path(__file__).parent / "mappings"
FORMAT = "promoflow-receipts-csv/1"
HEADER_MODES = ("use", "skip", "none")
PRODUCT_KEYS = ("name", "id")
#: What a lookup may supply: products by product key, stores by store value.
PRODUCT_FIELDS = ("name", "category")
STORE_FIELDS = ("name", "city", "timezone")


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class DatasetConstants:
    """What the CSV does not say: brand, store, money and place (``[dataset]``)."""

    name: str
    source: str
    brand: str
    brand_code: str
    store_name: str
    store_code: str
    currency: str
    country: str
    timezone: str
    city: str


@dataclass(frozen=True, slots=True)
class CsvLayout:
    """How to read the file (``[csv]``): delimiter, encoding, header, number format."""

    delimiter: str = ","
    encoding: str = "utf-8-sig"
    header: str = "use"
    columns: tuple[str, ...] = ()
    decimal_separator: str = "."
    thousands_separator: str = ""
    strip: str = ""


@dataclass(frozen=True, slots=True)
class ReceiptColumns:
    """Columns of a receipt (``[receipt]``); a tuple of several columns is joined."""

    id: tuple[str, ...]
    timestamp: tuple[str, ...]
    timestamp_format: str
    timestamp_timezone: str | None = None
    store: str | None = None
    customer: str | None = None
    anonymous_customers: tuple[str, ...] = ("",)


@dataclass(frozen=True, slots=True)
class LineColumns:
    """Columns of a receipt line (``[line]``): unit price, or line total / quantity."""

    product: str
    quantity: str
    product_key: str = "name"
    unit_price: str | None = None
    line_total: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Lookup:
    """A second CSV joined on ``key`` (``[products]`` or ``[stores]``): ``fields`` maps what
    we need (``name``, ``category``, ``city``, ``timezone``) to its columns."""

    file: str
    key: str
    fields: tuple[tuple[str, str], ...]
    delimiter: str = ","
    encoding: str = "utf-8-sig"

    def column(self, field: str) -> str | None:
        """The lookup column holding ``field`` (None when the mapping does not name one)."""
        return dict(self.fields).get(field)


@dataclass(frozen=True, slots=True)
class ReceiptsMapping:
    """A whole mapping, read from ``path``."""

    path: Path
    dataset: DatasetConstants
    csv: CsvLayout
    receipt: ReceiptColumns
    line: LineColumns
    products: Lookup | None = None
    stores: Lookup | None = None

    def lookup_path(self, lookup: Lookup, receipts_csv: Path) -> Path:
        """A lookup file: absolute, or relative to the receipts CSV's folder."""
        path = Path(lookup.file).expanduser()
        return path if path.is_absolute() else receipts_csv.parent / path


def mapping_path(name_or_path: str | Path) -> Path:
    """``name_or_path`` as given when that file exists, else the shipped mapping of that name
    (``ibm_coffee_shop`` -> ``datasets/mappings/ibm_coffee_shop.toml``)."""
    given = Path(name_or_path).expanduser()
    if given.exists():
        return given
    shipped = MAPPINGS_DIR / f"{given.stem}.toml"
    return shipped if shipped.exists() and given.parent == Path(".") else given


class _Table:
    """One TOML table being read: typed getters that name ``file: [table] key`` on errors."""

    def __init__(self, path: Path, name: str, data: Any) -> None:
        self.path, self.name = path, name
        if not isinstance(data, dict):
            raise self.error(None, "must be a table")
        self.data: dict[str, Any] = data
        self.read: set[str] = set()

    def error(self, key: str | None, message: str) -> MappingError:
        where = f"[{self.name}]" + (f" {key}" if key else "")
        return MappingError(f"{self.path}: {where}: {message}")

    def text(self, key: str, default: str | None = None, *, empty: bool = False) -> str:
        value = self.optional_text(key, empty=empty)
        if value is None:
            if default is None:
                raise self.error(key, "is required")
            return default
        return value

    def optional_text(self, key: str, *, empty: bool = False) -> str | None:
        self.read.add(key)
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or (not value and not empty):
            raise self.error(key, f"must be a non-empty string, got {value!r}")
        return value

    def columns(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        """A column name or a list of them (joined in that order)."""
        self.read.add(key)
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error(key, "is required (a column name or a list of them)")
            return ()
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise self.error(key, f"must be a column name or a list of them, got {value!r}")
        return tuple(names)

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.read)
        if unknown:
            raise self.error(unknown[0], f"unknown key (known: {', '.join(sorted(self.read))})")


def load_mapping(path: Path) -> ReceiptsMapping:
    """Read and check the mapping at ``path``; raises :class:`MappingError`."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise MappingError(f"{path}: mapping file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path}: not valid TOML: {exc}") from exc
    top = _Table(path, "top level", data)
    version = top.text("format", FORMAT)
    if version != FORMAT:
        raise top.error("format", f"must be {FORMAT!r}, got {version!r}")
    tables = {name: _Table(path, name, data.get(name, {})) for name in _TABLES}
    top.read |= set(_TABLES)
    top.finish()
    for name in ("dataset", "receipt", "line"):
        if name not in data:
            raise MappingError(f"{path}: [{name}]: table is required")
    mapping = ReceiptsMapping(
        path=path,
        dataset=_dataset(tables["dataset"]),
        csv=_csv(tables["csv"]),
        receipt=_receipt(tables["receipt"]),
        line=_line(tables["line"]),
        products=_lookup(tables["products"], ("name", "category")) if "products" in data else None,
        stores=_lookup(tables["stores"], ("name", "city", "timezone"))
        if "stores" in data
        else None,
    )
    for table in tables.values():
        table.finish()
    return mapping


_TABLES = ("dataset", "csv", "receipt", "line", "products", "stores")


def _zone(table: _Table, key: str, value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise table.error(key, f"unknown IANA time zone {value!r}") from exc
    return value


def _dataset(t: _Table) -> DatasetConstants:
    currency = t.text("currency").upper()
    if currency not in MINOR_UNIT_DIGITS:
        known = ", ".join(sorted(MINOR_UNIT_DIGITS))
        raise t.error("currency", f"{currency!r} is not a currency PromoFlow prices ({known})")
    country = t.text("country").upper()
    if len(country) != 2 or not country.isalpha():
        raise t.error("country", f"must be an ISO 3166 alpha-2 code, got {country!r}")
    brand, brand_code = t.text("brand"), t.text("brand_code")
    return DatasetConstants(
        name=t.text("name"),
        source=t.text("source", f"receipts CSV mapped by {t.path.name}"),
        brand=brand,
        brand_code=brand_code,
        store_name=t.text("store_name", brand),
        store_code=t.text("store_code", brand_code),
        currency=currency,
        country=country,
        timezone=_zone(t, "timezone", t.text("timezone")),
        city=t.text("city", ""),
    )


def _csv(t: _Table) -> CsvLayout:
    layout = CsvLayout(
        delimiter=t.text("delimiter", ","),
        encoding=t.text("encoding", "utf-8-sig"),
        header=t.text("header", "use"),
        columns=t.columns("columns", required=False),
        decimal_separator=t.text("decimal_separator", "."),
        thousands_separator=t.text("thousands_separator", "", empty=True),
        strip=t.text("strip", "", empty=True),
    )
    if len(layout.delimiter) != 1:
        raise t.error("delimiter", f"must be one character, got {layout.delimiter!r}")
    if layout.header not in HEADER_MODES:
        raise t.error("header", f"must be one of {', '.join(HEADER_MODES)}")
    if layout.header != "use" and not layout.columns:
        raise t.error("columns", f"is required with header = {layout.header!r}")
    if layout.decimal_separator not in (".", ","):
        raise t.error("decimal_separator", "must be '.' or ','")
    if layout.thousands_separator == layout.decimal_separator:
        raise t.error("thousands_separator", "must differ from decimal_separator")
    try:
        "".encode(layout.encoding)
    except LookupError as exc:
        raise t.error("encoding", f"unknown encoding {layout.encoding!r}") from exc
    return layout


def _receipt(t: _Table) -> ReceiptColumns:
    zone = t.optional_text("timestamp_timezone")
    customer = t.optional_text("customer")
    anonymous = t.data.get("anonymous_customers", [""])
    t.read.add("anonymous_customers")
    if not isinstance(anonymous, list) or not all(isinstance(a, str) for a in anonymous):
        raise t.error("anonymous_customers", "must be a list of strings")
    return ReceiptColumns(
        id=t.columns("id"),
        timestamp=t.columns("timestamp"),
        timestamp_format=t.text("timestamp_format"),
        timestamp_timezone=_zone(t, "timestamp_timezone", zone) if zone else None,
        store=t.optional_text("store"),
        customer=customer,
        anonymous_customers=tuple(anonymous),
    )


def _line(t: _Table) -> LineColumns:
    line = LineColumns(
        product=t.text("product"),
        quantity=t.text("quantity"),
        product_key=t.text("product_key", "name"),
        unit_price=t.optional_text("unit_price"),
        line_total=t.optional_text("line_total"),
        category=t.optional_text("category"),
    )
    if line.product_key not in PRODUCT_KEYS:
        raise t.error("product_key", f"must be one of {', '.join(PRODUCT_KEYS)}")
    if (line.unit_price is None) == (line.line_total is None):
        raise t.error("unit_price", "name exactly one of unit_price and line_total")
    return line


def _lookup(t: _Table, fields: tuple[str, ...]) -> Lookup:
    named = tuple((f, c) for f in fields if (c := t.optional_text(f)) is not None)
    lookup = Lookup(
        file=t.text("file"),
        key=t.text("key"),
        fields=named,
        delimiter=t.text("delimiter", ","),
        encoding=t.text("encoding", "utf-8-sig"),
    )
    if not named:
        raise t.error(None, f"names none of {', '.join(fields)}: nothing to look up")
    return lookup
