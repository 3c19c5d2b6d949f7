"""Catalogue CSV import and the audit log."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from sqlalchemy import select

from promoflow_compiler.adapters.orm import AuditLogRow
from promoflow_compiler.domain.findings import Issue
from promoflow_compiler.entrypoints.deps import ContainerDep, Reader, Writer
from promoflow_compiler.exceptions import InvalidInput
from promoflow_compiler.schemas.common import Page
from promoflow_compiler.schemas.operations import AuditOut, ImportOut
from promoflow_compiler.service.master_common import page

router = APIRouter(prefix="/api/v1", tags=["operations"])
MAX_CSV_BYTES = 20 * 1024 * 1024


@router.post("/catalog/import")
def import_catalog(
    actor: Writer,
    c: ContainerDep,
    company_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="catalogue CSV, UTF-8 with a header row")],
    dry_run: bool = False,
) -> ImportOut:
    """Create or update products (and categories) of ``company_id`` from a CSV file.

    Columns: ``sku``, ``name``, ``price`` (required; price in the major unit, e.g. ``32000``),
    ``category_code``, ``category_name``, ``parent_category_code``, ``brand_code``,
    ``is_active`` (optional). Unknown category codes create categories; brands must exist.
    All or nothing: any error is a 422 naming ``rows.<line>.<column>``. Promotions embedding a
    changed product are republished once each.
    """
    raw = file.file.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        raise InvalidInput([Issue("file", "too_large", f"at most {MAX_CSV_BYTES} bytes")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput([Issue("file", "encoding", f"not UTF-8: {exc.reason}")]) from exc
    result = c.imports.run(company_id, text, actor, dry_run=dry_run)
    return ImportOut(
        dry_run=dry_run,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        categories_created=result.categories_created,
        republished=result.republished,
    )


@router.get("/audit")
def audit_log(
    actor: Reader,
    c: ContainerDep,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor_name: Annotated[str | None, Query(alias="actor")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[AuditOut]:
    """Audited writes, newest first."""
    query = select(AuditLogRow).order_by(AuditLogRow.id.desc())
    if entity_type is not None:
        query = query.where(AuditLogRow.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditLogRow.entity_id == entity_id)
    if actor_name is not None:
        query = query.where(AuditLogRow.actor == actor_name)
    with c.ctx.sessions() as session:
        return page(session, query, AuditOut, limit, offset)
