"""Analytics data for the API and dashboard tests: two promotions over two days, fed through
the same ingest service the worker uses (no broker)."""

from __future__ import annotations

from datetime import date

from promoflow_contracts.events import Event, PromotionPublished, PromotionPublishedData
from promoflow_contracts.results import ReasonCode
from promoflow_contracts.topics import Topics, to_record
from promoflow_usage_collector.bootstrap import build_ingest
from promoflow_usage_collector.config import Settings
from promoflow_usage_collector.ingest_service import RawRecord
from tests.factories import BRAND_ID, OTHER_BRAND_ID, promotion, uid
from tests.unit.usage_collector.builders import AT, evaluation, redemption, void

TOKEN = "test-analytics-token"
DAY1, DAY2 = date(2026, 3, 3), date(2026, 3, 4)
STORE_A, STORE_B = uid("api-store-a"), uid("api-store-b")
P1, P2 = uid("api-promo-kopi"), uid("api-promo-roti")
RANGE = {"date_from": "2026-03-03", "date_to": "2026-03-04"}
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def records(events: list[Event], topic: str) -> list[RawRecord]:
    out = []
    for offset, event in enumerate(events):
        r = to_record(event)
        out.append(RawRecord(topic, 0, offset, r.key, r.value, r.headers))
    return out


def seed(settings: Settings) -> None:
    """P1 (KOPI10): 3 counted uses (1 voided) at two stores, evaluated 4 times, applied 3;
    P2 (ROTI5): 1 use at store B under another brand."""
    topics = Topics()
    ingest = build_ingest(settings)
    published = [
        PromotionPublished(
            occurred_at=AT,
            producer="compiler/test",
            data=PromotionPublishedData(
                promotion=promotion(
                    code,
                    id=str(pid),
                    brand_id=str(BRAND_ID),
                    limits={"max_uses_per_customer": 2},
                )
            ),
        )
        for code, pid in (("KOPI10", P1), ("ROTI5", P2))
    ]
    ingest.promotions(records(list(published), topics.promotions.name))
    anonymous = redemption(promotion_id=P1, store_id=STORE_A, customer_id=None, business_date=DAY2)
    usage: list[Event] = [
        redemption(promotion_id=P1, store_id=STORE_A, customer_id="C1", business_date=DAY1),
        redemption(promotion_id=P1, store_id=STORE_A, customer_id="C1", business_date=DAY1),
        redemption(
            promotion_id=P1,
            store_id=STORE_B,
            customer_id="C2",
            business_date=DAY2,
            discount="2000",
            subtotal="20000",
            total="18000",
        ),
        anonymous,
        void(anonymous),
        redemption(
            promotion_id=P2,
            store_id=STORE_B,
            customer_id="C1",
            brand_id=OTHER_BRAND_ID,
            discount="500",
            subtotal="5000",
            total="4500",
        ),
    ]
    ingest.redemptions(records(usage, topics.redemptions.name))
    evaluations: list[Event] = [
        evaluation((P1, True, None), store_id=STORE_A, subtotal="10000"),
        evaluation((P1, True, None), store_id=STORE_A, subtotal="10000"),
        evaluation((P1, True, None), store_id=STORE_B, subtotal="20000", business_date=DAY2),
        evaluation((P1, False, ReasonCode.MIN_PURCHASE_NOT_MET), store_id=STORE_B, subtotal="4000"),
    ]
    ingest.evaluations(records(evaluations, topics.evaluations.name))
    ingest.engine.dispose()
