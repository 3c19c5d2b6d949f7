"""Events that cross process boundaries through Kafka, each in a common envelope.

Envelope: ``event_id`` (UUID, the deduplication key of every consumer), ``event_type``,
``schema_version``, ``occurred_at`` (timezone-aware), ``producer`` (``service/instance``), and
the event's ``data``. Events are frozen. Within a ``.v1`` topic changes are additive only; a
breaking change is a new topic. A consumer that meets a newer ``schema_version`` than it knows
still parses the fields it knows (they are never removed within a topic).

``PromotionWithdrawn`` has tombstone semantics: on the compacted ``promotions.v1`` topic it is
written as a record with a *null value* for the promotion's key, with the envelope carried in
Kafka headers (see :mod:`promoflow_contracts.topics`), so compaction eventually forgets the
promotion while consumers still learn the version and reason.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID, uuid4

from pydantic import AwareDatetime, Field

from promoflow_contracts.base import (
    Code,
    ContractModel,
    Currency,
    Money,
    PromotionType,
    SalesChannel,
)
from promoflow_contracts.cart import PosId
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.results import ReasonCode

#: Current schema version of every event type in the ``.v1`` topics.
SCHEMA_VERSION = 1


def new_event_id() -> UUID:
    """A fresh random event id (UUID4)."""
    return uuid4()


class _Envelope(ContractModel):
    event_id: UUID = Field(default_factory=new_event_id)
    schema_version: Annotated[int, Field(ge=1)] = SCHEMA_VERSION
    occurred_at: AwareDatetime
    producer: Annotated[str, Field(min_length=1, max_length=128)]


# --- promotions.v1 -------------------------------------------------------------------------


class PromotionPublishedData(ContractModel):
    """A new version of a compiled promotion."""

    promotion: CompiledPromotion


class PromotionPublished(_Envelope):
    """HO published a promotion version; stores upsert it if its version is newer."""

    event_type: Literal["PromotionPublished"] = "PromotionPublished"
    data: PromotionPublishedData


class PromotionWithdrawnData(ContractModel):
    """A promotion that no store may apply any more (deleted, deactivated, expired)."""

    promotion_id: UUID
    version: Annotated[int, Field(ge=1)]
    reason: Literal["deleted", "deactivated", "expired", "untargeted"] = "deactivated"


class PromotionWithdrawn(_Envelope):
    """HO withdrew a promotion; stores delete it unless they hold a newer version."""

    event_type: Literal["PromotionWithdrawn"] = "PromotionWithdrawn"
    data: PromotionWithdrawnData


# --- redemptions.v1 ------------------------------------------------------------------------


class RedeemedLine(ContractModel):
    """The part of a redemption's discount on one cart line."""

    line_id: PosId
    product_id: UUID
    quantity: int = Field(ge=1)
    discount: Money


class RedemptionRecordedData(ContractModel):
    """One promotion redeemed by one checkout at one store.

    ``business_date`` is the store-local date of the checkout (daily limits count by it).
    ``cart_subtotal``/``cart_total`` are the whole cart's, for gross sales and average cart value.
    ``verified`` is False when the store was offline and could not check HO's counts.
    """

    redemption_id: UUID
    transaction_id: PosId
    store_id: UUID
    brand_id: UUID | None = None
    company_id: UUID
    promotion_id: UUID
    promotion_code: Code
    promotion_version: int
    promo_type: PromotionType
    campaign_id: UUID | None = None
    customer_id: PosId | None = None
    sales_channel: SalesChannel
    currency: Currency
    discount_amount: Money
    reward_amount: Money = Decimal(0)
    cart_subtotal: Money
    cart_total: Money
    business_date: date
    redeemed_at: AwareDatetime
    verified: bool = True
    lines: list[RedeemedLine] = Field(default_factory=list)


class RedemptionRecorded(_Envelope):
    """A checkout redeemed a promotion (key = promotion id)."""

    event_type: Literal["RedemptionRecorded"] = "RedemptionRecorded"
    data: RedemptionRecordedData


class RedemptionVoidedData(ContractModel):
    """The reversal of an earlier redemption; counts and amounts are subtracted."""

    redemption_id: UUID
    transaction_id: PosId
    store_id: UUID
    promotion_id: UUID
    customer_id: PosId | None = None
    currency: Currency
    discount_amount: Money
    reward_amount: Money = Decimal(0)
    cart_subtotal: Money
    business_date: date
    voided_at: AwareDatetime
    reason: str


class RedemptionVoided(_Envelope):
    """A checkout was voided; its redemption no longer counts (key = promotion id)."""

    event_type: Literal["RedemptionVoided"] = "RedemptionVoided"
    data: RedemptionVoidedData


# --- evaluations.v1 ------------------------------------------------------------------------


class EvaluatedPromotion(ContractModel):
    """A promotion's outcome in one evaluation: applied with an amount, or a reason code."""

    promotion_id: UUID
    code: Code
    applied: bool
    discount_amount: Money = Decimal(0)
    reason_code: ReasonCode | None = None


class EvaluationLoggedData(ContractModel):
    """One evaluation of a cart at a store (for redemption rate = applied / evaluated)."""

    evaluation_id: UUID
    store_id: UUID
    transaction_id: PosId | None = None
    evaluated_at: AwareDatetime
    business_date: date
    sales_channel: SalesChannel
    customer_id: PosId | None = None
    currency: Currency
    cart_subtotal: Money
    total_discount: Money
    line_count: int = Field(ge=0)
    promotions: list[EvaluatedPromotion] = Field(default_factory=list)


class EvaluationLogged(_Envelope):
    """A store evaluated a cart (key = store id)."""

    event_type: Literal["EvaluationLogged"] = "EvaluationLogged"
    data: EvaluationLoggedData


# --- limits.v1 -----------------------------------------------------------------------------


class LimitStateChangedData(ContractModel):
    """A usage limit became exhausted or available again.

    ``limit`` names the limit; ``business_date`` and ``store_id`` are set for daily limits
    (``store_id`` None = the limit counts across stores).
    """

    promotion_id: UUID
    limit: Literal["max_uses", "max_uses_per_day", "campaign_budget"]
    state: Literal["exhausted", "available"]
    uses: int = Field(ge=0)
    max_uses: int | None = None
    business_date: date | None = None
    store_id: UUID | None = None
    campaign_id: UUID | None = None


class LimitStateChanged(_Envelope):
    """The collector saw a limit change state (key = promotion id); the compiler republishes."""

    event_type: Literal["LimitStateChanged"] = "LimitStateChanged"
    data: LimitStateChangedData


#: Any PromoFlow event, discriminated by ``event_type``.
Event = Annotated[
    PromotionPublished
    | PromotionWithdrawn
    | RedemptionRecorded
    | RedemptionVoided
    | EvaluationLogged
    | LimitStateChanged,
    Field(discriminator="event_type"),
]

EVENT_TYPES: tuple[type[_Envelope], ...] = (
    PromotionPublished,
    PromotionWithdrawn,
    RedemptionRecorded,
    RedemptionVoided,
    EvaluationLogged,
    LimitStateChanged,
)
