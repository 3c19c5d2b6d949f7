"""Sync API for store edges and POS back-office tools that cannot read Kafka.

Roles: store_edge (a store-pinned token only for its store), analyst, manager, admin.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from promoflow_compiler.entrypoints.deps import ContainerDep, SyncReader
from promoflow_compiler.exceptions import InvalidInput
from promoflow_compiler.schemas.sync import BulkIn, BulkOut, SyncPromotionsOut, SyncVersionOut

router = APIRouter(prefix="/api/v1/sync", tags=["sync"])
JSON = "application/json"


@router.get("/promotions", response_model=SyncPromotionsOut)
def sync_promotions(
    actor: SyncReader,
    c: ContainerDep,
    store_id: uuid.UUID,
    updated_since: Annotated[
        datetime | None, Query(description="the previous sync_timestamp (inclusive)")
    ] = None,
    last_sync: Annotated[datetime | None, Query(description="alias of updated_since")] = None,
    brand_id: uuid.UUID | None = None,
) -> Response:
    """Compiled promotions for ``store_id``: all of them, or those changed since
    ``updated_since`` plus ``deleted_promotion_ids``; pass ``sync_timestamp`` back next time."""
    since = updated_since or last_sync
    if since is not None and since.tzinfo is None:
        raise InvalidInput.single("updated_since", "naive", "give a time zone (e.g. Z)")
    return Response(c.sync.promotions(actor, store_id, since, brand_id), media_type=JSON)


@router.get("/promotions/{promotion_id}", response_model=None, responses={200: {"model": dict}})
def sync_promotion(promotion_id: uuid.UUID, actor: SyncReader, c: ContainerDep) -> Response:
    """One published compiled promotion (404 when not published)."""
    return Response(c.sync.promotion(actor, promotion_id), media_type=JSON)


@router.post("/promotions/bulk", response_model=BulkOut)
def sync_bulk(body: BulkIn, actor: SyncReader, c: ContainerDep) -> Response:
    """Published compiled promotions for the given ids."""
    return Response(c.sync.bulk(actor, body.promotion_ids), media_type=JSON)


@router.get("/version")
def sync_version(actor: SyncReader, c: ContainerDep, store_id: uuid.UUID) -> SyncVersionOut:
    """Latest change number and time for the store (cheap; poll this, then sync)."""
    return SyncVersionOut.model_validate(c.sync.version(actor, store_id))
