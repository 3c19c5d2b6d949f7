"""Batch writes of the ingest path: dedupe, redemption states and aggregate upserts.

Every function takes the caller's open :class:`~sqlalchemy.engine.Connection` (inside its
transaction) so that dedupe rows, states and aggregates commit together. Rows are sent as
PostgreSQL arrays and expanded with ``unnest`` (one statement per table per batch), sorted by
primary key so that concurrent transactions lock rows in the same order (no deadlocks).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, text

from promoflow_usage_collector.domain.aggregates import EvaluationDeltas, UsageDeltas
from promoflow_usage_collector.domain.redemptions import Redemption

#: ``brand_key`` of usage rows without a brand (primary-key columns cannot be NULL).
NO_BRAND = UUID(int=0)


def _by_key(item: tuple[Any, Any]) -> Any:
    return item[0]


_MARK_PROCESSED = text(
    """
    INSERT INTO usage.processed_events (event_id, event_type, processed_by)
    SELECT u.event_id, u.event_type, :processed_by
    FROM unnest(CAST(:event_ids AS uuid[]), CAST(:event_types AS text[]))
        AS u(event_id, event_type)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
    """
)


def mark_processed(
    conn: Connection, events: Sequence[tuple[UUID, str]], *, processed_by: str
) -> set[UUID]:
    """Record ``(event_id, event_type)`` pairs as processed; returns the ids that were new.

    The batch form of "insert the event id; a unique violation means already done": ids
    already present (or repeated in ``events``) are skipped by ``ON CONFLICT DO NOTHING``.
    A concurrent transaction inserting the same id makes this one wait for its outcome, so
    of two workers processing one event exactly one applies it.
    """
    if not events:
        return set()
    rows = conn.execute(
        _MARK_PROCESSED,
        {
            "event_ids": [e[0] for e in events],
            "event_types": [e[1] for e in events],
            "processed_by": processed_by,
        },
    )
    return {row[0] for row in rows}


_REDEMPTION_COLUMNS = (
    ("redemption_id", "uuid"),
    ("promotion_id", "uuid"),
    ("store_id", "uuid"),
    ("brand_id", "uuid"),
    ("campaign_id", "uuid"),
    ("customer_id", "text"),
    ("business_date", "date"),
    ("currency", "text"),
    ("discount", "numeric"),
    ("reward", "numeric"),
    ("cart_subtotal", "numeric"),
    ("cart_total", "numeric"),
    ("redeemed_at", "timestamptz"),
    ("voided_at", "timestamptz"),
    ("verified", "boolean"),
    ("recorded", "boolean"),
    ("voided", "boolean"),
)
_REDEMPTION_NAMES = ", ".join(name for name, _ in _REDEMPTION_COLUMNS)


def load_redemptions(conn: Connection, ids: Iterable[UUID]) -> dict[UUID, Redemption]:
    """The stored redemptions among ``ids``, locked (``FOR UPDATE``) until commit."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = conn.execute(
        text(
            f"SELECT {_REDEMPTION_NAMES} FROM usage.redemptions "
            "WHERE redemption_id = ANY(CAST(:ids AS uuid[])) ORDER BY redemption_id FOR UPDATE"
        ),
        {"ids": wanted},
    )
    return {row.redemption_id: Redemption(**row._asdict()) for row in rows}


def save_redemptions(conn: Connection, states: Iterable[Redemption]) -> None:
    """Insert or overwrite the given redemption states."""
    ordered = sorted(states, key=lambda r: r.redemption_id)
    if not ordered:
        return
    arrays = ", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in _REDEMPTION_COLUMNS)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name, _ in _REDEMPTION_COLUMNS[1:])
    params = {name: [getattr(r, name) for r in ordered] for name, _ in _REDEMPTION_COLUMNS}
    conn.execute(
        text(
            f"INSERT INTO usage.redemptions ({_REDEMPTION_NAMES}) SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT (redemption_id) DO UPDATE SET {updates}"
        ),
        params,
    )


_ADD_DAILY = text(
    """
    INSERT INTO usage.promotion_daily AS t
        (promotion_id, business_date, store_id, brand_key,
         uses, discount, reward, gross_sales, net_sales)
    SELECT * FROM unnest(
        CAST(:promotion_id AS uuid[]), CAST(:business_date AS date[]),
        CAST(:store_id AS uuid[]), CAST(:brand_key AS uuid[]), CAST(:uses AS int[]),
        CAST(:discount AS numeric[]), CAST(:reward AS numeric[]),
        CAST(:gross_sales AS numeric[]), CAST(:net_sales AS numeric[]))
    ON CONFLICT (promotion_id, business_date, store_id, brand_key) DO UPDATE SET
        uses = t.uses + EXCLUDED.uses,
        discount = t.discount + EXCLUDED.discount,
        reward = t.reward + EXCLUDED.reward,
        gross_sales = t.gross_sales + EXCLUDED.gross_sales,
        net_sales = t.net_sales + EXCLUDED.net_sales
    """
)

_ADD_TOTALS = text(
    """
    INSERT INTO usage.promotion_totals AS t
        (promotion_id, uses, discount, reward, gross_sales, net_sales)
    SELECT * FROM unnest(
        CAST(:promotion_id AS uuid[]), CAST(:uses AS int[]), CAST(:discount AS numeric[]),
        CAST(:reward AS numeric[]), CAST(:gross_sales AS numeric[]),
        CAST(:net_sales AS numeric[]))
    ON CONFLICT (promotion_id) DO UPDATE SET
        uses = t.uses + EXCLUDED.uses,
        discount = t.discount + EXCLUDED.discount,
        reward = t.reward + EXCLUDED.reward,
        gross_sales = t.gross_sales + EXCLUDED.gross_sales,
        net_sales = t.net_sales + EXCLUDED.net_sales,
        updated_at = now()
    """
)

_ADD_CUSTOMER_DAYS = text(
    """
    INSERT INTO usage.customer_days AS t (promotion_id, business_date, store_id, customer_id, uses)
    SELECT * FROM unnest(
        CAST(:promotion_id AS uuid[]), CAST(:business_date AS date[]),
        CAST(:store_id AS uuid[]), CAST(:customer_id AS text[]), CAST(:uses AS int[]))
    ON CONFLICT (promotion_id, business_date, store_id, customer_id) DO UPDATE SET
        uses = t.uses + EXCLUDED.uses
    """
)

_ADD_CUSTOMERS = text(
    """
    INSERT INTO usage.customer_usage AS t (customer_id, promotion_id, uses, discount,
        last_redeemed_at)
    SELECT * FROM unnest(
        CAST(:customer_id AS text[]), CAST(:promotion_id AS uuid[]), CAST(:uses AS int[]),
        CAST(:discount AS numeric[]), CAST(:last_redeemed_at AS timestamptz[]))
    ON CONFLICT (customer_id, promotion_id) DO UPDATE SET
        uses = t.uses + EXCLUDED.uses,
        discount = t.discount + EXCLUDED.discount,
        last_redeemed_at = GREATEST(t.last_redeemed_at, EXCLUDED.last_redeemed_at)
    """
)


def add_usage(conn: Connection, deltas: UsageDeltas) -> None:
    """Add a batch's usage deltas to the daily, customer and total counters."""
    if deltas.totals:
        totals = sorted(deltas.totals.items(), key=_by_key)
        conn.execute(
            _ADD_TOTALS,
            {
                "promotion_id": [k for k, _ in totals],
                "uses": [a.uses for _, a in totals],
                "discount": [a.discount for _, a in totals],
                "reward": [a.reward for _, a in totals],
                "gross_sales": [a.gross_sales for _, a in totals],
                "net_sales": [a.net_sales for _, a in totals],
            },
        )
    if deltas.daily:
        daily = sorted(
            (((k[0], k[1], k[2], k[3] or NO_BRAND), a) for k, a in deltas.daily.items()),
            key=_by_key,
        )
        conn.execute(
            _ADD_DAILY,
            {
                "promotion_id": [k[0] for k, _ in daily],
                "business_date": [k[1] for k, _ in daily],
                "store_id": [k[2] for k, _ in daily],
                "brand_key": [k[3] for k, _ in daily],
                "uses": [a.uses for _, a in daily],
                "discount": [a.discount for _, a in daily],
                "reward": [a.reward for _, a in daily],
                "gross_sales": [a.gross_sales for _, a in daily],
                "net_sales": [a.net_sales for _, a in daily],
            },
        )
    if deltas.customer_days:
        days = sorted(deltas.customer_days.items(), key=_by_key)
        conn.execute(
            _ADD_CUSTOMER_DAYS,
            {
                "promotion_id": [k[0] for k, _ in days],
                "business_date": [k[1] for k, _ in days],
                "store_id": [k[2] for k, _ in days],
                "customer_id": [k[3] for k, _ in days],
                "uses": [n for _, n in days],
            },
        )
    if deltas.customers:
        customers = sorted(deltas.customers.items(), key=_by_key)
        conn.execute(
            _ADD_CUSTOMERS,
            {
                "customer_id": [k[0] for k, _ in customers],
                "promotion_id": [k[1] for k, _ in customers],
                "uses": [c.uses for _, c in customers],
                "discount": [c.discount for _, c in customers],
                "last_redeemed_at": [c.last_redeemed_at for _, c in customers],
            },
        )


_ADD_EVALUATIONS = text(
    """
    INSERT INTO usage.evaluation_daily AS t (promotion_id, business_date, store_id, evaluated,
        applied, applied_discount, applied_cart_value, skipped_cart_value)
    SELECT * FROM unnest(
        CAST(:promotion_id AS uuid[]), CAST(:business_date AS date[]),
        CAST(:store_id AS uuid[]), CAST(:evaluated AS bigint[]), CAST(:applied AS bigint[]),
        CAST(:applied_discount AS numeric[]), CAST(:applied_cart_value AS numeric[]),
        CAST(:skipped_cart_value AS numeric[]))
    ON CONFLICT (promotion_id, business_date, store_id) DO UPDATE SET
        evaluated = t.evaluated + EXCLUDED.evaluated,
        applied = t.applied + EXCLUDED.applied,
        applied_discount = t.applied_discount + EXCLUDED.applied_discount,
        applied_cart_value = t.applied_cart_value + EXCLUDED.applied_cart_value,
        skipped_cart_value = t.skipped_cart_value + EXCLUDED.skipped_cart_value
    """
)

_ADD_REASONS = text(
    """
    INSERT INTO usage.evaluation_reasons AS t (promotion_id, business_date, store_id,
        reason_code, skipped)
    SELECT * FROM unnest(
        CAST(:promotion_id AS uuid[]), CAST(:business_date AS date[]),
        CAST(:store_id AS uuid[]), CAST(:reason_code AS text[]), CAST(:skipped AS bigint[]))
    ON CONFLICT (promotion_id, business_date, store_id, reason_code) DO UPDATE SET
        skipped = t.skipped + EXCLUDED.skipped
    """
)


def add_evaluations(conn: Connection, deltas: EvaluationDeltas) -> None:
    """Add a batch's evaluation counts and skip reasons."""
    if deltas.counts:
        counts = sorted(deltas.counts.items(), key=_by_key)
        conn.execute(
            _ADD_EVALUATIONS,
            {
                "promotion_id": [k[0] for k, _ in counts],
                "business_date": [k[1] for k, _ in counts],
                "store_id": [k[2] for k, _ in counts],
                "evaluated": [c.evaluated for _, c in counts],
                "applied": [c.applied for _, c in counts],
                "applied_discount": [c.applied_discount for _, c in counts],
                "applied_cart_value": [c.applied_cart_value for _, c in counts],
                "skipped_cart_value": [c.skipped_cart_value for _, c in counts],
            },
        )
    if deltas.reasons:
        reasons = sorted(deltas.reasons.items(), key=_by_key)
        conn.execute(
            _ADD_REASONS,
            {
                "promotion_id": [k[0] for k, _ in reasons],
                "business_date": [k[1] for k, _ in reasons],
                "store_id": [k[2] for k, _ in reasons],
                "reason_code": [k[3] for k, _ in reasons],
                "skipped": [n for _, n in reasons],
            },
        )
