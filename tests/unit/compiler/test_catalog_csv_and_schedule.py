"""Pure helpers: the catalogue CSV parser and the end-of-validity rule across time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from promoflow_compiler.domain.catalog_csv import parse_catalog
from promoflow_compiler.domain.schedule import has_ended, has_started

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"


def test_a_valid_file_gives_rows_with_decimal_prices_and_flags() -> None:
    rows, errors = parse_catalog(
        "\ufeffsku,name,price,category_code,is_active\nLAT,Latte,32000,ESP,no\nTEA,Tea,12000.50,,\n"
    )
    assert errors == []
    assert [(r.line, r.sku, r.price, r.category_code, r.is_active) for r in rows] == [
        (2, "LAT", Decimal(32000), "ESP", False),
        (3, "TEA", Decimal("12000.50"), None, True),
    ]


def test_errors_name_line_and_column() -> None:
    _, errors = parse_catalog("sku,name,price,is_active\nA,,0,maybe\nA,B,1,\n")
    assert {e.field for e in errors} == {
        "rows.2.name",
        "rows.2.price",
        "rows.2.is_active",
        "rows.3.sku",
    }


def test_missing_and_unknown_columns_are_reported_on_the_header() -> None:
    _, errors = parse_catalog("sku,name,colour\n")
    assert [(e.field, e.code) for e in errors] == [
        ("header", "missing_column"),
        ("header", "unknown_column"),
    ]


def test_a_promotion_ends_only_when_its_end_date_is_over_in_every_zone() -> None:
    end = date(2026, 3, 5)
    # 16:30 UTC on the 5th = 23:30 WIB (5th), 00:30 WITA and 01:30 WIT (6th)
    evening = datetime(2026, 3, 5, 16, 30, tzinfo=UTC)
    assert has_ended(end, [WITA, WIT], evening)
    assert not has_ended(end, [WIB, WITA, WIT], evening)
    assert has_ended(end, [WIB, WITA, WIT], datetime(2026, 3, 5, 17, 0, tzinfo=UTC))


def test_a_promotion_starts_when_its_start_date_arrives_in_any_zone() -> None:
    start = date(2026, 3, 6)
    evening = datetime(2026, 3, 5, 16, 30, tzinfo=UTC)
    assert has_started(start, [WIB, WIT], evening) and not has_started(start, [WIB], evening)
