"""Prometheus metrics of the evaluator.

Per process (multiprocess-safe when ``PROMETHEUS_MULTIPROC_DIR`` is set, which the CLI does
for ``--workers > 1``):

* ``promoflow_evaluator_request_seconds`` (histogram; method, route, status): request latency;
* ``promoflow_evaluator_engine_seconds`` (histogram; endpoint): the engine's share of an
  evaluate request (allowances from the snapshot + ``evaluate``);
* ``promoflow_evaluator_handler_seconds`` (histogram; endpoint): the synchronous work of an
  evaluate request (key check, parse, engine, serialise), without socket I/O or waiting for
  the event loop;
* ``promoflow_evaluations_total`` (counter; endpoint): carts evaluated (evaluate, checkout,
  calculate, preview);
* ``promoflow_checkouts_total`` (counter; outcome): recorded, replayed, conflict.

Read from the edge store at scrape time (one worker answers for the store):

* ``promoflow_edge_sync_lag_records``: records edge_sync has not applied yet (sum over
  partitions), ``promoflow_edge_sync_last_event_age_seconds``;
* ``promoflow_outbox_backlog``: outbox rows not yet acknowledged by Kafka,
  ``promoflow_outbox_oldest_age_seconds``;
* ``promoflow_snapshot_data_version`` / ``promoflow_snapshot_promotions`` of this worker;
* ``promoflow_evaluator_engine_build{build="compiled"|"interpreted"}`` = 1: whether the engine
  runs as compiled by mypyc (``promoflow_evaluator.engine_native``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from promoflow_contracts import edge_store as es
from promoflow_contracts.edge_store import utcnow
from promoflow_evaluator.adapters.repository import EdgeRepository
from promoflow_evaluator.engine import BUILD as ENGINE_BUILD
from promoflow_evaluator.snapshot import SnapshotHolder

REQUEST_SECONDS = Histogram(
    "promoflow_evaluator_request_seconds",
    "Evaluator HTTP request latency.",
    ["method", "route", "status"],
    buckets=(0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
ENGINE_SECONDS = Histogram(
    "promoflow_evaluator_engine_seconds",
    "Time in the engine (allowances + evaluation) per evaluate request.",
    ["endpoint"],
    buckets=(0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25),
)
HANDLER_SECONDS = Histogram(
    "promoflow_evaluator_handler_seconds",
    "CPU-bound work of an evaluate request: key check, parse, engine, serialise.",
    ["endpoint"],
    buckets=(0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25),
)
EVALUATIONS = Counter("promoflow_evaluations", "Carts evaluated.", ["endpoint"])
CHECKOUTS = Counter("promoflow_checkouts", "Checkout requests by outcome.", ["outcome"])


class StoreCollector(Collector):
    """Gauges read from the edge store and this worker's snapshot at scrape time."""

    def __init__(self, repository: EdgeRepository, snapshots: SnapshotHolder) -> None:
        self._repository = repository
        self._snapshots = snapshots

    def collect(self) -> Iterator[Metric]:
        now = utcnow()
        with self._repository.read() as reader:
            status = es.sync_status
            lag, last_event = reader.conn.execute(
                select(func.sum(status.c.lag), func.max(status.c.last_event_at))
            ).one()
            outbox = es.outbox
            backlog, oldest = reader.conn.execute(
                select(func.count(), func.min(outbox.c.created_at)).where(
                    outbox.c.sent_at.is_(None)
                )
            ).one()
        yield GaugeMetricFamily(
            "promoflow_edge_sync_lag_records", "Records edge_sync has not applied.", int(lag or 0)
        )
        if last_event is not None:
            if last_event.tzinfo is None:
                last_event = last_event.replace(tzinfo=now.tzinfo)
            yield GaugeMetricFamily(
                "promoflow_edge_sync_last_event_age_seconds",
                "Age of the newest promotion event applied.",
                (now - last_event).total_seconds(),
            )
        yield GaugeMetricFamily(
            "promoflow_outbox_backlog", "Outbox rows not yet acknowledged by Kafka.", int(backlog)
        )
        age = 0.0
        if oldest is not None:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
            age = (now - oldest).total_seconds()
        yield GaugeMetricFamily(
            "promoflow_outbox_oldest_age_seconds", "Age of the oldest unsent outbox row.", age
        )
        info = GaugeMetricFamily(
            "promoflow_evaluator_engine_build",
            "The engine build this worker runs (1 for its label): compiled by mypyc or not.",
            labels=["build"],
        )
        info.add_metric([ENGINE_BUILD.build], 1)
        yield info
        catalog = self._snapshots.catalog
        if catalog is not None:
            yield GaugeMetricFamily(
                "promoflow_snapshot_data_version",
                "Data version of this worker's snapshot.",
                catalog.data_version,
            )
            yield GaugeMetricFamily(
                "promoflow_snapshot_promotions",
                "Active promotions in this worker's snapshot.",
                len(catalog.promotions),
            )


class MetricsExporter:
    """Renders the metrics page (multiprocess-aware)."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, store: StoreCollector) -> None:
        self._store = store
        self._registered = False

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            registry.register(self._store)
            return generate_latest(registry)
        if not self._registered:
            REGISTRY.register(self._store)
            self._registered = True
        return generate_latest(REGISTRY)

    def close(self) -> None:
        """Unregister from the default registry (tests build several apps in one process)."""
        if self._registered:
            REGISTRY.unregister(self._store)
            self._registered = False
