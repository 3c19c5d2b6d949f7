"""Queries of the HO database that produce domain objects (master data, specs, refs)."""

from __future__ import annotations

import hashlib
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from datetime import date

import orjson
from sqlalchemy import BindParameter, Text, any_, bindparam, cast, delete, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Session

from promoflow_compiler.adapters.orm import (
    BrandRow,
    CategoryRow,
    CompanyRow,
    ProductRow,
    PromotionRefRow,
    PromotionRow,
    StoreBrandRow,
    StoreRow,
)
from promoflow_compiler.domain.conflicts import ExistingPromotion
from promoflow_compiler.domain.master import Brand, Category, Company, MasterData, Product, Store
from promoflow_compiler.domain.references import product_ids, spec_refs
from promoflow_compiler.domain.spec import PromotionSpec
from promoflow_compiler.exceptions import NotFound


def company_of(row: CompanyRow) -> Company:
    """Domain record of a company row."""
    return Company(
        id=row.id,
        code=row.code,
        name=row.name,
        currency=row.currency,
        country_code=row.country_code,
        timezone=row.timezone,
        holidays=tuple(sorted(date.fromisoformat(d) for d in row.holidays)),
        is_active=row.is_active,
    )


def product_of(row: ProductRow) -> Product:
    """Domain record of a product row."""
    return Product(
        id=row.id,
        company_id=row.company_id,
        sku=row.sku,
        name=row.name,
        price=row.price,
        category_id=row.category_id,
        brand_id=row.brand_id,
        is_active=row.is_active,
    )


def uuid_array(ids: list[uuid.UUID]) -> BindParameter[list[uuid.UUID]]:
    """One ``uuid[]`` parameter (``= ANY(...)``): thousands of ids without thousands of
    bind parameters."""
    array_type: ARRAY[uuid.UUID] = ARRAY(PG_UUID(as_uuid=True))
    return bindparam(None, ids, type_=array_type)  # type: ignore[arg-type]


#: Columns of ``products`` in :class:`Product` field order (rows load without the ORM).
PRODUCT_COLUMNS = (
    ProductRow.id,
    ProductRow.company_id,
    ProductRow.sku,
    ProductRow.name,
    ProductRow.price,
    ProductRow.category_id,
    ProductRow.brand_id,
    ProductRow.is_active,
)


def store_brand_ids(
    session: Session, store_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Brands served per store."""
    result: dict[uuid.UUID, set[uuid.UUID]] = {}
    ids = list(store_ids)
    if not ids:
        return result
    rows = session.execute(
        select(StoreBrandRow.store_id, StoreBrandRow.brand_id).where(
            StoreBrandRow.store_id.in_(ids)
        )
    )
    for store_id, brand_id in rows:
        result.setdefault(store_id, set()).add(brand_id)
    return result


def load_master(
    session: Session, company_id: uuid.UUID, products: Iterable[uuid.UUID] = ()
) -> MasterData:
    """The company's brands, stores and categories in full, plus the given products.

    Raises :class:`NotFound` for an unknown company.
    """
    company = session.get(CompanyRow, company_id)
    if company is None:
        raise NotFound("company", company_id)
    brands = session.scalars(select(BrandRow).where(BrandRow.company_id == company_id)).all()
    stores = session.scalars(select(StoreRow).where(StoreRow.company_id == company_id)).all()
    served = store_brand_ids(session, (s.id for s in stores))
    categories = session.scalars(
        select(CategoryRow).where(CategoryRow.company_id == company_id)
    ).all()
    wanted = list(set(products))
    product_rows = (
        session.execute(
            select(*PRODUCT_COLUMNS).where(ProductRow.id == any_(uuid_array(wanted)))
        ).all()
        if wanted
        else []
    )
    return MasterData.build(
        company_of(company),
        brands=[
            Brand(id=b.id, company_id=b.company_id, code=b.code, name=b.name, is_active=b.is_active)
            for b in brands
        ],
        stores=[
            Store(
                id=s.id,
                company_id=s.company_id,
                code=s.code,
                name=s.name,
                timezone=s.timezone,
                country_code=s.country_code,
                currency=s.currency,
                sales_channels=frozenset(s.sales_channels),
                brand_ids=frozenset(served.get(s.id, ())),
                is_active=s.is_active,
            )
            for s in stores
        ],
        categories=[
            Category(
                id=c.id,
                company_id=c.company_id,
                name=c.name,
                code=c.code,
                brand_id=c.brand_id,
                parent_id=c.parent_id,
                is_active=c.is_active,
            )
            for c in categories
        ],
        products=[Product(*p) for p in product_rows],
    )


#: Parsed specs by (promotion id, digest of the stored JSON): a save checks conflicts against
#: every active promotion of the company, and re-parsing thousands of specs each time would
#: dominate it. Keyed by content, so an edited spec can never be served stale.
_SPEC_CACHE: OrderedDict[tuple[uuid.UUID, bytes], PromotionSpec] = OrderedDict()
_SPEC_CACHE_SIZE = 20_000


def spec_of(row: PromotionRow) -> PromotionSpec:
    """The authored spec stored on a promotion row (parsed once per distinct content)."""
    digest = hashlib.blake2b(
        orjson.dumps(row.spec, option=orjson.OPT_SORT_KEYS), digest_size=16
    ).digest()
    key = (row.id, digest)
    cached = _SPEC_CACHE.get(key)
    if cached is not None:
        _SPEC_CACHE.move_to_end(key)
        return cached
    spec = PromotionSpec.model_validate(row.spec)
    _SPEC_CACHE[key] = spec
    if len(_SPEC_CACHE) > _SPEC_CACHE_SIZE:
        _SPEC_CACHE.popitem(last=False)
    return spec


def get_promotion(session: Session, promotion_id: uuid.UUID, *, lock: bool = False) -> PromotionRow:
    """A promotion that is not deleted, optionally locked ``FOR UPDATE`` (serialises versions).

    Raises :class:`NotFound`.
    """
    query = select(PromotionRow).where(
        PromotionRow.id == promotion_id, PromotionRow.status != "deleted"
    )
    if lock:
        query = query.with_for_update()
    row = session.scalars(query).one_or_none()
    if row is None:
        raise NotFound("promotion", promotion_id)
    return row


def spec_from_json(promotion_id: uuid.UUID, raw: str) -> PromotionSpec:
    """A spec from its stored JSON text (``spec::text``), parsed once per distinct content."""
    key = (promotion_id, hashlib.blake2b(raw.encode(), digest_size=16).digest())
    cached = _SPEC_CACHE.get(key)
    if cached is not None:
        _SPEC_CACHE.move_to_end(key)
        return cached
    spec = PromotionSpec.model_validate_json(raw)
    _SPEC_CACHE[key] = spec
    if len(_SPEC_CACHE) > _SPEC_CACHE_SIZE:
        _SPEC_CACHE.popitem(last=False)
    return spec


def active_promotions(
    session: Session, company_id: uuid.UUID, start: date, end: date
) -> list[ExistingPromotion]:
    """The company's active promotions whose dates overlap ``start``..``end``."""
    rows = session.execute(
        select(PromotionRow.id, PromotionRow.code, cast(PromotionRow.spec, Text)).where(
            PromotionRow.company_id == company_id,
            PromotionRow.status == "active",
            PromotionRow.start_date <= end,
            PromotionRow.end_date >= start,
        )
    ).all()
    return [ExistingPromotion(id=i, code=c, spec=spec_from_json(i, raw)) for i, c, raw in rows]


def replace_refs(session: Session, promotion_id: uuid.UUID, spec: PromotionSpec | None) -> None:
    """Rewrite the promotion's ``promotion_refs`` from ``spec`` (None = remove them all)."""
    session.execute(delete(PromotionRefRow).where(PromotionRefRow.promotion_id == promotion_id))
    if spec is None:
        return
    unique = {(r.kind, r.id) for r in spec_refs(spec)}
    if unique:
        session.execute(
            insert(PromotionRefRow),
            [
                {"promotion_id": promotion_id, "kind": k, "ref_id": i}
                for k, i in sorted(unique, key=str)
            ],
        )


def promotions_referencing(
    session: Session, ref_ids: Iterable[uuid.UUID], kinds: Iterable[str] | None = None
) -> list[uuid.UUID]:
    """Ids of non-deleted promotions whose refs include one of ``ref_ids``."""
    ids = list(set(ref_ids))
    if not ids:
        return []
    query = select(PromotionRefRow.promotion_id).where(PromotionRefRow.ref_id.in_(ids)).distinct()
    if kinds is not None:
        query = query.where(PromotionRefRow.kind.in_(list(kinds)))
    return sorted(session.scalars(query).all(), key=str)


def active_promotion_ids(
    session: Session, company_id: uuid.UUID, only: Iterable[uuid.UUID] | None = None
) -> list[uuid.UUID]:
    """Ids of the company's active promotions (optionally only among ``only``)."""
    query = select(PromotionRow.id).where(
        PromotionRow.company_id == company_id, PromotionRow.status == "active"
    )
    if only is not None:
        query = query.where(PromotionRow.id.in_(list(only)))
    return sorted(session.scalars(query).all(), key=str)


def products_of_specs(specs: Iterable[PromotionSpec]) -> set[uuid.UUID]:
    """Every product id the given specs refer to."""
    result: set[uuid.UUID] = set()
    for spec in specs:
        result |= product_ids(spec)
    return result
