"""The evaluator API over a real edge store (SQLite file) and real HTTP on loopback."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx

from promoflow_contracts.topics import Topics
from promoflow_infra.processes import free_port
from tests.factories import CROISSANT, LATTE, OTHER_STORE_ID, cart, line
from tests.integration.edge.helpers import (
    evaluator_settings,
    running_api,
    seed_store,
    store_promotion,
    wait_until,
)

UNUSED = Topics("unused.")


def _cart(store_id: UUID, **fields: Any) -> str:
    request = cart(line("1", LATTE, 25000, 2), line("2", CROISSANT, 18000), **fields)
    return request.model_copy(update={"store_id": store_id}).model_dump_json()


async def test_evaluate_applies_the_store_promotion_to_the_cart(
    store_id: UUID, edge_url: str
) -> None:
    # given a store holding "10 % off everything"
    seed_store(store_id, edge_url, store_promotion(store_id, "TEN"))
    async with running_api(evaluator_settings(store_id, edge_url, "127.0.0.1:1", UNUSED)) as api:
        # when the POS evaluates a cart of Rp 68.000
        response = await api.client.post("/api/v1/evaluate", content=_cart(store_id))
    # then the engine's full result comes back with Rp 6.800 off, allocated to the lines
    assert response.status_code == 200
    body = response.json()
    assert Decimal(body["subtotal"]) == 68000 and Decimal(body["total_discount"]) == 6800
    assert [a["code"] for a in body["applied"]] == ["TEN"]
    assert sum(Decimal(x["amount"]) for x in body["applied"][0]["allocations"]) == 6800


async def test_requests_without_a_valid_terminal_key_are_refused(
    store_id: UUID, edge_url: str
) -> None:
    seed_store(store_id, edge_url, store_promotion(store_id, "TEN"))
    settings = evaluator_settings(store_id, edge_url, "127.0.0.1:1", UNUSED)
    async with running_api(settings) as api, httpx.AsyncClient(base_url=api.url) as anonymous:
        missing = await anonymous.post("/api/v1/evaluate", content=_cart(store_id))
        wrong = await anonymous.get("/api/v1/promotions", headers={"X-Terminal-Key": "guess"})
        pos = await anonymous.get("/promotions/list/")
        health = await anonymous.get("/health")
        ready = await anonymous.get("/ready")
    assert (missing.status_code, wrong.status_code, pos.status_code) == (401, 401, 401)
    assert "X-Terminal-Key" in missing.json()["detail"]
    assert (health.status_code, ready.status_code) == (200, 200)


async def test_an_invalid_cart_is_422_naming_the_field(store_id: UUID, edge_url: str) -> None:
    seed_store(store_id, edge_url)
    bad_quantity = _cart(store_id).replace('"quantity":2', '"quantity":0')
    async with running_api(evaluator_settings(store_id, edge_url, "127.0.0.1:1", UNUSED)) as api:
        invalid = await api.client.post("/api/v1/evaluate", content=bad_quantity)
        other_store = await api.client.post("/api/v1/evaluate", content=_cart(OTHER_STORE_ID))
        not_json = await api.client.post("/api/v1/evaluate", content=b"{")
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["body", "lines", 0, "quantity"]
    assert other_store.status_code == 422
    assert other_store.json()["detail"][0]["loc"] == ["body", "store_id"]
    assert not_json.status_code == 422


async def test_promotion_list_shows_what_is_on_offer_with_a_description(
    store_id: UUID, edge_url: str
) -> None:
    # given a weekday promotion and a weekend one (2026-03-03 is a Tuesday)
    weekday = store_promotion(store_id, "WEEKDAY")
    weekend = store_promotion(
        store_id,
        "WEEKEND",
        rules={
            "type": "percent_discount",
            "discount_percent": "20",
            "max_discount_amount": "50000",
        },
        validity={"start_date": "2026-01-01", "end_date": "2026-12-31", "days_of_week": [6, 7]},
    )
    seed_store(store_id, edge_url, weekday, weekend)
    async with running_api(evaluator_settings(store_id, edge_url, "127.0.0.1:1", UNUSED)) as api:
        on_tuesday = await api.client.get("/api/v1/promotions", params={"at": "2026-03-03T12:00"})
        everything = await api.client.get(
            "/api/v1/promotions", params={"at": "2026-03-03T12:00", "all": "true"}
        )
        detail = await api.client.get(f"/api/v1/promotions/{weekend.id}")
        missing = await api.client.get(f"/api/v1/promotions/{OTHER_STORE_ID}")
    assert [p["code"] for p in on_tuesday.json()["promotions"]] == ["WEEKDAY"]
    descriptions = {p["code"]: p["description"] for p in everything.json()["promotions"]}
    assert descriptions["WEEKEND"] == "20% off all items (max Rp 50.000) · Sat, Sun"
    assert detail.json()["document"]["code"] == "WEEKEND"
    assert missing.status_code == 404


async def test_the_snapshot_is_rebuilt_only_when_the_data_version_changes(
    store_id: UUID, edge_url: str
) -> None:
    seed_store(store_id, edge_url, store_promotion(store_id, "ONE"))
    settings = evaluator_settings(store_id, edge_url, "127.0.0.1:1", UNUSED)
    async with running_api(settings) as api:
        snapshots = api.container.snapshots
        before = snapshots.rebuilds
        for _ in range(20):
            assert (await api.client.post("/api/v1/evaluate", content=_cart(store_id))).is_success
        # when nothing changes, then nothing is rebuilt (several poll periods later)
        await asyncio.sleep(0.5)  # ten poll periods
        unchanged = snapshots.rebuilds
        # when edge_sync stores a second promotion, then the next poll rebuilds once
        seed_store(store_id, edge_url, store_promotion(store_id, "TWO"))
        await wait_until(lambda: snapshots.catalog and len(snapshots.catalog.promotions) == 2, 5)
        response = await api.client.post("/api/v1/evaluate", content=_cart(store_id))
    assert unchanged == before
    assert snapshots.rebuilds == before + 1
    assert sorted(a["code"] for a in response.json()["applied"]) == ["ONE", "TWO"]


async def test_metrics_expose_latency_evaluations_sync_lag_and_outbox_backlog(
    store_id: UUID, edge_url: str
) -> None:
    seed_store(store_id, edge_url, store_promotion(store_id, "TEN"))
    async with running_api(evaluator_settings(store_id, edge_url, "127.0.0.1:1", UNUSED)) as api:
        await api.client.post("/api/v1/evaluate", content=_cart(store_id))
        text = (await httpx.AsyncClient(base_url=api.url).get("/metrics")).text
    assert (
        'promoflow_evaluator_request_seconds_bucket{le="0.01",method="POST",route="/api/v1/evaluate"'
        in text
    )
    assert 'promoflow_evaluations_total{endpoint="evaluate"}' in text
    assert "promoflow_edge_sync_lag_records" in text
    assert "promoflow_outbox_backlog 0.0" in text


async def test_ready_is_503_until_a_snapshot_is_loaded(store_id: UUID) -> None:
    # given an edge store the evaluator cannot reach (PostgreSQL on a closed port)
    url = f"postgresql+psycopg://promoflow:promoflow@127.0.0.1:{free_port()}/edge"
    async with running_api(evaluator_settings(store_id, url, "127.0.0.1:1", UNUSED)) as api:
        # when a probe and a POS ask
        health = await api.client.get("/health")
        not_ready = await api.client.get("/ready")
        evaluate = await api.client.post("/api/v1/evaluate", content=_cart(store_id))
    # then the process is alive but not ready, and evaluation is refused with 503
    assert health.status_code == 200
    assert not_ready.status_code == 503 and not_ready.json()["ready"] is False
    assert evaluate.status_code == 503
