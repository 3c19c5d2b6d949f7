"""Fixtures of the compiler's integration tests: a migrated HO database per test (cloned from a
template migrated once per run), the service wired by its own bootstrap, an HTTP client, and
the café catalogue of the unit tests loaded through the API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from promoflow_compiler.adapters.migrate import upgrade_to_head
from promoflow_compiler.bootstrap import Container, bootstrap
from promoflow_compiler.config import Settings
from promoflow_compiler.entrypoints.api import create_app
from promoflow_contracts.topics import Topics
from tests.integration.compiler.seed import ADMIN_TOKEN, load_catalogue

TEMPLATE = f"compiler_tmpl_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def ho_template(postgres_url: str) -> Iterator[str]:
    """Name of a database migrated to head once per run, cloned by :func:`ho_database_url`."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{TEMPLATE}"'))
    upgrade_to_head(
        make_url(postgres_url).set(database=TEMPLATE).render_as_string(hide_password=False)
    )
    try:
        yield TEMPLATE
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def catalogue_template(postgres_url: str, ho_template: str) -> Iterator[str]:
    """Name of a database at head holding the café catalogue, loaded once through the API."""
    name = f"{TEMPLATE}_cat"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{ho_template}"'))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    wired = bootstrap(settings_for(url, Topics("unit-test.")))
    try:
        with TestClient(create_app(wired)) as http:
            load_catalogue(http)
    finally:
        wired.close()
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def ho_database_url(
    request: pytest.FixtureRequest, postgres_url: str, ho_template: str
) -> Iterator[str]:
    """A fresh HO database at head for one test (dropped afterwards); tests that use the
    ``catalogue`` or ``kafka_client`` fixtures get it with the café catalogue already loaded."""
    template = ho_template
    if {"catalogue", "kafka_client"} & set(request.fixturenames):
        template = request.getfixturevalue("catalogue_template")
    name = f"test_ho_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Clock:
    """A settable clock for the services (timezone-aware)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """HO's clock, at 2026-03-02 03:00 UTC (10:00 in Jakarta) unless a test moves it."""
    return Clock(datetime(2026, 3, 2, 3, 0, tzinfo=UTC))


def settings_for(database_url: str, topics: Topics, kafka: str = "127.0.0.1:1") -> Settings:
    """Test settings: a fixed admin token, the test's topics and database."""
    return Settings(
        env="test",
        ho_database_url=database_url,
        admin_token=ADMIN_TOKEN,  # type: ignore[arg-type]
        topic_prefix=topics.prefix,
        kafka_bootstrap=kafka,
        producer_name="compiler/test",
        db_pool_size=4,
    )


@pytest.fixture
def container(ho_database_url: str, clock: Clock) -> Iterator[Container]:
    """The service wired by its bootstrap, on the test's database (no broker needed)."""
    wired = bootstrap(settings_for(ho_database_url, Topics("unit-test.")), clock=clock)
    try:
        yield wired
    finally:
        wired.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    """An HTTP client of the app built over :func:`container`."""
    with TestClient(create_app(container)) as http:
        yield http


@pytest.fixture
def catalogue(client: TestClient) -> TestClient:
    """The client, on a database holding the café catalogue (cloned from a template that
    was loaded through the API once per run)."""
    return client


@pytest.fixture
def kafka_container(
    ho_database_url: str, clock: Clock, topics: Topics, kafka_bootstrap: str
) -> Iterator[Container]:
    """The service wired by its bootstrap, publishing to the test's topics on the real broker."""
    wired = bootstrap(settings_for(ho_database_url, topics, kafka_bootstrap), clock=clock)
    try:
        yield wired
    finally:
        wired.close()


@pytest.fixture
def kafka_client(kafka_container: Container) -> Iterator[TestClient]:
    """An HTTP client over :func:`kafka_container`, on a database holding the catalogue."""
    with TestClient(create_app(kafka_container)) as http:
        yield http
