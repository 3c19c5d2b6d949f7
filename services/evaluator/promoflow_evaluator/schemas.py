"""HTTP shapes of the evaluator that are not contracts: the promotion list/detail of
``/api/v1/promotions`` and the seed POS contract (edge implementation guide, "Django Views &
HTMX Integration") served under ``/promotions/``.

The seed shapes keep the guide's field names. Request models ignore fields they do not know
(POS clients written against the guide send extra ones, e.g. ``subtotal``, which is never
trusted: amounts are recomputed from the items).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from promoflow_contracts.base import PromotionType, SalesChannel, Stage
from promoflow_contracts.promotion import CompiledPromotion


class PromotionSummary(BaseModel):
    """A promotion as the POS lists it, with a short human description."""

    id: UUID
    code: str
    name: str
    description: str
    promo_type: PromotionType
    stage: Stage
    priority: int
    version: int
    start_date: date
    end_date: date
    available_now: bool
    member_only: bool
    require_voucher: bool
    is_stackable: bool
    is_auto_apply: bool


class PromotionList(BaseModel):
    """``GET /api/v1/promotions``: the store's promotions at ``at`` (store-local time)."""

    store_id: UUID
    data_version: int
    at: datetime
    promotions: list[PromotionSummary]


class PromotionDetail(PromotionSummary):
    """``GET /api/v1/promotions/{id}``: the summary plus the compiled document."""

    document: CompiledPromotion


# --- seed POS contract -----------------------------------------------------------------------


class _SeedModel(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class SeedItem(_SeedModel):
    """A cart item as the guide's POS sends it (``price`` = unit price, major unit)."""

    product_id: UUID
    name: str | None = None
    price: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=4)]
    quantity: Annotated[int, Field(ge=1, le=100_000)]
    category_id: UUID | None = None
    brand_id: UUID | None = None
    sku: str | None = None
    line_id: str | None = None


class SeedCustomer(_SeedModel):
    """The guide's customer object."""

    id: str | None = None
    is_member: bool = False
    tier: str | None = None
    customer_type: str | None = None


class SeedCart(_SeedModel):
    """``POST /promotions/calculate/`` body (and ``cart_json``/``cart_data`` elsewhere).

    ``subtotal`` is accepted and ignored; ``voucher_codes``, ``payment_method``,
    ``sales_channel`` and ``evaluated_at`` are optional additions.
    """

    items: list[SeedItem] = Field(default_factory=list, max_length=500)
    subtotal: Decimal | None = None
    customer: SeedCustomer | None = None
    voucher_codes: list[str] = Field(default_factory=list, max_length=20)
    payment_method: str | None = None
    sales_channel: SalesChannel = SalesChannel.DINE_IN
    evaluated_at: datetime | None = None


class SeedLogUsage(_SeedModel):
    """``POST /promotions/log-usage/`` body (guide fields; amounts are never trusted)."""

    promotion_id: UUID
    transaction_id: str | None = None
    bill_id: str | None = None
    status: Literal["applied", "skipped", "failed"]
    reason: str | None = None
    discount_amount: Decimal | None = None
    original_amount: Decimal | None = None
    final_amount: Decimal | None = None
    cart_data: dict[str, Any] | None = None
    customer_id: str | None = None
    customer_phone: str | None = None
