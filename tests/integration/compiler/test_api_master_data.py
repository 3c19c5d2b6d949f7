"""Master data through the API: CRUD, clear errors, and republishing what embeds a change."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from promoflow_compiler.adapters.orm import OutboxMessage
from promoflow_compiler.bootstrap import Container
from tests.factories import BAKERY, COMPANY_ID, CROISSANT, LATTE, OTHER_BRAND_ID, uid
from tests.integration.compiler.seed import ADMIN, ok
from tests.unit.compiler.builders import COFFEE, ESPRESSO, RULES, spec_dict

PROMOS = "/api/v1/promotions"


def published(container: Container) -> list[dict[str, Any]]:
    with container.ctx.sessions() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [r.payload["data"]["promotion"] for r in rows if r.payload is not None]


def activate(client: TestClient, code: str, **overrides: Any) -> str:
    rules = overrides.pop("rules", None)
    body = ok(
        client.post(
            PROMOS,
            headers=ADMIN,
            json={**spec_dict(rules, code=code, **overrides), "activate": True},
        ),
        201,
    )
    return str(body["id"])


def test_a_price_change_republishes_only_the_promotions_embedding_the_product(
    catalogue: TestClient, container: Container
) -> None:
    # given an active combo embedding the latte and an unrelated percent discount
    combo = activate(catalogue, "COMBO", rules=RULES["combo"])
    activate(catalogue, "ALL10")
    before = len(published(container))
    # when the latte's price changes
    ok(catalogue.patch(f"/api/v1/products/{LATTE}", headers=ADMIN, json={"price": "30000"}))
    # then exactly the combo is republished, as version 2 with the new embedded price
    new = published(container)[before:]
    assert [(d["id"], d["version"]) for d in new] == [(combo, 2)]
    latte = next(i for i in new[0]["rules"]["items"] if i["product_id"] == str(LATTE))
    assert latte["unit_price"] == "30000.0000" or float(latte["unit_price"]) == 30000


def test_a_change_that_embeds_nothing_republishes_nothing(
    catalogue: TestClient, container: Container
) -> None:
    activate(catalogue, "COMBO", rules=RULES["combo"])
    before = len(published(container))
    ok(
        catalogue.patch(
            f"/api/v1/products/{LATTE}", headers=ADMIN, json={"is_active": True, "price": "32000"}
        )
    )
    assert len(published(container)) == before


def test_a_new_sub_category_republishes_promotions_on_its_ancestors(
    catalogue: TestClient, container: Container
) -> None:
    pid = activate(
        catalogue, "BEV", scope={"apply_to": "categories", "category_ids": [str(COFFEE)]}
    )
    ok(
        catalogue.post(
            "/api/v1/categories",
            headers=ADMIN,
            json={"company_id": str(COMPANY_ID), "name": "Cold brew", "parent_id": str(ESPRESSO)},
        ),
        201,
    )
    latest = published(container)[-1]
    assert latest["id"] == pid and latest["version"] == 2
    assert len(latest["scope"]["categories"][0]["descendant_ids"]) == 2


def test_a_new_store_of_a_targeted_brand_gets_the_promotion(
    catalogue: TestClient, container: Container
) -> None:
    pid = activate(catalogue, "ROTI", targeting={"store_brand_ids": [str(OTHER_BRAND_ID)]})
    store = ok(
        catalogue.post(
            "/api/v1/stores",
            headers=ADMIN,
            json={
                "company_id": str(COMPANY_ID),
                "code": "BALI",
                "name": "Denpasar",
                "timezone": "Asia/Makassar",
                "brand_ids": [str(OTHER_BRAND_ID)],
            },
        ),
        201,
    )
    latest = published(container)[-1]
    assert latest["id"] == pid and store["id"] in latest["targeting"]["stores"]


def test_a_product_used_by_a_promotion_cannot_be_deleted(catalogue: TestClient) -> None:
    activate(catalogue, "COMBO", rules=RULES["combo"])
    response = catalogue.delete(f"/api/v1/products/{CROISSANT}", headers=ADMIN)
    assert response.status_code == 409 and "COMBO" in response.json()["detail"][0]["msg"]


def test_a_category_cannot_move_under_its_own_descendant(catalogue: TestClient) -> None:
    response = catalogue.patch(
        f"/api/v1/categories/{COFFEE}", headers=ADMIN, json={"parent_id": str(ESPRESSO)}
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == [
        "body",
        "parent_id",
    ]


def test_master_data_errors_are_422_naming_the_field(catalogue: TestClient) -> None:
    tz = catalogue.post(
        "/api/v1/stores",
        headers=ADMIN,
        json={"company_id": str(COMPANY_ID), "code": "X", "name": "X", "timezone": "Asia/Atlantis"},
    )
    price = catalogue.post(
        "/api/v1/products",
        headers=ADMIN,
        json={"company_id": str(COMPANY_ID), "sku": "X", "name": "X", "price": "0"},
    )
    null = catalogue.patch(f"/api/v1/products/{LATTE}", headers=ADMIN, json={"name": None})
    dup = catalogue.post(
        "/api/v1/products",
        headers=ADMIN,
        json={"company_id": str(COMPANY_ID), "sku": "LAT", "name": "X", "price": "1"},
    )
    assert (tz.status_code, tz.json()["detail"][0]["loc"]) == (422, ["body", "timezone"])
    assert (price.status_code, price.json()["detail"][0]["loc"]) == (422, ["body", "price"])
    assert (null.status_code, null.json()["detail"][0]["loc"]) == (422, ["body", "name"])
    assert (dup.status_code, dup.json()["detail"][0]["loc"]) == (409, ["body", "sku"])


def test_crud_round_trip_of_a_brand(catalogue: TestClient) -> None:
    brand = ok(
        catalogue.post(
            "/api/v1/brands",
            headers=ADMIN,
            json={"company_id": str(COMPANY_ID), "code": "TEH", "name": "Teh"},
        ),
        201,
    )
    ok(catalogue.patch(f"/api/v1/brands/{brand['id']}", headers=ADMIN, json={"name": "Teh Manis"}))
    assert ok(catalogue.get(f"/api/v1/brands/{brand['id']}", headers=ADMIN))["name"] == "Teh Manis"
    ok(catalogue.delete(f"/api/v1/brands/{brand['id']}", headers=ADMIN), 204)
    assert catalogue.get(f"/api/v1/brands/{brand['id']}", headers=ADMIN).status_code == 404


CSV = """sku,name,price,category_code,category_name,parent_category_code,brand_code,is_active
LAT,Caffè Latte,33000,ESP,,,KOPI,true
TEA,Iced tea,12000,TEA,Tea,BEV,KOPI,
CRO,Croissant,18000,PAS,,,ROTI,yes
"""


def test_csv_import_upserts_products_creates_categories_and_republishes(
    catalogue: TestClient, container: Container
) -> None:
    combo = activate(catalogue, "COMBO", rules=RULES["combo"])
    before = len(published(container))
    result = ok(
        catalogue.post(
            "/api/v1/catalog/import",
            headers=ADMIN,
            params={"company_id": str(COMPANY_ID)},
            files={"file": ("menu.csv", CSV.encode(), "text/csv")},
        )
    )
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 1, 1)
    assert result["categories_created"] == ["TEA"] and result["republished"] == [combo]
    new = published(container)[before:]
    assert [(d["id"], d["version"]) for d in new] == [(combo, 2)]
    tea = ok(catalogue.get("/api/v1/products", headers=ADMIN, params={"q": "TEA"}))["items"][0]
    assert tea["name"] == "Iced tea"


def test_csv_dry_run_saves_nothing(catalogue: TestClient) -> None:
    result = ok(
        catalogue.post(
            "/api/v1/catalog/import",
            headers=ADMIN,
            params={"company_id": str(COMPANY_ID), "dry_run": True},
            files={"file": ("menu.csv", CSV.encode(), "text/csv")},
        )
    )
    assert result["dry_run"] and result["created"] == 1
    assert ok(catalogue.get("/api/v1/products", headers=ADMIN, params={"q": "TEA"}))["total"] == 0


def test_csv_errors_name_row_and_column_and_reject_the_file(catalogue: TestClient) -> None:
    bad = "sku,name,price,brand_code\nNEW,New,abc,\nNEW2,New 2,1000,NOPE\n"
    response = catalogue.post(
        "/api/v1/catalog/import",
        headers=ADMIN,
        params={"company_id": str(COMPANY_ID)},
        files={"file": ("m.csv", bad.encode(), "text/csv")},
    )
    assert response.status_code == 422
    assert [d["loc"] for d in response.json()["detail"]] == [["body", "rows", 2, "price"]]
    second = "sku,name,price,brand_code\nNEW2,New 2,1000,NOPE\n"
    response = catalogue.post(
        "/api/v1/catalog/import",
        headers=ADMIN,
        params={"company_id": str(COMPANY_ID)},
        files={"file": ("m.csv", second.encode(), "text/csv")},
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == [
        "body",
        "rows",
        2,
        "brand_code",
    ]
    assert ok(catalogue.get("/api/v1/products", headers=ADMIN, params={"q": "NEW"}))["total"] == 0


def test_unknown_company_in_a_promotion_is_a_422(catalogue: TestClient) -> None:
    response = catalogue.post(PROMOS, headers=ADMIN, json=spec_dict(company_id=str(uid("nope"))))
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == [
        "body",
        "company_id",
    ]


def test_bakery_promotion_is_unaffected_by_coffee_changes(
    catalogue: TestClient, container: Container
) -> None:
    activate(catalogue, "BAK", scope={"apply_to": "categories", "category_ids": [str(BAKERY)]})
    before = len(published(container))
    ok(catalogue.patch(f"/api/v1/categories/{COFFEE}", headers=ADMIN, json={"name": "Kopi"}))
    assert len(published(container)) == before
