"""Read side: the analytics reports and the per-customer usage edges ask for.

Reads the aggregate tables only (never ``redemptions`` row by row), on an engine whose
transactions are read-only (see :func:`promoflow_usage_collector.bootstrap.reader_engine`).
Figures are defined in :mod:`promoflow_usage_collector.schemas`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, RowMapping, text

from promoflow_usage_collector.adapters import analytics_queries as q
from promoflow_usage_collector.domain.analytics import average, check_range, ratio
from promoflow_usage_collector.schemas import (
    BrandReport,
    BrandRow,
    CustomerUsage,
    DailyPoint,
    LimitStatus,
    PromotionList,
    PromotionPerformance,
    PromotionSummary,
    ReasonCount,
    SortKey,
    StoreReport,
    StoreRow,
)

_ORDER = {
    "uses": "uses DESC,",
    "discount": "discount DESC,",
    "revenue": "revenue DESC,",
    "gross_sales": "gross_sales DESC,",
    "redemption_rate": "rate DESC NULLS LAST,",
}


def _summary(row: RowMapping) -> PromotionSummary:
    uses, applied, evaluated = int(row["uses"]), int(row["applied"]), int(row["evaluated"])
    return PromotionSummary(
        promotion_id=row["promotion_id"],
        code=row["code"],
        name=row["name"],
        brand_id=row["brand_id"],
        uses=uses,
        discount=row["discount"],
        reward=row["reward"],
        gross_sales=row["gross_sales"],
        revenue=row["revenue"],
        distinct_customers=int(row["distinct_customers"]),
        evaluated=evaluated,
        applied=applied,
        redemption_rate=ratio(applied, evaluated),
        avg_cart_value_with=average(row["applied_cart_value"], applied),
        avg_cart_value_without=average(row["skipped_cart_value"], evaluated - applied),
        avg_redeemed_cart_value=average(row["gross_sales"], uses),
    )


@dataclass(frozen=True, slots=True)
class AnalyticsService:
    """Answers the reports of the analytics API from the aggregate tables."""

    engine: Engine

    def _rows(self, sql: str, params: dict[str, Any]) -> Sequence[RowMapping]:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).mappings().all()

    def summaries(
        self,
        *,
        date_from: date,
        date_to: date,
        promotion_ids: Sequence[UUID] | None = None,
        sort: SortKey | None = None,
        limit: int | None = None,
    ) -> list[PromotionSummary]:
        """One summary per promotion with usage or evaluations in the range."""
        check_range(date_from, date_to)
        params: dict[str, Any] = {"date_from": date_from, "date_to": date_to}
        ids_filter = ""
        if promotion_ids is not None:
            ids_filter = "AND promotion_id = ANY(CAST(:ids AS uuid[]))"
            params["ids"] = list(promotion_ids)
        sql = q.SUMMARIES.format(
            ids_filter=ids_filter,
            order=_ORDER[sort] if sort else "",
            limit="LIMIT :limit" if limit else "",
        )
        if limit:
            params["limit"] = limit
        return [_summary(row) for row in self._rows(sql, params)]

    def top(self, *, date_from: date, date_to: date, sort: SortKey, limit: int) -> PromotionList:
        """The ``limit`` promotions with the highest ``sort`` figure in the range."""
        found = self.summaries(date_from=date_from, date_to=date_to, sort=sort, limit=limit)
        return PromotionList(date_from=date_from, date_to=date_to, sort=sort, promotions=found)

    def compare(
        self, *, promotion_ids: Sequence[UUID], date_from: date, date_to: date
    ) -> PromotionList:
        """Summaries of the given promotions side by side, in the order asked for."""
        found = {
            s.promotion_id: s
            for s in self.summaries(
                date_from=date_from, date_to=date_to, promotion_ids=promotion_ids
            )
        }
        ordered = [found.get(pid) or self._empty(pid) for pid in dict.fromkeys(promotion_ids)]
        return PromotionList(date_from=date_from, date_to=date_to, promotions=ordered)

    def _empty(self, promotion_id: UUID) -> PromotionSummary:
        rows = self._rows(
            "SELECT code, name, brand_id FROM usage.promotions WHERE promotion_id = :p",
            {"p": promotion_id},
        )
        known = dict(rows[0]) if rows else {}
        return PromotionSummary(promotion_id=promotion_id, **known)

    def performance(
        self, *, promotion_id: UUID, date_from: date, date_to: date
    ) -> PromotionPerformance:
        """A promotion's summary, daily timeline, skip reasons and limit status."""
        summary = self.compare(
            promotion_ids=[promotion_id], date_from=date_from, date_to=date_to
        ).promotions[0]
        params = {"p": promotion_id, "date_from": date_from, "date_to": date_to}
        daily = self._rows(
            q.DAILY_TIMELINE,
            params,
        )
        reasons = self._rows(
            q.SKIP_REASONS,
            params,
        )
        return PromotionPerformance(
            date_from=date_from,
            date_to=date_to,
            summary=summary,
            daily=[DailyPoint(**row) for row in daily],
            skip_reasons=[ReasonCount(**row) for row in reasons],
            limits=self._limit_status(promotion_id),
        )

    def _limit_status(self, promotion_id: UUID) -> LimitStatus | None:
        rows = self._rows(
            q.LIMIT_STATUS,
            {"p": promotion_id},
        )
        if not rows:
            return None
        states = self._rows(
            "SELECT limit_name, scope_key FROM usage.limit_states "
            "WHERE promotion_id = :p AND state = 'exhausted' ORDER BY scope_key",
            {"p": promotion_id},
        )
        return LimitStatus(
            **rows[0],
            total_exhausted=any(s["limit_name"] == "max_uses" for s in states),
            exhausted_days=[s["scope_key"] for s in states if s["limit_name"] != "max_uses"],
        )

    def stores(
        self, *, date_from: date, date_to: date, promotion_id: UUID | None = None
    ) -> StoreReport:
        """Per-store figures over all promotions (or one), highest revenue first."""
        check_range(date_from, date_to)
        flt = "AND promotion_id = :p" if promotion_id else ""
        rows = self._rows(
            q.STORES.format(flt=flt),
            {"date_from": date_from, "date_to": date_to, "p": promotion_id},
        )
        stores = [
            StoreRow(
                store_id=r["store_id"],
                uses=int(r["uses"]),
                discount=r["discount"],
                gross_sales=r["gross_sales"],
                revenue=r["revenue"],
                distinct_customers=int(r["customers"]),
                evaluated=int(r["evaluated"]),
                applied=int(r["applied"]),
                redemption_rate=ratio(int(r["applied"]), int(r["evaluated"])),
            )
            for r in rows
        ]
        return StoreReport(
            date_from=date_from, date_to=date_to, promotion_id=promotion_id, stores=stores
        )

    def brands(
        self, *, date_from: date, date_to: date, promotion_id: UUID | None = None
    ) -> BrandReport:
        """Per-brand figures (brand of the redemption), highest revenue first."""
        check_range(date_from, date_to)
        flt = "AND promotion_id = :p" if promotion_id else ""
        rows = self._rows(
            q.BRANDS.format(flt=flt),
            {"date_from": date_from, "date_to": date_to, "p": promotion_id},
        )
        brands = [BrandRow(**{**r, "uses": int(r["uses"])}) for r in rows]
        return BrandReport(
            date_from=date_from, date_to=date_to, promotion_id=promotion_id, brands=brands
        )

    def daily_rows(self, *, date_from: date, date_to: date) -> Sequence[RowMapping]:
        """Every daily usage row in the range (for the raw CSV export)."""
        check_range(date_from, date_to)
        return self._rows(
            q.DAILY_ROWS,
            {"date_from": date_from, "date_to": date_to},
        )

    def customer_usage(
        self, *, customer_id: str, promotion_ids: Sequence[UUID]
    ) -> list[CustomerUsage]:
        """A customer's counted uses of each promotion (0 when none), in the order asked for."""
        wanted = list(dict.fromkeys(promotion_ids))
        rows = self._rows(
            q.CUSTOMER_USAGE,
            {"ids": wanted, "customer": customer_id},
        )
        now = datetime.now(UTC)
        by_id = {r["promotion_id"]: r for r in rows}
        out = []
        for pid in wanted:
            r = by_id[pid]
            uses, maximum = int(r["uses"]), r["max_uses_per_customer"]
            out.append(
                CustomerUsage(
                    customer_id=customer_id,
                    promotion_id=pid,
                    uses=uses,
                    discount=Decimal(r["discount"]),
                    last_redeemed_at=r["last_redeemed_at"],
                    max_uses_per_customer=maximum,
                    remaining=None if maximum is None else max(maximum - uses, 0),
                    as_of=now,
                )
            )
        return out
