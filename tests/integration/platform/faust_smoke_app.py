"""A minimal faust-streaming app for the platform smoke test, run as a worker subprocess.

It consumes one topic of PromoFlow events and appends each event id to a file. Settings come
from the environment: ``SMOKE_BROKER`` (host:port), ``SMOKE_TOPIC``, ``SMOKE_APP_ID``,
``SMOKE_OUT`` (file) and ``SMOKE_DATADIR``. Run: ``python -m tests.integration.platform.
faust_smoke_app worker --without-web``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import faust

from promoflow_contracts.topics import decode_event

app = faust.App(
    os.environ["SMOKE_APP_ID"],
    broker=f"kafka://{os.environ['SMOKE_BROKER']}",
    datadir=os.environ["SMOKE_DATADIR"],
    web_enabled=False,
    topic_replication_factor=1,
    topic_partitions=3,
    consumer_auto_offset_reset="earliest",
    broker_commit_every=1,
)
source = app.topic(os.environ["SMOKE_TOPIC"], value_type=bytes, value_serializer="raw")


@app.agent(source)
async def record_event_ids(stream: AsyncIterator[bytes]) -> None:
    """Append the id of every event consumed to ``SMOKE_OUT``."""
    async for value in stream:
        event = decode_event(value)
        with open(os.environ["SMOKE_OUT"], "a", encoding="utf-8") as out:
            out.write(f"{event.event_id}\n")


if __name__ == "__main__":
    app.main()
