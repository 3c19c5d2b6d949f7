"""The one place that wires the usage collector: engines, services, the worker and the API.

Tests call the same functions with their own ``Settings`` (database URL, broker, prefix).
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from fastapi import FastAPI
from sqlalchemy import Engine, create_engine

from promoflow_usage_collector.analytics_service import AnalyticsService
from promoflow_usage_collector.config import Settings
from promoflow_usage_collector.entrypoints.api import create_app
from promoflow_usage_collector.ingest_service import IngestService
from promoflow_usage_collector.limits_service import LimitChecker

if TYPE_CHECKING:  # faust is imported by the worker only, not by the API process
    from promoflow_usage_collector.entrypoints.worker import CollectorWorker


def utc_now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def instance_name(settings: Settings) -> str:
    """``<app id>/<host>-<pid>``: the ``producer`` of events and ``processed_by`` of rows."""
    return f"{settings.usage_app_id}/{socket.gethostname()}-{os.getpid()}"


def writer_engine(settings: Settings) -> Engine:
    """Engine of the ingest path (HO database, read-write).

    No pre-ping (one round trip less per batch): a connection broken by a database restart
    fails its batch, which the worker retries on a fresh connection.
    """
    return create_engine(settings.database_url(), pool_size=4)


def reader_engine(settings: Settings) -> Engine:
    """Engine of the API: every transaction is READ ONLY (a read-only role is advisable too)."""
    return create_engine(
        settings.reader_database_url(),
        pool_pre_ping=True,
        pool_size=8,
        connect_args={"options": "-c default_transaction_read_only=on"},
    )


def build_ingest(settings: Settings, engine: Engine | None = None) -> IngestService:
    """The ingest service the worker's agents call (one transaction per batch)."""
    name = instance_name(settings)
    return IngestService(
        engine=engine or writer_engine(settings),
        limits=LimitChecker(
            topics=settings.topics,
            scope=settings.usage_daily_limit_scope,
            producer=name,
            clock=utc_now,
        ),
        processed_by=name,
        clock=utc_now,
    )


def build_worker(settings: Settings) -> CollectorWorker:
    """The faust app with its agents and outbox relay, ready for ``faust.Worker``."""
    from promoflow_usage_collector.entrypoints.worker import CollectorWorker

    ingest = build_ingest(settings)
    return CollectorWorker(settings, ingest, ingest.engine)


def build_api(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """The read-only FastAPI app (raises ``ConfigurationError`` without a token)."""
    analytics = AnalyticsService(engine or reader_engine(settings))
    return create_app(
        analytics=analytics, token=settings.required_token(), static_dir=settings.usage_static_dir
    )
