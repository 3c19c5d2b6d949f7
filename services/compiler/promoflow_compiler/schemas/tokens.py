"""API tokens in and out."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, model_validator

from promoflow_compiler.schemas.common import ApiModel, Label


class TokenCreate(ApiModel):
    """A token for a manager, analyst or store edge; ``store_id`` pins a store_edge token to
    one store's sync data (optional)."""

    name: Label
    role: Literal["manager", "analyst", "store_edge"]
    store_id: UUID | None = None

    @model_validator(mode="after")
    def _store_only_for_edges(self) -> TokenCreate:
        if self.store_id is not None and self.role != "store_edge":
            raise ValueError("store_id is only for store_edge tokens")
        return self


class TokenOut(BaseModel):
    """A token's metadata (the secret is never shown again)."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    role: str
    store_id: UUID | None
    created_by: str
    created_at: datetime
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    """A new token: ``token`` is shown once; send it as ``Authorization: Bearer <token>``."""

    token: str
