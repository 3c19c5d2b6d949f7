"""Read models of promotions: one promotion, filtered lists, version history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from promoflow_compiler.adapters.orm import (
    PromotionPublicationRow,
    PromotionRefRow,
    PromotionRow,
    PromotionVersionRow,
)
from promoflow_compiler.adapters.repository import get_promotion, spec_of
from promoflow_compiler.domain.findings import Issue
from promoflow_compiler.domain.references import CATEGORY_KINDS, PRODUCT_KINDS
from promoflow_compiler.schemas.common import IssueOut, Page
from promoflow_compiler.schemas.promotions import PromotionOut, PromotionVersionOut
from promoflow_contracts.promotion import CompiledPromotion


def promotion_view(
    session: Session,
    row: PromotionRow,
    warnings: Sequence[Issue],
    publication: PromotionPublicationRow | None = None,
) -> PromotionOut:
    """The API view of a promotion row."""
    pub = publication or session.get(PromotionPublicationRow, row.id)
    return PromotionOut(
        id=row.id,
        company_id=row.company_id,
        code=row.code,
        name=row.name,
        promo_type=row.promo_type,
        execution_stage=row.execution_stage,
        status=row.status,
        publication_status="unpublished" if pub is None else pub.status,
        current_version=row.current_version,
        published_version=pub.version if pub is not None and pub.status == "published" else None,
        start_date=row.start_date,
        end_date=row.end_date,
        spec=spec_of(row),
        limit_state=row.limit_state,
        created_at=row.created_at,
        updated_at=row.updated_at,
        warnings=[IssueOut.of(w) for w in warnings],
    )


@dataclass(frozen=True, slots=True)
class PromotionFilters:
    """List filters; all optional. ``store_id`` matches promotions listing the store or
    targeting every store; ``active_on`` matches promotions valid on that date."""

    company_id: uuid.UUID | None = None
    status: str | None = None
    promo_type: str | None = None
    brand_id: uuid.UUID | None = None
    q: str | None = None
    active_on: date | None = None
    store_id: uuid.UUID | None = None
    product_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    limit: int = 50
    offset: int = 0


def _has_ref(
    kinds: frozenset[str] | set[str], ref_id: uuid.UUID | None = None
) -> ColumnElement[bool]:
    query = select(PromotionRefRow.promotion_id).where(
        PromotionRefRow.promotion_id == PromotionRow.id, PromotionRefRow.kind.in_(sorted(kinds))
    )
    if ref_id is not None:
        query = query.where(PromotionRefRow.ref_id == ref_id)
    return exists(query)


def _conditions(f: PromotionFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.status is not None:
        where.append(PromotionRow.status == f.status)
    else:
        where.append(PromotionRow.status != "deleted")
    if f.company_id is not None:
        where.append(PromotionRow.company_id == f.company_id)
    if f.promo_type is not None:
        where.append(PromotionRow.promo_type == f.promo_type)
    if f.brand_id is not None:
        where.append(PromotionRow.brand_id == f.brand_id)
    if f.q:
        pattern = f"%{f.q}%"
        where.append(or_(PromotionRow.name.ilike(pattern), PromotionRow.code.ilike(pattern)))
    if f.active_on is not None:
        where.append(PromotionRow.start_date <= f.active_on)
        where.append(PromotionRow.end_date >= f.active_on)
    if f.store_id is not None:
        where.append(or_(_has_ref({"store"}, f.store_id), ~_has_ref({"store", "store_brand"})))
    if f.product_id is not None:
        where.append(_has_ref(PRODUCT_KINDS, f.product_id))
    if f.category_id is not None:
        where.append(_has_ref(CATEGORY_KINDS, f.category_id))
    return where


def list_promotions(session: Session, f: PromotionFilters) -> Page[PromotionOut]:
    """One page of promotions matching ``f``, newest first."""
    where = _conditions(f)
    total = session.scalar(select(func.count()).select_from(PromotionRow).where(*where)) or 0
    rows = session.scalars(
        select(PromotionRow)
        .where(*where)
        .order_by(PromotionRow.created_at.desc(), PromotionRow.id)
        .limit(f.limit)
        .offset(f.offset)
    ).all()
    pubs = {
        p.promotion_id: p
        for p in session.scalars(
            select(PromotionPublicationRow).where(
                PromotionPublicationRow.promotion_id.in_([r.id for r in rows])
            )
        )
    }
    items = [promotion_view(session, r, (), pubs.get(r.id)) for r in rows]
    return Page(items=items, total=total, limit=f.limit, offset=f.offset)


def list_versions(session: Session, promotion_id: uuid.UUID) -> list[PromotionVersionOut]:
    """Every version of a promotion, newest first."""
    get_promotion(session, promotion_id)
    rows = session.scalars(
        select(PromotionVersionRow)
        .where(PromotionVersionRow.promotion_id == promotion_id)
        .order_by(PromotionVersionRow.version.desc())
    ).all()
    return [
        PromotionVersionOut(
            version=r.version,
            event=r.event,
            reason=r.reason,
            created_by=r.created_by,
            created_at=r.created_at,
            document=CompiledPromotion.model_validate(r.document) if r.document else None,
        )
        for r in rows
    ]
