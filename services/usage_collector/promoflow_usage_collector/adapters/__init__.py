"""Adapters: PostgreSQL (SQLAlchemy Core), Kafka (faust producer), Alembic migrations."""
