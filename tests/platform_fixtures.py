"""Session-scoped fixtures that give integration tests a real Kafka broker and PostgreSQL.

Each starts once per test run through the project's own infra scripts, on free ports in a
temporary run directory, and is stopped at the end. To reuse running ones instead (faster
local iterations), set ``PROMOFLOW_TEST_KAFKA`` (``host:port``) and/or
``PROMOFLOW_TEST_DATABASE_URL`` (an SQLAlchemy URL whose user may create databases).

Per-test isolation: ``topics`` gives each test its own topic prefix with the topics created;
``database_url`` gives each test a fresh database that is dropped afterwards.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from promoflow_contracts.topics import Topics
from promoflow_infra.processes import KafkaBroker, PostgresCluster, free_port
from promoflow_infra.topics import ensure_topics


@contextmanager
def _visible(config: pytest.Config) -> Iterator[None]:
    """Let script output reach the terminal (and the CI log) despite pytest's capture."""
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is None:
        yield
        return
    with capture.global_and_fixture_disabled():
        yield


@pytest.fixture(scope="session")
def kafka_bootstrap(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``host:port`` of a real Kafka broker for this test run."""
    given = os.environ.get("PROMOFLOW_TEST_KAFKA")
    if given:
        yield given
        return
    broker = KafkaBroker(
        port=free_port(), run_dir=tmp_path_factory.mktemp("kafka"), controller_port=free_port()
    )
    with _visible(pytestconfig):
        broker.start(echo=sys.stdout)
    try:
        yield broker.bootstrap_servers
    finally:
        with _visible(pytestconfig):
            broker.stop(echo=sys.stdout)


@pytest.fixture(scope="session")
def postgres_url(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """SQLAlchemy URL of a real PostgreSQL database whose role may create databases."""
    given = os.environ.get("PROMOFLOW_TEST_DATABASE_URL")
    if given:
        yield given
        return
    run_dir = Path(tmp_path_factory.mktemp("postgres"))
    cluster = PostgresCluster(port=free_port(), run_dir=run_dir)
    with _visible(pytestconfig):
        cluster.start(echo=sys.stdout)
    try:
        yield cluster.url
    finally:
        with _visible(pytestconfig):
            cluster.stop(echo=sys.stdout)


@pytest.fixture
def database_url(postgres_url: str) -> Iterator[str]:
    """A fresh, empty database for one test (dropped afterwards)."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
async def topics(kafka_bootstrap: str) -> AsyncIterator[Topics]:
    """PromoFlow's topics under a prefix unique to this test, created with 3 partitions."""
    prefix = f"test-{uuid.uuid4().hex[:10]}."
    names = Topics(prefix)
    await ensure_topics(kafka_bootstrap, names, partitions=3)
    yield names
