"""Transactional outbox of the records the collector publishes (``LimitStateChanged``).

:func:`enqueue` writes rows in the caller's transaction, next to the limit state they announce,
so an announcement is never lost and never made for a change that rolled back. :func:`relay_once`
publishes unsent rows in ``id`` order and stamps ``sent_at``. Only one relay runs at a time in
the whole database (a transaction-level advisory lock), so records leave in ``id`` order; for one
limit key that is also the order of its changes, because a change is written while its
promotion row is locked. Delivery is at least once: a crash between the broker's ack and the
commit of ``sent_at`` sends a row again (consumers deduplicate by ``event_id``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence

from sqlalchemy import Connection, Engine, text

from promoflow_contracts.events import Event
from promoflow_contracts.topics import to_record

log = logging.getLogger(__name__)

#: Advisory lock key of the relay ("PFUSGRL").
RELAY_LOCK_KEY = 0x50_46_55_53_47_52_4C

#: ``send(topic, key, value, headers)`` publishes one record and returns once the broker
#: acknowledged it; it raises on failure.
Send = Callable[[str, bytes, bytes, list[tuple[str, bytes]]], None]


def enqueue(conn: Connection, topic: str, events: Sequence[Event]) -> int:
    """Add ``events`` to the outbox for ``topic`` in the caller's transaction; returns count."""
    if not events:
        return 0
    rows = []
    for event in events:
        record = to_record(event)
        if record.value is None:  # pragma: no cover - the collector publishes no tombstones
            raise ValueError("the usage outbox carries no tombstones")
        rows.append(
            {
                "event_id": event.event_id,
                "topic": topic,
                "message_key": record.key.decode(),
                "payload": record.value.decode(),
                "headers": json.dumps({name: value.decode() for name, value in record.headers}),
            }
        )
    conn.execute(
        text(
            "INSERT INTO usage.outbox (event_id, topic, message_key, payload, headers) "
            "VALUES (:event_id, :topic, :message_key, :payload, CAST(:headers AS jsonb)) "
            "ON CONFLICT (event_id) DO NOTHING"
        ),
        rows,
    )
    return len(rows)


def relay_once(engine: Engine, send: Send, *, limit: int = 500) -> int:
    """Publish up to ``limit`` unsent rows in ``id`` order; returns how many were sent.

    Returns 0 at once when another relay holds the lock. A failing send stops the round; the
    row's ``attempts`` and ``last_error`` are recorded and it is retried on the next round.
    """
    with engine.begin() as conn:
        locked = conn.execute(
            text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": RELAY_LOCK_KEY}
        ).scalar_one()
        if not locked:
            return 0
        rows = conn.execute(
            text(
                "SELECT id, topic, message_key, payload, headers FROM usage.outbox "
                "WHERE sent_at IS NULL ORDER BY id LIMIT :limit"
            ),
            {"limit": limit},
        ).all()
        sent: list[int] = []
        for row in rows:
            headers = [(name, str(value).encode()) for name, value in row.headers.items()]
            try:
                send(row.topic, row.message_key.encode(), row.payload.encode(), headers)
            except Exception as exc:
                log.warning("outbox: sending row %s to %s failed: %r", row.id, row.topic, exc)
                conn.execute(
                    text(
                        "UPDATE usage.outbox SET attempts = attempts + 1, last_error = :err "
                        "WHERE id = :id"
                    ),
                    {"id": row.id, "err": repr(exc)[:2000]},
                )
                break
            sent.append(row.id)
        if sent:
            conn.execute(
                text(
                    "UPDATE usage.outbox SET sent_at = now(), attempts = attempts + 1 "
                    "WHERE id = ANY(CAST(:ids AS bigint[]))"
                ),
                {"ids": sent},
            )
        return len(sent)
