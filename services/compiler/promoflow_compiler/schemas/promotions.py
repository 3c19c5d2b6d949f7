"""Promotions in and out of the authoring API.

The request body of create/update *is* :class:`PromotionSpec` (plus ``activate`` on create),
so OpenAPI shows every field of the 12 types. Responses carry the spec, the status, the
publication state and the validator's warnings.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from promoflow_compiler.domain.spec import PromotionSpec
from promoflow_compiler.schemas.common import IssueOut
from promoflow_contracts.promotion import CompiledPromotion

Status = Literal["draft", "active", "inactive", "deleted"]
PublicationStatus = Literal["unpublished", "published", "withdrawn"]


class PromotionCreate(PromotionSpec):
    """A new promotion; ``activate: true`` activates (and publishes) it in the same call."""

    activate: bool = False


class PromotionOut(BaseModel):
    """A promotion as HO sees it.

    ``current_version`` is the last version number handed out (0 = never published);
    ``published_version`` is the version stores hold now (None when not published).
    ``warnings`` are the validator's warnings for this write (empty on reads).
    """

    id: UUID
    company_id: UUID
    code: str
    name: str
    promo_type: str
    execution_stage: str
    status: Status
    publication_status: PublicationStatus
    current_version: int
    published_version: int | None
    start_date: date
    end_date: date
    spec: PromotionSpec
    limit_state: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime
    warnings: list[IssueOut] = Field(default_factory=list)


class PromotionVersionOut(BaseModel):
    """One version: a compiled document, or a withdrawal with its reason."""

    version: int
    event: Literal["published", "withdrawn"]
    reason: str | None
    created_by: str
    created_at: datetime
    document: CompiledPromotion | None


class ValidationOut(BaseModel):
    """The validator's verdict without saving."""

    ok: bool
    errors: list[IssueOut]
    warnings: list[IssueOut]
