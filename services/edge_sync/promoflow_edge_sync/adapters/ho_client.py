"""Client of the HO sync API: ``GET /api/v1/sync/promotions?store_id=…&updated_since=…``.

Response shape (compiler service): ``{"promotions": [<CompiledPromotion JSON>, ...],
"deleted_ids": [<uuid>, ...], "sync_timestamp": "<ISO 8601>"}``; the roadmap's
``deleted_promotion_ids`` is accepted as an alias, and ``full_sync`` (the compiler's flag
"this is the whole set") is honoured when present. Authentication: ``Authorization: Bearer``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.topics import describe_validation_error
from promoflow_edge_sync.exceptions import HoSyncError

SYNC_PATH = "/api/v1/sync/promotions"


class _SyncResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    promotions: list[dict[str, Any]] = Field(default_factory=list)
    deleted_ids: list[UUID] = Field(
        default_factory=list, validation_alias=AliasChoices("deleted_ids", "deleted_promotion_ids")
    )
    sync_timestamp: str
    full_sync: bool | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One pull: valid compiled promotions, deleted ids, HO's timestamp, rejected documents,
    and whether HO says this is the whole set (``full_sync``; None = not said)."""

    promotions: list[CompiledPromotion]
    deleted_ids: list[UUID]
    sync_timestamp: str
    rejected: list[str]
    full: bool | None = None


class HoSyncClient:
    """Pulls the store's promotions from HO (``base_url`` like ``http://127.0.0.1:8000``)."""

    def __init__(self, base_url: str, token: str | None, timeout_s: float = 30.0) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._base_url = base_url.rstrip("/")
        self._headers = headers
        self._timeout = timeout_s

    async def pull(self, store_id: UUID, updated_since: str | None) -> Snapshot:
        """Fetch promotions changed since ``updated_since`` (None = all active ones).

        Raises :class:`HoSyncError` when HO cannot be reached, answers with an error status or
        a body that is not the documented shape. Documents that fail validation are returned
        in ``rejected`` (with the field and problem) rather than failing the pull.
        """
        params = {"store_id": str(store_id)}
        if updated_since:
            params["updated_since"] = updated_since
        try:
            async with httpx.AsyncClient(timeout=self._timeout, headers=self._headers) as client:
                response = await client.get(self._base_url + SYNC_PATH, params=params)
        except httpx.HTTPError as exc:
            raise HoSyncError(f"HO sync API unreachable: {exc!r}") from exc
        if response.status_code != 200:
            raise HoSyncError(f"HO sync API answered {response.status_code}: {response.text[:300]}")
        try:
            body = _SyncResponse.model_validate_json(response.content)
        except ValidationError as exc:
            raise HoSyncError(f"HO sync API body: {describe_validation_error(exc)}") from exc
        promotions: list[CompiledPromotion] = []
        rejected: list[str] = []
        for index, document in enumerate(body.promotions):
            try:
                promotions.append(CompiledPromotion.model_validate(document))
            except ValidationError as exc:
                label = document.get("id", index) if isinstance(document, dict) else index
                rejected.append(f"promotions[{label}]: {describe_validation_error(exc)}")
        return Snapshot(promotions, body.deleted_ids, body.sync_timestamp, rejected, body.full_sync)
