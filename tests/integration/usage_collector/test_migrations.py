"""The collector's own Alembic environment lives beside the compiler's in the HO database."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import create_engine, inspect, text

from promoflow_infra.paths import REPO_ROOT
from promoflow_usage_collector.adapters.migrate import ALEMBIC_INI, upgrade_to_head

COMPILER_INI = REPO_ROOT / "services" / "compiler" / "promoflow_compiler" / "alembic.ini"


def alembic(ini: object, *args: str, url: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ini), *args],
        env={**os.environ, "PROMOFLOW_HO_DATABASE_URL": url},
        check=True,
        capture_output=True,
    )


def test_collector_and_compiler_migrations_share_a_database_without_colliding(
    database_url: str,
) -> None:
    # given the compiler's schema at head
    alembic(COMPILER_INI, "upgrade", "head", url=database_url)
    # when the collector's migrations run (twice: idempotent)
    upgrade_to_head(database_url)
    upgrade_to_head(database_url)
    # then each has its own version table, and the collector's tables are in schema "usage"
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            compiler = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            collector = conn.execute(
                text("SELECT version_num FROM alembic_version_usage_collector")
            ).scalar()
        tables = set(inspect(engine).get_table_names(schema="usage"))
        assert compiler is not None and collector == "0001"
        assert {"processed_events", "promotion_daily", "limit_states", "outbox"} <= tables
        # and taking the collector's schema down leaves the compiler's untouched
        alembic(ALEMBIC_INI, "downgrade", "base", url=database_url)
        assert "usage" not in inspect(engine).get_schema_names()
        with engine.connect() as conn:
            after = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert after == compiler
    finally:
        engine.dispose()


def test_purge_processed_drops_only_old_dedupe_rows(database_url: str) -> None:
    # given one dedupe row from 20 days ago and one from now
    upgrade_to_head(database_url)
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO usage.processed_events (event_id, event_type, processed_by, "
                    "processed_at) VALUES (gen_random_uuid(), 'RedemptionRecorded', 't', "
                    "now() - interval '20 days'), (gen_random_uuid(), 'RedemptionRecorded', 't', "
                    "now())"
                )
            )
        # when rows older than 14 days are purged through the CLI
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "promoflow_usage_collector",
                "purge-processed",
                "--database-url",
                database_url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        # then only the old one is gone
        assert "1 rows older than 14 days deleted" in done.stdout
        with engine.connect() as conn:
            left = conn.execute(text("SELECT COUNT(*) FROM usage.processed_events")).scalar()
        assert left == 1
    finally:
        engine.dispose()
