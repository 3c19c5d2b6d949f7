"""Authoring endpoints for promotions (``/api/v1/promotions``)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from promoflow_compiler.domain.spec import PromotionSpec
from promoflow_compiler.entrypoints.deps import ContainerDep, Reader, Writer
from promoflow_compiler.schemas.common import IssueOut, Page
from promoflow_compiler.schemas.promotions import (
    PromotionCreate,
    PromotionOut,
    PromotionVersionOut,
    Status,
    ValidationOut,
)
from promoflow_compiler.service.promotion_views import PromotionFilters

router = APIRouter(prefix="/api/v1/promotions", tags=["promotions"])


@router.post("", status_code=status.HTTP_201_CREATED)
def create_promotion(body: PromotionCreate, actor: Writer, c: ContainerDep) -> PromotionOut:
    """Create a promotion (a draft, or active and published with ``activate: true``).

    Validation errors are a 422 naming each field; warnings come back in ``warnings``.
    """
    return c.promotions.create(body, actor)


@router.get("")
def list_promotions(
    actor: Reader,
    c: ContainerDep,
    company_id: uuid.UUID | None = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    promo_type: str | None = None,
    brand_id: uuid.UUID | None = None,
    q: Annotated[str | None, Query(max_length=100, description="code or name contains")] = None,
    active_on: Annotated[date | None, Query(description="valid on this date")] = None,
    store_id: uuid.UUID | None = None,
    product_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[PromotionOut]:
    """List promotions (deleted ones only with ``status=deleted``), newest first."""
    filters = PromotionFilters(
        company_id=company_id,
        status=status_,
        promo_type=promo_type,
        brand_id=brand_id,
        q=q,
        active_on=active_on,
        store_id=store_id,
        product_id=product_id,
        category_id=category_id,
        limit=limit,
        offset=offset,
    )
    return c.promotions.search(filters)


@router.post("/validate")
def validate_promotion(
    body: PromotionSpec,
    actor: Reader,
    c: ContainerDep,
    promotion_id: Annotated[
        uuid.UUID | None, Query(description="the promotion being edited (not its own conflict)")
    ] = None,
) -> ValidationOut:
    """Run the validator without saving."""
    report = c.promotions.validate(body, promotion_id)
    return ValidationOut(
        ok=report.ok,
        errors=[IssueOut.of(e) for e in report.errors],
        warnings=[IssueOut.of(w) for w in report.warnings],
    )


@router.get("/{promotion_id}")
def get_promotion(promotion_id: uuid.UUID, actor: Reader, c: ContainerDep) -> PromotionOut:
    """One promotion."""
    return c.promotions.get(promotion_id)


@router.put("/{promotion_id}")
def update_promotion(
    promotion_id: uuid.UUID, body: PromotionSpec, actor: Writer, c: ContainerDep
) -> PromotionOut:
    """Replace a promotion's spec; an active one is republished if its document changed."""
    return c.promotions.update(promotion_id, body, actor)


@router.post("/{promotion_id}/activate")
def activate_promotion(promotion_id: uuid.UUID, actor: Writer, c: ContainerDep) -> PromotionOut:
    """Activate and publish (even before its start date: stores check validity themselves)."""
    return c.promotions.activate(promotion_id, actor)


@router.post("/{promotion_id}/deactivate")
def deactivate_promotion(promotion_id: uuid.UUID, actor: Writer, c: ContainerDep) -> PromotionOut:
    """Deactivate; stores receive a tombstone."""
    return c.promotions.deactivate(promotion_id, actor)


@router.delete("/{promotion_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_promotion(promotion_id: uuid.UUID, actor: Writer, c: ContainerDep) -> Response:
    """Delete (soft); stores receive a tombstone."""
    c.promotions.delete(promotion_id, actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{promotion_id}/versions")
def promotion_versions(
    promotion_id: uuid.UUID, actor: Reader, c: ContainerDep
) -> list[PromotionVersionOut]:
    """Every compiled version (and withdrawal) of a promotion, newest first."""
    return c.promotions.versions(promotion_id)
