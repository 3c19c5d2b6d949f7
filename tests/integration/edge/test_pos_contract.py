"""The seed POS contract (edge implementation guide) served by the evaluator unchanged."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from promoflow_contracts.topics import Topics
from tests.factories import BEVERAGES, CROISSANT, LATTE, OTHER_STORE_ID
from tests.integration.edge.helpers import (
    evaluator_settings,
    running_api,
    seed_store,
    store_promotion,
)

UNUSED = Topics("pos.")
VALIDITY = {"start_date": "2026-01-01", "end_date": "2026-12-31"}


def guide_cart(**extra: Any) -> dict[str, Any]:
    """The guide's calculate body: items with price = unit price, a POS subtotal, a customer."""
    return {
        "items": [
            {
                "product_id": str(LATTE),
                "name": "Latte",
                "price": 25000,
                "quantity": 2,
                "category_id": str(BEVERAGES),
            },
            {"product_id": str(CROISSANT), "name": "Croissant", "price": 18000, "quantity": 1},
        ],
        "subtotal": 999999,
        "customer": {"id": "c-1", "is_member": True, "tier": "gold"},
        "evaluated_at": "2026-03-03T12:00:00",
        **extra,
    }


def _seed(store_id: UUID, edge_url: str) -> tuple[Any, Any]:
    ten = store_promotion(store_id, "TEN", validity=VALIDITY)
    members = store_promotion(
        store_id,
        "MEMBERS5K",
        rules={"type": "amount_discount", "discount_amount": "5000", "min_purchase": "500000"},
        targeting={
            "company_id": str(store_promotion(store_id, "x").company_id),
            "stores": [str(store_id)],
            "member_only": True,
        },
    )
    seed_store(store_id, edge_url, ten, members)
    return ten, members


async def test_calculate_answers_with_the_guide_fields(store_id: UUID, edge_url: str) -> None:
    ten, _members = _seed(store_id, edge_url)
    async with running_api(evaluator_settings(store_id, edge_url, "127.0.0.1:1", UNUSED)) as api:
        response = await api.client.post("/promotions/calculate/", json=guide_cart())
        invalid = await api.client.post(
            "/promotions/calculate/",
            json=guide_cart(items=[{"product_id": str(LATTE), "price": 0, "quantity": 1}]),
        )
    body = response.json()
    assert response.status_code == 200 and body["success"] is True
    [applied] = body["applied_promotions"]
    assert applied["promotion_id"] == str(ten.id) and applied["code"] == "TEN"
    assert applied["discount_amount"] == 6800 and isinstance(applied["discount_amount"], int)
    assert {"name", "reason", "details"} <= set(applied)
    assert body["skipped_promotions"][0]["code"] == "MEMBERS5K"
    assert {"promotion_id", "code", "reason"} == set(body["skipped_promotions"][0])
    # the POS's subtotal is not trusted: amounts come from the items
    assert (body["original_amount"], body["total_discount"], body["final_amount"]) == (
        68000,
        6800,
        61200,
    )
    assert invalid.status_code == 422 and invalid.json()["success"] is False
    assert invalid.json()["error"].startswith("body.items.0.price")


async def test_log_usage_records_the_applied_promotion_once(store_id: UUID, edge_url: str) -> None:
    ten, members = _seed(store_id, edge_url)
    usage = {
        "promotion_id": str(ten.id),
        "transaction_id": "0f5b6c1e-2d3a-4b5c-8d9e-0a1b2c3d4e5f",
        "bill_id": "B001",
        "status": "applied",
        "discount_amount": 99999,
        "cart_data": guide_cart(),
        "customer_id": "c-1",
    }
    async with running_api(evaluator_settings(store_id, edge_url, "127.0.0.1:1", UNUSED)) as api:
        first = await api.client.post("/promotions/log-usage/", json=usage)
        again = await api.client.post("/promotions/log-usage/", json=usage)
        not_applied = await api.client.post(
            "/promotions/log-usage/", json={**usage, "promotion_id": str(members.id)}
        )
        skipped = await api.client.post(
            "/promotions/log-usage/", json={**usage, "status": "skipped", "cart_data": None}
        )
        no_cart = await api.client.post("/promotions/log-usage/", json={**usage, "cart_data": None})
        stored = await api.client.post(
            "/api/v1/transactions",
            json={
                "store_id": str(store_id),
                "transaction_id": usage["transaction_id"],
                "lines": [],
            },
        )
    assert first.status_code == 200 and first.json()["success"] is True
    assert first.json()["discount_amount"] == 6800  # the engine's amount, not the POS's 99999
    assert again.json()["log_id"] == first.json()["log_id"] and again.json()["replayed"] is True
    assert not_applied.status_code == 409 and "does not apply" in not_applied.json()["error"]
    assert skipped.json() == {"success": True, "log_id": None, "recorded": False}
    assert no_cart.status_code == 422 and no_cart.json()["error"].startswith("cart_data")
    assert stored.status_code == 409  # the transaction id is taken by that cart


async def test_preview_evaluates_one_promotion_against_a_cart(
    store_id: UUID, edge_url: str
) -> None:
    ten, members = _seed(store_id, edge_url)
    cart_json = json.dumps(guide_cart())
    async with running_api(evaluator_settings(store_id, edge_url, "127.0.0.1:1", UNUSED)) as api:
        applied = await api.client.get(
            "/promotions/preview/", params={"promotion_id": str(ten.id), "cart_json": cart_json}
        )
        skipped = await api.client.get(
            "/promotions/preview/", params={"promotion_id": str(members.id), "cart_json": cart_json}
        )
        unknown = await api.client.get(
            "/promotions/preview/",
            params={"promotion_id": str(OTHER_STORE_ID), "cart_json": cart_json},
        )
        broken = await api.client.get(
            "/promotions/preview/", params={"promotion_id": str(ten.id), "cart_json": "{"}
        )
    assert applied.json() == {
        "success": True,
        "promotion": {"code": "TEN", "name": ten.name},
        "result": {
            "status": "applied",
            "discount_amount": 6800,
            "reason": applied.json()["result"]["reason"],
            "details": applied.json()["result"]["details"],
        },
    }
    assert skipped.json()["result"]["status"] == "skipped"
    assert skipped.json()["result"]["details"]["reason_code"] == "min_purchase_not_met"
    assert unknown.status_code == 404 and unknown.json()["success"] is False
    assert broken.status_code == 422


async def test_list_and_detail_are_htmx_fragments(store_id: UUID, edge_url: str) -> None:
    ten, _members = _seed(store_id, edge_url)
    async with running_api(evaluator_settings(store_id, edge_url, "127.0.0.1:1", UNUSED)) as api:
        listing = await api.client.get("/promotions/list/")
        detail = await api.client.get(f"/promotions/{ten.id}/detail/")
        missing = await api.client.get(f"/promotions/{OTHER_STORE_ID}/detail/")
    assert listing.headers["content-type"].startswith("text/html")
    assert f'hx-get="/promotions/{ten.id}/detail/"' in listing.text
    assert 'hx-target="#promotion-detail"' in listing.text
    assert '<span class="promo-code">TEN</span>' in listing.text
    assert "Code: <strong>TEN</strong>" in detail.text and "10% off all items" in detail.text
    assert missing.status_code == 404 and "Promotion not found" in missing.text
