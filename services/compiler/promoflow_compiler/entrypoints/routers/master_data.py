"""Master data CRUD: companies, brands, stores, categories, products (``/api/v1/...``).

Writes need admin or manager; reads admin, manager or analyst. ``PATCH`` changes only the
fields given (``null`` clears an optional reference). A change that alters compiled
documents (a price, a category move, a store's brands) republishes the affected promotions.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from promoflow_compiler.entrypoints.deps import ContainerDep, Reader, Writer
from promoflow_compiler.schemas.common import Page
from promoflow_compiler.schemas.master_data import (
    BrandIn,
    BrandOut,
    BrandPatch,
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    CompanyIn,
    CompanyOut,
    CompanyPatch,
    ProductIn,
    ProductOut,
    ProductPatch,
    StoreIn,
    StoreOut,
    StorePatch,
)

router = APIRouter(prefix="/api/v1", tags=["master data"])
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]
CREATED = status.HTTP_201_CREATED
NO_CONTENT = status.HTTP_204_NO_CONTENT


@router.post("/companies", status_code=CREATED)
def create_company(body: CompanyIn, actor: Writer, c: ContainerDep) -> CompanyOut:
    """Create a company."""
    return c.master.create_company(body, actor)


@router.get("/companies")
def list_companies(
    actor: Reader, c: ContainerDep, limit: Limit = 100, offset: Offset = 0
) -> Page[CompanyOut]:
    """Companies by code."""
    return c.master.list_companies(limit, offset)


@router.get("/companies/{company_id}")
def get_company(company_id: uuid.UUID, actor: Reader, c: ContainerDep) -> CompanyOut:
    """One company."""
    return c.master.get_company(company_id)


@router.patch("/companies/{company_id}")
def update_company(
    company_id: uuid.UUID, body: CompanyPatch, actor: Writer, c: ContainerDep
) -> CompanyOut:
    """Change a company (holidays or currency republish its promotions)."""
    return c.master.update_company(company_id, body, actor)


@router.delete("/companies/{company_id}", status_code=NO_CONTENT)
def delete_company(company_id: uuid.UUID, actor: Writer, c: ContainerDep) -> Response:
    """Delete a company that owns nothing."""
    c.master.delete_company(company_id, actor)
    return Response(status_code=NO_CONTENT)


@router.post("/brands", status_code=CREATED)
def create_brand(body: BrandIn, actor: Writer, c: ContainerDep) -> BrandOut:
    """Create a brand."""
    return c.master.create_brand(body, actor)


@router.get("/brands")
def list_brands(
    actor: Reader,
    c: ContainerDep,
    company_id: uuid.UUID | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[BrandOut]:
    """Brands by code."""
    return c.master.list_brands(company_id, limit, offset)


@router.get("/brands/{brand_id}")
def get_brand(brand_id: uuid.UUID, actor: Reader, c: ContainerDep) -> BrandOut:
    """One brand."""
    return c.master.get_brand(brand_id)


@router.patch("/brands/{brand_id}")
def update_brand(brand_id: uuid.UUID, body: BrandPatch, actor: Writer, c: ContainerDep) -> BrandOut:
    """Change a brand."""
    return c.master.update_brand(brand_id, body, actor)


@router.delete("/brands/{brand_id}", status_code=NO_CONTENT)
def delete_brand(brand_id: uuid.UUID, actor: Writer, c: ContainerDep) -> Response:
    """Delete an unused brand."""
    c.master.delete_brand(brand_id, actor)
    return Response(status_code=NO_CONTENT)


@router.post("/stores", status_code=CREATED)
def create_store(body: StoreIn, actor: Writer, c: ContainerDep) -> StoreOut:
    """Create a store."""
    return c.master.create_store(body, actor)


@router.get("/stores")
def list_stores(
    actor: Reader,
    c: ContainerDep,
    company_id: uuid.UUID | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[StoreOut]:
    """Stores by code."""
    return c.master.list_stores(company_id, limit, offset)


@router.get("/stores/{store_id}")
def get_store(store_id: uuid.UUID, actor: Reader, c: ContainerDep) -> StoreOut:
    """One store."""
    return c.master.get_store(store_id)


@router.patch("/stores/{store_id}")
def update_store(store_id: uuid.UUID, body: StorePatch, actor: Writer, c: ContainerDep) -> StoreOut:
    """Change a store."""
    return c.master.update_store(store_id, body, actor)


@router.delete("/stores/{store_id}", status_code=NO_CONTENT)
def delete_store(store_id: uuid.UUID, actor: Writer, c: ContainerDep) -> Response:
    """Delete a store no promotion lists."""
    c.master.delete_store(store_id, actor)
    return Response(status_code=NO_CONTENT)


@router.post("/categories", status_code=CREATED)
def create_category(body: CategoryIn, actor: Writer, c: ContainerDep) -> CategoryOut:
    """Create a category."""
    return c.catalog.create_category(body, actor)


@router.get("/categories")
def list_categories(
    actor: Reader,
    c: ContainerDep,
    company_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[CategoryOut]:
    """Categories by name."""
    return c.catalog.list_categories(company_id, parent_id, limit, offset)


@router.get("/categories/{category_id}")
def get_category(category_id: uuid.UUID, actor: Reader, c: ContainerDep) -> CategoryOut:
    """One category."""
    return c.catalog.get_category(category_id)


@router.patch("/categories/{category_id}")
def update_category(
    category_id: uuid.UUID, body: CategoryPatch, actor: Writer, c: ContainerDep
) -> CategoryOut:
    """Change or move a category."""
    return c.catalog.update_category(category_id, body, actor)


@router.delete("/categories/{category_id}", status_code=NO_CONTENT)
def delete_category(category_id: uuid.UUID, actor: Writer, c: ContainerDep) -> Response:
    """Delete an empty, unused category."""
    c.catalog.delete_category(category_id, actor)
    return Response(status_code=NO_CONTENT)


@router.post("/products", status_code=CREATED)
def create_product(body: ProductIn, actor: Writer, c: ContainerDep) -> ProductOut:
    """Create a product."""
    return c.catalog.create_product(body, actor)


@router.get("/products")
def list_products(
    actor: Reader,
    c: ContainerDep,
    company_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[ProductOut]:
    """Products by SKU."""
    return c.catalog.list_products(company_id, category_id, q, limit, offset)


@router.get("/products/{product_id}")
def get_product(product_id: uuid.UUID, actor: Reader, c: ContainerDep) -> ProductOut:
    """One product."""
    return c.catalog.get_product(product_id)


@router.patch("/products/{product_id}")
def update_product(
    product_id: uuid.UUID, body: ProductPatch, actor: Writer, c: ContainerDep
) -> ProductOut:
    """Change a product (a price change republishes the promotions embedding it)."""
    return c.catalog.update_product(product_id, body, actor)


@router.delete("/products/{product_id}", status_code=NO_CONTENT)
def delete_product(product_id: uuid.UUID, actor: Writer, c: ContainerDep) -> Response:
    """Delete a product no promotion uses."""
    c.catalog.delete_product(product_id, actor)
    return Response(status_code=NO_CONTENT)
