"""Parsing a catalogue CSV for bulk import (pure: text in, rows and errors out).

Format: UTF-8 (a BOM is accepted), comma-separated, a header row, one product per row.

=========================  ========  ==========================================================
column                     required  meaning
=========================  ========  ==========================================================
``sku``                    yes       product SKU, unique per company; an existing SKU is updated
``name``                   yes       product name
``price``                  yes       HO price in the major unit, > 0, ``.`` decimal point, no
                                     thousands separators (``32000`` or ``7.95``)
``category_code``          no        the product's category by code; created when unknown
``category_name``          no        name of a category created by this row (default: its code)
``parent_category_code``   no        parent of a category created by this row (must exist or be
                                     created by an earlier row)
``brand_code``             no        the product's brand by code (must exist)
``is_active``              no        ``true``/``false`` (also ``1``/``0``, ``yes``/``no``);
                                     default ``true``
=========================  ========  ==========================================================

Errors name ``rows.<line>.<column>`` (line 1 is the header); any error rejects the whole file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from promoflow_compiler.domain.findings import Issue

REQUIRED = ("sku", "name", "price")
OPTIONAL = ("category_code", "category_name", "parent_category_code", "brand_code", "is_active")
MAX_ROWS = 100_000
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


@dataclass(frozen=True, slots=True)
class CatalogRow:
    """One valid row of the file (``line`` = its line number, for messages)."""

    line: int
    sku: str
    name: str
    price: Decimal
    category_code: str | None = None
    category_name: str | None = None
    parent_category_code: str | None = None
    brand_code: str | None = None
    is_active: bool = True


def _price(raw: str, line: int, errors: list[Issue]) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.append(Issue(f"rows.{line}.price", "invalid", f"not a number: {raw!r}"))
        return Decimal(0)
    if not value.is_finite() or value <= 0 or value.as_tuple().exponent < -4:  # type: ignore[operator]
        errors.append(Issue(f"rows.{line}.price", "invalid", "must be > 0 with at most 4 decimals"))
    return value


def _flag(raw: str, line: int, errors: list[Issue]) -> bool:
    value = raw.strip().lower()
    if not value or value in _TRUE:
        return True
    if value in _FALSE:
        return False
    errors.append(Issue(f"rows.{line}.is_active", "invalid", f"not a boolean: {raw!r}"))
    return True


def parse_catalog(text: str) -> tuple[list[CatalogRow], list[Issue]]:
    """Rows and errors of a catalogue CSV (see the module docstring for the columns)."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    errors: list[Issue] = []
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if missing:
        errors.append(Issue("header", "missing_column", f"missing columns: {', '.join(missing)}"))
    if unknown:
        errors.append(Issue("header", "unknown_column", f"unknown columns: {', '.join(unknown)}"))
    if errors:
        return [], errors
    rows: list[CatalogRow] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(reader):
        line = index + 2
        if line - 1 > MAX_ROWS:
            errors.append(Issue("rows", "too_many", f"at most {MAX_ROWS} rows per file"))
            break
        cells = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        for column in REQUIRED:
            if not cells.get(column):
                errors.append(Issue(f"rows.{line}.{column}", "required", f"{column} is required"))
        sku = cells.get("sku", "")
        if sku and sku.casefold() in seen:
            errors.append(
                Issue(f"rows.{line}.sku", "duplicate", f"also on line {seen[sku.casefold()]}")
            )
        seen.setdefault(sku.casefold(), line)
        price = _price(cells["price"], line, errors) if cells.get("price") else Decimal(0)
        rows.append(
            CatalogRow(
                line=line,
                sku=sku,
                name=cells.get("name", ""),
                price=price,
                category_code=cells.get("category_code") or None,
                category_name=cells.get("category_name") or None,
                parent_category_code=cells.get("parent_category_code") or None,
                brand_code=cells.get("brand_code") or None,
                is_active=_flag(cells.get("is_active", ""), line, errors),
            )
        )
    return rows, errors
