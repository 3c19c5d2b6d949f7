"""Fixtures of the usage collector's integration tests: a migrated database, topics, workers.

A worker is a real subprocess (``python -m promoflow_usage_collector worker``) against the real
broker and PostgreSQL. Starting one takes seconds, so ``shared_collector`` serves every worker test;
tests keep apart by using their own promotion ids.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from promoflow_contracts.topics import Topics
from promoflow_infra.paths import REPO_ROOT
from promoflow_infra.topics import ensure_topics
from promoflow_usage_collector.adapters.migrate import upgrade_to_head


@dataclass
class WorkerProcess:
    """One collector worker subprocess and its log file."""

    process: subprocess.Popen[bytes]
    log: Path

    def tail(self) -> str:
        """The end of the worker's log (for assertion messages)."""
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 20 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL now (no shutdown, no offset commit)."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


@dataclass
class CollectorSetup:
    """Broker, topics and database of a collector under test, and how to start workers."""

    bootstrap: str
    topics: Topics
    database_url: str
    run_dir: Path
    app_id: str
    workers: list[WorkerProcess] = field(default_factory=list)

    def start_worker(self, *extra: str, name: str | None = None) -> WorkerProcess:
        """Start one more worker of this collector's consumer group."""
        name = name or f"worker-{len(self.workers) + 1}"
        log = self.run_dir / f"{name}.log"
        argv = [
            sys.executable,
            "-m",
            "promoflow_usage_collector",
            "worker",
            "--broker",
            self.bootstrap,
            "--topic-prefix",
            self.topics.prefix,
            "--app-id",
            self.app_id,
            "--data-dir",
            str(self.run_dir / name),
            "--database-url",
            self.database_url,
            "--no-migrate",
            "-l",
            "warn",
            *extra,
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PROMOFLOW_")}
        with log.open("ab") as out:
            process = subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=out, stderr=out)
        worker = WorkerProcess(process, log)
        self.workers.append(worker)
        return worker

    async def wait_for_members(self, count: int, timeout: float = 60) -> None:
        """Wait until the faust group and the batch ingest group (``<app id>-ingest``) are
        both stable with ``count`` members."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            async with asyncio.timeout(timeout):
                while True:
                    for worker in self.workers:
                        assert worker.process.poll() is None, worker.tail()
                    try:
                        # one group per request: aiokafka cannot decode the two together
                        responses = [
                            *await admin.describe_consumer_groups([self.app_id]),
                            *await admin.describe_consumer_groups([f"{self.app_id}-ingest"]),
                        ]
                    except KafkaError as exc:  # a fresh broker's coordinator is not up yet
                        if not exc.retriable:
                            raise
                    else:
                        groups = [g for r in responses for g in r.groups]
                        if len(groups) == 2 and all(
                            g[2] == "Stable" and len(g[5]) == count for g in groups
                        ):
                            return
                    await asyncio.sleep(0.3)
        finally:
            await admin.close()

    def query(self, sql: str, **params: object) -> list[tuple[Any, ...]]:
        """Rows of ``sql`` on the collector's database."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return [tuple(row) for row in conn.execute(text(sql), params)]
        finally:
            engine.dispose()

    def stop_all(self) -> None:
        """Stop every worker started."""
        for worker in self.workers:
            worker.stop()


def _create_database(postgres_url: str) -> tuple[str, Callable[[], None]]:
    name = f"usage_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(scope="module")
def module_database_url(postgres_url: str) -> Iterator[str]:
    """A fresh database with the collector's schema, for one test module."""
    url, drop = _create_database(postgres_url)
    upgrade_to_head(url)
    try:
        yield url
    finally:
        drop()


async def new_setup(kafka_bootstrap: str, database_url: str, run_dir: Path) -> CollectorSetup:
    """Topics under a new prefix (3 partitions each) and a new consumer group."""
    prefix = f"uc-{uuid.uuid4().hex[:10]}."
    topics = Topics(prefix)
    await ensure_topics(kafka_bootstrap, topics, partitions=3)
    return CollectorSetup(
        bootstrap=kafka_bootstrap,
        topics=topics,
        database_url=database_url,
        run_dir=run_dir,
        app_id=f"usage-collector-{prefix.strip('.')}",
    )


@pytest.fixture(scope="session")
async def shared_collector(
    kafka_bootstrap: str, postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[CollectorSetup]:
    """One running worker (with its own database and topics) shared by the worker tests."""
    url, drop = _create_database(postgres_url)
    upgrade_to_head(url)
    setup = await new_setup(kafka_bootstrap, url, tmp_path_factory.mktemp("usage-worker"))
    setup.start_worker()
    try:
        await setup.wait_for_members(1)
        yield setup
    finally:
        setup.stop_all()
        drop()


@pytest.fixture
async def collector(
    kafka_bootstrap: str, database_url: str, tmp_path: Path
) -> AsyncIterator[CollectorSetup]:
    """Migrated database, topics and group for one test; the test starts its own workers."""
    upgrade_to_head(database_url)
    setup = await new_setup(kafka_bootstrap, database_url, tmp_path)
    try:
        yield setup
    finally:
        setup.stop_all()
