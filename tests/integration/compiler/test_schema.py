"""The HO schema: the Alembic migrations create exactly what the ORM models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from promoflow_compiler.adapters.migrate import upgrade_to_head
from promoflow_compiler.adapters.orm import target_metadata


def test_migrations_create_every_table_the_models_describe(database_url: str) -> None:
    # given a fresh database
    # when it is migrated to head
    upgrade_to_head(database_url)
    # then the live schema equals the ORM metadata, table for table and column for column
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, target_metadata) == []
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert {
        "companies",
        "brands",
        "stores",
        "store_brands",
        "categories",
        "products",
        "promotions",
        "promotion_refs",
        "promotion_versions",
        "promotion_publications",
        "audit_log",
        "api_tokens",
        "processed_events",
        "outbox_messages",
    } <= tables
