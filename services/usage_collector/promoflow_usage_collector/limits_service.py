"""Limit decisions inside an ingest transaction: observe counts, compare, announce changes.

Called in the same transaction as the counts it reads. Every decision about a promotion first
locks its row in ``usage.promotions`` (``FOR UPDATE``), so two workers (the owner of the
promotion's redemptions partition, and the one that consumes its republished version) decide
one after the other and each sees the other's committed counts and maximum. Announcements go to
the outbox (:mod:`promoflow_usage_collector.adapters.outbox`), never straight to Kafka.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import Connection

from promoflow_contracts.topics import Topics
from promoflow_usage_collector.adapters import limits_repository as repo
from promoflow_usage_collector.adapters.outbox import enqueue
from promoflow_usage_collector.adapters.promotions_repository import lock_promotion_limits
from promoflow_usage_collector.domain.aggregates import UsageDeltas
from promoflow_usage_collector.domain.limits import (
    DailyScope,
    LimitKey,
    LimitObservation,
    limit_event,
    limit_transitions,
)

Limits = dict[UUID, tuple[int | None, int | None, UUID | None]]


@dataclass(frozen=True, slots=True)
class LimitChecker:
    """Decides limit states and writes ``LimitStateChanged`` to the outbox on a change."""

    topics: Topics
    scope: DailyScope
    producer: str
    clock: Callable[[], datetime]

    def after_usage(self, conn: Connection, deltas: UsageDeltas) -> int:
        """Re-decide the limits a batch of usage changes touched; returns events written."""
        ids = set(deltas.totals) | {key[0] for key in deltas.daily}
        limits = lock_promotion_limits(conn, ids)
        total_ids = [pid for pid, (max_uses, _, _) in limits.items() if max_uses is not None]
        daily_keys = {
            (pid, day, store if self.scope is DailyScope.STORE else None)
            for pid, day, store, _brand in deltas.daily
            if pid in limits and limits[pid][1] is not None
        }
        return self._decide(conn, limits, total_ids, daily_keys)

    def after_promotions(self, conn: Connection, ids: Iterable[UUID]) -> int:
        """Re-decide every limit of republished promotions (a maximum may have changed)."""
        wanted = set(ids)
        limits = lock_promotion_limits(conn, wanted)
        exhausted = repo.exhausted_keys(conn, wanted)
        total_ids = {pid for pid, (max_uses, _, _) in limits.items() if max_uses is not None}
        total_ids |= {k.promotion_id for k in exhausted if k.limit == "max_uses"}
        since = self.clock().date() - timedelta(days=1)
        with_daily = [pid for pid, (_, per_day, _) in limits.items() if per_day is not None]
        daily_keys = set(repo.recent_daily_keys(conn, with_daily, since, self.scope))
        daily_keys |= {
            (k.promotion_id, k.business_date, k.store_id)
            for k in exhausted
            if k.limit == "max_uses_per_day" and k.business_date is not None
        }
        return self._decide(conn, limits, total_ids, daily_keys)

    def _decide(
        self,
        conn: Connection,
        limits: Limits,
        total_ids: Iterable[UUID],
        daily_keys: Iterable[repo.DailyKey],
    ) -> int:
        totals = repo.total_uses(conn, total_ids)
        dailies = repo.daily_uses(conn, daily_keys, self.scope)
        observations = [
            LimitObservation(
                LimitKey(pid, "max_uses"), uses, limits[pid][0] if pid in limits else None
            )
            for pid, uses in totals.items()
        ]
        observations += [
            LimitObservation(
                LimitKey(pid, "max_uses_per_day", day, store),
                uses,
                limits[pid][1] if pid in limits else None,
            )
            for (pid, day, store), uses in dailies.items()
        ]
        if not observations:
            return 0
        announced = repo.announced_states(conn, [o.key for o in observations])
        transitions = limit_transitions(announced, observations)
        if not transitions:
            return 0
        repo.save_transitions(conn, transitions)
        now = self.clock()
        events = [
            limit_event(
                t,
                producer=self.producer,
                at=now,
                campaign_id=limits[t.key.promotion_id][2] if t.key.promotion_id in limits else None,
            )
            for t in transitions
        ]
        return enqueue(conn, self.topics.limits.name, events)
