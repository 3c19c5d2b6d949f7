"""Preview: the store engine evaluates a cart with promotions compiled from their specs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import CROISSANT, LATTE, STORE_ID
from tests.integration.compiler.seed import ADMIN, mint, ok
from tests.unit.compiler.builders import PAPUA_STORE, RULES, spec_dict

PROMOS = "/api/v1/promotions"


def author(client: TestClient, code: str, activate: bool = False, **overrides: Any) -> str:
    rules = overrides.pop("rules", None)
    return str(
        ok(
            client.post(
                PROMOS,
                headers=ADMIN,
                json={**spec_dict(rules, code=code, **overrides), "activate": activate},
            ),
            201,
        )["id"]
    )


def cart(store: Any = STORE_ID, **fields: Any) -> dict[str, Any]:
    return {
        "store_id": str(store),
        "evaluated_at": "2026-03-03T12:00:00",
        "lines": [
            {"line_id": "1", "product_id": str(LATTE), "unit_price": "32000", "quantity": 2},
            {"line_id": "2", "product_id": str(CROISSANT), "unit_price": "18000", "quantity": 1},
        ],
        **fields,
    }


def test_previewing_a_draft_returns_the_engines_full_result(catalogue: TestClient) -> None:
    pid = author(catalogue, "TEN", rules={"type": "percent_discount", "discount_percent": "10"})
    body = ok(catalogue.post(f"{PROMOS}/{pid}/preview", headers=ADMIN, json={"cart": cart()}))
    result = body["result"]
    assert Decimal(result["subtotal"]) == 82000 and Decimal(result["total_discount"]) == 8200
    assert [a["code"] for a in result["applied"]] == ["TEN"]
    assert body["promotions"][0]["id"] == pid


def test_preview_of_several_promotions_on_one_cart(catalogue: TestClient) -> None:
    combo = author(catalogue, "COMBO", rules=RULES["combo"])
    ten = author(
        catalogue,
        "TEN",
        rules={"type": "percent_discount", "discount_percent": "10"},
        is_stackable=False,
    )
    result = ok(
        catalogue.post(
            f"{PROMOS}/preview", headers=ADMIN, json={"promotion_ids": [combo, ten], "cart": cart()}
        )
    )["result"]
    codes = {a["code"] for a in result["applied"]} | {n["code"] for n in result["not_applied"]}
    assert codes == {"COMBO", "TEN"} and len(result["applied"]) == 1


def test_a_store_the_promotion_does_not_target_is_explained(catalogue: TestClient) -> None:
    pid = author(catalogue, "HERE", targeting={"stores": [str(STORE_ID)]})
    result = ok(
        catalogue.post(f"{PROMOS}/{pid}/preview", headers=ADMIN, json={"cart": cart(PAPUA_STORE)})
    )["result"]
    assert (
        result["applied"] == [] and result["not_applied"][0]["reason_code"] == "store_not_targeted"
    )


def test_include_published_adds_the_stores_live_promotions(catalogue: TestClient) -> None:
    author(
        catalogue,
        "LIVE",
        activate=True,
        rules={"type": "percent_discount", "discount_percent": "5"},
    )
    draft = author(catalogue, "DRAFT", rules=RULES["combo"])
    body = ok(
        catalogue.post(
            f"{PROMOS}/{draft}/preview",
            headers=ADMIN,
            json={"cart": cart(), "include_published": True},
        )
    )
    assert sorted(p["code"] for p in body["promotions"]) == ["DRAFT", "LIVE"]


def test_preview_errors_and_roles(catalogue: TestClient) -> None:
    pid = author(catalogue, "TEN")
    wrong_currency = catalogue.post(
        f"{PROMOS}/{pid}/preview", headers=ADMIN, json={"cart": cart(currency="USD")}
    )
    bad_cart = catalogue.post(
        f"{PROMOS}/{pid}/preview",
        headers=ADMIN,
        json={
            "cart": {
                "store_id": str(STORE_ID),
                "lines": [
                    {"line_id": "1", "product_id": str(LATTE), "unit_price": "0", "quantity": 1}
                ],
            }
        },
    )
    assert (wrong_currency.status_code, wrong_currency.json()["detail"][0]["loc"]) == (
        422,
        ["body", "cart", "currency"],
    )
    assert bad_cart.status_code == 422 and bad_cart.json()["detail"][0]["loc"][-1] == "unit_price"
    analyst = mint(catalogue, "analyst")
    edge = mint(catalogue, "store_edge")
    assert (
        catalogue.post(
            f"{PROMOS}/{pid}/preview", headers=analyst, json={"cart": cart()}
        ).status_code
        == 200
    )
    assert (
        catalogue.post(f"{PROMOS}/{pid}/preview", headers=edge, json={"cart": cart()}).status_code
        == 403
    )
