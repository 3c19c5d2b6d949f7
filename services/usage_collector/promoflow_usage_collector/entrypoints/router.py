"""HTTP routes of the collector's read-only API (JSON, or CSV with ``format=csv``).

Every route but ``/health`` needs the analytics bearer token (``Authorization: Bearer <token>``,
or the dashboard's cookie). Dates are store-local business dates, ranges inclusive; a reversed
or too long range is a 422 naming ``date_to``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel

from promoflow_usage_collector.analytics_service import AnalyticsService
from promoflow_usage_collector.entrypoints.auth import require_reader
from promoflow_usage_collector.schemas import (
    BrandReport,
    BrandRow,
    CustomerUsage,
    CustomerUsageBatch,
    DailyPoint,
    PromotionList,
    PromotionPerformance,
    PromotionSummary,
    SortKey,
    StoreReport,
    StoreRow,
)

ReportT = TypeVar("ReportT", bound=BaseModel)

#: Most promotion ids one batch or comparison request may name.
MAX_IDS = 100


def get_analytics(request: Request) -> AnalyticsService:
    """The app's :class:`AnalyticsService` (set by the bootstrap)."""
    service: AnalyticsService = request.app.state.analytics
    return service


Analytics = Annotated[AnalyticsService, Depends(get_analytics)]
DateFrom = Annotated[date, Query(description="first store-local business date (inclusive)")]
DateTo = Annotated[date, Query(description="last store-local business date (inclusive)")]
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv")]
CustomerId = Annotated[str, Path(min_length=1, max_length=64)]

router = APIRouter(dependencies=[Depends(require_reader)])


def csv_response(header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str) -> Response:
    """A ``text/csv`` attachment; ``None`` cells are empty, decimals as written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else str(cell) for cell in row])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def json_or_csv(
    report: ReportT,
    format: str,
    rows: Sequence[BaseModel],
    row_model: type[BaseModel],
    filename: str,
) -> ReportT | Response:
    """``report`` as JSON, or its ``rows`` (instances of ``row_model``) as a CSV attachment.

    The CSV header is ``row_model``'s field names, so an empty range still has its header.
    """
    if format != "csv":
        return report
    header = list(row_model.model_fields)
    return csv_response(header, ([getattr(r, f) for f in header] for r in rows), filename)


@router.get(
    "/api/v1/usage/customers/{customer_id}/promotions/{promotion_id}",
    response_model=CustomerUsage,
)
def customer_usage(
    customer_id: CustomerId, promotion_id: UUID, analytics: Analytics, response: Response
) -> CustomerUsage:
    """A customer's counted uses of one promotion (edges check ``max_uses_per_customer``)."""
    response.headers["Cache-Control"] = "no-store"
    return analytics.customer_usage(customer_id=customer_id, promotion_ids=[promotion_id])[0]


@router.get("/api/v1/usage/customers/{customer_id}/promotions", response_model=CustomerUsageBatch)
def customer_usage_batch(
    customer_id: CustomerId,
    analytics: Analytics,
    response: Response,
    promotion_id: Annotated[list[UUID], Query(min_length=1, max_length=MAX_IDS)],
) -> CustomerUsageBatch:
    """A customer's counted uses of several promotions (``?promotion_id=..&promotion_id=..``)."""
    response.headers["Cache-Control"] = "no-store"
    items = analytics.customer_usage(customer_id=customer_id, promotion_ids=promotion_id)
    return CustomerUsageBatch(customer_id=customer_id, items=items)


@router.get(
    "/api/v1/analytics/promotions/{promotion_id}/performance",
    response_model=PromotionPerformance,
)
def performance(
    promotion_id: UUID,
    date_from: DateFrom,
    date_to: DateTo,
    analytics: Analytics,
    format: Format = "json",
) -> PromotionPerformance | Response:
    """Uses, discount, revenue, redemption rate, cart values, timeline and skip reasons."""
    report = analytics.performance(promotion_id=promotion_id, date_from=date_from, date_to=date_to)
    filename = f"promotion-{promotion_id}-daily.csv"
    return json_or_csv(report, format, report.daily, DailyPoint, filename)


@router.get("/api/v1/analytics/promotions/compare", response_model=PromotionList)
def compare(
    date_from: DateFrom,
    date_to: DateTo,
    analytics: Analytics,
    promotion_id: Annotated[list[UUID], Query(min_length=1, max_length=MAX_IDS)],
    format: Format = "json",
) -> PromotionList | Response:
    """Several promotions side by side (``?promotion_id=..&promotion_id=..``)."""
    report = analytics.compare(promotion_ids=promotion_id, date_from=date_from, date_to=date_to)
    filename = "promotions-compare.csv"
    return json_or_csv(report, format, report.promotions, PromotionSummary, filename)


@router.get("/api/v1/analytics/promotions/top", response_model=PromotionList)
def top(
    date_from: DateFrom,
    date_to: DateTo,
    analytics: Analytics,
    sort: SortKey = "revenue",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    format: Format = "json",
) -> PromotionList | Response:
    """The top ``limit`` promotions by ``sort`` (uses, discount, revenue, ...)."""
    report = analytics.top(date_from=date_from, date_to=date_to, sort=sort, limit=limit)
    filename = "promotions-top.csv"
    return json_or_csv(report, format, report.promotions, PromotionSummary, filename)


@router.get("/api/v1/analytics/stores", response_model=StoreReport)
def stores(
    date_from: DateFrom,
    date_to: DateTo,
    analytics: Analytics,
    promotion_id: UUID | None = None,
    format: Format = "json",
) -> StoreReport | Response:
    """Per-store breakdown of all promotions (or of ``promotion_id``)."""
    report = analytics.stores(date_from=date_from, date_to=date_to, promotion_id=promotion_id)
    return json_or_csv(report, format, report.stores, StoreRow, "stores.csv")


@router.get("/api/v1/analytics/brands", response_model=BrandReport)
def brands(
    date_from: DateFrom,
    date_to: DateTo,
    analytics: Analytics,
    promotion_id: UUID | None = None,
    format: Format = "json",
) -> BrandReport | Response:
    """Per-brand breakdown of all promotions (or of ``promotion_id``)."""
    report = analytics.brands(date_from=date_from, date_to=date_to, promotion_id=promotion_id)
    return json_or_csv(report, format, report.brands, BrandRow, "brands.csv")


@router.get("/api/v1/analytics/export/daily.csv")
def export_daily(date_from: DateFrom, date_to: DateTo, analytics: Analytics) -> Response:
    """Every daily usage row (promotion, store, brand) in the range, as CSV."""
    rows = analytics.daily_rows(date_from=date_from, date_to=date_to)
    header = [
        "business_date",
        "promotion_id",
        "code",
        "store_id",
        "brand_id",
        "uses",
        "discount",
        "reward",
        "gross_sales",
        "revenue",
    ]
    return csv_response(header, ([r[h] for h in header] for r in rows), "usage-daily.csv")
