"""The platform a PromoFlow run stands on: Kafka, PostgreSQL, topics and the HO schema.

``Platform.from_settings()`` reads ports and the run directory from the environment
(``PROMOFLOW_KAFKA_PORT`` default 9092, ``PROMOFLOW_PG_PORT`` default 5433,
``PROMOFLOW_RUN_DIR`` default ``<repo>/.run``, ``PROMOFLOW_TOPIC_PREFIX`` default
``promoflow.``).
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import TextIO

from promoflow_contracts.topics import DEFAULT_PREFIX, Topics
from promoflow_infra.paths import run_dir
from promoflow_infra.processes import KafkaBroker, PostgresCluster
from promoflow_infra.topics import ensure_topics


@dataclass(frozen=True, slots=True)
class Platform:
    """The broker, the HO database and the topic names of one PromoFlow run."""

    kafka: KafkaBroker
    postgres: PostgresCluster
    topics: Topics

    @classmethod
    def from_settings(cls) -> Platform:
        """Build from environment variables (see the module docstring)."""
        base = run_dir()
        return cls(
            kafka=KafkaBroker(int(os.environ.get("PROMOFLOW_KAFKA_PORT", "9092")), base / "kafka"),
            postgres=PostgresCluster(
                int(os.environ.get("PROMOFLOW_PG_PORT", "5433")), base / "postgres"
            ),
            topics=Topics(os.environ.get("PROMOFLOW_TOPIC_PREFIX", DEFAULT_PREFIX)),
        )

    def start(self, echo: TextIO) -> None:
        """Start Kafka and PostgreSQL and create the topics.

        Raises :class:`promoflow_infra.processes.PlatformError` when a part does not start.
        """
        self.kafka.start(echo=echo)
        self.postgres.start(echo=echo)
        created = asyncio.run(ensure_topics(self.kafka.bootstrap_servers, self.topics))
        print(f"topics: {len(created)} created under prefix {self.topics.prefix!r}", file=echo)

    def stop(self, echo: TextIO) -> None:
        """Stop PostgreSQL and Kafka (their data and logs stay in the run directory)."""
        self.postgres.stop(echo=echo)
        self.kafka.stop(echo=echo)
