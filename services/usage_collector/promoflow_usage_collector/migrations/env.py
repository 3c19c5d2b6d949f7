"""Alembic environment of the usage collector's tables (schema ``usage`` in the HO database).

Version table: ``alembic_version_usage_collector`` (in ``public``), so these migrations never
collide with the compiler's (default ``alembic_version``) in the same database.

Database URL, first one set wins:
1. ``sqlalchemy.url`` set on the Alembic Config by the caller
   (``promoflow_usage_collector.adapters.migrate.upgrade_to_head`` does this);
2. the environment variable ``PROMOFLOW_HO_DATABASE_URL`` (for the ``alembic`` CLI).
A connection passed in ``config.attributes["connection"]`` is used as is.
"""

from __future__ import annotations

import os
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine, pool, text

from promoflow_usage_collector.adapters.models import SCHEMA, metadata

URL_ENV_VAR = "PROMOFLOW_HO_DATABASE_URL"
VERSION_TABLE = "alembic_version_usage_collector"
# pg_advisory_xact_lock key: serialises concurrent upgrades of one database (parallel starts).
MIGRATION_LOCK_KEY = 0x50_46_55_53_41_47_45  # "PFUSAGE"

config = context.config

if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get(URL_ENV_VAR)
    if not url:
        raise RuntimeError(
            f"No database URL for the usage collector's migrations: set {URL_ENV_VAR} (e.g. "
            "postgresql+psycopg://promoflow:promoflow@127.0.0.1:5433/promoflow) or set "
            "sqlalchemy.url on the Alembic Config"
        )
    return url


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Autogenerate looks at the ``usage`` schema only (other services own the rest)."""
    if type_ == "schema":
        return name == SCHEMA
    return True


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        include_schemas=True,
        include_name=include_name,
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        do_run_migrations(connection)
        return
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            do_run_migrations(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
