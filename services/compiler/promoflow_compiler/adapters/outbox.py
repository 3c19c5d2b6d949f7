"""Writing events into the transactional outbox (in the caller's transaction).

The row holds exactly what the relay hands the producer: the key, the value (JSON, or NULL
for a tombstone) and the headers of :func:`promoflow_contracts.topics.to_record`.
"""

from __future__ import annotations

import orjson
from sqlalchemy.orm import Session

from promoflow_compiler.adapters.orm import OutboxMessage
from promoflow_contracts.events import Event
from promoflow_contracts.topics import Topics, to_record, topic_for


def add_to_outbox(session: Session, event: Event, topics: Topics) -> OutboxMessage:
    """Stage ``event`` for publication; it is sent only if the caller's transaction commits."""
    record = to_record(event)
    row = OutboxMessage(
        event_id=event.event_id,
        topic=topic_for(event, topics),
        message_key=record.key.decode(),
        payload=orjson.loads(record.value) if record.value is not None else None,
        headers={name: value.decode() for name, value in record.headers},
    )
    session.add(row)
    return row
