"""SQLAlchemy 2 ORM models of the head-office (HO) PostgreSQL database.

`Base.metadata` is Alembic's `target_metadata`. Every schema change needs a hand-written
migration in ``promoflow_compiler/migrations/versions`` that matches these models.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, Integer, MetaData, Text, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names, so that migrations can refer to them.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of all HO tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OutboxMessage(Base):
    """Transactional outbox: a Kafka record written in the same transaction as the change.

    A relay publishes unsent rows (``sent_at IS NULL``) in ``id`` order to ``topic`` with
    key ``message_key``, then sets ``sent_at``. ``payload`` NULL is a tombstone (Kafka
    record with a null value, for compacted topics).
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_unsent", "id", postgresql_where=text("sent_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    topic: Mapped[str] = mapped_column(Text)
    message_key: Mapped[str | None] = mapped_column(Text)
    # none_as_null: Python None must be SQL NULL (tombstone), not the JSON value 'null'.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    headers: Mapped[dict[str, str]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)


target_metadata = Base.metadata
