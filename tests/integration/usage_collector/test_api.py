"""The read-only analytics API, the customer-usage endpoint and the HO dashboard, over a
database fed through the same ingest service the worker uses (real PostgreSQL, no broker).

The dashboard's HTML is checked here through httpx; that Chart.js really draws its charts is
checked in headless Chromium by ``test_dashboard_browser.py``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from promoflow_usage_collector.bootstrap import build_api, reader_engine
from promoflow_usage_collector.config import Settings
from tests.factories import BRAND_ID, OTHER_BRAND_ID
from tests.integration.usage_collector.analytics_seed import (
    AUTH,
    P1,
    P2,
    RANGE,
    STORE_A,
    STORE_B,
    TOKEN,
    seed,
)


@pytest.fixture(scope="module")
def settings(module_database_url: str) -> Settings:
    s = Settings(ho_database_url=module_database_url, analytics_token=TOKEN)
    seed(s)
    return s


@pytest.fixture(scope="module")
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = build_api(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://collector") as c:
        yield c
    app.state.analytics.engine.dispose()


async def get(client: httpx.AsyncClient, url: str, **params: Any) -> Any:
    response = await client.get(url, params=params, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


async def test_promotion_performance_has_every_figure(client: httpx.AsyncClient) -> None:
    # when the performance of KOPI10 over both days is asked for
    body = await get(client, f"/api/v1/analytics/promotions/{P1}/performance", **RANGE)
    # then voids are subtracted and the figures follow their definitions
    s = body["summary"]
    assert (s["code"], s["uses"], s["distinct_customers"]) == ("KOPI10", 3, 2)
    assert Decimal(s["discount"]) == 4000 and Decimal(s["revenue"]) == 36000
    assert Decimal(s["gross_sales"]) == 40000
    assert (s["evaluated"], s["applied"], s["redemption_rate"]) == (4, 3, "0.7500")
    assert (s["avg_cart_value_with"], s["avg_cart_value_without"]) == ("13333.33", "4000.00")
    assert s["avg_redeemed_cart_value"] == "13333.33"
    assert [(d["business_date"], d["uses"]) for d in body["daily"]] == [
        ("2026-03-03", 2),
        ("2026-03-04", 1),
    ]
    assert body["skip_reasons"] == [{"reason_code": "min_purchase_not_met", "skipped": 1}]
    assert body["limits"]["max_uses_per_customer"] == 2
    assert body["limits"]["lifetime_uses"] == 3


async def test_a_date_range_only_counts_its_business_dates(client: httpx.AsyncClient) -> None:
    body = await get(
        client,
        f"/api/v1/analytics/promotions/{P1}/performance",
        date_from="2026-03-04",
        date_to="2026-03-04",
    )
    assert (body["summary"]["uses"], body["summary"]["distinct_customers"]) == (1, 1)


async def test_comparison_keeps_the_order_asked_and_shows_unknown_promotions_as_zero(
    client: httpx.AsyncClient,
) -> None:
    unknown = uuid4()
    response = await client.get(
        "/api/v1/analytics/promotions/compare",
        params=[
            ("promotion_id", str(P2)),
            ("promotion_id", str(P1)),
            ("promotion_id", str(unknown)),
            *RANGE.items(),
        ],
        headers=AUTH,
    )
    rows = response.json()["promotions"]
    assert [(r["promotion_id"], r["uses"]) for r in rows] == [
        (str(P2), 1),
        (str(P1), 3),
        (str(unknown), 0),
    ]


async def test_top_promotions_are_sorted_and_limited(client: httpx.AsyncClient) -> None:
    top = await get(client, "/api/v1/analytics/promotions/top", sort="revenue", **RANGE)
    assert [r["code"] for r in top["promotions"]] == ["KOPI10", "ROTI5"]
    one = await get(client, "/api/v1/analytics/promotions/top", sort="uses", limit=1, **RANGE)
    assert [r["code"] for r in one["promotions"]] == ["KOPI10"]


async def test_per_store_and_per_brand_breakdowns(client: httpx.AsyncClient) -> None:
    stores = await get(client, "/api/v1/analytics/stores", **RANGE)
    by_store = {UUID(r["store_id"]): r for r in stores["stores"]}
    assert by_store[STORE_A]["uses"] == 2 and Decimal(by_store[STORE_A]["revenue"]) == 18000
    assert by_store[STORE_B]["uses"] == 2 and Decimal(by_store[STORE_B]["revenue"]) == 22500
    assert by_store[STORE_A]["redemption_rate"] == "1.0000"
    assert by_store[STORE_B]["redemption_rate"] == "0.5000"
    brands = await get(client, "/api/v1/analytics/brands", **RANGE)
    assert {(r["brand_id"], r["uses"]) for r in brands["brands"]} == {
        (str(BRAND_ID), 3),
        (str(OTHER_BRAND_ID), 1),
    }
    only_p2 = await get(client, "/api/v1/analytics/stores", promotion_id=str(P2), **RANGE)
    assert [(r["store_id"], r["uses"]) for r in only_p2["stores"]] == [(str(STORE_B), 1)]


async def test_csv_exports(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/api/v1/analytics/promotions/top", params={**RANGE, "format": "csv"}, headers=AUTH
    )
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["code"], r["uses"]) for r in rows] == [("KOPI10", "3"), ("ROTI5", "1")]
    daily = await client.get("/api/v1/analytics/export/daily.csv", params=RANGE, headers=AUTH)
    lines = list(csv.DictReader(io.StringIO(daily.text)))
    assert sum(int(r["uses"]) for r in lines) == 4
    assert {r["code"] for r in lines} == {"KOPI10", "ROTI5"}


async def test_the_api_needs_the_bearer_token(client: httpx.AsyncClient) -> None:
    url = "/api/v1/analytics/promotions/top"
    assert (await client.get(url, params=RANGE)).status_code == 401
    wrong = await client.get(url, params=RANGE, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert (await client.get("/health")).status_code == 200


async def test_bad_input_is_a_422_naming_the_field(client: httpx.AsyncClient) -> None:
    reversed_range = await client.get(
        "/api/v1/analytics/stores",
        params={"date_from": "2026-03-05", "date_to": "2026-03-01"},
        headers=AUTH,
    )
    assert reversed_range.status_code == 422
    assert reversed_range.json()["detail"][0]["loc"] == ["query", "date_to"]
    bad_id = await client.get(
        "/api/v1/analytics/promotions/not-a-uuid/performance", params=RANGE, headers=AUTH
    )
    assert bad_id.status_code == 422
    assert bad_id.json()["detail"][0]["loc"] == ["path", "promotion_id"]


async def test_customer_usage_for_edges(client: httpx.AsyncClient) -> None:
    # when an edge asks for C1's uses of KOPI10 (limit 2 per customer)
    one = await get(client, f"/api/v1/usage/customers/C1/promotions/{P1}")
    # then it gets 2 uses and nothing remaining
    assert (one["uses"], one["max_uses_per_customer"], one["remaining"]) == (2, 2, 0)
    # and the batch form answers for several promotions, unknown ones with zero
    unknown = uuid4()
    response = await client.get(
        "/api/v1/usage/customers/C1/promotions",
        params=[
            ("promotion_id", str(P1)),
            ("promotion_id", str(P2)),
            ("promotion_id", str(unknown)),
        ],
        headers=AUTH,
    )
    items = response.json()["items"]
    assert [(i["uses"], i["remaining"]) for i in items] == [(2, 0), (1, 1), (0, None)]
    assert response.headers["cache-control"] == "no-store"


async def test_the_dashboard_shows_the_figures_and_embeds_chart_data_for_chart_js(
    client: httpx.AsyncClient,
) -> None:
    # given no token, the dashboard answers with a login form
    anonymous = await client.get("/dashboard", params=RANGE)
    assert anonymous.status_code == 401 and 'name="token"' in anonymous.text
    # when the token is posted, a cookie opens the dashboard
    login = await client.post("/dashboard/login", data={"token": TOKEN})
    assert login.status_code == 303
    cookie = {"Cookie": f"promoflow_analytics_token={login.cookies['promoflow_analytics_token']}"}
    page = await client.get("/dashboard", params=RANGE, headers=cookie)
    # then totals, top promotions, stores and brands are on the page, with a canvas per chart
    assert page.status_code == 200
    html = page.text
    assert '<div class="v" id="total-uses">4</div>' in html
    assert "KOPI10" in html and "ROTI5" in html and str(STORE_B) in html
    assert 'id="chart-top"' in html and 'id="chart-stores"' in html
    assert '<script src="/static/vendor/chart.umd.min.js"></script>' in html
    # and the charts' data travels as JSON in the page
    charts = {c["id"]: c for c in embedded_charts(html)}
    assert charts["top"]["labels"] == ["KOPI10", "ROTI5"]
    assert charts["top"]["values"] == [36000.0, 4500.0]
    # and a promotion's page adds its timeline and skip reasons
    detail = await client.get(
        "/dashboard", params={**RANGE, "promotion_id": str(P1)}, headers=cookie
    )
    detail_charts = {c["id"]: c for c in embedded_charts(detail.text)}
    assert detail_charts["timeline"]["values"] == [2.0, 1.0]
    assert detail_charts["reasons"]["labels"] == ["min_purchase_not_met"]


def embedded_charts(html: str) -> list[dict[str, Any]]:
    """The chart specs the page carries in ``<script id="dashboard-charts">``."""
    start = html.index('<script type="application/json" id="dashboard-charts">')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    charts: list[dict[str, Any]] = json.loads(body)
    return charts


async def test_the_dashboard_script_is_served_without_a_token(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/static/dashboard.js")
    assert response.status_code == 200
    assert "new window.Chart(" in response.text
    assert (await client.get("/static/vendor/../../config.py")).status_code == 404


async def test_the_api_reads_in_read_only_transactions(settings: Settings) -> None:
    engine = reader_engine(settings)
    try:
        with pytest.raises(DBAPIError, match="read-only"), engine.begin() as conn:
            conn.execute(text("DELETE FROM usage.processed_events"))
    finally:
        engine.dispose()
