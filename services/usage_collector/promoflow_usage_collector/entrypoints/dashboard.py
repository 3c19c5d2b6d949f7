"""The HO dashboard: one server-rendered HTML page; Chart.js draws its charts in the browser.

The page carries its figures in the HTML (tables, totals) and the charts' data as JSON in the
page (see :mod:`~promoflow_usage_collector.entrypoints.chart_data`); ``/static/dashboard.js``
draws them with Chart.js, served from ``/static/vendor`` (fetched by
``infra/web/fetch_assets.sh``, not in git). Without Chart.js the tables still show, and the
page says the charts are unavailable.

``GET /dashboard?date_from=&date_to=&promotion_id=`` shows totals, top promotions, per-store and
per-brand breakdowns, and for a chosen promotion its timeline, skip reasons and limits, with CSV
links. Defaults: the last 30 days up to today (UTC). Without the token it answers 401 with a
login form; ``POST /dashboard/login`` checks the token and keeps it in an HttpOnly cookie.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Header, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from promoflow_usage_collector.analytics_service import AnalyticsService
from promoflow_usage_collector.domain.analytics import ratio
from promoflow_usage_collector.entrypoints.auth import COOKIE, presented_token, token_matches
from promoflow_usage_collector.entrypoints.chart_data import Bar, ChartSpec, bar_chart
from promoflow_usage_collector.exceptions import InvalidDateRange

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


def money(value: Decimal | int | None) -> str:
    """``1234567.5`` -> ``"1,234,567.50"``; whole amounts without decimals; None -> dash."""
    if value is None:
        return "\u2013"
    amount = Decimal(value)
    if amount == amount.to_integral_value():
        return f"{amount.quantize(Decimal(1)):,}"
    return f"{amount.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


def percent(value: Decimal | None) -> str:
    """``0.1234`` -> ``"12.3 %"``; None -> dash."""
    if value is None:
        return "\u2013"
    return f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)} %"


TEMPLATES.filters["money"] = money
TEMPLATES.filters["percent"] = percent

router = APIRouter()


def _login(message: str, code: int = status.HTTP_401_UNAUTHORIZED) -> HTMLResponse:
    html = TEMPLATES.get_template("login.html").render(message=message)
    return HTMLResponse(html, status_code=code)


@router.post("/dashboard/login", include_in_schema=False)
def login(request: Request, token: Annotated[str, Form()]) -> Response:
    """Check the token and keep it in an HttpOnly cookie for the dashboard."""
    if not token_matches(request, token):
        return _login("That token is not valid.")
    response = RedirectResponse("/dashboard", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", max_age=12 * 3600)
    return response


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
def dashboard(
    request: Request,
    date_from: date | None = None,
    date_to: date | None = None,
    promotion_id: UUID | None = None,
    authorization: Annotated[str | None, Header()] = None,
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> HTMLResponse:
    """The dashboard page (HTML), or the login form (401) without a valid token."""
    if not token_matches(request, presented_token(request, authorization)):
        return _login("Enter the analytics token to see the dashboard.")
    today = datetime.now(UTC).date()
    date_to = date_to or today
    date_from = date_from or date_to - timedelta(days=29)
    analytics: AnalyticsService = request.app.state.analytics
    try:
        context = _context(analytics, date_from, date_to, promotion_id, top)
    except InvalidDateRange as exc:
        return HTMLResponse(
            TEMPLATES.get_template("login.html").render(message=str(exc), show_form=False),
            status_code=422,
        )
    return HTMLResponse(TEMPLATES.get_template("dashboard.html").render(**context))


def _label(code: str | None, promotion_id: UUID) -> str:
    return code or str(promotion_id)[:8]


def _brand_label(brand_id: UUID | None) -> str:
    return str(brand_id)[:8] if brand_id is not None else "(no brand)"


def _context(
    analytics: AnalyticsService, date_from: date, date_to: date, promotion_id: UUID | None, top: int
) -> dict[str, Any]:
    everything = analytics.summaries(date_from=date_from, date_to=date_to, sort="revenue")
    evaluated = sum(s.evaluated for s in everything)
    applied = sum(s.applied for s in everything)
    totals = {
        "uses": sum(s.uses for s in everything),
        "discount": sum((s.discount for s in everything), Decimal(0)),
        "revenue": sum((s.revenue for s in everything), Decimal(0)),
        "promotions": sum(1 for s in everything if s.uses),
        "rate": ratio(applied, evaluated),
    }
    leaders = everything[:top]
    stores = analytics.stores(date_from=date_from, date_to=date_to, promotion_id=promotion_id)
    brands = analytics.brands(date_from=date_from, date_to=date_to, promotion_id=promotion_id)
    context: dict[str, Any] = {
        "date_from": date_from,
        "date_to": date_to,
        "promotion_id": promotion_id,
        "totals": totals,
        "top": leaders,
        "stores": stores.stores,
        "brands": brands.brands,
        "performance": None,
    }
    charts: list[ChartSpec] = []
    if leaders:
        bars = [Bar(_label(s.code, s.promotion_id), s.revenue, money(s.revenue)) for s in leaders]
        charts.append(bar_chart("top", "Top promotions by revenue", bars, horizontal=True))
    if stores.stores:
        bars = [Bar(str(r.store_id)[:8], r.revenue, money(r.revenue)) for r in stores.stores[:15]]
        charts.append(bar_chart("stores", "Revenue per store", bars, horizontal=True))
    if brands.brands:
        bars = [Bar(_brand_label(r.brand_id), r.revenue, money(r.revenue)) for r in brands.brands]
        charts.append(bar_chart("brands", "Revenue per brand", bars, horizontal=True))
    if promotion_id is not None:
        report = analytics.performance(
            promotion_id=promotion_id, date_from=date_from, date_to=date_to
        )
        context["performance"] = report
        if report.daily:
            bars = [Bar(p.business_date.isoformat(), p.uses, str(p.uses)) for p in report.daily]
            charts.append(bar_chart("timeline", "Uses per day", bars, horizontal=False))
        if report.skip_reasons:
            bars = [Bar(r.reason_code, r.skipped, str(r.skipped)) for r in report.skip_reasons[:10]]
            charts.append(bar_chart("reasons", "Why it did not apply", bars, horizontal=True))
    context["charts"] = {c.id: c for c in charts}
    context["charts_json"] = [c.as_json() for c in charts]
    return context
