"""What every service needs: sessions, topic names, the producer name and a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from promoflow_contracts.topics import Topics


def utc_now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ServiceContext:
    """Wiring shared by the services (built once by ``bootstrap``)."""

    sessions: sessionmaker[Session]
    topics: Topics
    producer: str
    clock: Callable[[], datetime] = field(default=utc_now)
