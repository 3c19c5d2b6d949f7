"""The dashboard's chart data and the analytics API's JSON-or-CSV answer (pure, no server)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi import Response

from promoflow_usage_collector.entrypoints.chart_data import (
    CHART_PADDING,
    ROW_HEIGHT,
    Bar,
    bar_chart,
)
from promoflow_usage_collector.entrypoints.router import json_or_csv
from promoflow_usage_collector.schemas import BrandReport, BrandRow
from tests.factories import BRAND_ID


def test_a_chart_spec_plots_numbers_and_shows_the_exact_figures() -> None:
    # given two promotions' revenue as exact decimals
    bars = [Bar("KOPI10", Decimal("36000.50"), "36,000.50"), Bar("ROTI5", 4500, "4,500")]
    # when they become a horizontal chart
    spec = bar_chart("top", "Top promotions by revenue", bars, horizontal=True).as_json()
    # then Chart.js gets numbers to plot, the server's text to show, and a row per bar
    assert spec["values"] == [36000.5, 4500.0]
    assert spec["shown"] == ["36,000.50", "4,500"]
    assert spec["labels"] == ["KOPI10", "ROTI5"]
    assert spec["height"] == CHART_PADDING + 2 * ROW_HEIGHT and spec["horizontal"] is True


def test_a_timeline_chart_has_columns_of_a_fixed_height() -> None:
    bars = [Bar(f"2026-03-0{d}", d, str(d)) for d in range(1, 8)]
    spec = bar_chart("timeline", "Uses per day", bars, horizontal=False)
    assert (spec.horizontal, spec.height, spec.width) == (False, 240, 720)


REPORT = BrandReport(
    date_from=date(2026, 3, 3),
    date_to=date(2026, 3, 4),
    promotion_id=None,
    brands=[
        BrandRow(
            brand_id=BRAND_ID,
            uses=3,
            discount=Decimal("4000.00"),
            gross_sales=Decimal(40000),
            revenue=Decimal(36000),
            promotions=1,
        ),
        BrandRow(
            brand_id=None,
            uses=1,
            discount=Decimal(5),
            gross_sales=Decimal(50),
            revenue=Decimal(45),
            promotions=1,
        ),
    ],
)


def test_json_is_the_report_itself() -> None:
    assert json_or_csv(REPORT, "json", REPORT.brands, BrandRow, "brands.csv") is REPORT


def test_csv_has_the_row_fields_as_header_and_empty_cells_for_none() -> None:
    response = json_or_csv(REPORT, "csv", REPORT.brands, BrandRow, "brands.csv")
    assert isinstance(response, Response)
    assert response.headers["content-disposition"] == 'attachment; filename="brands.csv"'
    lines = bytes(response.body).decode().splitlines()
    assert lines == [
        "brand_id,uses,discount,gross_sales,revenue,promotions",
        f"{BRAND_ID},3,4000.00,40000,36000,1",
        ",1,5,50,45,1",
    ]


def test_an_empty_range_still_has_the_csv_header() -> None:
    empty = REPORT.model_copy(update={"brands": []})
    response = json_or_csv(empty, "csv", empty.brands, BrandRow, "brands.csv")
    assert isinstance(response, Response)
    assert (
        bytes(response.body).decode() == "brand_id,uses,discount,gross_sales,revenue,promotions\n"
    )
