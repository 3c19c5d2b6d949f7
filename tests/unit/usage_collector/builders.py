"""Builders of redemption, void and evaluation events for the usage collector's tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from promoflow_contracts.events import (
    EvaluatedPromotion,
    EvaluationLogged,
    EvaluationLoggedData,
    RedemptionRecorded,
    RedemptionRecordedData,
    RedemptionVoided,
    RedemptionVoidedData,
)
from promoflow_contracts.results import ReasonCode
from tests.factories import BRAND_ID, COMPANY_ID, STORE_ID, uid

PROMO_ID = uid("usage-promo")
DAY = date(2026, 3, 3)
AT = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)


def redemption(
    *,
    promotion_id: UUID = PROMO_ID,
    store_id: UUID = STORE_ID,
    customer_id: str | None = "C-1",
    discount: str = "1000",
    subtotal: str = "10000",
    total: str = "9000",
    business_date: date = DAY,
    redemption_id: UUID | None = None,
    **data: Any,
) -> RedemptionRecorded:
    """A ``RedemptionRecorded`` with a fresh event id (and redemption id unless given)."""
    fields: dict[str, Any] = {
        "redemption_id": redemption_id or uuid4(),
        "transaction_id": "T-1",
        "store_id": store_id,
        "brand_id": BRAND_ID,
        "company_id": COMPANY_ID,
        "promotion_id": promotion_id,
        "promotion_code": "PROMO",
        "promotion_version": 1,
        "promo_type": "percent_discount",
        "customer_id": customer_id,
        "sales_channel": "takeaway",
        "currency": "IDR",
        "discount_amount": Decimal(discount),
        "cart_subtotal": Decimal(subtotal),
        "cart_total": Decimal(total),
        "business_date": business_date,
        "redeemed_at": AT,
        **data,
    }
    return RedemptionRecorded(
        occurred_at=AT, producer="test/edge", data=RedemptionRecordedData(**fields)
    )


def void(of: RedemptionRecorded, **data: Any) -> RedemptionVoided:
    """The void of ``of``, with the amounts the edge would send."""
    d = of.data
    fields: dict[str, Any] = {
        "redemption_id": d.redemption_id,
        "transaction_id": d.transaction_id,
        "store_id": d.store_id,
        "promotion_id": d.promotion_id,
        "customer_id": d.customer_id,
        "currency": d.currency,
        "discount_amount": d.discount_amount,
        "cart_subtotal": d.cart_subtotal,
        "business_date": d.business_date,
        "voided_at": AT,
        "reason": "customer changed mind",
        **data,
    }
    return RedemptionVoided(
        occurred_at=AT, producer="test/edge", data=RedemptionVoidedData(**fields)
    )


def evaluation(
    *outcomes: tuple[UUID, bool, ReasonCode | None],
    store_id: UUID = STORE_ID,
    subtotal: str = "50000",
    business_date: date = DAY,
) -> EvaluationLogged:
    """An ``EvaluationLogged`` listing ``(promotion id, applied, reason)`` outcomes."""
    return EvaluationLogged(
        occurred_at=AT,
        producer="test/edge",
        data=EvaluationLoggedData(
            evaluation_id=uuid4(),
            store_id=store_id,
            evaluated_at=AT,
            business_date=business_date,
            sales_channel="takeaway",
            currency="IDR",
            cart_subtotal=Decimal(subtotal),
            total_discount=Decimal(0),
            line_count=1,
            promotions=[
                EvaluatedPromotion(
                    promotion_id=pid,
                    code="PROMO",
                    applied=applied,
                    discount_amount=Decimal("500") if applied else Decimal(0),
                    reason_code=reason,
                )
                for pid, applied, reason in outcomes
            ],
        ),
    )
