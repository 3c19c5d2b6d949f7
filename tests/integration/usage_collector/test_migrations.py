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
