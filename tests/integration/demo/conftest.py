"""Fixtures of the demo tests: the real compiler API, in-process, on a fresh HO database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from promoflow_compiler.adapters.migrate import upgrade_to_head
from promoflow_compiler.bootstrap import bootstrap
from promoflow_compiler.config import Settings
from promoflow_compiler.entrypoints.api import create_app
from promoflow_infra.demo.ho_client import HoClient

ADMIN_TOKEN = "demo-test-admin-token"


@pytest.fixture
def compiler_http(database_url: str) -> Iterator[TestClient]:
    """An HTTP client of the compiler API (its own bootstrap) on a migrated database."""
    upgrade_to_head(database_url)
    settings = Settings(
        env="test",
        ho_database_url=database_url,
        admin_token=ADMIN_TOKEN,  # type: ignore[arg-type]
        kafka_bootstrap="127.0.0.1:1",  # activation writes the outbox; no relay runs here
        producer_name="compiler/demo-test",
        db_pool_size=4,
    )
    container = bootstrap(settings)
    try:
        with TestClient(create_app(container)) as http:
            yield http
    finally:
        container.close()


@pytest.fixture
def ho(compiler_http: TestClient) -> HoClient:
    """The importer's client over the in-process compiler."""
    return HoClient("http://testserver", ADMIN_TOKEN, http=compiler_http)
