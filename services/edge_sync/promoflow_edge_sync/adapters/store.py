"""The edge store as edge_sync sees it: promotions, withdrawals, sync status, data version.

Every write happens in :func:`promoflow_contracts.edge_store.write_transaction` (``BEGIN
IMMEDIATE`` on SQLite), and every change to ``promotions`` bumps ``store_meta.data_version`` in
the same transaction, so the evaluator sees a change exactly when it is committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, delete, insert, select, update

from promoflow_contracts import edge_store as es
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_edge_sync.domain.decisions import Known, Remove, Upsert

#: ``sync_status.topic`` of the HO sync API pseudo-source.
HO_SYNC_SOURCE = "ho-sync-api"


@dataclass(frozen=True, slots=True)
class Position:
    """Progress on one topic-partition after a batch: the next offset to read, the broker's
    high watermark (None = unknown), the newest record's timestamp and how many were read."""

    topic: str
    partition: int
    next_offset: int | None
    high_watermark: int | None
    last_event_at: datetime | None = None
    records: int = 0


def promotion_row(promotion: CompiledPromotion, source: str, now: datetime) -> dict[str, Any]:
    """Column values of the ``promotions`` row for ``promotion``."""
    return {
        "id": promotion.id,
        "code": promotion.code,
        "name": promotion.name,
        "version": promotion.version,
        "promo_type": promotion.promo_type.value,
        "stage": promotion.execution_stage.value,
        "priority": promotion.execution_priority,
        "start_date": promotion.validity.start_date,
        "end_date": promotion.validity.end_date,
        "is_active": promotion.is_active,
        "company_id": promotion.company_id,
        "brand_id": promotion.brand_id,
        "document": promotion.model_dump(mode="json"),
        "source": source,
        "updated_at": now,
    }


class StoreSession:
    """Reads and writes of one write transaction (see :meth:`EdgeStore.session`)."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def known(self, ids: Iterable[UUID]) -> dict[UUID, Known]:
        """Stored and withdrawn versions of ``ids`` (missing ids are unknown)."""
        wanted = list(set(ids))
        stored: dict[UUID, int] = {}
        withdrawn: dict[UUID, int] = {}
        promotions, withdrawals = es.promotions, es.promotion_withdrawals
        for chunk in _chunks(wanted, 500):
            for pid, version in self._conn.execute(
                select(promotions.c.id, promotions.c.version).where(promotions.c.id.in_(chunk))
            ):
                stored[pid] = version
            for pid, version in self._conn.execute(
                select(withdrawals.c.id, withdrawals.c.version).where(withdrawals.c.id.in_(chunk))
            ):
                withdrawn[pid] = version
        return {
            pid: Known(stored.get(pid), withdrawn.get(pid))
            for pid in wanted
            if pid in stored or pid in withdrawn
        }

    def stored_ids(self) -> set[UUID]:
        """Ids of every stored promotion."""
        return set(self._conn.execute(select(es.promotions.c.id)).scalars())

    def write(self, change: Upsert | Remove, *, source: str, now: datetime) -> None:
        """Apply one planned change (insert/replace the row, or delete it and remember why)."""
        if isinstance(change, Upsert):
            row = promotion_row(change.promotion, source, now)
            updated = self._conn.execute(
                update(es.promotions).where(es.promotions.c.id == row["id"]).values(**row)
            )
            if updated.rowcount == 0:
                self._conn.execute(insert(es.promotions).values(**row))
            self._conn.execute(
                delete(es.promotion_withdrawals).where(
                    es.promotion_withdrawals.c.id == change.promotion_id
                )
            )
            return
        self._conn.execute(delete(es.promotions).where(es.promotions.c.id == change.promotion_id))
        values = {"version": change.version, "reason": change.reason, "withdrawn_at": now}
        updated = self._conn.execute(
            update(es.promotion_withdrawals)
            .where(es.promotion_withdrawals.c.id == change.promotion_id)
            .values(**values)
        )
        if updated.rowcount == 0:
            self._conn.execute(
                insert(es.promotion_withdrawals).values(id=change.promotion_id, **values)
            )

    def bump_data_version(self, now: datetime) -> int:
        """Increment ``store_meta.data_version``; returns the new value."""
        meta = es.store_meta
        self._conn.execute(
            update(meta)
            .where(meta.c.id == es.meta_row_id())
            .values(data_version=meta.c.data_version + 1, updated_at=now)
        )
        return self.data_version()

    def data_version(self) -> int:
        """The current ``store_meta.data_version``."""
        meta = es.store_meta
        value = self._conn.execute(
            select(meta.c.data_version).where(meta.c.id == es.meta_row_id())
        ).scalar_one()
        return int(value)

    def ho_cursor(self) -> str | None:
        """The ``sync_timestamp`` of the last HO sync API pull (None = never pulled)."""
        meta = es.store_meta
        value = self._conn.execute(
            select(meta.c.ho_sync_cursor).where(meta.c.id == es.meta_row_id())
        ).scalar_one()
        return None if value is None else str(value)

    def set_ho_cursor(self, cursor: str, now: datetime) -> None:
        """Remember the ``sync_timestamp`` of an HO sync API pull."""
        meta = es.store_meta
        self._conn.execute(
            update(meta)
            .where(meta.c.id == es.meta_row_id())
            .values(ho_sync_cursor=cursor, updated_at=now)
        )

    def record_positions(self, positions: Iterable[Position], now: datetime) -> None:
        """Upsert ``sync_status`` rows: offsets, lag, newest event time; clears the last error."""
        for position in positions:
            values: dict[str, Any] = {"updated_at": now, "last_error": None}
            if position.next_offset is not None:
                values["committed_offset"] = position.next_offset
            if position.high_watermark is not None:
                values["high_watermark"] = position.high_watermark
                if position.next_offset is not None:
                    values["lag"] = max(position.high_watermark - position.next_offset, 0)
            if position.last_event_at is not None:
                values["last_event_at"] = position.last_event_at
            self._upsert_status(position.topic, position.partition, values, position.records)

    def record_error(
        self, topic: str, partitions: Iterable[int], message: str, now: datetime
    ) -> None:
        """Remember the last error of a source (kept until the next successful batch)."""
        for partition in partitions:
            self._upsert_status(
                topic,
                partition,
                {"last_error": message[:2000], "last_error_at": now, "updated_at": now},
                0,
            )

    def _upsert_status(
        self, topic: str, partition: int, values: dict[str, Any], records: int
    ) -> None:
        status = es.sync_status
        key = (status.c.topic == topic) & (status.c.partition == partition)
        updated = self._conn.execute(
            update(status)
            .where(key)
            .values(**values, records_applied=status.c.records_applied + records)
        )
        if updated.rowcount == 0:
            self._conn.execute(
                insert(status).values(
                    topic=topic, partition=partition, records_applied=records, **values
                )
            )


class EdgeStore:
    """The edge store database of one store (engine plus identity checks)."""

    def __init__(self, engine: Engine, store_id: UUID) -> None:
        self.engine = engine
        self.store_id = store_id

    def create(self) -> None:
        """Create missing tables and the meta row. Raises ``StoreMismatch`` for another store."""
        es.create_schema(self.engine, self.store_id)

    @contextmanager
    def session(self) -> Iterator[StoreSession]:
        """A write transaction; commits on normal exit."""
        with es.write_transaction(self.engine) as connection:
            yield StoreSession(connection)

    def data_version(self) -> int:
        """The current data version (a read transaction)."""
        with self.engine.connect() as connection:
            return StoreSession(connection).data_version()

    def promotion_versions(self) -> dict[UUID, int]:
        """Stored promotion ids and versions (for tests and the CLI's status)."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(es.promotions.c.id, es.promotions.c.version))
            return dict(rows.all())


def _chunks(items: list[UUID], size: int) -> Iterator[list[UUID]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
