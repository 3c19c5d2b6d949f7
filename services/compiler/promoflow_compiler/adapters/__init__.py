"""Adapters of the HO compiler service: persistence (SQLAlchemy ORM, Alembic migrations)."""
