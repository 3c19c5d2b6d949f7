"""Response models of the analytics and customer-usage API (JSON; money as decimal strings).

Definitions used in every report (date ranges are inclusive, on store-local business dates):

- ``uses``: redemptions counted (voids subtracted); ``discount``/``reward``: their amounts.
- ``gross_sales``: sum of ``cart_subtotal`` of the carts that redeemed the promotion (before
  discounts); ``revenue``: sum of their ``cart_total`` (what customers paid). A cart that
  redeemed two promotions counts in both promotions' figures.
- ``distinct_customers``: identified customers (``customer_id``) with at least one counted use.
- ``evaluated``/``applied``: how often evaluations listed the promotion / applied it (from the
  evaluation log; a POS evaluates a cart several times per order, so these are evaluations,
  not orders). ``redemption_rate`` = applied / evaluated.
- ``avg_cart_value_with``/``_without``: average ``cart_subtotal`` of evaluated carts where the
  promotion applied / did not apply (both from the evaluation log, so they compare like with
  like); ``avg_redeemed_cart_value`` = gross_sales / uses (from checkouts).
- Ratios have 4 decimal places, averages 2; ``None`` when the denominator is 0.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

SortKey = Literal["uses", "discount", "revenue", "gross_sales", "redemption_rate"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class PromotionSummary(_Model):
    """A promotion's figures over a date range."""

    promotion_id: UUID
    code: str | None = None
    name: str | None = None
    brand_id: UUID | None = None
    uses: int = 0
    discount: Decimal = Decimal(0)
    reward: Decimal = Decimal(0)
    gross_sales: Decimal = Decimal(0)
    revenue: Decimal = Decimal(0)
    distinct_customers: int = 0
    evaluated: int = 0
    applied: int = 0
    redemption_rate: Decimal | None = None
    avg_cart_value_with: Decimal | None = None
    avg_cart_value_without: Decimal | None = None
    avg_redeemed_cart_value: Decimal | None = None


class DailyPoint(_Model):
    """One business date of a promotion's timeline."""

    business_date: date
    uses: int
    discount: Decimal
    revenue: Decimal
    evaluated: int
    applied: int


class ReasonCount(_Model):
    """How often a promotion was skipped for one reason code."""

    reason_code: str
    skipped: int


class LimitStatus(_Model):
    """A promotion's limits as last published, its lifetime uses and exhausted limits."""

    max_uses: int | None
    max_uses_per_day: int | None
    max_uses_per_customer: int | None
    lifetime_uses: int
    total_exhausted: bool
    exhausted_days: list[str]


class PromotionPerformance(_Model):
    """``GET /api/v1/analytics/promotions/{id}/performance``."""

    date_from: date
    date_to: date
    summary: PromotionSummary
    daily: list[DailyPoint]
    skip_reasons: list[ReasonCount]
    limits: LimitStatus | None


class PromotionList(_Model):
    """Comparison or top promotions over a date range."""

    date_from: date
    date_to: date
    sort: SortKey | None = None
    promotions: list[PromotionSummary]


class StoreRow(_Model):
    """One store's figures (all promotions, or one)."""

    store_id: UUID
    uses: int
    discount: Decimal
    gross_sales: Decimal
    revenue: Decimal
    distinct_customers: int
    evaluated: int
    applied: int
    redemption_rate: Decimal | None


class StoreReport(_Model):
    """``GET /api/v1/analytics/stores``."""

    date_from: date
    date_to: date
    promotion_id: UUID | None
    stores: list[StoreRow]


class BrandRow(_Model):
    """One brand's figures (``brand_id`` None: redemptions without a brand)."""

    brand_id: UUID | None
    uses: int
    discount: Decimal
    gross_sales: Decimal
    revenue: Decimal
    promotions: int


class BrandReport(_Model):
    """``GET /api/v1/analytics/brands``."""

    date_from: date
    date_to: date
    promotion_id: UUID | None
    brands: list[BrandRow]


class CustomerUsage(_Model):
    """A customer's counted uses of one promotion, for per-customer limits at the edge.

    ``remaining`` is None when the promotion has no per-customer limit (or is unknown here).
    """

    customer_id: str
    promotion_id: UUID
    uses: int
    discount: Decimal
    last_redeemed_at: datetime | None
    max_uses_per_customer: int | None
    remaining: int | None
    as_of: datetime


class CustomerUsageBatch(_Model):
    """A customer's usage of several promotions."""

    customer_id: str
    items: list[CustomerUsage]
