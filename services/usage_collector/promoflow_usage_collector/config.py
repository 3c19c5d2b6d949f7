"""Settings of the usage collector: one ``Settings`` read from ``PROMOFLOW_*`` variables.

=====================================  ============================================================
variable                               meaning (default)
=====================================  ============================================================
``PROMOFLOW_HO_DATABASE_URL``          HO PostgreSQL, SQLAlchemy URL with psycopg (required)
``PROMOFLOW_ANALYTICS_DATABASE_URL``   URL the analytics API reads with, e.g. a read-only role
                                       (defaults to the HO URL; every API transaction is
                                       ``READ ONLY`` either way)
``PROMOFLOW_KAFKA_BOOTSTRAP``          ``host:port[,host:port]`` (``127.0.0.1:9092``)
``PROMOFLOW_TOPIC_PREFIX``             topic name prefix (``promoflow.``)
``PROMOFLOW_ENV``                      ``development`` / ``test`` / ``production`` (``production``)
``PROMOFLOW_ANALYTICS_TOKEN``          bearer token of the analytics API; required outside
                                       development (development default: ``dev-analytics-token``)
``PROMOFLOW_USAGE_APP_ID``             faust app id = Kafka consumer group (``usage-collector``);
                                       redemptions and evaluations are read by the group
                                       ``<app id>-ingest``
``PROMOFLOW_USAGE_DATA_DIR``           faust data directory (``$PROMOFLOW_RUN_DIR/usage-collector``
                                       or ``./.run/usage-collector``)
``PROMOFLOW_USAGE_BATCH_SIZE``         events per database transaction, at most (1000)
``PROMOFLOW_USAGE_BATCH_WITHIN``       seconds to wait for a batch to fill (0.05: a limit-crossing
                                       redemption waits little; under a backlog batches
                                       fill anyway, and one applies while the next fills)
``PROMOFLOW_USAGE_DAILY_LIMIT_SCOPE``  ``store``: ``max_uses_per_day`` counts per store and
                                       store-local day; ``all_stores``: across stores (``store``)
``PROMOFLOW_USAGE_SESSION_TIMEOUT``    seconds before the group gives a dead worker's
                                       partitions to the others (30)
``PROMOFLOW_USAGE_STATIC_DIR``         files the API serves under ``/static`` (the package's
                                       ``entrypoints/static``; Chart.js in its ``vendor``
                                       folder, put there by ``infra/web/fetch_assets.sh``)
=====================================  ============================================================
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from promoflow_contracts.topics import DEFAULT_PREFIX, Topics
from promoflow_usage_collector.domain.limits import DailyScope
from promoflow_usage_collector.exceptions import ConfigurationError

DEVELOPMENT_TOKEN = "dev-analytics-token"


#: The dashboard's script and (in ``vendor/``, git-ignored) the fetched Chart.js.
PACKAGE_STATIC_DIR = Path(__file__).parent / "entrypoints" / "static"


def _default_data_dir() -> Path:
    return Path(os.environ.get("PROMOFLOW_RUN_DIR", ".run")) / "usage-collector"


class Settings(BaseSettings):
    """Everything the collector's worker and API read from the environment."""

    model_config = SettingsConfigDict(env_prefix="PROMOFLOW_", extra="ignore")

    ho_database_url: str | None = None
    analytics_database_url: str | None = None
    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_prefix: str = DEFAULT_PREFIX
    env: Literal["development", "test", "production"] = "production"
    analytics_token: str | None = None
    usage_app_id: str = "usage-collector"
    usage_data_dir: Path = Field(default_factory=_default_data_dir)
    usage_batch_size: int = Field(default=1000, ge=1, le=20_000)
    usage_batch_within: float = Field(default=0.05, gt=0, le=10)
    usage_daily_limit_scope: DailyScope = DailyScope.STORE
    usage_session_timeout: float = Field(default=30.0, ge=6, le=90)
    usage_static_dir: Path = PACKAGE_STATIC_DIR

    @model_validator(mode="after")
    def _development_token(self) -> Settings:
        if self.analytics_token is None and self.env == "development":
            self.analytics_token = DEVELOPMENT_TOKEN
        return self

    @property
    def topics(self) -> Topics:
        """Topic names under :attr:`topic_prefix`."""
        return Topics(self.topic_prefix)

    @property
    def ingest_group_id(self) -> str:
        """Consumer group of the batch ingest of redemptions and evaluations."""
        return f"{self.usage_app_id}-ingest"

    def database_url(self) -> str:
        """The HO database URL; raises :class:`ConfigurationError` when it is not set."""
        if not self.ho_database_url:
            raise ConfigurationError(
                "PROMOFLOW_HO_DATABASE_URL is not set (e.g. "
                "postgresql+psycopg://promoflow:promoflow@127.0.0.1:5433/promoflow)"
            )
        return self.ho_database_url

    def reader_database_url(self) -> str:
        """The URL the analytics API reads with (``PROMOFLOW_ANALYTICS_DATABASE_URL`` or HO)."""
        return self.analytics_database_url or self.database_url()

    def required_token(self) -> str:
        """The analytics bearer token; raises :class:`ConfigurationError` when none is set."""
        if not self.analytics_token:
            raise ConfigurationError(
                "PROMOFLOW_ANALYTICS_TOKEN is not set (only PROMOFLOW_ENV=development has a "
                "default token)"
            )
        return self.analytics_token
