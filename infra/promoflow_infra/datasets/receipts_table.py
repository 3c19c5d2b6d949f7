"""Reading the rows of a mapped receipts CSV and of its lookup CSVs, with errors that say where.

:func:`read_rows` yields the data rows of the receipts file as :class:`Row` (values addressed
by column name, line number kept for errors) after checking that every column the mapping
names is in the header; :func:`read_lookup` reads a lookup file into a :class:`Table` keyed on
its key column; :class:`Numbers` and :func:`parse_time` read values as the mapping writes
them. Every problem is a :class:`ReceiptsCsvError` whose message starts with
``file:line:`` and names the column.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from promoflow_infra.datasets.receipts_mapping import CsvLayout, Lookup, ReceiptsMapping

#: strptime formats that :meth:`datetime.fromisoformat` reads the same, with their length.
ISO_FORMATS = {
    "%Y-%m-%d %H:%M:%S": 19,
    "%Y-%m-%dT%H:%M:%S": 19,
    "%Y-%m-%d %H:%M": 16,
    "%Y-%m-%dT%H:%M": 16,
    "%Y-%m-%d": 10,
}


class ReceiptsCsvError(ValueError):
    """A receipts or lookup CSV that cannot be read: ``file:line: column 'x': what``."""


class Row:
    """One data row of the receipts file: values by column name, stripped of spaces."""

    __slots__ = ("index", "line", "path", "values")

    def __init__(self, path: Path, line: int, values: list[str], index: dict[str, int]) -> None:
        self.path, self.line, self.values, self.index = path, line, values, index

    def get(self, column: str) -> str:
        """The value of ``column`` (a column the header check has seen)."""
        return self.values[self.index[column]].strip()

    def error(self, column: str, message: str) -> ReceiptsCsvError:
        """An error at this row and ``column``."""
        return ReceiptsCsvError(f"{self.path}:{self.line}: column {column!r}: {message}")


def mapped_columns(mapping: ReceiptsMapping) -> dict[str, str]:
    """Every receipts-file column the mapping names, with the mapping key naming it."""
    r, line = mapping.receipt, mapping.line
    named: dict[str, str] = {}
    for key, columns in (("[receipt] id", r.id), ("[receipt] timestamp", r.timestamp)):
        named.update(dict.fromkeys(columns, key))
    for key, column in (
        ("[receipt] store", r.store),
        ("[receipt] customer", r.customer),
        ("[line] product", line.product),
        ("[line] quantity", line.quantity),
        ("[line] unit_price", line.unit_price),
        ("[line] line_total", line.line_total),
        ("[line] category", line.category),
    ):
        if column is not None:
            named.setdefault(column, key)
    return named


def read_rows(path: Path, mapping: ReceiptsMapping) -> Iterator[Row]:
    """The non-blank data rows of ``path``; raises :class:`ReceiptsCsvError`."""
    layout = mapping.csv
    try:
        handle = path.open(newline="", encoding=layout.encoding)
    except OSError as exc:
        raise ReceiptsCsvError(f"{path}: cannot open: {exc.strerror or exc}") from exc
    with handle:
        reader = csv.reader(handle, delimiter=layout.delimiter)
        try:
            header = _header(path, reader, mapping)
            index: dict[str, int] = {}
            for position, name in enumerate(header):
                index.setdefault(name, position)
            named = mapped_columns(mapping)
            for column, key in named.items():
                if column not in index:
                    where = "the header" if layout.header == "use" else "[csv] columns"
                    raise ReceiptsCsvError(
                        f"{path}:1: column {column!r} (mapping {key}) is not in {where}; "
                        f"columns: {', '.join(header)}"
                    )
            width = max(index[c] for c in named) + 1
            for values in reader:
                if not any(v.strip() for v in values):
                    continue
                if len(values) < width:
                    raise ReceiptsCsvError(
                        f"{path}:{reader.line_num}: {len(values)} fields, expected "
                        f"{len(header)} ({', '.join(header)})"
                    )
                yield Row(path, reader.line_num, values, index)
        except UnicodeDecodeError as exc:
            raise ReceiptsCsvError(
                f"{path}:{reader.line_num + 1}: not {layout.encoding} text ({exc.reason}); "
                "set [csv] encoding"
            ) from exc
        except csv.Error as exc:
            raise ReceiptsCsvError(f"{path}:{reader.line_num}: {exc}") from exc


def _header(path: Path, reader: Iterator[list[str]], mapping: ReceiptsMapping) -> list[str]:
    mode = mapping.csv.header
    if mode in ("use", "skip"):
        first = next(reader, None)
        if first is None:
            raise ReceiptsCsvError(f"{path}:1: empty file (no header row)")
        if mode == "use":
            return [name.strip() for name in first]
    return list(mapping.csv.columns)


class Table:
    """A lookup CSV keyed on its key column (first row of a key wins)."""

    def __init__(self, path: Path, lookup: Lookup) -> None:
        self.path, self.lookup = path, lookup
        self.rows: dict[str, dict[str, str]] = {}
        self.lines: dict[str, int] = {}

    def __str__(self) -> str:
        return self.path.name

    def row(self, key: str) -> dict[str, str] | None:
        """The row of ``key``, or None."""
        return self.rows.get(key)

    def field(self, row: dict[str, str], name: str) -> str:
        """The value of mapped field ``name`` (``""`` when the mapping names no column)."""
        column = self.lookup.column(name)
        return (row.get(column) or "").strip() if column else ""

    def zone(self, row: dict[str, str]) -> str | None:
        """The row's IANA time zone (None when not mapped or blank); checked."""
        value = self.field(row, "timezone")
        if not value:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            key = row.get(self.lookup.key, "")
            column = self.lookup.column("timezone")
            raise ReceiptsCsvError(
                f"{self.path}:{self.lines.get(key, 0)}: column {column!r}: "
                f"unknown IANA time zone {value!r}"
            ) from exc
        return value


def read_lookup(path: Path, lookup: Lookup) -> Table:
    """The lookup file ``path`` read into a :class:`Table`; raises :class:`ReceiptsCsvError`."""
    table = Table(path, lookup)
    try:
        with path.open(newline="", encoding=lookup.encoding) as handle:
            reader = csv.DictReader(handle, delimiter=lookup.delimiter)
            header = [name.strip() for name in reader.fieldnames or []]
            reader.fieldnames = header
            wanted = [lookup.key, *(column for _, column in lookup.fields)]
            for column in wanted:
                if column not in header:
                    raise ReceiptsCsvError(
                        f"{path}:1: column {column!r} (mapping lookup) is not in the header; "
                        f"columns: {', '.join(header)}"
                    )
            for row in reader:
                key = (row.get(lookup.key) or "").strip()
                if key and key not in table.rows:
                    table.rows[key] = row
                    table.lines[key] = reader.line_num
    except OSError as exc:
        raise ReceiptsCsvError(f"{path}: cannot open lookup: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ReceiptsCsvError(f"{path}: not {lookup.encoding} text ({exc.reason})") from exc
    except csv.Error as exc:
        raise ReceiptsCsvError(f"{path}: {exc}") from exc
    return table


class Numbers:
    """Numbers written as ``layout`` says (separators, stripped symbols), cached by text."""

    def __init__(self, layout: CsvLayout) -> None:
        self.layout = layout
        self.cache: dict[str, Decimal] = {}

    def read(self, row: Row, column: str) -> Decimal:
        """The number in ``column`` of ``row``; raises :class:`ReceiptsCsvError`."""
        text = row.values[row.index[column]]
        cached = self.cache.get(text)
        if cached is not None:
            return cached
        layout = self.layout
        cleaned = text.strip().strip(layout.strip).strip()
        if layout.thousands_separator:
            cleaned = cleaned.replace(layout.thousands_separator, "")
        if layout.decimal_separator != ".":
            cleaned = cleaned.replace(layout.decimal_separator, ".")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
            sep = layout.decimal_separator
            raise row.error(column, f"cannot read {text!r} as a number (decimal separator {sep!r})")
        self.cache[text] = value
        return value


def parse_time(text: str, fmt: str) -> datetime:
    """``text`` read with strptime ``fmt`` (``iso``: any ISO 8601); ISO-shaped formats take
    the much faster :meth:`datetime.fromisoformat` when the text has exactly their shape.
    Raises ``ValueError``."""
    if fmt == "iso":
        return datetime.fromisoformat(text)
    length = ISO_FORMATS.get(fmt)
    if length is not None and len(text) == length and (length == 10 or text[10] == fmt[8]):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass  # strptime below gives the error
    return datetime.strptime(text, fmt)
