"""The in-memory snapshot each API worker evaluates against, and how it stays current.

A worker holds the store's active promotions as a built :class:`PromotionIndex` plus the store's
usage counts for limited promotions. A background task reads ``store_meta`` (one indexed row)
every ``snapshot_poll_ms`` (default 100 ms) and rebuilds only what changed:

* ``data_version`` changed → re-read ``(id, version)`` of the active promotions, parse only the
  documents whose version changed (parsed documents are kept between rebuilds, by id and
  version), derive the next index from the previous one with
  ``PromotionIndex.with_changes(upserted=..., removed=...)`` (only the changed promotions are
  parsed by the engine; a full :meth:`PromotionIndex.build` for the first load), and swap
  the reference (requests in flight keep the
  snapshot they started with);
* ``usage_version`` or the store-local date changed → recount the limited promotions' usage,
  including each customer's uses of the per-customer-limited promotions, so evaluating a
  member's cart needs no database read.

Requests never touch the database. Staleness is bounded by the poll period (evaluate only:
checkout recounts inside its write transaction).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from promoflow_contracts.edge_store import utcnow
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_evaluator.adapters.repository import EdgeRepository, Reader
from promoflow_evaluator.domain.limits import LocalUsage, customer_limited, is_limited
from promoflow_evaluator.engine import PromotionIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Catalog:
    """The active promotions of one data version, indexed for the engine.

    ``promotions`` are in evaluation order (stage, priority, code); ``limited`` are those the
    store counts uses of; ``customer_limited`` those with a per-customer limit, by id.
    """

    data_version: int
    promotions: tuple[CompiledPromotion, ...]
    by_id: Mapping[UUID, CompiledPromotion]
    index: PromotionIndex
    limited: tuple[CompiledPromotion, ...]
    customer_limited: Mapping[UUID, CompiledPromotion]
    loaded_at: datetime


@dataclass(frozen=True, slots=True)
class Usage:
    """The store's usage counts of one usage version and business date.

    ``customers``: per customer id, the recorded (not voided) redemptions at this store of each
    per-customer-limited promotion (customers without any are absent).
    """

    usage_version: int
    business_date: date
    local: LocalUsage
    customers: Mapping[str, Mapping[UUID, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Held:
    """The parsed documents a catalog was built from, by id, with what each rebuild needs
    kept per id so a change costs what changed (plus dictionary copies at C speed)."""

    documents: dict[UUID, CompiledPromotion] = field(default_factory=dict)
    versions: dict[UUID, int] = field(default_factory=dict)
    order: dict[UUID, tuple[str, int, str]] = field(default_factory=dict)
    limited: dict[UUID, CompiledPromotion] = field(default_factory=dict)

    def changed(self, upserted: list[CompiledPromotion], removed: list[UUID]) -> _Held:
        """A copy with ``removed`` ids dropped and ``upserted`` documents put in."""
        held = _Held(
            dict(self.documents), dict(self.versions), dict(self.order), dict(self.limited)
        )
        for pid in removed:
            del held.documents[pid], held.versions[pid], held.order[pid]
            held.limited.pop(pid, None)
        for document in upserted:
            pid = document.id
            held.documents[pid] = document
            held.versions[pid] = document.version
            held.order[pid] = _order(document)
            if is_limited(document):
                held.limited[pid] = document
            else:
                held.limited.pop(pid, None)
        return held

    def ordered(self) -> tuple[CompiledPromotion, ...]:
        """The documents in evaluation order (stage, priority, code)."""
        order = self.order
        return tuple(map(self.documents.__getitem__, sorted(order, key=order.__getitem__)))


@dataclass(frozen=True, slots=True)
class _Read:
    """What one refresh read from the store (inside its read transaction)."""

    data_version: int
    held: _Held
    upserted: list[CompiledPromotion]
    removed: list[UUID]


def _order(promotion: CompiledPromotion) -> tuple[str, int, str]:
    return (promotion.execution_stage.value, -promotion.execution_priority, promotion.code)


def next_index(
    previous: PromotionIndex | None,
    promotions: Sequence[CompiledPromotion],
    upserted: Collection[CompiledPromotion],
    removed: Collection[UUID],
) -> PromotionIndex:
    """The index of ``promotions``: derived from ``previous`` by
    :meth:`PromotionIndex.with_changes` (the engine parses only what changed and returns an
    index equal to a fresh build), or built from scratch for the first load."""
    if previous is None:
        return PromotionIndex.build(promotions)
    return previous.with_changes(upserted=upserted, removed=removed)


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
        self._held = _Held()
        self.catalog: Catalog | None = None
        self.usage: Usage | None = None
        self.rebuilds = 0
        #: seconds the last catalog rebuild took (read + parse + index)
        self.last_rebuild_s = 0.0
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
        started = time.perf_counter()
        catalog, usage = self.catalog, self.usage
        today = self.business_date()
        with self._repository.read() as reader:
            data_version, usage_version = reader.versions()
            read: _Read | None = None
            if catalog is None or catalog.data_version != data_version:
                read = self._read_changes(reader, data_version)
            promotions = read.held.ordered() if read is not None else None
            if read is not None:
                limited = tuple(read.held.limited.values())
            else:
                assert catalog is not None
                limited = catalog.limited
            recount = (
                read is not None
                or usage is None
                or usage.usage_version != usage_version
                or usage.business_date != today
            )
            fresh_usage = self._count(reader, limited, usage_version, today) if recount else None
        if read is not None and promotions is not None:
            self.catalog = self._catalog(catalog, read, promotions, limited)
            self._held = read.held  # only once the index holds them (else retried)
            self.last_rebuild_s = time.perf_counter() - started
            log.info(
                "snapshot %d: %d active promotions (%d changed, %d removed) in %.1f ms",
                read.data_version,
                len(promotions),
                len(read.upserted),
                len(read.removed),
                self.last_rebuild_s * 1000,
            )
        if fresh_usage is not None:
            self.usage = fresh_usage
        self.last_error = None
        return read is not None or fresh_usage is not None

    def _read_changes(self, reader: Reader, data_version: int) -> _Read:
        """Re-read the active promotions' versions; parse only documents whose version
        changed (a document that fails validation keeps the last good version, if any)."""
        versions = reader.active_versions()
        held = self._held.versions
        stale = [pid for pid, version in versions.items() if held.get(pid) != version]
        upserted = reader.documents(stale)
        removed = list(held.keys() - versions.keys())
        return _Read(data_version, self._held.changed(upserted, removed), upserted, removed)

    def _count(
        self, reader: Reader, limited: tuple[CompiledPromotion, ...], usage_version: int, day: date
    ) -> Usage:
        local = reader.local_usage(limited, day)
        per_customer = [p.id for p in customer_limited(limited)]
        customers = reader.customer_counts(per_customer) if per_customer else {}
        return Usage(usage_version, day, local, customers)

    def _catalog(
        self,
        previous: Catalog | None,
        read: _Read,
        promotions: tuple[CompiledPromotion, ...],
        limited: tuple[CompiledPromotion, ...],
    ) -> Catalog:
        index = next_index(
            previous.index if previous is not None else None,
            promotions,
            read.upserted,
            read.removed,
        )
        self.rebuilds += 1
        return Catalog(
            data_version=read.data_version,
            promotions=promotions,
            by_id=read.held.documents,
            index=index,
            limited=limited,
            customer_limited={p.id: p for p in customer_limited(limited)},
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


def freeze_heap() -> None:
    """Move every object alive now (modules, schemas, the first snapshot) out of the cyclic
    garbage collector's generations, so its full collections stop re-scanning them (a full
    collection of a worker's heap takes tens of milliseconds: a latency spike on whatever
    request triggers it). Called once, after start-up."""
    gc.collect()
    gc.freeze()
