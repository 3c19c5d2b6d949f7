"""Client of HO's customer usage API (usage collector):
``GET {PROMOFLOW_HO_USAGE_URL}/api/v1/usage/customers/{customer_id}/promotions/{promotion_id}``.

The answer is read tolerantly: the use count is the first integer found under ``uses``,
``use_count``, ``count``, ``total_uses`` or ``redemptions`` (voids already subtracted by HO).
Every lookup of one checkout shares one time budget (``ho_usage_timeout_ms``, at most 300 ms);
a lookup that fails or is late is reported as None, and the caller decides from local counts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

log = logging.getLogger(__name__)

_COUNT_KEYS = ("uses", "use_count", "count", "total_uses", "redemptions")


def _count(body: Any) -> int | None:
    if not isinstance(body, dict):
        return None
    for key in _COUNT_KEYS:
        value = body.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return None


class UsageClient:
    """Asks HO how often a customer used promotions; shares one HTTP connection pool."""

    def __init__(self, base_url: str, token: str | None, timeout_ms: int) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._base = base_url.rstrip("/")
        self._budget = timeout_ms / 1000
        self._client = httpx.AsyncClient(headers=headers, timeout=self._budget)

    async def customer_uses(
        self, customer_id: str, promotion_ids: Sequence[UUID]
    ) -> dict[UUID, int | None]:
        """HO's use count per promotion for ``customer_id`` (None = unknown: offline, late or
        an unusable answer). Never raises for HO's failures."""
        if not promotion_ids:
            return {}
        tasks = [asyncio.ensure_future(self._one(customer_id, pid)) for pid in promotion_ids]
        done, pending = await asyncio.wait(tasks, timeout=self._budget)
        for task in pending:
            task.cancel()
        result: dict[UUID, int | None] = {}
        for pid, task in zip(promotion_ids, tasks, strict=True):
            result[pid] = task.result() if task in done and not task.cancelled() else None
        return result

    async def _one(self, customer_id: str, promotion_id: UUID) -> int | None:
        url = (
            f"{self._base}/api/v1/usage/customers/{quote(customer_id, safe='')}"
            f"/promotions/{promotion_id}"
        )
        try:
            response = await self._client.get(url)
        except httpx.HTTPError as exc:
            log.info("HO usage lookup failed: %r", exc)
            return None
        if response.status_code != 200:
            log.info("HO usage lookup answered %d", response.status_code)
            return None
        try:
            return _count(response.json())
        except ValueError:
            return None

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
