"""Fixtures of the store edge integration tests: a store per test, its edge store file, and a
publisher writing to this test's topics as the compiler does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaProducer

from promoflow_contracts.topics import Topics
from tests.integration.edge.helpers import Publisher


@pytest.fixture
def store_id() -> UUID:
    """A store of its own for each test (its own consumer group)."""
    return uuid4()


@pytest.fixture
def edge_url(tmp_path: Path) -> str:
    """An SQLite edge store file for this test."""
    return f"sqlite:///{tmp_path}/store/edge.db"


@pytest.fixture
async def publisher(kafka_bootstrap: str, topics: Topics) -> AsyncIterator[Publisher]:
    """A started idempotent producer for this test's topics."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        yield Publisher(producer, topics)
    finally:
        await producer.stop()
