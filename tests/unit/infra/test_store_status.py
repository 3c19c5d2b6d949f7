"""`promoflow status` reads each store's sync lag and outbox backlog from its edge store."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from promoflow_contracts.edge_store import (
    create_edge_engine,
    create_schema,
    outbox,
    sync_status,
    utcnow,
    write_transaction,
)
from promoflow_infra.store_status import read_store, read_stores, render


def _edge_store(path: Path, *, lags: list[int], unsent: int, sent: int) -> None:
    path.parent.mkdir(parents=True)
    engine = create_edge_engine(f"sqlite:///{path}")
    create_schema(engine, uuid.uuid4())
    now = utcnow()
    with write_transaction(engine) as conn:
        for partition, lag in enumerate(lags):
            conn.execute(
                sync_status.insert().values(
                    topic="promoflow.promotions.v1",
                    partition=partition,
                    committed_offset=10,
                    high_watermark=10 + lag,
                    lag=lag,
                    records_applied=10,
                    last_event_at=now - timedelta(minutes=partition),
                    updated_at=now,
                )
            )
        for n in range(unsent + sent):
            conn.execute(
                outbox.insert().values(
                    event_id=uuid.uuid4(),
                    event_type="RedemptionRecorded",
                    topic="promoflow.redemptions.v1",
                    key="k",
                    value="{}",
                    headers=[],
                    created_at=now - timedelta(seconds=60 - n),
                    sent_at=now if n >= unsent else None,
                    attempts=0,
                )
            )
    engine.dispose()


def test_lag_is_summed_over_partitions_and_only_unsent_rows_are_backlog(tmp_path: Path) -> None:
    # given a store 3 + 4 records behind, with 2 outbox rows unsent (oldest 60 s) and 5 sent
    _edge_store(tmp_path / "stores" / "london" / "edge.db", lags=[3, 4, 0], unsent=2, sent=5)
    # when its status is read
    status = read_store("london", tmp_path / "stores" / "london" / "edge.db")
    # then
    assert (status.sync_lag, status.outbox_backlog, status.promotions) == (7, 2, 0)
    assert status.oldest_unsent_s is not None and 59 <= status.oldest_unsent_s < 120
    assert status.error is None


def test_a_store_without_an_edge_store_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "stores" / "new-store").mkdir(parents=True)
    statuses = read_stores(tmp_path)
    assert [(s.code, s.error) for s in statuses] == [("new-store", "no edge store yet")]
    assert "no edge store yet" in render(statuses)[1]


def test_the_table_has_one_line_per_store(tmp_path: Path) -> None:
    _edge_store(tmp_path / "stores" / "a" / "edge.db", lags=[0], unsent=0, sent=1)
    _edge_store(tmp_path / "stores" / "b" / "edge.db", lags=[], unsent=1, sent=0)
    lines = render(read_stores(tmp_path))
    assert len(lines) == 3
    assert lines[1].split()[:4] == ["a", "0", "0", "0"]
    assert lines[2].split()[:4] == ["b", "0", "-", "1"]
