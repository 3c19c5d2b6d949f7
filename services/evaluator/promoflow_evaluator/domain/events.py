"""Events a checkout or void produces, built from the engine's result (pure).

* ``RedemptionRecorded``: one per promotion in ``result.applied`` (a cashback or points
  promotion is applied with a zero bill discount and a reward), key = promotion id.
* ``RedemptionVoided``: one per redemption of a voided checkout.
* ``EvaluationLogged``: one per *checkout*, key = store id. The POS calls evaluate many times
  per order (each item scanned, each change), so logging every call would multiply the volume
  by that factor and make "applied / evaluated" depend on how chatty a POS is; one log per paid
  cart gives a redemption rate per order. Plain evaluate calls are counted in the
  ``promoflow_evaluations_total`` metric only. A log lists the applied promotions and the
  candidates that were in play for the cart (see :data:`OUT_OF_PLAY`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from promoflow_contracts.checkout import CheckoutRequest
from promoflow_contracts.events import (
    EvaluatedPromotion,
    EvaluationLogged,
    EvaluationLoggedData,
    RedeemedLine,
    RedemptionRecorded,
    RedemptionRecordedData,
    RedemptionVoided,
    RedemptionVoidedData,
)
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.results import EvaluationResult, ReasonCode

#: Reasons that mean a candidate was not in play for this cart at all (wrong time, not this
#: store): left out of the evaluation log so it measures "applied / could have applied".
OUT_OF_PLAY: frozenset[ReasonCode] = frozenset(
    {
        ReasonCode.INACTIVE,
        ReasonCode.NOT_STARTED,
        ReasonCode.EXPIRED,
        ReasonCode.OUTSIDE_TIME_WINDOW,
        ReasonCode.WRONG_DAY,
        ReasonCode.HOLIDAY_EXCLUDED,
        ReasonCode.STORE_NOT_TARGETED,
        ReasonCode.BRAND_NOT_TARGETED,
        ReasonCode.CURRENCY_MISMATCH,
    }
)


@dataclass(frozen=True, slots=True)
class StoreFacts:
    """Who produces the events: the store and the producer name (``evaluator/<store>``)."""

    store_id: UUID
    company_id: UUID
    brand_id: UUID | None
    producer: str


@dataclass(frozen=True, slots=True)
class RedemptionDraft:
    """A redemption to record: the event plus the columns the store keeps about it."""

    event: RedemptionRecorded
    campaign_id: UUID | None
    verified: bool


def request_hash(request: CheckoutRequest) -> str:
    """SHA-256 of the canonical request without ``evaluated_at`` (a POS may re-stamp the time
    when it retries; the cart, customer, vouchers and payment identify the checkout)."""
    canonical = request.model_copy(update={"evaluated_at": None}).model_dump_json()
    return hashlib.sha256(canonical.encode()).hexdigest()


def redemption_drafts(
    *,
    request: CheckoutRequest,
    result: EvaluationResult,
    promotions: Mapping[UUID, CompiledPromotion],
    unverified: frozenset[UUID],
    store: StoreFacts,
    redeemed_at: datetime,
) -> list[RedemptionDraft]:
    """One ``RedemptionRecorded`` per applied promotion of ``result``."""
    lines = {line.line_id: line for line in request.lines}
    rewards: dict[UUID, Decimal] = {}
    for reward in result.rewards:
        rewards[reward.promotion_id] = rewards.get(reward.promotion_id, Decimal(0)) + reward.amount
    business_date = result.evaluated_at.date()
    customer_id = request.customer.customer_id if request.customer else None
    drafts = []
    for applied in result.applied:
        promotion = promotions.get(applied.promotion_id)
        campaign_id = promotion.campaign.campaign_id if promotion and promotion.campaign else None
        verified = applied.promotion_id not in unverified
        data = RedemptionRecordedData(
            redemption_id=uuid4(),
            transaction_id=request.transaction_id,
            store_id=store.store_id,
            brand_id=store.brand_id,
            company_id=store.company_id,
            promotion_id=applied.promotion_id,
            promotion_code=applied.code,
            promotion_version=applied.version,
            promo_type=applied.promo_type,
            campaign_id=campaign_id,
            customer_id=customer_id,
            sales_channel=request.sales_channel,
            currency=result.currency,
            discount_amount=applied.discount,
            reward_amount=rewards.get(applied.promotion_id, Decimal(0)),
            cart_subtotal=result.subtotal,
            cart_total=result.total,
            business_date=business_date,
            redeemed_at=redeemed_at,
            verified=verified,
            lines=[
                RedeemedLine(
                    line_id=share.line_id,
                    product_id=lines[share.line_id].product_id,
                    quantity=lines[share.line_id].quantity,
                    discount=share.amount,
                )
                for share in applied.allocations
                if share.amount > 0 and share.line_id in lines
            ],
        )
        event = RedemptionRecorded(occurred_at=redeemed_at, producer=store.producer, data=data)
        drafts.append(RedemptionDraft(event, campaign_id, verified))
    return drafts


def evaluation_log(
    *,
    request: CheckoutRequest,
    result: EvaluationResult,
    store: StoreFacts,
    logged_at: datetime,
) -> EvaluationLogged:
    """The ``EvaluationLogged`` of a checkout: applied promotions and in-play candidates."""
    entries = [
        EvaluatedPromotion(
            promotion_id=a.promotion_id, code=a.code, applied=True, discount_amount=a.discount
        )
        for a in result.applied
    ]
    entries += [
        EvaluatedPromotion(
            promotion_id=n.promotion_id, code=n.code, applied=False, reason_code=n.reason_code
        )
        for n in result.not_applied
        if n.reason_code not in OUT_OF_PLAY
    ]
    data = EvaluationLoggedData(
        evaluation_id=uuid4(),
        store_id=store.store_id,
        transaction_id=request.transaction_id,
        evaluated_at=result.evaluated_at,
        business_date=result.evaluated_at.date(),
        sales_channel=request.sales_channel,
        customer_id=request.customer.customer_id if request.customer else None,
        currency=result.currency,
        cart_subtotal=result.subtotal,
        total_discount=result.total_discount,
        line_count=len(result.lines),
        promotions=entries,
    )
    return EvaluationLogged(occurred_at=logged_at, producer=store.producer, data=data)


@dataclass(frozen=True, slots=True)
class VoidedRedemption:
    """What the store kept about a redemption being voided."""

    redemption_id: UUID
    promotion_id: UUID
    customer_id: str | None
    discount_amount: Decimal
    reward_amount: Decimal
    business_date: date


def void_events(
    *,
    transaction_id: str,
    redemptions: list[VoidedRedemption],
    currency: str,
    cart_subtotal: Decimal,
    reason: str,
    store: StoreFacts,
    voided_at: datetime,
) -> list[RedemptionVoided]:
    """One ``RedemptionVoided`` per redemption of the voided checkout."""
    return [
        RedemptionVoided(
            occurred_at=voided_at,
            producer=store.producer,
            data=RedemptionVoidedData(
                redemption_id=r.redemption_id,
                transaction_id=transaction_id,
                store_id=store.store_id,
                promotion_id=r.promotion_id,
                customer_id=r.customer_id,
                currency=currency,
                discount_amount=r.discount_amount,
                reward_amount=r.reward_amount,
                cart_subtotal=cart_subtotal,
                business_date=r.business_date,
                voided_at=voided_at,
                reason=reason,
            ),
        )
        for r in redemptions
    ]
