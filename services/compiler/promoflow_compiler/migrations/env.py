"""Alembic environment of the HO (head-office) database.

Database URL, first one set wins:
1. ``sqlalchemy.url`` set on the Alembic Config by the caller
   (``promoflow_compiler.adapters.migrate.upgrade_to_head`` does this);
2. the environment variable ``PROMOFLOW_HO_DATABASE_URL`` (for the ``alembic`` CLI; the
   shipped alembic.ini has no ``sqlalchemy.url``).
An explicit caller URL wins so that a developer's shell variable can never redirect a test's
migration to another database. A connection passed in ``config.attributes["connection"]``
is used as is.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, create_engine, pool, text

from promoflow_compiler.adapters.orm import target_metadata

URL_ENV_VAR = "PROMOFLOW_HO_DATABASE_URL"
# pg_advisory_xact_lock key: serialises concurrent upgrades of one database (parallel tests).
MIGRATION_LOCK_KEY = 0x50_46_48_4F_4D_49_47  # "PFHOMIG"

config = context.config

if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get(URL_ENV_VAR)
    if not url:
        raise RuntimeError(
            f"No database URL for the HO migrations: set {URL_ENV_VAR} (e.g. "
            "postgresql+psycopg://promoflow:promoflow@127.0.0.1:5433/promoflow) or set "
            "sqlalchemy.url on the Alembic Config"
        )
    return url


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
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
