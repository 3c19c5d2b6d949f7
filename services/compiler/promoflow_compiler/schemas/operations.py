"""Responses of the catalogue import and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class ImportOut(BaseModel):
    """What a catalogue import did (``dry_run`` = nothing was saved)."""

    dry_run: bool
    created: int
    updated: int
    unchanged: int
    categories_created: list[str]
    republished: list[UUID]


class AuditOut(BaseModel):
    """One audited write: ``changes`` = ``{field: [old, new]}``."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    entity_type: str
    entity_id: str
    changes: dict[str, Any]
