"""Integration tests get the real broker and database from :mod:`tests.platform_fixtures`."""

from tests.platform_fixtures import (  # noqa: F401  (pytest fixtures are found by name)
    database_url,
    kafka_bootstrap,
    postgres_url,
    topics,
)
