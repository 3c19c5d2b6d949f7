"""Master-data use cases for companies, brands and stores (categories and products are in
:mod:`promoflow_compiler.service.catalog`).

Every write is audited. Changes that alter compiled documents republish the affected active
promotions in the same transaction (a new version only where the document changed):
a company's holidays or currency -> all its promotions; a store added, changed or removed ->
promotions whose store targeting is a list or a brand filter (``"all"`` never changes).
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from promoflow_compiler.adapters.orm import BrandRow, CompanyRow, StoreBrandRow, StoreRow
from promoflow_compiler.adapters.repository import store_brand_ids
from promoflow_compiler.exceptions import InvalidInput
from promoflow_compiler.schemas.common import Page
from promoflow_compiler.schemas.master_data import (
    BrandIn,
    BrandOut,
    BrandPatch,
    CompanyIn,
    CompanyOut,
    CompanyPatch,
    StoreIn,
    StoreOut,
    StorePatch,
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
)

STORE_TARGETING_KINDS = ("store", "store_brand")
COMPILED_COMPANY_FIELDS = {"holidays", "currency"}


class MasterDataService:
    """CRUD of companies, brands and stores."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # --- companies ---------------------------------------------------------------------------

    def create_company(self, body: CompanyIn, actor: Actor) -> CompanyOut:
        """Create a company."""
        with self.ctx.sessions.begin() as session:
            data = body.model_dump(exclude={"id"}, mode="json")
            row = CompanyRow(id=body.id or uuid.uuid4(), **data)
            created(session, actor, "company", row, data)
            return CompanyOut.model_validate(row)

    def update_company(
        self, company_id: uuid.UUID, patch: CompanyPatch, actor: Actor
    ) -> CompanyOut:
        """Change a company; holidays or currency republish its promotions."""
        with self.ctx.sessions.begin() as session:
            row = get_row(session, CompanyRow, "company", company_id)
            data = patch.model_dump(exclude_unset=True, mode="json")
            if data.get("holidays") is not None:
                data["holidays"] = sorted(set(data["holidays"]))
            changes = patched(session, actor, "company", row, data)
            if COMPILED_COMPANY_FIELDS & set(changes):
                session.flush()
                republish_referencing(session, self.ctx, actor, company_id, None)
            return CompanyOut.model_validate(row)

    def delete_company(self, company_id: uuid.UUID, actor: Actor) -> None:
        """Delete a company that owns nothing (else 409)."""
        with self.ctx.sessions.begin() as session:
            deleted(session, actor, "company", get_row(session, CompanyRow, "company", company_id))

    def get_company(self, company_id: uuid.UUID) -> CompanyOut:
        """One company."""
        with self.ctx.sessions() as session:
            return CompanyOut.model_validate(get_row(session, CompanyRow, "company", company_id))

    def list_companies(self, limit: int, offset: int) -> Page[CompanyOut]:
        """Companies by code."""
        with self.ctx.sessions() as session:
            return page(
                session, select(CompanyRow).order_by(CompanyRow.code), CompanyOut, limit, offset
            )

    # --- brands ------------------------------------------------------------------------------

    def create_brand(self, body: BrandIn, actor: Actor) -> BrandOut:
        """Create a brand of a company."""
        with self.ctx.sessions.begin() as session:
            get_row(session, CompanyRow, "company", body.company_id)
            data = body.model_dump(exclude={"id"})
            row = BrandRow(id=body.id or uuid.uuid4(), **data)
            created(session, actor, "brand", row, data)
            return BrandOut.model_validate(row)

    def update_brand(self, brand_id: uuid.UUID, patch: BrandPatch, actor: Actor) -> BrandOut:
        """Change a brand."""
        with self.ctx.sessions.begin() as session:
            row = get_row(session, BrandRow, "brand", brand_id)
            patched(session, actor, "brand", row, patch.model_dump(exclude_unset=True))
            return BrandOut.model_validate(row)

    def delete_brand(self, brand_id: uuid.UUID, actor: Actor) -> None:
        """Delete a brand no promotion, product or category uses (else 409)."""
        with self.ctx.sessions.begin() as session:
            row = get_row(session, BrandRow, "brand", brand_id)
            refuse_if_referenced(session, "brand", brand_id)
            deleted(session, actor, "brand", row)

    def get_brand(self, brand_id: uuid.UUID) -> BrandOut:
        """One brand."""
        with self.ctx.sessions() as session:
            return BrandOut.model_validate(get_row(session, BrandRow, "brand", brand_id))

    def list_brands(self, company_id: uuid.UUID | None, limit: int, offset: int) -> Page[BrandOut]:
        """Brands, optionally of one company, by code."""
        query = select(BrandRow).order_by(BrandRow.code, BrandRow.id)
        if company_id is not None:
            query = query.where(BrandRow.company_id == company_id)
        with self.ctx.sessions() as session:
            return page(session, query, BrandOut, limit, offset)

    # --- stores ------------------------------------------------------------------------------

    def _store_out(self, session: Session, row: StoreRow) -> StoreOut:
        brands = sorted(store_brand_ids(session, [row.id]).get(row.id, set()), key=str)
        return StoreOut.model_validate(row).model_copy(update={"brand_ids": brands})

    def _set_brands(self, session: Session, row: StoreRow, brand_ids: list[uuid.UUID]) -> None:
        for i, brand_id in enumerate(brand_ids):
            brand = session.get(BrandRow, brand_id)
            if brand is None or brand.company_id != row.company_id:
                raise InvalidInput.single(
                    f"brand_ids.{i}", "unknown_reference", f"no brand {brand_id} in this company"
                )
        session.execute(delete(StoreBrandRow).where(StoreBrandRow.store_id == row.id))
        if brand_ids:
            session.execute(
                insert(StoreBrandRow),
                [{"store_id": row.id, "brand_id": b} for b in sorted(set(brand_ids), key=str)],
            )

    def _republish_for_stores(self, session: Session, actor: Actor, company_id: uuid.UUID) -> None:
        session.flush()
        brand_and_store_ids = [
            *session.scalars(select(StoreRow.id).where(StoreRow.company_id == company_id)),
            *session.scalars(select(BrandRow.id).where(BrandRow.company_id == company_id)),
        ]
        republish_referencing(
            session, self.ctx, actor, company_id, brand_and_store_ids, STORE_TARGETING_KINDS
        )

    def create_store(self, body: StoreIn, actor: Actor) -> StoreOut:
        """Create a store (promotions targeting its brands pick it up)."""
        with self.ctx.sessions.begin() as session:
            get_row(session, CompanyRow, "company", body.company_id)
            data = body.model_dump(exclude={"id", "brand_ids"})
            data["sales_channels"] = [c.value for c in body.sales_channels]
            row = StoreRow(id=body.id or uuid.uuid4(), **data)
            created(session, actor, "store", row, body.model_dump(exclude={"id"}, mode="json"))
            self._set_brands(session, row, body.brand_ids)
            self._republish_for_stores(session, actor, row.company_id)
            return self._store_out(session, row)

    def update_store(self, store_id: uuid.UUID, patch: StorePatch, actor: Actor) -> StoreOut:
        """Change a store; promotions with list or brand-filtered store targeting follow."""
        with self.ctx.sessions.begin() as session:
            row = get_row(session, StoreRow, "store", store_id)
            data = patch.model_dump(exclude_unset=True, exclude={"brand_ids"}, mode="json")
            patched(session, actor, "store", row, data)
            if patch.brand_ids is not None:
                self._set_brands(session, row, patch.brand_ids)
            self._republish_for_stores(session, actor, row.company_id)
            return self._store_out(session, row)

    def delete_store(self, store_id: uuid.UUID, actor: Actor) -> None:
        """Delete a store no promotion lists (else 409; deactivate it instead)."""
        with self.ctx.sessions.begin() as session:
            row = get_row(session, StoreRow, "store", store_id)
            refuse_if_referenced(session, "store", store_id)
            company_id = row.company_id
            deleted(session, actor, "store", row)
            self._republish_for_stores(session, actor, company_id)

    def get_store(self, store_id: uuid.UUID) -> StoreOut:
        """One store."""
        with self.ctx.sessions() as session:
            return self._store_out(session, get_row(session, StoreRow, "store", store_id))

    def list_stores(self, company_id: uuid.UUID | None, limit: int, offset: int) -> Page[StoreOut]:
        """Stores, optionally of one company, by code."""
        query = select(StoreRow).order_by(StoreRow.code, StoreRow.id)
        if company_id is not None:
            query = query.where(StoreRow.company_id == company_id)
        with self.ctx.sessions() as session:
            result = page(session, query, StoreOut, limit, offset)
            served = store_brand_ids(session, [s.id for s in result.items])
            items = [
                s.model_copy(update={"brand_ids": sorted(served.get(s.id, set()), key=str)})
                for s in result.items
            ]
            return result.model_copy(update={"items": items})
