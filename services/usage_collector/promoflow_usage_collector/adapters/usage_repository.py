"""Batch writes of the ingest path: dedupe, redemption states and aggregate upserts.

Every function takes the caller's open :class:`~sqlalchemy.engine.Connection` (inside its
transaction) so that dedupe rows, states and aggregates commit together. A batch's rows travel
as one JSON parameter expanded by ``json_to_recordset`` (one statement per table per batch),
and are inserted in primary-key order (``ORDER BY``), so that concurrent transactions lock rows
in the same order (no deadlocks between two workers during a rebalance).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

from sqlalchemy import Connection, text

from promoflow_usage_collector.adapters.rows_json import id_list, rows_json, uuid_array
from promoflow_usage_collector.domain.aggregates import Amounts, EvaluationDeltas, UsageDeltas
from promoflow_usage_collector.domain.redemptions import Redemption

#: ``brand_key`` of usage rows without a brand (primary-key columns cannot be NULL).
NO_BRAND = UUID(int=0)

_MARK_PROCESSED = text(
    f"""
    INSERT INTO usage.processed_events (event_id, event_type, processed_by)
    SELECT r.event_id, r.event_type, :processed_by
    FROM unnest({uuid_array("ids")}, string_to_array(:types, ',')) AS r(event_id, event_type)
    ORDER BY r.event_id
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
            "ids": id_list(e[0] for e in events),
            "types": ",".join(e[1] for e in events),  # event type names have no comma
            "processed_by": processed_by,
        },
    )
    return {row[0] for row in rows}


def purge_processed(conn: Connection, *, older_than_days: int, batch: int = 50_000) -> int:
    """Delete dedupe rows older than ``older_than_days``; returns how many were deleted.

    Safe once the source topics no longer hold those events (``redemptions.v1`` and
    ``evaluations.v1`` keep 7 days): an older event can only come back through an operator's
    replay, and a replayed redemption is still deduplicated by its ``redemption_id``.
    """
    deleted = 0
    while True:
        count = conn.execute(
            text(
                "DELETE FROM usage.processed_events WHERE event_id IN ("
                "SELECT event_id FROM usage.processed_events "
                "WHERE processed_at < now() - make_interval(days => :days) LIMIT :batch)"
            ),
            {"days": older_than_days, "batch": batch},
        ).rowcount
        deleted += count
        if count < batch:
            return deleted


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
_REDEMPTION_TYPES = ", ".join(f"{name} {kind}" for name, kind in _REDEMPTION_COLUMNS)
_REDEMPTION_UPDATES = ", ".join(f"{name} = EXCLUDED.{name}" for name, _ in _REDEMPTION_COLUMNS[1:])

_SAVE_REDEMPTIONS = text(
    f"""
    INSERT INTO usage.redemptions ({_REDEMPTION_NAMES})
    SELECT {_REDEMPTION_NAMES}
    FROM json_to_recordset(CAST(:rows AS json)) AS r({_REDEMPTION_TYPES})
    ORDER BY redemption_id
    ON CONFLICT (redemption_id) DO UPDATE SET {_REDEMPTION_UPDATES}
    """
)


def load_redemptions(conn: Connection, ids: Iterable[UUID]) -> dict[UUID, Redemption]:
    """The stored redemptions among ``ids``, locked (``FOR UPDATE``) until commit."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = conn.execute(
        text(
            f"SELECT {_REDEMPTION_NAMES} FROM usage.redemptions "
            f"WHERE redemption_id = ANY({uuid_array('ids')}) ORDER BY redemption_id FOR UPDATE"
        ),
        {"ids": id_list(wanted)},
    )
    return {row.redemption_id: Redemption(**row._asdict()) for row in rows}


def save_redemptions(conn: Connection, states: Iterable[Redemption]) -> None:
    """Insert or overwrite the given redemption states."""
    rows = [r._asdict() for r in states]
    if rows:
        conn.execute(_SAVE_REDEMPTIONS, {"rows": rows_json(rows)})


_AMOUNT_TYPES = "uses int, discount numeric, reward numeric, gross_sales numeric, net_sales numeric"
_AMOUNT_UPDATES = """
        uses = t.uses + EXCLUDED.uses,
        discount = t.discount + EXCLUDED.discount,
        reward = t.reward + EXCLUDED.reward,
        gross_sales = t.gross_sales + EXCLUDED.gross_sales,
        net_sales = t.net_sales + EXCLUDED.net_sales"""

_ADD_DAILY = text(
    f"""
    INSERT INTO usage.promotion_daily AS t
        (promotion_id, business_date, store_id, brand_key,
         uses, discount, reward, gross_sales, net_sales)
    SELECT promotion_id, business_date, store_id, brand_key,
           uses, discount, reward, gross_sales, net_sales
    FROM json_to_recordset(CAST(:rows AS json)) AS r(
        promotion_id uuid, business_date date, store_id uuid, brand_key uuid, {_AMOUNT_TYPES})
    ORDER BY promotion_id, business_date, store_id, brand_key
    ON CONFLICT (promotion_id, business_date, store_id, brand_key) DO UPDATE SET
    {_AMOUNT_UPDATES}
    """
)

_ADD_TOTALS = text(
    f"""
    INSERT INTO usage.promotion_totals AS t
        (promotion_id, uses, discount, reward, gross_sales, net_sales)
    SELECT promotion_id, uses, discount, reward, gross_sales, net_sales
    FROM json_to_recordset(CAST(:rows AS json)) AS r(promotion_id uuid, {_AMOUNT_TYPES})
    ORDER BY promotion_id
    ON CONFLICT (promotion_id) DO UPDATE SET
    {_AMOUNT_UPDATES},
        updated_at = now()
    """
)

_ADD_CUSTOMERS = text(
    """
    INSERT INTO usage.customer_usage AS t (customer_id, promotion_id, uses, discount,
        last_redeemed_at)
    SELECT customer_id, promotion_id, uses, discount, last_redeemed_at
    FROM json_to_recordset(CAST(:rows AS json)) AS r(
        customer_id text, promotion_id uuid, uses int, discount numeric,
        last_redeemed_at timestamptz)
    ORDER BY customer_id, promotion_id
    ON CONFLICT (customer_id, promotion_id) DO UPDATE SET
        uses = t.uses + EXCLUDED.uses,
        discount = t.discount + EXCLUDED.discount,
        last_redeemed_at = GREATEST(t.last_redeemed_at, EXCLUDED.last_redeemed_at)
    """
)


def add_usage(conn: Connection, deltas: UsageDeltas) -> None:
    """Add a batch's usage deltas to the totals, daily and per-customer counters."""
    if deltas.totals:
        rows = [{"promotion_id": pid, **_amounts(a)} for pid, a in deltas.totals.items()]
        conn.execute(_ADD_TOTALS, {"rows": rows_json(rows)})
    if deltas.daily:
        rows = [
            {
                "promotion_id": pid,
                "business_date": day,
                "store_id": store,
                "brand_key": brand or NO_BRAND,
                **_amounts(a),
            }
            for (pid, day, store, brand), a in deltas.daily.items()
        ]
        conn.execute(_ADD_DAILY, {"rows": rows_json(rows)})
    if deltas.customers:
        rows = [
            {
                "customer_id": customer,
                "promotion_id": pid,
                "uses": c.uses,
                "discount": c.discount,
                "last_redeemed_at": c.last_redeemed_at,
            }
            for (customer, pid), c in deltas.customers.items()
        ]
        conn.execute(_ADD_CUSTOMERS, {"rows": rows_json(rows)})


def _amounts(a: Amounts) -> dict[str, object]:
    return {
        "uses": a.uses,
        "discount": a.discount,
        "reward": a.reward,
        "gross_sales": a.gross_sales,
        "net_sales": a.net_sales,
    }


_ADD_EVALUATIONS = text(
    """
    INSERT INTO usage.evaluation_daily AS t (promotion_id, business_date, store_id, evaluated,
        applied, applied_discount, applied_cart_value, skipped_cart_value)
    SELECT promotion_id, business_date, store_id, evaluated, applied, applied_discount,
           applied_cart_value, skipped_cart_value
    FROM json_to_recordset(CAST(:rows AS json)) AS r(
        promotion_id uuid, business_date date, store_id uuid, evaluated bigint, applied bigint,
        applied_discount numeric, applied_cart_value numeric, skipped_cart_value numeric)
    ORDER BY promotion_id, business_date, store_id
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
    SELECT promotion_id, business_date, store_id, reason_code, skipped
    FROM json_to_recordset(CAST(:rows AS json)) AS r(
        promotion_id uuid, business_date date, store_id uuid, reason_code text, skipped bigint)
    ORDER BY promotion_id, business_date, store_id, reason_code
    ON CONFLICT (promotion_id, business_date, store_id, reason_code) DO UPDATE SET
        skipped = t.skipped + EXCLUDED.skipped
    """
)


def add_evaluations(conn: Connection, deltas: EvaluationDeltas) -> None:
    """Add a batch's evaluation counts and skip reasons."""
    if deltas.counts:
        rows = [
            {
                "promotion_id": pid,
                "business_date": day,
                "store_id": store,
                "evaluated": c.evaluated,
                "applied": c.applied,
                "applied_discount": c.applied_discount,
                "applied_cart_value": c.applied_cart_value,
                "skipped_cart_value": c.skipped_cart_value,
            }
            for (pid, day, store), c in deltas.counts.items()
        ]
        conn.execute(_ADD_EVALUATIONS, {"rows": rows_json(rows)})
    if deltas.reasons:
        rows = [
            {
                "promotion_id": pid,
                "business_date": day,
                "store_id": store,
                "reason_code": reason,
                "skipped": n,
            }
            for (pid, day, store, reason), n in deltas.reasons.items()
        ]
        conn.execute(_ADD_REASONS, {"rows": rows_json(rows)})
