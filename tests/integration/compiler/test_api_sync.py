"""The sync API: what a store downloads, full and incremental, and the cheap version check."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from promoflow_contracts.promotion import CompiledPromotion
from tests.factories import OTHER_STORE_ID, STORE_ID, uid
from tests.integration.compiler.seed import ADMIN, mint, ok
from tests.unit.compiler.builders import PAPUA_STORE, RULES, spec_dict

PROMOS = "/api/v1/promotions"
SYNC = "/api/v1/sync/promotions"


def author(client: TestClient, code: str, activate: bool = True, **overrides: Any) -> str:
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


def sync(
    client: TestClient, store: Any, headers: dict[str, str] = ADMIN, **params: Any
) -> dict[str, Any]:
    return ok(client.get(SYNC, headers=headers, params={"store_id": str(store), **params}))


def test_full_sync_returns_every_published_promotion_for_the_store(catalogue: TestClient) -> None:
    everywhere = author(catalogue, "ALL")
    here = author(catalogue, "HERE", targeting={"stores": [str(STORE_ID)]})
    author(catalogue, "THERE", targeting={"stores": [str(PAPUA_STORE)]})
    author(catalogue, "DRAFT", activate=False)
    body = sync(catalogue, STORE_ID)
    assert body["full_sync"] is True and body["deleted_promotion_ids"] == []
    assert sorted(p["id"] for p in body["promotions"]) == sorted([everywhere, here])
    assert all(CompiledPromotion.model_validate(p) for p in body["promotions"])
    assert body["count"] == 2 and body["store_id"] == str(STORE_ID)


def test_incremental_sync_returns_changes_and_deleted_ids(catalogue: TestClient) -> None:
    # given a store that synced once
    kept = author(catalogue, "KEEP")
    edited = author(catalogue, "EDIT")
    gone = author(catalogue, "GONE")
    moved = author(catalogue, "MOVE")
    first = sync(catalogue, STORE_ID)
    # when one is edited, one deactivated, one retargeted to another store
    ok(
        catalogue.put(
            f"{PROMOS}/{edited}", headers=ADMIN, json=spec_dict(code="EDIT", name="Edited")
        )
    )
    ok(catalogue.post(f"{PROMOS}/{gone}/deactivate", headers=ADMIN))
    ok(
        catalogue.put(
            f"{PROMOS}/{moved}",
            headers=ADMIN,
            json=spec_dict(code="MOVE", targeting={"stores": [str(OTHER_STORE_ID)]}),
        )
    )
    # then the next sync from its timestamp brings the edit and the two ids to drop
    second = sync(catalogue, STORE_ID, updated_since=first["sync_timestamp"])
    assert second["full_sync"] is False
    assert [(p["id"], p["version"], p["name"]) for p in second["promotions"]] == [
        (edited, 2, "Edited")
    ]
    assert (
        sorted(second["deleted_promotion_ids"])
        == sorted([gone, moved])
        == sorted(second["deleted_ids"])
    )
    assert kept not in second["deleted_promotion_ids"]
    # and a third sync with nothing new is empty
    third = sync(catalogue, STORE_ID, updated_since=second["sync_timestamp"])
    assert third["promotions"] == [] and third["deleted_promotion_ids"] == []


def test_last_sync_is_accepted_as_an_alias(catalogue: TestClient) -> None:
    author(catalogue, "A")
    stamp = sync(catalogue, STORE_ID)["sync_timestamp"]
    assert sync(catalogue, STORE_ID, last_sync=stamp)["full_sync"] is False


def test_single_and_bulk_fetch(catalogue: TestClient) -> None:
    live = author(catalogue, "LIVE", rules=RULES["combo"])
    draft = author(catalogue, "DRAFT", activate=False)
    one = ok(catalogue.get(f"{SYNC}/{live}", headers=ADMIN))
    assert one["id"] == live and one["rules"]["items"][0]["product_name"]
    assert catalogue.get(f"{SYNC}/{draft}", headers=ADMIN).status_code == 404
    bulk = ok(
        catalogue.post(
            f"{SYNC}/bulk", headers=ADMIN, json={"promotion_ids": [live, draft, str(uid("x"))]}
        )
    )
    assert [p["id"] for p in bulk["promotions"]] == [live]
    assert sorted(bulk["not_found_ids"]) == sorted([draft, str(uid("x"))])


def test_version_moves_only_when_something_is_published_or_withdrawn(catalogue: TestClient) -> None:
    before = ok(
        catalogue.get("/api/v1/sync/version", headers=ADMIN, params={"store_id": str(STORE_ID)})
    )
    pid = author(catalogue, "V")
    after = ok(
        catalogue.get("/api/v1/sync/version", headers=ADMIN, params={"store_id": str(STORE_ID)})
    )
    author(catalogue, "DRAFT", activate=False)
    still = ok(
        catalogue.get("/api/v1/sync/version", headers=ADMIN, params={"store_id": str(STORE_ID)})
    )
    ok(catalogue.post(f"{PROMOS}/{pid}/deactivate", headers=ADMIN))
    last = ok(
        catalogue.get("/api/v1/sync/version", headers=ADMIN, params={"store_id": str(STORE_ID)})
    )
    assert (
        before["version"] == 0
        and before["last_updated"] is None
        and before["force_update"] is False
    )
    assert (
        after["version"] > 0
        and still["version"] == after["version"]
        and last["version"] > after["version"]
    )


def test_a_store_pinned_edge_token_syncs_only_its_store(catalogue: TestClient) -> None:
    pid = author(catalogue, "PIN", targeting={"stores": [str(OTHER_STORE_ID)]})
    edge = mint(catalogue, "store_edge", store_id=str(STORE_ID))
    assert catalogue.get(SYNC, headers=edge, params={"store_id": str(STORE_ID)}).status_code == 200
    assert (
        catalogue.get(SYNC, headers=edge, params={"store_id": str(OTHER_STORE_ID)}).status_code
        == 403
    )
    assert catalogue.get(f"{SYNC}/{pid}", headers=edge).status_code == 404
    assert (
        catalogue.get(
            "/api/v1/sync/version", headers=edge, params={"store_id": str(STORE_ID)}
        ).status_code
        == 200
    )


def test_sync_input_errors_name_the_field(catalogue: TestClient) -> None:
    unknown = catalogue.get(SYNC, headers=ADMIN, params={"store_id": str(uid("nowhere"))})
    naive = catalogue.get(
        SYNC,
        headers=ADMIN,
        params={"store_id": str(STORE_ID), "updated_since": "2026-01-01T00:00:00"},
    )
    missing = catalogue.get(SYNC, headers=ADMIN)
    assert (unknown.status_code, unknown.json()["detail"][0]["loc"][-1]) == (422, "store_id")
    assert (naive.status_code, naive.json()["detail"][0]["loc"][-1]) == (422, "updated_since")
    assert (missing.status_code, missing.json()["detail"][0]["loc"]) == (422, ["query", "store_id"])


def test_brand_filter_keeps_promotions_for_that_brand(catalogue: TestClient) -> None:
    from tests.factories import BRAND_ID, OTHER_BRAND_ID

    every = author(catalogue, "EVERY")
    kopi = author(catalogue, "KOPI", targeting={"brands": [str(BRAND_ID)]})
    author(catalogue, "ROTI", targeting={"brands": [str(OTHER_BRAND_ID)]})
    body = sync(catalogue, OTHER_STORE_ID, brand_id=str(BRAND_ID))
    assert sorted(p["id"] for p in body["promotions"]) == sorted([every, kopi])
