"""Loading the unit tests' café catalogue into a real HO database through the HTTP API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.http_checks import ok
from tests.unit.compiler.builders import BRANDS, CATEGORIES, COMPANY, PRODUCTS, STORES

ADMIN_TOKEN = "test-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def load_catalogue(client: TestClient) -> None:
    """Create the company, brands, stores, categories (parents first) and products."""
    ok(
        client.post(
            "/api/v1/companies",
            headers=ADMIN,
            json={"id": str(COMPANY.id), "code": COMPANY.code, "name": COMPANY.name},
        ),
        201,
    )
    for b in BRANDS:
        ok(
            client.post(
                "/api/v1/brands",
                headers=ADMIN,
                json={
                    "id": str(b.id),
                    "company_id": str(b.company_id),
                    "code": b.code,
                    "name": b.name,
                },
            ),
            201,
        )
    for s in STORES:
        body = {
            "id": str(s.id),
            "company_id": str(s.company_id),
            "code": s.code,
            "name": s.name,
            "timezone": s.timezone,
            "sales_channels": sorted(s.sales_channels),
            "brand_ids": [str(b) for b in s.brand_ids],
            "is_active": s.is_active,
        }
        ok(client.post("/api/v1/stores", headers=ADMIN, json=body), 201)
    for c in CATEGORIES:
        body = {
            "id": str(c.id),
            "company_id": str(c.company_id),
            "name": c.name,
            "code": c.code,
            "brand_id": str(c.brand_id) if c.brand_id else None,
            "parent_id": str(c.parent_id) if c.parent_id else None,
        }
        ok(client.post("/api/v1/categories", headers=ADMIN, json=body), 201)
    for p in PRODUCTS:
        body = {
            "id": str(p.id),
            "company_id": str(p.company_id),
            "sku": p.sku,
            "name": p.name,
            "price": str(p.price),
            "category_id": str(p.category_id) if p.category_id else None,
            "brand_id": str(p.brand_id) if p.brand_id else None,
            "is_active": p.is_active,
        }
        ok(client.post("/api/v1/products", headers=ADMIN, json=body), 201)


def mint(client: TestClient, role: str, **extra: Any) -> dict[str, str]:
    """Auth headers of a freshly minted token with ``role``."""
    body = ok(
        client.post(
            "/api/v1/tokens", headers=ADMIN, json={"name": f"{role}-token", "role": role, **extra}
        ),
        201,
    )
    return {"Authorization": f"Bearer {body['token']}"}
