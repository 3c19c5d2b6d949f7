"""What ``promoflow status`` shows per demo store: sync lag and outbox backlog.

Read straight from each store's edge store (``<run dir>/stores/<code>/edge.db``, the SQLite file
the launcher gives every store) through the shared tables of :mod:`promoflow_contracts.edge_store`,
read-only, so it works whether the store's processes are running or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from promoflow_contracts.edge_store import outbox, promotions, sync_status, utcnow


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """One store's edge: promotions held, sync lag (records behind the topic, summed over
    partitions; None before the first poll), last promotion event applied (UTC), outbox rows
    not yet acknowledged by Kafka and the age of the oldest one (seconds)."""

    code: str
    promotions: int
    sync_lag: int | None
    last_event_at: datetime | None
    outbox_backlog: int
    oldest_unsent_s: float | None
    error: str | None = None


def read_store(code: str, edge_db: Path) -> StoreStatus:
    """The status of the store whose edge store file is ``edge_db``; a store whose file is
    missing or unreadable comes back with ``error`` set rather than raising."""
    if not edge_db.exists():
        return StoreStatus(code, 0, None, None, 0, None, error="no edge store yet")
    engine = create_engine(f"sqlite:///file:{edge_db}?mode=ro&uri=true")
    try:
        with engine.connect() as conn:
            held = conn.scalar(select(func.count()).select_from(promotions)) or 0
            lag, last = conn.execute(
                select(func.sum(sync_status.c.lag), func.max(sync_status.c.last_event_at))
            ).one()
            backlog, oldest = conn.execute(
                select(func.count(), func.min(outbox.c.created_at)).where(
                    outbox.c.sent_at.is_(None)
                )
            ).one()
    except SQLAlchemyError as exc:
        return StoreStatus(code, 0, None, None, 0, None, error=str(exc).splitlines()[0][:200])
    finally:
        engine.dispose()
    age = (utcnow() - oldest).total_seconds() if oldest is not None else None
    return StoreStatus(
        code,
        held,
        int(lag) if lag is not None else None,
        last,
        backlog,
        age,
    )


def read_stores(run_dir: Path) -> list[StoreStatus]:
    """The status of every store under ``<run_dir>/stores``, by store code."""
    stores = run_dir / "stores"
    if not stores.is_dir():
        return []
    return [read_store(d.name, d / "edge.db") for d in sorted(stores.iterdir()) if d.is_dir()]


def render(statuses: list[StoreStatus]) -> list[str]:
    """Text lines of a table: store, promotions, sync lag, last event, outbox backlog."""
    lines = [f"{'store':28} {'promotions':>10} {'sync lag':>8} {'outbox':>7}  oldest unsent"]
    for s in statuses:
        if s.error:
            lines.append(f"{s.code:28} {s.error}")
            continue
        lag = "-" if s.sync_lag is None else str(s.sync_lag)
        oldest = "-" if s.oldest_unsent_s is None else f"{s.oldest_unsent_s:.0f}s"
        lines.append(f"{s.code:28} {s.promotions:>10} {lag:>8} {s.outbox_backlog:>7}  {oldest}")
    return lines
