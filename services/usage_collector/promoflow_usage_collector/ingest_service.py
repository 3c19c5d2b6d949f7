"""Ingest one batch of Kafka records in one database transaction (the worker's unit of work).

For each batch: decode every record (a malformed one, or an event that does not belong on the
topic, becomes a :class:`DeadLetter` for the caller to publish), then in ONE transaction record
the new event ids in ``processed_events`` (ids already there are duplicates and are skipped),
apply the events to the redemption states and aggregates, decide limits and write limit
announcements to the outbox. The caller acknowledges the records (lets Kafka offsets be
committed) only after this returns, i.e. after the commit: at-least-once delivery with an
idempotent consumer. Blocking (SQLAlchemy + psycopg): the worker runs it in a thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import Connection, Engine

from promoflow_contracts.events import (
    EvaluationLogged,
    PromotionPublished,
    PromotionWithdrawn,
    RedemptionRecorded,
    RedemptionVoided,
)
from promoflow_contracts.topics import Headers, MalformedRecord, from_record
from promoflow_usage_collector.adapters import usage_repository as usage
from promoflow_usage_collector.adapters.promotions_repository import apply_promotion_changes
from promoflow_usage_collector.domain.aggregates import evaluation_deltas, usage_deltas
from promoflow_usage_collector.domain.promotions import latest_per_promotion
from promoflow_usage_collector.domain.redemptions import apply_redemption_events
from promoflow_usage_collector.exceptions import UnexpectedEvent
from promoflow_usage_collector.limits_service import LimitChecker

E = TypeVar("E", bound=RedemptionRecorded | RedemptionVoided | EvaluationLogged)
RedemptionEvent = RedemptionRecorded | RedemptionVoided
PromotionEvent = PromotionPublished | PromotionWithdrawn


@dataclass(frozen=True, slots=True)
class RawRecord:
    """A consumed Kafka record as bytes, with where it came from."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A record that cannot be applied, and why (for the dead-letter topic's headers)."""

    record: RawRecord
    error: str
    error_type: str


@dataclass(slots=True)
class BatchResult:
    """What a batch did: events applied, duplicates skipped, dead letters, limit events."""

    received: int
    applied: int = 0
    duplicates: int = 0
    dead_letters: list[DeadLetter] = field(default_factory=list)
    limit_events: int = 0


def decode_batch(
    records: Sequence[RawRecord], accepted: tuple[type[Any], ...]
) -> tuple[list[Any], list[DeadLetter]]:
    """Parse ``records``; those that are malformed or of another event type are dead letters.

    Returns the events (instances of ``accepted``, in record order) and the dead letters.
    """
    events: list[Any] = []
    dead: list[DeadLetter] = []
    for record in records:
        try:
            event = from_record(record.key, record.value, record.headers)
            if not isinstance(event, accepted):
                raise UnexpectedEvent(
                    f"event_type: {event.event_type} does not belong on {record.topic}"
                )
        except (MalformedRecord, UnexpectedEvent) as exc:
            dead.append(DeadLetter(record, str(exc), type(exc).__name__))
            continue
        events.append(event)
    return events, dead


@dataclass(frozen=True, slots=True)
class IngestService:
    """Applies batches of redemptions, evaluations and promotions to the usage tables."""

    engine: Engine
    limits: LimitChecker
    processed_by: str
    clock: Callable[[], datetime]

    def redemptions(self, records: Sequence[RawRecord]) -> BatchResult:
        """Apply ``RedemptionRecorded``/``RedemptionVoided`` records (``redemptions.v1``)."""
        events: list[RedemptionEvent]
        events, dead = decode_batch(records, (RedemptionRecorded, RedemptionVoided))
        result = BatchResult(received=len(records), dead_letters=dead)
        if not events:
            return result
        with self.engine.begin() as conn:
            fresh = self._fresh(conn, events)
            known = usage.load_redemptions(conn, {e.data.redemption_id for e in fresh})
            outcome = apply_redemption_events(known, fresh)
            usage.save_redemptions(conn, outcome.states.values())
            deltas = usage_deltas(outcome.changes)
            usage.add_usage(conn, deltas)
            result.limit_events = self.limits.after_usage(conn, deltas)
        result.applied, result.duplicates = len(fresh), len(events) - len(fresh)
        return result

    def evaluations(self, records: Sequence[RawRecord]) -> BatchResult:
        """Apply ``EvaluationLogged`` records (``evaluations.v1``)."""
        events: list[EvaluationLogged]
        events, dead = decode_batch(records, (EvaluationLogged,))
        result = BatchResult(received=len(records), dead_letters=dead)
        if not events:
            return result
        with self.engine.begin() as conn:
            fresh = self._fresh(conn, events)
            usage.add_evaluations(conn, evaluation_deltas(fresh))
        result.applied, result.duplicates = len(fresh), len(events) - len(fresh)
        return result

    def promotions(self, records: Sequence[RawRecord]) -> BatchResult:
        """Apply ``PromotionPublished``/withdrawal tombstones (``promotions.v1``).

        Not recorded in ``processed_events``: applying a version is idempotent by itself (an
        equal or older version changes nothing), and tool-written tombstones have no stable id.
        """
        events: list[PromotionEvent]
        events, dead = decode_batch(records, (PromotionPublished, PromotionWithdrawn))
        result = BatchResult(received=len(records), dead_letters=dead)
        if not events:
            return result
        changes = latest_per_promotion(events)
        with self.engine.begin() as conn:
            apply_promotion_changes(conn, changes)
            result.limit_events = self.limits.after_promotions(
                conn, [c.promotion_id for c in changes]
            )
        result.applied = len(events)
        return result

    def _fresh(self, conn: Connection, events: Sequence[E]) -> list[E]:
        """The events not processed before, each once, in their original order."""
        new_ids = usage.mark_processed(
            conn, [(e.event_id, e.event_type) for e in events], processed_by=self.processed_by
        )
        seen: set[UUID] = set()
        fresh: list[E] = []
        for event in events:
            if event.event_id in new_ids and event.event_id not in seen:
                seen.add(event.event_id)
                fresh.append(event)
        return fresh
