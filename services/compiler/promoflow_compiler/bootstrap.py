"""The one place that wires the compiler service: settings -> engine -> services -> app.

Tests call the same :func:`bootstrap` (with their own settings and, if they like, a clock).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from promoflow_compiler.adapters.database import make_engine, make_sessions
from promoflow_compiler.adapters.limits_consumer import LimitsConsumer
from promoflow_compiler.adapters.relay import OutboxRelay, kafka_producer
from promoflow_compiler.config import Settings
from promoflow_compiler.service.catalog import CatalogService
from promoflow_compiler.service.catalog_import import CatalogImportService
from promoflow_compiler.service.context import ServiceContext, utc_now
from promoflow_compiler.service.limits import LimitsService
from promoflow_compiler.service.master_data import MasterDataService
from promoflow_compiler.service.preview import PreviewService
from promoflow_compiler.service.promotions import PromotionService
from promoflow_compiler.service.scheduler import SchedulerService
from promoflow_compiler.service.sync import SyncService
from promoflow_compiler.service.tokens import TokenService


@dataclass(frozen=True, slots=True)
class Container:
    """Everything the entrypoints use, built once per process."""

    settings: Settings
    engine: Engine
    ctx: ServiceContext
    promotions: PromotionService
    master: MasterDataService
    catalog: CatalogService
    imports: CatalogImportService
    tokens: TokenService
    scheduler: SchedulerService
    sync: SyncService
    limits: LimitsService
    preview: PreviewService

    def relay(self, after_publish: Callable[[Sequence[int]], None] | None = None) -> OutboxRelay:
        """An outbox relay to ``settings.kafka_bootstrap`` (``after_publish``: a test hook)."""
        s = self.settings
        return OutboxRelay(
            self.engine,
            lambda: kafka_producer(s.kafka_bootstrap),
            batch_size=s.relay_batch_size,
            poll_interval=s.relay_poll_interval,
            backoff_initial=s.relay_backoff_initial,
            backoff_max=s.relay_backoff_max,
            after_publish=after_publish,
        )

    def limits_consumer(self) -> LimitsConsumer:
        """A consumer of ``limits.v1`` (group ``settings.limits_group_id``)."""
        s = self.settings
        return LimitsConsumer(
            self.limits,
            bootstrap_servers=s.kafka_bootstrap,
            topic=s.topics.limits,
            group_id=s.limits_group_id,
            backoff_initial=s.relay_backoff_initial,
            backoff_max=s.relay_backoff_max,
        )

    def close(self) -> None:
        """Release the database pool."""
        self.engine.dispose()


def bootstrap(
    settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now
) -> Container:
    """Wire the service from ``settings`` (default: the environment)."""
    settings = settings or Settings()
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    ctx = ServiceContext(
        sessions=make_sessions(engine),
        topics=settings.topics,
        producer=settings.producer_name,
        clock=clock,
    )
    return Container(
        settings=settings,
        engine=engine,
        ctx=ctx,
        promotions=PromotionService(ctx),
        master=MasterDataService(ctx),
        catalog=CatalogService(ctx),
        imports=CatalogImportService(ctx),
        tokens=TokenService(ctx, settings.admin_token_value),
        scheduler=SchedulerService(ctx),
        sync=SyncService(engine),
        limits=LimitsService(ctx),
        preview=PreviewService(ctx),
    )
