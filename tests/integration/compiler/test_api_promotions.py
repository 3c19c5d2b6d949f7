"""Authoring promotions through the API against the real HO database."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from promoflow_compiler.adapters.orm import AuditLogRow, OutboxMessage
from promoflow_compiler.bootstrap import Container
from tests.factories import LATTE, STORE_ID, uid
from tests.integration.compiler.seed import ADMIN, ok
from tests.unit.compiler.builders import COFFEE, RULES, spec_dict

PROMOS = "/api/v1/promotions"


def create(client: TestClient, **overrides: Any) -> dict[str, Any]:
    rules = overrides.pop("rules", None)
    return ok(client.post(PROMOS, headers=ADMIN, json=spec_dict(rules, **overrides)), 201)


def outbox(container: Container) -> list[OutboxMessage]:
    with container.ctx.sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_draft_is_saved_but_not_published(catalogue: TestClient, container: Container) -> None:
    body = create(catalogue)
    assert (body["status"], body["publication_status"], body["current_version"]) == (
        "draft",
        "unpublished",
        0,
    )
    assert outbox(container) == []


def test_the_lifecycle_publishes_versions_and_tombstones(
    catalogue: TestClient, container: Container
) -> None:
    # given a draft
    promo = create(catalogue, code="LIFE")
    pid = promo["id"]
    # when it is activated, edited, deactivated, activated again and deleted
    activated = ok(catalogue.post(f"{PROMOS}/{pid}/activate", headers=ADMIN))
    edited = ok(
        catalogue.put(f"{PROMOS}/{pid}", headers=ADMIN, json=spec_dict(code="LIFE", name="Renamed"))
    )
    same = ok(
        catalogue.put(f"{PROMOS}/{pid}", headers=ADMIN, json=spec_dict(code="LIFE", name="Renamed"))
    )
    deactivated = ok(catalogue.post(f"{PROMOS}/{pid}/deactivate", headers=ADMIN))
    ok(catalogue.post(f"{PROMOS}/{pid}/activate", headers=ADMIN))
    ok(catalogue.delete(f"{PROMOS}/{pid}", headers=ADMIN), 204)
    # then each state change is one outbox row with a higher version; an unchanged edit none
    assert (activated["status"], activated["published_version"]) == ("active", 1)
    assert edited["published_version"] == 2 and same["published_version"] == 2
    assert (deactivated["publication_status"], deactivated["current_version"]) == ("withdrawn", 3)
    rows = outbox(container)
    assert [r.payload is None for r in rows] == [False, False, True, False, True]
    assert [r.headers.get("version") for r in rows if r.payload is None] == ["3", "5"]
    assert rows[-1].headers["reason"] == "deleted" and rows[-1].message_key == pid
    assert rows[1].payload is not None and rows[1].payload["data"]["promotion"]["name"] == "Renamed"
    assert catalogue.get(f"{PROMOS}/{pid}", headers=ADMIN).status_code == 404
    assert catalogue.get(f"{PROMOS}/{pid}/versions", headers=ADMIN).status_code == 404


def test_version_history_keeps_every_document(catalogue: TestClient) -> None:
    pid = create(catalogue, code="HIST", activate=True)["id"]
    ok(
        catalogue.put(
            f"{PROMOS}/{pid}", headers=ADMIN, json=spec_dict(code="HIST", execution_priority=900)
        )
    )
    versions = ok(catalogue.get(f"{PROMOS}/{pid}/versions", headers=ADMIN))
    assert [(v["version"], v["event"]) for v in versions] == [(2, "published"), (1, "published")]
    assert versions[0]["document"]["execution_priority"] == 900


def test_create_and_activate_in_one_call_stages_exactly_one_event(
    catalogue: TestClient, container: Container
) -> None:
    body = create(catalogue, code="ONE", activate=True)
    assert body["publication_status"] == "published"
    assert [r.message_key for r in outbox(container)] == [body["id"]]


def test_every_write_is_audited_with_who_and_what(
    catalogue: TestClient, container: Container
) -> None:
    pid = create(catalogue, code="AUD")["id"]
    ok(catalogue.put(f"{PROMOS}/{pid}", headers=ADMIN, json=spec_dict(code="AUD", name="New name")))
    entries = ok(
        catalogue.get(
            "/api/v1/audit", headers=ADMIN, params={"entity_type": "promotion", "entity_id": pid}
        )
    )["items"]
    assert [e["action"] for e in entries] == ["update", "create"]
    assert entries[0]["actor"] == "bootstrap-admin" and entries[0]["changes"]["name"] == [
        "A promotion",
        "New name",
    ]
    with container.ctx.sessions() as session:
        products = session.scalars(
            select(AuditLogRow).where(AuditLogRow.entity_type == "product")
        ).all()
    assert products, "master data writes are audited too"


def test_a_duplicate_code_is_a_409_naming_code(catalogue: TestClient) -> None:
    create(catalogue, code="DUP")
    response = catalogue.post(PROMOS, headers=ADMIN, json=spec_dict(code="dup"))
    assert response.status_code == 409 and response.json()["detail"][0]["loc"] == ["body", "code"]


def test_bad_input_is_a_422_naming_the_field(catalogue: TestClient) -> None:
    bad_percent = catalogue.post(
        PROMOS,
        headers=ADMIN,
        json=spec_dict({"type": "percent_discount", "discount_percent": "150"}),
    )
    unknown_product = catalogue.post(
        PROMOS,
        headers=ADMIN,
        json=spec_dict(scope={"apply_to": "products", "product_ids": [str(uid("ghost"))]}),
    )
    dates = catalogue.post(
        PROMOS,
        headers=ADMIN,
        json=spec_dict(validity={"start_date": "2026-05-01", "end_date": "2026-04-01"}),
    )
    typo = catalogue.post(PROMOS, headers=ADMIN, json={**spec_dict(), "discount": 5})
    locs = [r.json()["detail"][0]["loc"] for r in (bad_percent, unknown_product, dates, typo)]
    assert all(r.status_code == 422 for r in (bad_percent, unknown_product, dates, typo))
    assert locs[0][-1] == "discount_percent" and "rules" in locs[0]
    assert locs[1] == ["body", "scope", "product_ids", 0]
    assert locs[2] == ["body", "validity", "end_date"]
    assert locs[3] == ["body", "discount"]


def test_a_conflicting_promotion_is_saved_with_a_warning_naming_it(catalogue: TestClient) -> None:
    create(
        catalogue,
        code="COFFEE10",
        activate=True,
        scope={"apply_to": "categories", "category_ids": [str(COFFEE)]},
    )
    body = create(
        catalogue, code="LATTE", scope={"apply_to": "products", "product_ids": [str(LATTE)]}
    )
    conflicts = [w for w in body["warnings"] if w["code"] == "conflict"]
    assert len(conflicts) == 1 and "COFFEE10" in conflicts[0]["message"]


def test_activating_an_ended_promotion_is_refused(catalogue: TestClient) -> None:
    pid = create(
        catalogue, code="OLD", validity={"start_date": "2025-01-01", "end_date": "2025-12-31"}
    )["id"]
    response = catalogue.post(f"{PROMOS}/{pid}/activate", headers=ADMIN)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == [
        "body",
        "validity",
        "end_date",
    ]


def test_list_filters_by_status_type_store_and_product(catalogue: TestClient) -> None:
    create(catalogue, code="A", activate=True, rules=RULES["combo"])
    create(catalogue, code="B", targeting={"stores": [str(uid("store-makassar"))]})
    create(catalogue, code="C", scope={"apply_to": "products", "product_ids": [str(LATTE)]})

    def codes(**params: Any) -> list[str]:
        return sorted(
            p["code"] for p in ok(catalogue.get(PROMOS, headers=ADMIN, params=params))["items"]
        )

    assert codes(status="active") == ["A"]
    assert codes(promo_type="combo") == ["A"]
    assert codes(store_id=str(STORE_ID)) == ["A", "C"]
    assert codes(product_id=str(LATTE)) == ["A", "C"]
    assert codes(q="b") == ["B"]
    assert ok(catalogue.get(PROMOS, headers=ADMIN, params={"limit": 1}))["total"] == 3


def test_validate_endpoint_reports_without_saving(
    catalogue: TestClient, container: Container
) -> None:
    body = ok(
        catalogue.post(
            f"{PROMOS}/validate", headers=ADMIN, json=spec_dict(scope={"apply_to": "categories"})
        )
    )
    assert body["ok"] is False and body["errors"][0]["field"] == "scope.category_ids"
    assert ok(catalogue.get(PROMOS, headers=ADMIN))["total"] == 0
