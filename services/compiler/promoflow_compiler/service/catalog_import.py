"""Bulk catalogue import from CSV (format: :mod:`promoflow_compiler.domain.catalog_csv`).

One transaction for the whole file: products are created or updated by SKU, unknown category
codes create categories, every change is audited, and every active promotion that embeds a
changed product (or whose categories gained a sub-category) is republished once, with one new
version. Any error rejects the whole file (422 naming ``rows.<line>.<column>``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from promoflow_compiler.adapters.audit import audit
from promoflow_compiler.adapters.orm import BrandRow, CategoryRow, CompanyRow, ProductRow
from promoflow_compiler.domain.catalog_csv import CatalogRow, parse_catalog
from promoflow_compiler.domain.findings import Issue
from promoflow_compiler.domain.references import CATEGORY_KINDS, PRODUCT_KINDS
from promoflow_compiler.exceptions import InvalidInput
from promoflow_compiler.service.actor import Actor
from promoflow_compiler.service.catalog import EMBEDDED_PRODUCT_FIELDS, ancestors
from promoflow_compiler.service.context import ServiceContext
from promoflow_compiler.service.master_common import get_row, republish_referencing


@dataclass(slots=True)
class ImportResult:
    """Counts of an import and the promotions it republished."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    categories_created: list[str] = field(default_factory=list)
    republished: list[uuid.UUID] = field(default_factory=list)


@dataclass(slots=True)
class _State:
    company_id: uuid.UUID
    brands: dict[str, uuid.UUID]
    categories: dict[str, uuid.UUID]
    products: dict[str, ProductRow]
    result: ImportResult = field(default_factory=ImportResult)
    changed_products: set[uuid.UUID] = field(default_factory=set)
    touched_categories: set[uuid.UUID] = field(default_factory=set)


class _DryRunDone(Exception):
    """Unwinds a dry run so its transaction rolls back."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__("dry run")
        self.result = result


class CatalogImportService:
    """Import a catalogue CSV into one company."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _load(self, session: Session, company_id: uuid.UUID) -> _State:
        get_row(session, CompanyRow, "company", company_id)
        brands = {
            b.code: b.id
            for b in session.scalars(select(BrandRow).where(BrandRow.company_id == company_id))
        }
        categories = {
            c.code: c.id
            for c in session.scalars(
                select(CategoryRow).where(CategoryRow.company_id == company_id)
            )
            if c.code
        }
        products = {
            p.sku: p
            for p in session.scalars(select(ProductRow).where(ProductRow.company_id == company_id))
        }
        return _State(company_id, brands, categories, products)

    def _category(
        self, session: Session, actor: Actor, st: _State, row: CatalogRow, errors: list[Issue]
    ) -> uuid.UUID | None:
        code = row.category_code
        if code is None:
            return None
        if code in st.categories:
            return st.categories[code]
        parent = None
        if row.parent_category_code is not None:
            parent = st.categories.get(row.parent_category_code)
            if parent is None:
                errors.append(
                    Issue(
                        f"rows.{row.line}.parent_category_code",
                        "unknown_reference",
                        "no such category",
                    )
                )
                return None
        category = CategoryRow(
            id=uuid.uuid4(),
            company_id=st.company_id,
            code=code,
            name=row.category_name or code,
            parent_id=parent,
            is_active=True,
        )
        session.add(category)
        session.flush()
        audit(
            session,
            actor,
            "create",
            "category",
            category.id,
            {"code": [None, code], "source": [None, "csv"]},
        )
        st.categories[code] = category.id
        st.result.categories_created.append(code)
        st.touched_categories.update(ancestors(session, parent))
        return category.id

    def _product(
        self,
        session: Session,
        actor: Actor,
        st: _State,
        row: CatalogRow,
        category_id: uuid.UUID | None,
        brand_id: uuid.UUID | None,
    ) -> None:
        values: dict[str, object] = {
            "name": row.name,
            "price": row.price,
            "is_active": row.is_active,
        }
        if row.category_code is not None:
            values["category_id"] = category_id
        if row.brand_code is not None:
            values["brand_id"] = brand_id
        existing = st.products.get(row.sku)
        if existing is None:
            product = ProductRow(
                id=uuid.uuid4(),
                company_id=st.company_id,
                sku=row.sku,
                **{"category_id": category_id, "brand_id": brand_id, **values},
            )
            session.add(product)
            st.products[row.sku] = product
            st.result.created += 1
            audit(
                session,
                actor,
                "create",
                "product",
                product.id,
                {"sku": [None, row.sku], "source": [None, "csv"]},
            )
            return
        changes = {
            k: [str(getattr(existing, k)), str(v)]
            for k, v in values.items()
            if getattr(existing, k) != v
        }
        if not changes:
            st.result.unchanged += 1
            return
        for key in changes:
            setattr(existing, key, values[key])
        st.result.updated += 1
        audit(
            session, actor, "update", "product", existing.id, {**changes, "source": [None, "csv"]}
        )
        if EMBEDDED_PRODUCT_FIELDS & set(changes):
            st.changed_products.add(existing.id)

    def run(
        self, company_id: uuid.UUID, text: str, actor: Actor, *, dry_run: bool = False
    ) -> ImportResult:
        """Import ``text``; ``dry_run`` checks and counts, then rolls back."""
        rows, errors = parse_catalog(text)
        if errors:
            raise InvalidInput(errors)
        try:
            with self.ctx.sessions() as session, session.begin():
                return self._apply(session, company_id, rows, actor, dry_run)
        except _DryRunDone as done:
            return done.result

    def _apply(
        self,
        session: Session,
        company_id: uuid.UUID,
        rows: list[CatalogRow],
        actor: Actor,
        dry_run: bool,
    ) -> ImportResult:
        errors: list[Issue] = []
        st = self._load(session, company_id)
        for row in rows:
            brand_id = st.brands.get(row.brand_code) if row.brand_code else None
            if row.brand_code and brand_id is None:
                errors.append(
                    Issue(f"rows.{row.line}.brand_code", "unknown_reference", "no such brand")
                )
            category_id = self._category(session, actor, st, row, errors)
            self._product(session, actor, st, row, category_id, brand_id)
        if errors:
            raise InvalidInput(errors)
        session.flush()
        changes = republish_referencing(
            session, self.ctx, actor, company_id, st.changed_products, PRODUCT_KINDS
        )
        changes += republish_referencing(
            session, self.ctx, actor, company_id, st.touched_categories, CATEGORY_KINDS
        )
        st.result.republished = sorted({c.promotion_id for c in changes}, key=str)
        if dry_run:
            raise _DryRunDone(st.result)
        return st.result
