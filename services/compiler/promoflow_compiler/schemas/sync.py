"""Shapes of the sync API (field names of the backend roadmap, "1.2 Sync API Endpoints")."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from promoflow_compiler.schemas.common import ApiModel
from promoflow_contracts.promotion import CompiledPromotion


class SyncPromotionsOut(BaseModel):
    """Promotions for one store.

    ``deleted_promotion_ids`` (the roadmap's name; ``deleted_ids`` is the same list) are the
    promotions to drop since ``updated_since``. Pass ``sync_timestamp`` back as the next
    ``updated_since``. ``full_sync`` true = this is the whole set: replace what you hold.
    """

    promotions: list[CompiledPromotion]
    deleted_promotion_ids: list[UUID]
    deleted_ids: list[UUID]
    sync_timestamp: datetime
    store_id: UUID
    full_sync: bool
    version: int
    count: int


class BulkIn(ApiModel):
    """Promotion ids to fetch (at most 1,000)."""

    promotion_ids: list[UUID] = Field(min_length=1, max_length=1000)


class BulkOut(BaseModel):
    """The published documents among the ids asked for; ``not_found_ids`` the rest."""

    promotions: list[CompiledPromotion]
    not_found_ids: list[UUID]


class SyncVersionOut(BaseModel):
    """Cheap change check: sync again when ``version`` moved."""

    store_id: UUID
    version: int
    last_updated: datetime | None
    force_update: bool
