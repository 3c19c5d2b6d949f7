"""Edge sync use cases: apply a batch of promotion events to the store in one transaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from promoflow_contracts.edge_store import utcnow
from promoflow_contracts.events import (
    PromotionPublished,
    PromotionPublishedData,
    PromotionWithdrawn,
    PromotionWithdrawnData,
)
from promoflow_edge_sync.adapters.ho_client import HoSyncClient
from promoflow_edge_sync.adapters.store import HO_SYNC_SOURCE, EdgeStore, Position, StoreSession
from promoflow_edge_sync.domain.decisions import (
    ANY_VERSION,
    PromotionEvent,
    StoreIdentity,
    Upsert,
    plan,
)
from promoflow_edge_sync.exceptions import HoSyncError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ApplyReport:
    """What one batch did: promotions stored or removed, events skipped, the data version."""

    upserted: int
    removed: int
    skipped: int
    data_version: int

    @property
    def changed(self) -> bool:
        """True when the store's promotions changed."""
        return bool(self.upserted or self.removed)


def apply_events(
    *,
    store: EdgeStore,
    identity: StoreIdentity,
    events: Sequence[PromotionEvent],
    source: str,
    positions: Iterable[Position] = (),
    ho_cursor: str | None = None,
    now: datetime | None = None,
) -> ApplyReport:
    """Apply ``events`` in order in one write transaction and record sync progress.

    ``data_version`` is bumped once when anything changed; ``positions`` (Kafka offsets) and
    ``ho_cursor`` (HO sync timestamp) are recorded in the same transaction, so progress is
    never ahead of the data.
    """
    now = now or utcnow()
    with store.session() as session:
        ids = [_id(event) for event in events]
        decided = plan(list(events), session.known(ids), identity)
        for change in decided.changes:
            session.write(change, source=source, now=now)
        version = session.bump_data_version(now) if decided.changes else session.data_version()
        session.record_positions(positions, now)
        if ho_cursor is not None:
            session.set_ho_cursor(ho_cursor, now)
    upserted = sum(1 for change in decided.changes if isinstance(change, Upsert))
    report = ApplyReport(upserted, len(decided.changes) - upserted, decided.skipped, version)
    if report.changed:
        log.info(
            "applied %d events from %s: %d stored, %d removed, %d skipped, data version %d",
            len(events),
            source,
            report.upserted,
            report.removed,
            report.skipped,
            version,
        )
    return report


def withdrawals_for_missing(
    *, store: EdgeStore, present: set[str], occurred_at: datetime
) -> list[PromotionWithdrawn]:
    """Withdrawals for stored promotions absent from a full HO snapshot (``present`` ids)."""
    with store.session() as session:
        missing = [pid for pid in session.stored_ids() if str(pid) not in present]
    return [deleted_event(pid, occurred_at) for pid in missing]


def deleted_event(promotion_id: UUID, occurred_at: datetime) -> PromotionWithdrawn:
    """A withdrawal of every version of ``promotion_id`` (HO says it is deleted)."""
    return PromotionWithdrawn(
        occurred_at=occurred_at,
        producer="edge_sync/ho-sync-api",
        data=PromotionWithdrawnData.model_validate(
            {"promotion_id": promotion_id, "version": ANY_VERSION, "reason": "deleted"}
        ),
    )


def _id(event: PromotionEvent) -> UUID:
    if isinstance(event, PromotionWithdrawn):
        return event.data.promotion_id
    return event.data.promotion.id


@dataclass(frozen=True, slots=True)
class HoSyncReport:
    """Result of one HO sync API pull applied to the store."""

    full: bool
    received: int
    deleted: int
    rejected: list[str]
    applied: ApplyReport
    cursor_advanced: bool


async def sync_from_ho(
    *,
    store: EdgeStore,
    identity: StoreIdentity,
    client: HoSyncClient,
    full: bool = False,
) -> HoSyncReport:
    """Pull the store's promotions from the HO sync API and apply them like Kafka events.

    Incremental (``updated_since`` = the last pull's ``sync_timestamp``) unless ``full`` or
    the store never pulled. A full pull also removes stored promotions HO no longer lists.
    Documents HO sent that fail validation are skipped, recorded as the source's last error,
    and the cursor is not advanced, so the next pull asks for them again.

    Raises :class:`~promoflow_edge_sync.exceptions.HoSyncError` when HO cannot be used (the
    error is recorded in ``sync_status`` first).
    """
    cursor = None if full else await asyncio.to_thread(_read_cursor, store)
    try:
        snapshot = await client.pull(identity.store_id, cursor)
    except HoSyncError as exc:
        await asyncio.to_thread(_record_ho_error, store, str(exc))
        raise
    now = utcnow()
    events: list[PromotionEvent] = [
        PromotionPublished(
            occurred_at=now,
            producer="edge_sync/ho-sync-api",
            data=PromotionPublishedData(promotion=promotion),
        )
        for promotion in snapshot.promotions
    ]
    events += [deleted_event(pid, now) for pid in snapshot.deleted_ids]
    is_full = snapshot.full if snapshot.full is not None else cursor is None
    if is_full and not snapshot.rejected:
        present = {str(p.id) for p in snapshot.promotions}
        events += await asyncio.to_thread(
            lambda: withdrawals_for_missing(store=store, present=present, occurred_at=now)
        )
    position = Position(HO_SYNC_SOURCE, 0, None, None, now, len(events))
    advance = not snapshot.rejected
    report = await asyncio.to_thread(
        lambda: apply_events(
            store=store,
            identity=identity,
            events=events,
            source="ho-sync",
            positions=[position],
            ho_cursor=snapshot.sync_timestamp if advance else None,
            now=now,
        )
    )
    if snapshot.rejected:
        message = "; ".join(snapshot.rejected)
        log.warning("HO sync: %d documents rejected: %s", len(snapshot.rejected), message)
        await asyncio.to_thread(_record_ho_error, store, "rejected documents: " + message)
    return HoSyncReport(
        full=is_full,
        received=len(snapshot.promotions),
        deleted=len(snapshot.deleted_ids),
        rejected=snapshot.rejected,
        applied=report,
        cursor_advanced=advance,
    )


def _read_cursor(store: EdgeStore) -> str | None:
    with store.engine.connect() as connection:
        return StoreSession(connection).ho_cursor()


def _record_ho_error(store: EdgeStore, message: str) -> None:
    with store.session() as session:
        session.record_error(HO_SYNC_SOURCE, [0], message, utcnow())
