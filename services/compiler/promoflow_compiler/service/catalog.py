"""Master-data use cases for the catalogue: categories (a tree) and products.

Republishing rules (same transaction, a new version only where the document changed):
a product's price, name, SKU, category or brand -> every active promotion that refers to the
product; a category's name, code, brand or place in the tree (and a category added under or
removed from a parent) -> every active promotion that refers to the category or one of its
ancestors, old and new (their embedded ``descendant_ids`` and expanded item sets change).
"""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from promoflow_compiler.adapters.orm import BrandRow, CategoryRow, CompanyRow, ProductRow
from promoflow_compiler.domain.references import CATEGORY_KINDS, PRODUCT_KINDS
from promoflow_compiler.exceptions import Conflict, InvalidInput
from promoflow_compiler.schemas.common import Page
from promoflow_compiler.schemas.master_data import (
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    ProductIn,
    ProductOut,
    ProductPatch,
)
from promoflow_compiler.service.actor import Actor
from promoflow_compiler.service.context import ServiceContext
from promoflow_compiler.service.master_common import (
    created,
    deleted,
    get_row,
    page,
    patched,
    refuse_if_referenced,
    republish_referencing,
    require_ref,
)

EMBEDDED_PRODUCT_FIELDS = {"price", "name", "sku", "category_id", "brand_id"}
EMBEDDED_CATEGORY_FIELDS = {"name", "code", "brand_id", "parent_id"}


def ancestors(session: Session, category_id: uuid.UUID | None) -> list[uuid.UUID]:
    """``category_id`` and its ancestors up to the root (stops on a cycle)."""
    chain: list[uuid.UUID] = []
    current = category_id
    while current is not None and current not in chain:
        chain.append(current)
        current = session.scalar(select(CategoryRow.parent_id).where(CategoryRow.id == current))
    return chain


class CatalogService:
    """CRUD of categories and products, republishing the promotions that embed them."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _republish_categories(
        self, session: Session, actor: Actor, company_id: uuid.UUID, ids: list[uuid.UUID]
    ) -> None:
        session.flush()
        republish_referencing(session, self.ctx, actor, company_id, ids, CATEGORY_KINDS)

    # --- categories --------------------------------------------------------------------------

    def create_category(self, body: CategoryIn, actor: Actor) -> CategoryOut:
        """Create a category (its parent's promotions gain a descendant)."""
        with self.ctx.sessions.begin() as session:
            get_row(session, CompanyRow, "company", body.company_id)
            require_ref(session, BrandRow, "brand_id", body.brand_id, body.company_id)
            require_ref(session, CategoryRow, "parent_id", body.parent_id, body.company_id)
            data = body.model_dump(exclude={"id"})
            row = CategoryRow(id=body.id or uuid.uuid4(), **data)
            created(session, actor, "category", row, data)
            self._republish_categories(session, actor, row.company_id, ancestors(session, row.id))
            return CategoryOut.model_validate(row)

    def update_category(
        self, category_id: uuid.UUID, patch: CategoryPatch, actor: Actor
    ) -> CategoryOut:
        """Change a category; moving it under one of its own descendants is refused."""
        with self.ctx.sessions.begin() as session:
            row = get_row(session, CategoryRow, "category", category_id)
            data = patch.model_dump(exclude_unset=True)
            if "brand_id" in data:
                require_ref(session, BrandRow, "brand_id", data["brand_id"], row.company_id)
            if data.get("parent_id") is not None:
                require_ref(session, CategoryRow, "parent_id", data["parent_id"], row.company_id)
                if category_id in ancestors(session, data["parent_id"]):
                    raise InvalidInput.single(
                        "parent_id", "cycle", "a category cannot move under itself"
                    )
            affected = ancestors(session, row.id)
            changes = patched(
                session, actor, "category", row, data, nullable={"brand_id", "parent_id", "code"}
            )
            if EMBEDDED_CATEGORY_FIELDS & set(changes):
                session.flush()
                affected += ancestors(session, row.id)
                self._republish_categories(session, actor, row.company_id, affected)
            return CategoryOut.model_validate(row)

    def delete_category(self, category_id: uuid.UUID, actor: Actor) -> None:
        """Delete a category without children, products or promotions (else 409)."""
        with self.ctx.sessions.begin() as session:
            row = get_row(session, CategoryRow, "category", category_id)
            refuse_if_referenced(session, "category", category_id)
            used = session.scalar(
                select(CategoryRow.id).where(CategoryRow.parent_id == category_id).limit(1)
            ) or session.scalar(
                select(ProductRow.id).where(ProductRow.category_id == category_id).limit(1)
            )
            if used is not None:
                raise Conflict("id", "the category still has sub-categories or products")
            affected = ancestors(session, row.parent_id)
            company_id = row.company_id
            deleted(session, actor, "category", row)
            self._republish_categories(session, actor, company_id, affected)

    def get_category(self, category_id: uuid.UUID) -> CategoryOut:
        """One category."""
        with self.ctx.sessions() as session:
            return CategoryOut.model_validate(
                get_row(session, CategoryRow, "category", category_id)
            )

    def list_categories(
        self,
        company_id: uuid.UUID | None,
        parent_id: uuid.UUID | None,
        limit: int,
        offset: int,
    ) -> Page[CategoryOut]:
        """Categories, optionally of one company and/or under one parent, by name."""
        query = select(CategoryRow).order_by(CategoryRow.name, CategoryRow.id)
        if company_id is not None:
            query = query.where(CategoryRow.company_id == company_id)
        if parent_id is not None:
            query = query.where(CategoryRow.parent_id == parent_id)
        with self.ctx.sessions() as session:
            return page(session, query, CategoryOut, limit, offset)

    # --- products ----------------------------------------------------------------------------

    def create_product(self, body: ProductIn, actor: Actor) -> ProductOut:
        """Create a product."""
        with self.ctx.sessions.begin() as session:
            get_row(session, CompanyRow, "company", body.company_id)
            require_ref(session, BrandRow, "brand_id", body.brand_id, body.company_id)
            require_ref(session, CategoryRow, "category_id", body.category_id, body.company_id)
            data = body.model_dump(exclude={"id"})
            row = ProductRow(id=body.id or uuid.uuid4(), **data)
            created(session, actor, "product", row, data)
            return ProductOut.model_validate(row)

    def update_product(
        self, product_id: uuid.UUID, patch: ProductPatch, actor: Actor
    ) -> ProductOut:
        """Change a product; an embedded field republishes the promotions that embed it."""
        with self.ctx.sessions.begin() as session:
            row = get_row(session, ProductRow, "product", product_id)
            data = patch.model_dump(exclude_unset=True)
            require_ref(session, BrandRow, "brand_id", data.get("brand_id"), row.company_id)
            require_ref(
                session, CategoryRow, "category_id", data.get("category_id"), row.company_id
            )
            changes = patched(
                session, actor, "product", row, data, nullable={"brand_id", "category_id"}
            )
            if EMBEDDED_PRODUCT_FIELDS & set(changes):
                session.flush()
                republish_referencing(
                    session, self.ctx, actor, row.company_id, [row.id], PRODUCT_KINDS
                )
            return ProductOut.model_validate(row)

    def delete_product(self, product_id: uuid.UUID, actor: Actor) -> None:
        """Delete a product no promotion refers to (else 409; deactivate it instead)."""
        with self.ctx.sessions.begin() as session:
            row = get_row(session, ProductRow, "product", product_id)
            refuse_if_referenced(session, "product", product_id)
            deleted(session, actor, "product", row)

    def get_product(self, product_id: uuid.UUID) -> ProductOut:
        """One product."""
        with self.ctx.sessions() as session:
            return ProductOut.model_validate(get_row(session, ProductRow, "product", product_id))

    def list_products(
        self,
        company_id: uuid.UUID | None,
        category_id: uuid.UUID | None,
        q: str | None,
        limit: int,
        offset: int,
    ) -> Page[ProductOut]:
        """Products, filtered by company, category and a SKU/name search, by SKU."""
        query = select(ProductRow).order_by(ProductRow.sku, ProductRow.id)
        if company_id is not None:
            query = query.where(ProductRow.company_id == company_id)
        if category_id is not None:
            query = query.where(ProductRow.category_id == category_id)
        if q:
            query = query.where(
                or_(ProductRow.sku.ilike(f"%{q}%"), ProductRow.name.ilike(f"%{q}%"))
            )
        with self.ctx.sessions() as session:
            return page(session, query, ProductOut, limit, offset)
