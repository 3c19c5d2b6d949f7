"""Preview requests and responses: one cart against one or several promotions."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from promoflow_compiler.schemas.common import ApiModel
from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.results import EvaluationResult


class PreviewIn(ApiModel):
    """A cart to evaluate with one promotion (``cart.store_id`` picks the store: its time
    zone, country holidays and currency). ``include_published`` adds every promotion currently
    published for that store, to see how this one combines with them."""

    cart: EvaluateRequest
    include_published: bool = False


class PreviewManyIn(PreviewIn):
    """A cart to evaluate with several promotions (drafts included)."""

    promotion_ids: list[UUID] = Field(min_length=1, max_length=200)


class PreviewOut(BaseModel):
    """The engine's full result and the documents it evaluated (compiled from the current
    specs, so drafts and unsaved changes to master data show as they would publish)."""

    result: EvaluationResult
    promotions: list[CompiledPromotion]
