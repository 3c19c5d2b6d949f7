"""The outbox as the relay sees it: a lease (one relay per store at a time), unsent rows in id
order, and stamps after the broker's ack. Rows are never deleted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, or_, select, update

from promoflow_contracts import edge_store as es

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One record to publish: topic, key, value (None = tombstone) and headers."""

    id: int
    topic: str
    key: bytes
    value: bytes | None
    headers: Headers
    attempts: int


class OutboxStore:
    """Outbox access for the relay identified by ``owner``."""

    def __init__(self, engine: Engine, owner: str, lease: timedelta) -> None:
        self.engine = engine
        self.owner = owner
        self.lease = lease

    def acquire_lease(self, now: datetime) -> bool:
        """Take or renew the store's relay lease; False when another relay holds it."""
        meta = es.store_meta
        with es.write_transaction(self.engine) as conn:
            updated = conn.execute(
                update(meta)
                .where(meta.c.id == es.meta_row_id())
                .where(
                    or_(
                        meta.c.relay_owner.is_(None),
                        meta.c.relay_owner == self.owner,
                        meta.c.relay_lease_until < now,
                    )
                )
                .values(relay_owner=self.owner, relay_lease_until=now + self.lease)
            )
            return updated.rowcount == 1

    def release_lease(self) -> None:
        """Give the lease up (on a clean shutdown)."""
        meta = es.store_meta
        with es.write_transaction(self.engine) as conn:
            conn.execute(
                update(meta)
                .where(meta.c.id == es.meta_row_id(), meta.c.relay_owner == self.owner)
                .values(relay_owner=None, relay_lease_until=None)
            )

    def unsent(self, limit: int) -> list[OutboxRow]:
        """The oldest ``limit`` rows not yet acknowledged, in id order."""
        o = es.outbox
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(o.c.id, o.c.topic, o.c.key, o.c.value, o.c.headers, o.c.attempts)
                .where(o.c.sent_at.is_(None))
                .order_by(o.c.id)
                .limit(limit)
            )
            return [
                OutboxRow(
                    id=row_id,
                    topic=topic,
                    key=key.encode(),
                    value=None if value is None else value.encode(),
                    headers=[(str(name), str(text).encode()) for name, text in headers],
                    attempts=attempts,
                )
                for row_id, topic, key, value, headers, attempts in rows
            ]

    def mark_sent(self, ids: Sequence[int], at: datetime) -> None:
        """Stamp ``sent_at`` on rows the broker acknowledged."""
        if not ids:
            return
        o = es.outbox
        with es.write_transaction(self.engine) as conn:
            conn.execute(
                update(o)
                .where(o.c.id.in_(list(ids)))
                .values(sent_at=at, attempts=o.c.attempts + 1, last_error=None)
            )

    def mark_failed(self, ids: Sequence[int], error: str) -> None:
        """Count a failed attempt on ``ids`` and keep the error (the rows stay unsent)."""
        if not ids:
            return
        o = es.outbox
        with es.write_transaction(self.engine) as conn:
            conn.execute(
                update(o)
                .where(o.c.id.in_(list(ids)))
                .values(attempts=o.c.attempts + 1, last_error=error[:2000])
            )

    def backlog(self) -> int:
        """How many rows wait for Kafka."""
        o = es.outbox
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).where(o.c.sent_at.is_(None))).scalar_one())
