"""SQLAlchemy engine and session factory of the HO database (psycopg 3)."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for ``url`` (``postgresql+psycopg://...``) with pre-ping and a bounded pool."""
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit (views are built after commit)."""
    return sessionmaker(engine, expire_on_commit=False)
