"""Counts a limit decision reads, and the limit states it announced (``usage.limit_states``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import cast
from uuid import UUID

from sqlalchemy import Connection, text

from promoflow_usage_collector.domain.limits import (
    DailyScope,
    LimitKey,
    LimitName,
    LimitStateName,
    LimitTransition,
)

#: (promotion, business date, store or None under ``DailyScope.ALL_STORES``)
DailyKey = tuple[UUID, date, UUID | None]


def total_uses(conn: Connection, ids: Iterable[UUID]) -> dict[UUID, int]:
    """Counted uses of each promotion in ``ids`` (0 when it has none)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = conn.execute(
        text(
            "SELECT promotion_id, uses FROM usage.promotion_totals "
            "WHERE promotion_id = ANY(CAST(:ids AS uuid[]))"
        ),
        {"ids": wanted},
    )
    found = {row[0]: int(row[1]) for row in rows}
    return {pid: found.get(pid, 0) for pid in wanted}


def daily_uses(
    conn: Connection, keys: Iterable[DailyKey], scope: DailyScope
) -> dict[DailyKey, int]:
    """Counted uses of each daily key (0 when none), per store or across stores (``scope``)."""
    wanted = sorted(set(keys), key=lambda k: (k[0], k[1], str(k[2])))
    if not wanted:
        return {}
    found: dict[DailyKey, int] = {}
    if scope is DailyScope.STORE:
        rows = conn.execute(
            text(
                """
                SELECT d.promotion_id, d.business_date, d.store_id, SUM(d.uses)
                FROM usage.promotion_daily d
                JOIN unnest(CAST(:p AS uuid[]), CAST(:d AS date[]), CAST(:s AS uuid[]))
                    AS k(promotion_id, business_date, store_id)
                  ON d.promotion_id = k.promotion_id AND d.business_date = k.business_date
                 AND d.store_id = k.store_id
                GROUP BY d.promotion_id, d.business_date, d.store_id
                """
            ),
            {"p": [k[0] for k in wanted], "d": [k[1] for k in wanted], "s": [k[2] for k in wanted]},
        )
        found = {(r[0], r[1], r[2]): int(r[3]) for r in rows}
    else:
        rows = conn.execute(
            text(
                """
                SELECT d.promotion_id, d.business_date, SUM(d.uses)
                FROM usage.promotion_daily d
                JOIN unnest(CAST(:p AS uuid[]), CAST(:d AS date[]))
                    AS k(promotion_id, business_date)
                  ON d.promotion_id = k.promotion_id AND d.business_date = k.business_date
                GROUP BY d.promotion_id, d.business_date
                """
            ),
            {"p": [k[0] for k in wanted], "d": [k[1] for k in wanted]},
        )
        found = {(r[0], r[1], None): int(r[2]) for r in rows}
    return {key: found.get(key, 0) for key in wanted}


def recent_daily_keys(
    conn: Connection, ids: Iterable[UUID], since: date, scope: DailyScope
) -> list[DailyKey]:
    """Daily keys of ``ids`` with usage on or after ``since`` (for a changed daily limit)."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    store = "store_id" if scope is DailyScope.STORE else "NULL::uuid"
    rows = conn.execute(
        text(
            f"SELECT DISTINCT promotion_id, business_date, {store} FROM usage.promotion_daily "
            "WHERE promotion_id = ANY(CAST(:ids AS uuid[])) AND business_date >= :since"
        ),
        {"ids": wanted, "since": since},
    )
    return [(r[0], r[1], r[2]) for r in rows]


def _key(limit_name: str, promotion_id: UUID, day: date | None, store: UUID | None) -> LimitKey:
    return LimitKey(promotion_id, cast(LimitName, limit_name), day, store)


def announced_states(conn: Connection, keys: Sequence[LimitKey]) -> dict[LimitKey, LimitStateName]:
    """The last announced state of each of ``keys`` that has one."""
    if not keys:
        return {}
    rows = conn.execute(
        text(
            """
            SELECT s.promotion_id, s.limit_name, s.business_date, s.store_id, s.state
            FROM usage.limit_states s
            JOIN unnest(CAST(:p AS uuid[]), CAST(:l AS text[]), CAST(:k AS text[]))
                AS k(promotion_id, limit_name, scope_key)
              ON s.promotion_id = k.promotion_id AND s.limit_name = k.limit_name
             AND s.scope_key = k.scope_key
            """
        ),
        {
            "p": [k.promotion_id for k in keys],
            "l": [k.limit for k in keys],
            "k": [k.scope_key for k in keys],
        },
    )
    return {_key(r[1], r[0], r[2], r[3]): cast(LimitStateName, r[4]) for r in rows}


def exhausted_keys(conn: Connection, ids: Iterable[UUID]) -> list[LimitKey]:
    """Every limit key of ``ids`` whose announced state is ``exhausted``."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    rows = conn.execute(
        text(
            "SELECT promotion_id, limit_name, business_date, store_id FROM usage.limit_states "
            "WHERE promotion_id = ANY(CAST(:ids AS uuid[])) AND state = 'exhausted'"
        ),
        {"ids": wanted},
    )
    return [_key(r[1], r[0], r[2], r[3]) for r in rows]


_SAVE = text(
    """
    INSERT INTO usage.limit_states AS t (promotion_id, limit_name, scope_key, business_date,
        store_id, state, uses, max_uses)
    VALUES (:promotion_id, :limit_name, :scope_key, :business_date, :store_id, :state, :uses,
        :max_uses)
    ON CONFLICT (promotion_id, limit_name, scope_key) DO UPDATE SET
        state = EXCLUDED.state, uses = EXCLUDED.uses, max_uses = EXCLUDED.max_uses,
        updated_at = now()
    """
)


def save_transitions(conn: Connection, transitions: Sequence[LimitTransition]) -> None:
    """Remember the newly announced state of each transition's key."""
    if not transitions:
        return
    conn.execute(
        _SAVE,
        [
            {
                "promotion_id": t.key.promotion_id,
                "limit_name": t.key.limit,
                "scope_key": t.key.scope_key,
                "business_date": t.key.business_date,
                "store_id": t.key.store_id,
                "state": t.state,
                "uses": max(t.uses, 0),
                "max_uses": t.maximum,
            }
            for t in transitions
        ],
    )
