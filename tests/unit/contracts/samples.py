"""One valid instance of every event type, for round-trip and broker smoke tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from promoflow_contracts.events import (
    EvaluatedPromotion,
    EvaluationLogged,
    EvaluationLoggedData,
    Event,
    LimitStateChanged,
    LimitStateChangedData,
    PromotionPublished,
    PromotionPublishedData,
    PromotionWithdrawn,
    PromotionWithdrawnData,
    RedeemedLine,
    RedemptionRecorded,
    RedemptionRecordedData,
    RedemptionVoided,
    RedemptionVoidedData,
)
from promoflow_contracts.results import ReasonCode
from tests.factories import COMPANY_ID, LATTE, STORE_ID, promotion, uid

AT = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)


def sample_events() -> list[Event]:
    """Every event type once, with non-default values where a field has one."""
    promo = promotion(
        "BEV20",
        rules={
            "type": "percent_discount",
            "discount_percent": "20",
            "max_discount_amount": "50000",
            "min_purchase": "100000",
        },
    )
    return [
        PromotionPublished(
            occurred_at=AT, producer="compiler/test", data=PromotionPublishedData(promotion=promo)
        ),
        PromotionWithdrawn(
            occurred_at=AT,
            producer="compiler/test",
            data=PromotionWithdrawnData(promotion_id=promo.id, version=3, reason="deleted"),
        ),
        RedemptionRecorded(
            occurred_at=AT,
            producer="evaluator/store-1",
            data=RedemptionRecordedData(
                redemption_id=uid("r1"),
                transaction_id="T-1",
                store_id=STORE_ID,
                company_id=COMPANY_ID,
                promotion_id=promo.id,
                promotion_code="BEV20",
                promotion_version=1,
                promo_type=promo.promo_type,
                customer_id="C-9",
                sales_channel="takeaway",
                currency="IDR",
                discount_amount=Decimal("10000"),
                cart_subtotal=Decimal("115000"),
                cart_total=Decimal("105000"),
                business_date=date(2026, 3, 3),
                redeemed_at=AT,
                verified=False,
                lines=[
                    RedeemedLine(
                        line_id="1", product_id=LATTE, quantity=2, discount=Decimal("10000")
                    )
                ],
            ),
        ),
        RedemptionVoided(
            occurred_at=AT,
            producer="evaluator/store-1",
            data=RedemptionVoidedData(
                redemption_id=uid("r1"),
                transaction_id="T-1",
                store_id=STORE_ID,
                promotion_id=promo.id,
                currency="IDR",
                discount_amount=Decimal("10000"),
                cart_subtotal=Decimal("115000"),
                business_date=date(2026, 3, 3),
                voided_at=AT,
                reason="customer cancelled",
            ),
        ),
        EvaluationLogged(
            occurred_at=AT,
            producer="evaluator/store-1",
            data=EvaluationLoggedData(
                evaluation_id=uid("e1"),
                store_id=STORE_ID,
                evaluated_at=AT,
                business_date=date(2026, 3, 3),
                sales_channel="dine_in",
                currency="IDR",
                cart_subtotal=Decimal("65000"),
                total_discount=Decimal("0"),
                line_count=2,
                promotions=[
                    EvaluatedPromotion(
                        promotion_id=promo.id,
                        code="BEV20",
                        applied=False,
                        reason_code=ReasonCode.MIN_PURCHASE_NOT_MET,
                    )
                ],
            ),
        ),
        LimitStateChanged(
            occurred_at=AT,
            producer="usage-collector/test",
            data=LimitStateChangedData(
                promotion_id=promo.id,
                limit="max_uses_per_day",
                state="exhausted",
                uses=10,
                max_uses=10,
                business_date=date(2026, 3, 3),
                store_id=STORE_ID,
            ),
        ),
    ]
