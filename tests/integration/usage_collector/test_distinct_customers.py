"""Distinct customers in the analytics reports, counted from the stored redemptions.

The ingest path writes no per-customer-day counters: the reports count the customers of the
redemptions that count (recorded, not voided). These tests feed the same ingest service the
worker uses (no broker) and read the reports from the analytics service.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from uuid import UUID

import pytest

from promoflow_contracts.events import Event
from promoflow_contracts.topics import Topics
from promoflow_usage_collector.analytics_service import AnalyticsService
from promoflow_usage_collector.bootstrap import build_ingest, reader_engine
from promoflow_usage_collector.config import Settings
from tests.factories import uid
from tests.integration.usage_collector.analytics_seed import records
from tests.unit.usage_collector.builders import redemption, void

DAY1, DAY2 = date(2026, 5, 1), date(2026, 5, 2)
PROMO = uid("distinct-promo")
STORE_A, STORE_B = uid("distinct-store-a"), uid("distinct-store-b")


@pytest.fixture(scope="module")
def analytics(module_database_url: str) -> Iterator[AnalyticsService]:
    settings = Settings(ho_database_url=module_database_url, analytics_token="t")
    ingest = build_ingest(settings)
    topic = Topics().redemptions.name
    voided_later = redemption(
        promotion_id=PROMO, store_id=STORE_A, customer_id="C3", business_date=DAY1
    )
    voided_at_once = redemption(
        promotion_id=PROMO, store_id=STORE_B, customer_id="C4", business_date=DAY2
    )
    first: list[Event] = [
        redemption(promotion_id=PROMO, store_id=STORE_A, customer_id="C1", business_date=DAY1),
        redemption(promotion_id=PROMO, store_id=STORE_A, customer_id="C1", business_date=DAY1),
        redemption(promotion_id=PROMO, store_id=STORE_B, customer_id="C1", business_date=DAY2),
        redemption(promotion_id=PROMO, store_id=STORE_B, customer_id="C2", business_date=DAY2),
        redemption(promotion_id=PROMO, store_id=STORE_B, customer_id=None, business_date=DAY2),
        voided_later,
        voided_at_once,
        void(voided_at_once),
    ]
    ingest.redemptions(records(first, topic))
    ingest.redemptions(records([void(voided_later)], topic))
    ingest.engine.dispose()
    service = AnalyticsService(reader_engine(settings))
    yield service
    service.engine.dispose()


def test_customers_of_voided_redemptions_are_not_counted(analytics: AnalyticsService) -> None:
    # given C1 (3 uses over 2 stores), C2, an anonymous use, and C3/C4 whose only use was voided
    # when the promotion's summary over both days is read
    (summary,) = analytics.summaries(date_from=DAY1, date_to=DAY2, promotion_ids=[PROMO])
    # then C1 and C2 count once each; anonymous and voided redemptions add no customer
    assert (summary.uses, summary.distinct_customers) == (5, 2)


def test_distinct_customers_follow_the_date_range(analytics: AnalyticsService) -> None:
    # when only the first day is read, then only C1 redeemed (C3 was voided)
    (day1,) = analytics.summaries(date_from=DAY1, date_to=DAY1, promotion_ids=[PROMO])
    assert (day1.uses, day1.distinct_customers) == (2, 1)


def test_store_breakdown_counts_distinct_customers_per_store(
    analytics: AnalyticsService,
) -> None:
    # when the per-store report of the promotion is read
    report = analytics.stores(date_from=DAY1, date_to=DAY2, promotion_id=PROMO)
    customers: dict[UUID, int] = {row.store_id: row.distinct_customers for row in report.stores}
    # then store A had C1 only, store B had C1 and C2
    assert customers == {STORE_A: 1, STORE_B: 2}
