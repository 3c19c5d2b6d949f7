"""Publishing and withdrawing promotion versions, always in the caller's transaction.

One call writes, together: the promotion's new ``current_version``, a ``promotion_versions``
row (the compiled document, or none for a withdrawal), the ``promotion_publications`` row the
sync API reads, and an outbox row with the ``PromotionPublished`` event (or the
``PromotionWithdrawn`` tombstone). The caller holds the promotion row ``FOR UPDATE``, so
versions are handed out one at a time and only ever increase.

A recompile whose document equals the published one (same content hash: everything but
``version`` and ``compiled_at``) publishes nothing. A document that targets no store any more
is withdrawn with reason ``untargeted``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promoflow_compiler.adapters.orm import (
    CHANGE_SEQ,
    PromotionPublicationRow,
    PromotionRow,
    PromotionVersionRow,
)
from promoflow_compiler.adapters.outbox import add_to_outbox
from promoflow_compiler.adapters.repository import load_master, products_of_specs, spec_of
from promoflow_compiler.domain.compiler import (
    compile_promotion,
    content_hash,
    document_json,
    next_version,
)
from promoflow_compiler.domain.master import MasterData
from promoflow_compiler.domain.schedule import has_ended, zones_for
from promoflow_compiler.service.actor import Actor
from promoflow_compiler.service.context import ServiceContext
from promoflow_contracts.events import (
    PromotionPublished,
    PromotionPublishedData,
    PromotionWithdrawn,
    PromotionWithdrawnData,
)
from promoflow_contracts.promotion import CompiledPromotion, LimitState

WithdrawReason = Literal["deleted", "deactivated", "expired", "untargeted"]


@dataclass(frozen=True, slots=True)
class Change:
    """What a publish/withdraw call did: ``event`` None = nothing (unchanged)."""

    promotion_id: UUID
    version: int
    event: Literal["published", "withdrawn"] | None


def publication_of(session: Session, promotion_id: UUID) -> PromotionPublicationRow | None:
    """The current publication row of a promotion (None = never published)."""
    return session.get(PromotionPublicationRow, promotion_id)


def limit_state_of(row: PromotionRow) -> LimitState | None:
    """The promotion's limit state as recorded from the collector (None = never set)."""
    return LimitState.model_validate(row.limit_state) if row.limit_state else None


def compile_row(
    row: PromotionRow, master: MasterData, version: int, now: datetime
) -> CompiledPromotion:
    """Compile the promotion row's spec at ``version``."""
    return compile_promotion(
        spec_of(row),
        master,
        promotion_id=row.id,
        version=version,
        compiled_at=now,
        limit_state=limit_state_of(row),
    )


def publish(
    session: Session,
    ctx: ServiceContext,
    row: PromotionRow,
    master: MasterData,
    actor: Actor,
) -> Change:
    """Compile and publish a new version of ``row`` unless nothing changed (see module doc)."""
    now = ctx.clock()
    version = next_version(row.current_version)
    document = compile_row(row, master, version, now)
    if document.targeting.stores == []:
        return withdraw(session, ctx, row, "untargeted", actor)
    digest = content_hash(document)
    current = publication_of(session, row.id)
    if current is not None and current.status == "published" and current.content_hash == digest:
        return Change(row.id, current.version, None)
    row.current_version = version
    body = document_json(document)
    session.add(
        PromotionVersionRow(
            promotion_id=row.id,
            version=version,
            event="published",
            document=body,
            content_hash=digest,
            created_by=actor.name,
        )
    )
    all_stores = document.targeting.stores == "all"
    stores = [] if document.targeting.stores == "all" else list(document.targeting.stores)
    if current is None:
        current = PromotionPublicationRow(promotion_id=row.id, company_id=row.company_id)
        session.add(current)
    current.version = version
    current.status = "published"
    current.all_stores = all_stores
    current.store_ids = stores
    current.document = body
    current.document_text = document.model_dump_json()
    current.content_hash = digest
    current.change_seq = CHANGE_SEQ.next_value()
    current.updated_at = func.now()
    event = PromotionPublished(
        occurred_at=now, producer=ctx.producer, data=PromotionPublishedData(promotion=document)
    )
    add_to_outbox(session, event, ctx.topics)
    return Change(row.id, version, "published")


def withdraw(
    session: Session,
    ctx: ServiceContext,
    row: PromotionRow,
    reason: WithdrawReason,
    actor: Actor,
) -> Change:
    """Withdraw ``row`` with a new version and a tombstone, if it is published."""
    current = publication_of(session, row.id)
    if current is None or current.status == "withdrawn":
        return Change(row.id, row.current_version, None)
    now = ctx.clock()
    version = next_version(row.current_version)
    row.current_version = version
    session.add(
        PromotionVersionRow(
            promotion_id=row.id,
            version=version,
            event="withdrawn",
            reason=reason,
            document=None,
            created_by=actor.name,
        )
    )
    current.version = version
    current.status = "withdrawn"
    current.document = None
    current.document_text = None
    current.content_hash = None
    current.change_seq = CHANGE_SEQ.next_value()
    current.updated_at = func.now()
    event = PromotionWithdrawn(
        occurred_at=now,
        producer=ctx.producer,
        data=PromotionWithdrawnData(promotion_id=row.id, version=version, reason=reason),
    )
    add_to_outbox(session, event, ctx.topics)
    return Change(row.id, version, "withdrawn")


def ended(row: PromotionRow, master: MasterData, now: datetime) -> bool:
    """True when the promotion's end date is over at every store it targets."""
    return has_ended(row.end_date, zones_for(spec_of(row), master), now)


def reconcile(
    session: Session, ctx: ServiceContext, row: PromotionRow, master: MasterData, actor: Actor
) -> Change:
    """Bring the publication in line with the row: an active promotion that has not ended is
    published (a new version only if its document changed), an ended one is withdrawn
    (``expired``), anything else (draft, inactive, deleted) is withdrawn if published."""
    if row.status == "active":
        if ended(row, master, ctx.clock()):
            return withdraw(session, ctx, row, "expired", actor)
        return publish(session, ctx, row, master, actor)
    reason: WithdrawReason = "deleted" if row.status == "deleted" else "deactivated"
    return withdraw(session, ctx, row, reason, actor)


def republish(
    session: Session,
    ctx: ServiceContext,
    company_id: UUID,
    promotion_ids: list[UUID],
    actor: Actor,
) -> list[Change]:
    """Recompile the given promotions of one company after a master-data change and
    :func:`reconcile` each active one: a new version for each whose document changed (or that
    now targets a store again), a withdrawal for one that targets no store any more. Drafts,
    inactive and deleted promotions are skipped. Locks the rows in id order."""
    if not promotion_ids:
        return []
    rows = session.scalars(
        select(PromotionRow)
        .where(PromotionRow.id.in_(promotion_ids), PromotionRow.status == "active")
        .order_by(PromotionRow.id)
        .with_for_update()
    ).all()
    master = load_master(session, company_id, products_of_specs(spec_of(r) for r in rows))
    changes = [reconcile(session, ctx, row, master, actor) for row in rows]
    return [c for c in changes if c.event is not None]
