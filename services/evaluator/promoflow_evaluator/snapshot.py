"""The in-memory snapshot each API worker evaluates against, and how it stays current.

A worker holds the store's active promotions as a built :class:`PromotionIndex` plus the store's
usage counts for limited promotions. A background task reads ``store_meta`` (one indexed row)
every ``snapshot_poll_ms`` (default 200 ms) and rebuilds only what changed:

* ``data_version`` changed → re-read ``(id, version)`` of the active promotions, parse only the
  documents whose version changed (parsed documents are kept between rebuilds), rebuild the
  index, and swap the reference (requests in flight keep the snapshot they started with);
* ``usage_version`` or the store-local date changed → recount the limited promotions' usage.

Requests never touch the database for the snapshot. Staleness is bounded by the poll period
(evaluate only: checkout recounts inside its write transaction).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from promoflow_contracts.edge_store import utcnow
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_evaluator.adapters.repository import EdgeRepository, Reader
from promoflow_evaluator.domain.limits import LocalUsage, is_limited
from promoflow_evaluator.engine import PromotionIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Catalog:
    """The active promotions of one data version, indexed for the engine."""

    data_version: int
    promotions: tuple[CompiledPromotion, ...]
    by_id: Mapping[UUID, CompiledPromotion]
    index: PromotionIndex
    limited: tuple[CompiledPromotion, ...]
    loaded_at: datetime


@dataclass(frozen=True, slots=True)
class Usage:
    """The store's usage counts of one usage version and business date."""

    usage_version: int
    business_date: date
    local: LocalUsage


def _order(promotion: CompiledPromotion) -> tuple[str, int, str]:
    return (promotion.execution_stage.value, -promotion.execution_priority, promotion.code)


class SnapshotHolder:
    """Holds the current :class:`Catalog` and :class:`Usage` of one worker."""

    def __init__(
        self,
        repository: EdgeRepository,
        zone: ZoneInfo,
        poll_seconds: float,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._repository = repository
        self._zone = zone
        self._poll = poll_seconds
        self._clock = clock
        self._parsed: dict[UUID, CompiledPromotion] = {}
        self.catalog: Catalog | None = None
        self.usage: Usage | None = None
        self.rebuilds = 0
        self.last_error: str | None = None

    @property
    def ready(self) -> bool:
        """True once a catalog is loaded."""
        return self.catalog is not None

    def business_date(self) -> date:
        """Today in the store's time zone."""
        return self._clock().astimezone(self._zone).date()

    def refresh(self) -> bool:
        """Check the store's versions and rebuild what changed; True when anything did.

        The store is read in one short read transaction; the index is built after it ends.
        """
        catalog, usage = self.catalog, self.usage
        today = self.business_date()
        with self._repository.read() as reader:
            data_version, usage_version = reader.versions()
            rebuild = catalog is None or catalog.data_version != data_version
            promotions = self._read_promotions(reader) if rebuild or catalog is None else None
            if promotions is not None:
                limited = tuple(p for p in promotions if is_limited(p))
            else:
                assert catalog is not None
                limited = catalog.limited
            recount = (
                rebuild
                or usage is None
                or usage.usage_version != usage_version
                or usage.business_date != today
            )
            local = reader.local_usage(limited, today) if recount else None
        if promotions is not None:
            self.catalog = self._catalog(data_version, promotions, limited)
        if local is not None:
            self.usage = Usage(usage_version, today, local)
        self.last_error = None
        return promotions is not None or local is not None

    def _read_promotions(self, reader: Reader) -> tuple[CompiledPromotion, ...]:
        """The active promotions, parsing only documents whose version changed."""
        versions = reader.active_versions()
        stale = [
            pid
            for pid, version in versions.items()
            if pid not in self._parsed or self._parsed[pid].version != version
        ]
        for document in reader.documents(stale):
            self._parsed[document.id] = document
        for pid in set(self._parsed) - set(versions):
            del self._parsed[pid]
        return tuple(sorted((p for p in self._parsed.values() if p.id in versions), key=_order))

    def _catalog(
        self,
        data_version: int,
        promotions: tuple[CompiledPromotion, ...],
        limited: tuple[CompiledPromotion, ...],
    ) -> Catalog:
        index = PromotionIndex.build(promotions)
        self.rebuilds += 1
        log.info("snapshot %d: %d active promotions", data_version, len(promotions))
        return Catalog(
            data_version=data_version,
            promotions=promotions,
            by_id={p.id: p for p in promotions},
            index=index,
            limited=limited,
            loaded_at=self._clock(),
        )

    async def run(self) -> None:
        """Poll and refresh until cancelled; errors are logged and retried next period."""
        while True:
            try:
                await asyncio.to_thread(self.refresh)
            except Exception as exc:  # keep serving the last good snapshot
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("snapshot refresh failed: %s", self.last_error)
            await asyncio.sleep(self._poll)
