"""Recording limit state from the collector and republishing the promotion with it.

Idempotent by event id: the event id is inserted into ``processed_events`` in the same
transaction as its effects, so a re-delivered event changes nothing. A state change of an
active promotion publishes a new version carrying ``limit_state`` (stores then stop applying
it); a repeated state (e.g. "exhausted" twice) records the event and publishes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from promoflow_compiler.adapters.audit import audit
from promoflow_compiler.adapters.orm import ProcessedEventRow, PromotionRow
from promoflow_compiler.adapters.repository import load_master, products_of_specs, spec_of
from promoflow_compiler.domain.limits import apply_limit_event, same_state
from promoflow_compiler.service.actor import SYSTEM
from promoflow_compiler.service.context import ServiceContext
from promoflow_compiler.service.publication import reconcile
from promoflow_contracts.events import LimitStateChanged
from promoflow_contracts.promotion import LimitState

log = logging.getLogger(__name__)
CONSUMER = "compiler-limits"


class UnknownPromotion(LookupError):
    """The event names a promotion HO does not have."""


@dataclass(frozen=True, slots=True)
class LimitOutcome:
    """What applying one event did."""

    result: Literal["duplicate", "unchanged", "recorded", "republished"]
    version: int | None = None


class LimitsService:
    """Apply ``LimitStateChanged`` events (one transaction each)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def apply(self, event: LimitStateChanged) -> LimitOutcome:
        """Record the event's limit state; raises :class:`UnknownPromotion` and
        ``LimitEventError`` (both mean: dead-letter the record)."""
        with self.ctx.sessions.begin() as session:
            fresh = session.execute(
                insert(ProcessedEventRow)
                .values(event_id=event.event_id, consumer=CONSUMER)
                .on_conflict_do_nothing()
                .returning(ProcessedEventRow.event_id)
            ).first()
            if fresh is None:
                return LimitOutcome("duplicate")
            row = session.scalars(
                select(PromotionRow)
                .where(PromotionRow.id == event.data.promotion_id)
                .with_for_update()
            ).one_or_none()
            if row is None:
                raise UnknownPromotion(
                    f"data.promotion_id: unknown promotion {event.data.promotion_id}"
                )
            state = LimitState.model_validate(row.limit_state) if row.limit_state else LimitState()
            new = apply_limit_event(state, event.data, event.occurred_at)
            if same_state(state, new):
                return LimitOutcome("unchanged")
            row.limit_state = new.model_dump(mode="json")
            audit(
                session,
                SYSTEM,
                "limit_state",
                "promotion",
                row.id,
                {
                    "limit": [None, event.data.limit],
                    "state": [None, event.data.state],
                    "event_id": [None, str(event.event_id)],
                },
            )
            if row.status != "active":
                return LimitOutcome("recorded")
            master = load_master(session, row.company_id, products_of_specs([spec_of(row)]))
            change = reconcile(session, self.ctx, row, master, SYSTEM)
            if change.event is None:
                return LimitOutcome("recorded")
            return LimitOutcome("republished", change.version)
