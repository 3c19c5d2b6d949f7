"""Run the usage collector's Alembic migrations from Python (tests, worker start-up, CLI)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


def upgrade_to_head(database_url: str) -> None:
    """Upgrade the collector's schema ``usage`` in the HO database at ``database_url`` to head.

    ``database_url`` is a SQLAlchemy URL, e.g.
    ``postgresql+psycopg://promoflow:promoflow@127.0.0.1:5433/promoflow``; it takes precedence
    over ``PROMOFLOW_HO_DATABASE_URL``. The version is kept in the table
    ``alembic_version_usage_collector``, apart from the compiler's ``alembic_version``.
    Idempotent: a database already at head is left unchanged. Concurrent callers on the same
    database are serialised with a PostgreSQL advisory lock. Does not touch the caller's
    logging configuration.

    Raises:
        ValueError: ``database_url`` is empty.
        FileNotFoundError: ``alembic.ini`` is missing next to the package.
        sqlalchemy.exc.ArgumentError: ``database_url`` is not a valid SQLAlchemy URL.
        sqlalchemy.exc.OperationalError: the database cannot be reached.
        alembic.util.CommandError: the database has a revision unknown to this code.
        Any error raised by a migration (the whole upgrade is one rolled-back transaction).
    """
    if not database_url:
        raise ValueError("database_url must be a non-empty SQLAlchemy URL")
    if not ALEMBIC_INI.is_file():
        raise FileNotFoundError(ALEMBIC_INI)
    cfg = Config(str(ALEMBIC_INI))
    # Config values go through configparser interpolation: escape '%' (URL-encoded passwords).
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.attributes["configure_logging"] = False
    command.upgrade(cfg, "head")
