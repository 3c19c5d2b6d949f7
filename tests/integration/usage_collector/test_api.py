"""The read-only analytics API, the customer-usage endpoint and the HO dashboard, over a
database fed through the same ingest service the worker uses (real PostgreSQL, no broker).

The dashboard is checked as HTML through httpx; the headless-Chromium check of the issue is
not here because this machine has no Chromium (see the module docstring of dashboard.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from promoflow_contracts.events import Event, PromotionPublished, PromotionPublishedData
from promoflow_contracts.results import ReasonCode
from promoflow_contracts.topics import Topics, to_record
from promoflow_usage_collector.bootstrap import build_api, build_ingest, reader_engine
from promoflow_usage_collector.config import Settings
from promoflow_usage_collector.ingest_service import RawRecord
from tests.factories import BRAND_ID, OTHER_BRAND_ID, promotion, uid
from tests.unit.usage_collector.builders import AT, evaluation, redemption, void

TOKEN = "test-analytics-token"
DAY1, DAY2 = date(2026, 3, 3), date(2026, 3, 4)
STORE_A, STORE_B = uid("api-store-a"), uid("api-store-b")
P1, P2 = uid("api-promo-kopi"), uid("api-promo-roti")
RANGE = {"date_from": "2026-03-03", "date_to": "2026-03-04"}
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def records(events: list[Event], topic: str) -> list[RawRecord]:
    out = []
    for offset, event in enumerate(events):
        r = to_record(event)
        out.append(RawRecord(topic, 0, offset, r.key, r.value, r.headers))
    return out


def seed(settings: Settings) -> None:
    """P1 (KOPI10): 3 counted uses (1 voided) at two stores, evaluated 4 times, applied 3;
    P2 (ROTI5): 1 use at store B under another brand."""
    topics = Topics()
    ingest = build_ingest(settings)
    published = [
        PromotionPublished(
            occurred_at=AT,
            producer="compiler/test",
            data=PromotionPublishedData(
                promotion=promotion(
                    code,
                    id=str(pid),
                    brand_id=str(BRAND_ID),
                    limits={"max_uses_per_customer": 2},
                )
            ),
        )
        for code, pid in (("KOPI10", P1), ("ROTI5", P2))
    ]
    ingest.promotions(records(list(published), topics.promotions.name))
    anonymous = redemption(promotion_id=P1, store_id=STORE_A, customer_id=None, business_date=DAY2)
    usage: list[Event] = [
        redemption(promotion_id=P1, store_id=STORE_A, customer_id="C1", business_date=DAY1),
        redemption(promotion_id=P1, store_id=STORE_A, customer_id="C1", business_date=DAY1),
        redemption(
            promotion_id=P1,
            store_id=STORE_B,
            customer_id="C2",
            business_date=DAY2,
            discount="2000",
            subtotal="20000",
            total="18000",
        ),
        anonymous,
        void(anonymous),
        redemption(
            promotion_id=P2,
            store_id=STORE_B,
            customer_id="C1",
            brand_id=OTHER_BRAND_ID,
            discount="500",
            subtotal="5000",
            total="4500",
        ),
    ]
    ingest.redemptions(records(usage, topics.redemptions.name))
    evaluations: list[Event] = [
        evaluation((P1, True, None), store_id=STORE_A, subtotal="10000"),
        evaluation((P1, True, None), store_id=STORE_A, subtotal="10000"),
        evaluation((P1, True, None), store_id=STORE_B, subtotal="20000", business_date=DAY2),
        evaluation((P1, False, ReasonCode.MIN_PURCHASE_NOT_MET), store_id=STORE_B, subtotal="4000"),
    ]
    ingest.evaluations(records(evaluations, topics.evaluations.name))
    ingest.engine.dispose()


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


async def test_the_dashboard_shows_the_figures_with_inline_charts(
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
    # then totals, top promotions, stores and brands are on the page, charts as inline SVG
    assert page.status_code == 200
    html = page.text
    assert '<div class="v" id="total-uses">4</div>' in html
    assert "KOPI10" in html and "ROTI5" in html and str(STORE_B) in html
    assert html.count("<svg") >= 2
    assert "<script" not in html and 'src="' not in html and "<link" not in html
    # and a promotion's page adds its timeline and skip reasons
    detail = await client.get(
        "/dashboard", params={**RANGE, "promotion_id": str(P1)}, headers=cookie
    )
    assert 'aria-label="Uses per day"' in detail.text
    assert "min_purchase_not_met" in detail.text


async def test_the_api_reads_in_read_only_transactions(settings: Settings) -> None:
    engine = reader_engine(settings)
    try:
        with pytest.raises(DBAPIError, match="read-only"), engine.begin() as conn:
            conn.execute(text("DELETE FROM usage.processed_events"))
    finally:
        engine.dispose()
