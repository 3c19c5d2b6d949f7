"""Activation and expiry by schedule (one ``tick`` every ``scheduler_interval`` seconds).

A tick withdraws (reason ``expired``) every published promotion whose end date is over at all
the stores it targets, and publishes every active promotion that is not published and has
not ended (the start-date case: activation already publishes early, see
:mod:`promoflow_compiler.domain.schedule`, so this catches promotions whose publication was
withdrawn as untargeted and can be published again). Each promotion is handled in its own
transaction with ``FOR UPDATE SKIP LOCKED``, so a promotion being edited is simply taken on
the next tick. Idempotent: a second tick at the same time changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import and_, or_, select

from promoflow_compiler.adapters.audit import audit
from promoflow_compiler.adapters.orm import PromotionPublicationRow, PromotionRow
from promoflow_compiler.adapters.repository import load_master, products_of_specs, spec_of
from promoflow_compiler.service.actor import SYSTEM
from promoflow_compiler.service.context import ServiceContext
from promoflow_compiler.service.publication import Change, reconcile

log = logging.getLogger(__name__)


class SchedulerService:
    """Publishes and withdraws promotions as their validity starts and ends."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def candidates(self) -> list[uuid.UUID]:
        """Active promotions that may need a change now (a cheap, conservative pre-filter:
        local dates are at most one day away from the UTC date)."""
        today_utc = self.ctx.clock().date()
        published = PromotionPublicationRow.status == "published"
        with self.ctx.sessions() as session:
            ids = session.scalars(
                select(PromotionRow.id)
                .outerjoin(
                    PromotionPublicationRow,
                    PromotionPublicationRow.promotion_id == PromotionRow.id,
                )
                .where(
                    PromotionRow.status == "active",
                    or_(
                        and_(published, PromotionRow.end_date <= today_utc),
                        and_(
                            or_(PromotionPublicationRow.promotion_id.is_(None), ~published),
                            PromotionRow.end_date >= today_utc - timedelta(days=1),
                        ),
                    ),
                )
                .order_by(PromotionRow.id)
            ).all()
        return list(ids)

    def _handle(self, promotion_id: uuid.UUID) -> Change | None:
        with self.ctx.sessions.begin() as session:
            row = session.scalars(
                select(PromotionRow)
                .where(PromotionRow.id == promotion_id, PromotionRow.status == "active")
                .with_for_update(skip_locked=True)
            ).one_or_none()
            if row is None:
                return None
            master = load_master(session, row.company_id, products_of_specs([spec_of(row)]))
            change = reconcile(session, self.ctx, row, master, SYSTEM)
            if change.event is None:
                return None
            action = "expire" if change.event == "withdrawn" else "publish"
            audit(session, SYSTEM, action, "promotion", row.id, {"version": [None, change.version]})
            return change

    def tick(self) -> list[Change]:
        """One pass over the candidates; the changes made."""
        changes: list[Change] = []
        for promotion_id in self.candidates():
            try:
                change = self._handle(promotion_id)
            except Exception:
                log.exception("scheduler: promotion %s failed; retried next tick", promotion_id)
                continue
            if change is not None:
                log.info("scheduler: %s %s v%d", change.event, promotion_id, change.version)
                changes.append(change)
        return changes
