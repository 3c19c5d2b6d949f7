"""Shared steps of the master-data use cases: audited create/patch, reference checks,
pagination, and republishing the promotions a change affects."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from promoflow_compiler.adapters.audit import audit
from promoflow_compiler.adapters.orm import Base, PromotionRefRow, PromotionRow
from promoflow_compiler.adapters.repository import active_promotion_ids, promotions_referencing
from promoflow_compiler.exceptions import Conflict, InvalidInput, NotFound
from promoflow_compiler.schemas.common import Page
from promoflow_compiler.service.actor import Actor
from promoflow_compiler.service.context import ServiceContext
from promoflow_compiler.service.publication import Change, republish

RowT = TypeVar("RowT", bound=Base)
OutT = TypeVar("OutT", bound=BaseModel)


def get_row(session: Session, row_type: type[RowT], entity: str, row_id: uuid.UUID) -> RowT:
    """The row with ``row_id``; raises :class:`NotFound`."""
    row = session.get(row_type, row_id)
    if row is None:
        raise NotFound(entity, row_id)
    return row


def require_ref(
    session: Session,
    row_type: type[Any],
    field: str,
    ref_id: uuid.UUID | None,
    company_id: uuid.UUID,
) -> None:
    """A referenced row must exist in the same company; else a 422 naming ``field``."""
    if ref_id is None:
        return
    row = session.get(row_type, ref_id)
    if row is None or getattr(row, "company_id", company_id) != company_id:
        noun = field.removesuffix("_id")
        raise InvalidInput.single(field, "unknown_reference", f"no {noun} {ref_id} in this company")


def created(session: Session, actor: Actor, entity: str, row: Base, data: dict[str, Any]) -> None:
    """Insert ``row`` and audit the creation with every given field."""
    session.add(row)
    session.flush()
    changes = {k: [None, v] for k, v in to_jsonable_python(data).items()}
    audit(session, actor, "create", entity, getattr(row, "id"), changes)  # noqa: B009


def patched(
    session: Session,
    actor: Actor,
    entity: str,
    row: Base,
    data: dict[str, Any],
    *,
    nullable: Iterable[str] = (),
) -> dict[str, list[Any]]:
    """Apply ``data`` (the fields a PATCH set), audit the differences, return
    ``{field: [old, new]}``. A null for a field not in ``nullable`` is a 422 naming it.
    """
    allowed = set(nullable)
    for key, value in data.items():
        if value is None and key not in allowed:
            raise InvalidInput.single(key, "null", f"{key} may not be null")
    changes: dict[str, list[Any]] = {}
    for key, value in data.items():
        old = getattr(row, key)
        if old != value:
            changes[key] = to_jsonable_python([old, value])
            setattr(row, key, value)
    if changes:
        audit(session, actor, "update", entity, getattr(row, "id"), changes)  # noqa: B009
    return changes


def deleted(session: Session, actor: Actor, entity: str, row: Base) -> None:
    """Delete ``row`` and audit it."""
    row_id = getattr(row, "id")  # noqa: B009
    session.delete(row)
    session.flush()
    audit(session, actor, "delete", entity, row_id, {})


def refuse_if_referenced(session: Session, entity: str, ref_id: uuid.UUID) -> None:
    """A 409 naming the promotions (not deleted) that still refer to ``ref_id``."""
    codes = session.scalars(
        select(PromotionRow.code)
        .join(PromotionRefRow, PromotionRefRow.promotion_id == PromotionRow.id)
        .where(PromotionRefRow.ref_id == ref_id, PromotionRow.status != "deleted")
        .distinct()
        .order_by(PromotionRow.code)
    ).all()
    if codes:
        raise Conflict("id", f"{entity} is used by promotions {', '.join(codes)}")


def page(
    session: Session, query: Select[RowT], out: type[OutT], limit: int, offset: int
) -> Page[OutT]:
    """Run ``query`` for one page and count the total."""
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.limit(limit).offset(offset)).all()
    return Page[out](  # type: ignore[valid-type]
        items=[out.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )


def republish_referencing(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    company_id: uuid.UUID,
    ref_ids: Iterable[uuid.UUID] | None,
    kinds: Iterable[str] | None = None,
) -> list[Change]:
    """Recompile the company's active promotions that refer to ``ref_ids`` (of ``kinds``), or
    all of them when ``ref_ids`` is None; publish those whose document changed."""
    if ref_ids is None:
        candidates = active_promotion_ids(session, company_id)
    else:
        referencing = promotions_referencing(session, ref_ids, kinds)
        candidates = active_promotion_ids(session, company_id, referencing) if referencing else []
    changes = republish(session, ctx, company_id, candidates, actor)
    if changes:
        audit(
            session,
            actor,
            "republish",
            "company",
            company_id,
            {"promotions": [[str(c.promotion_id), c.event, c.version] for c in changes]},
        )
    return changes
