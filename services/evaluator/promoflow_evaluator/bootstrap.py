"""The one place that wires the evaluator: settings → engine, repository, snapshot, services."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from promoflow_contracts.edge_store import create_edge_engine
from promoflow_contracts.topics import Topics
from promoflow_evaluator.adapters.outbox import OutboxStore
from promoflow_evaluator.adapters.repository import EdgeRepository
from promoflow_evaluator.adapters.usage_client import UsageClient
from promoflow_evaluator.checkout import CheckoutService
from promoflow_evaluator.config import Settings
from promoflow_evaluator.entrypoints.relay import LEASE, OutboxRelay, relay_owner
from promoflow_evaluator.metrics import MetricsExporter, StoreCollector
from promoflow_evaluator.service import EvaluatorService
from promoflow_evaluator.snapshot import SnapshotHolder

TEMPLATES = Path(__file__).resolve().parent / "entrypoints" / "templates"


@dataclass(frozen=True, slots=True)
class Container:
    """Everything an API worker needs, built once per process."""

    settings: Settings
    repository: EdgeRepository
    snapshots: SnapshotHolder
    evaluator: EvaluatorService
    checkout: CheckoutService
    usage: UsageClient | None
    metrics: MetricsExporter
    templates: Environment


def build(settings: Settings | None = None) -> Container:
    """Wire an API worker from ``settings`` (default: the environment). No I/O happens here;
    the app's lifespan creates the schema and loads the first snapshot."""
    settings = settings or Settings()  # store identity comes from the environment
    engine = create_edge_engine(settings.edge_database_url, pool_size=8)
    repository = EdgeRepository(engine, settings.store_id, Topics(settings.topic_prefix))
    snapshots = SnapshotHolder(
        repository, ZoneInfo(settings.store_timezone), settings.snapshot_poll_ms / 1000
    )
    evaluator = EvaluatorService(settings, repository, snapshots)
    usage = None
    if settings.ho_usage_url:
        token = settings.ho_usage_token.get_secret_value() if settings.ho_usage_token else None
        usage = UsageClient(settings.ho_usage_url, token, settings.ho_usage_timeout_ms)
    templates = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
    )
    return Container(
        settings=settings,
        repository=repository,
        snapshots=snapshots,
        evaluator=evaluator,
        checkout=CheckoutService(evaluator, usage),
        usage=usage,
        metrics=MetricsExporter(StoreCollector(repository, snapshots)),
        templates=templates,
    )


def build_relay(settings: Settings | None = None) -> OutboxRelay:
    """Wire the outbox relay of the store."""
    settings = settings or Settings()
    engine = create_edge_engine(settings.edge_database_url, pool_size=2)
    EdgeRepository(engine, settings.store_id, Topics(settings.topic_prefix)).create()
    return OutboxRelay(settings, OutboxStore(engine, relay_owner(), LEASE))
