"""The sync API's use cases: what a store (or a POS back office) downloads.

Documents are served exactly as published (the stored JSON), never recompiled, so what a
store gets over HTTP is byte for byte what it would get from ``promotions.v1``. Responses
are assembled as JSON bytes without parsing the documents (fast for 1,000+ promotions).

* ``promotions(store, updated_since)``: without ``updated_since`` a *full* sync: every
  document published for the store, ``deleted_promotion_ids`` empty, ``full_sync`` true (the
  client replaces what it holds). With it: the documents changed since then (inclusive) and
  the ids to drop (withdrawn, or no longer targeting the store).
* ``version(store)``: the newest change number and time of the store's company; a store
  polls it and syncs when it moved. Conservative: a change to any of the company's
  promotions moves it, so no change relevant to the store is ever missed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Engine

from promoflow_compiler.adapters import sync_queries as q
from promoflow_compiler.exceptions import Forbidden, InvalidInput, NotFound
from promoflow_compiler.service.actor import Actor


def _assemble(documents: list[str], fields: dict[str, Any]) -> bytes:
    tail = orjson.dumps(fields)
    return b'{"promotions":[' + ",".join(documents).encode() + b"]," + tail[1:]


class SyncService:
    """Read-only sync queries on the HO database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def _allowed(actor: Actor, store_id: uuid.UUID | None) -> None:
        if actor.store_id is not None and store_id != actor.store_id:
            raise Forbidden(f"this token may only sync store {actor.store_id}")

    def _store(self, conn: Any, store_id: uuid.UUID) -> q.StoreRef:
        store = q.find_store(conn, store_id)
        if store is None:
            raise InvalidInput.single("store_id", "unknown_reference", f"no store {store_id}")
        return store

    def promotions(
        self,
        actor: Actor,
        store_id: uuid.UUID,
        updated_since: datetime | None,
        brand_id: uuid.UUID | None = None,
    ) -> bytes:
        """The sync response body (JSON bytes) for one store."""
        self._allowed(actor, store_id)
        with self.engine.connect() as conn:
            store = self._store(conn, store_id)
            stamp = q.safe_sync_timestamp(conn)
            documents = q.published_documents(conn, store, updated_since, brand_id)
            deleted = q.deleted_since(conn, store, updated_since) if updated_since else []
            version, _ = q.company_version(conn, store.company_id)
        ids = deleted
        return _assemble(
            documents,
            {
                "deleted_promotion_ids": ids,
                "deleted_ids": ids,
                "sync_timestamp": stamp,
                "store_id": str(store_id),
                "full_sync": updated_since is None,
                "version": version,
                "count": len(documents),
            },
        )

    def promotion(self, actor: Actor, promotion_id: uuid.UUID) -> bytes:
        """One published document (404 when not published, or not for a pinned store)."""
        with self.engine.connect() as conn:
            store = self._store(conn, actor.store_id) if actor.store_id else None
            found = q.documents_by_id(conn, [promotion_id], store)
        if not found:
            raise NotFound("published promotion", promotion_id)
        return found[str(promotion_id)].encode()

    def bulk(self, actor: Actor, ids: list[uuid.UUID]) -> bytes:
        """Published documents for ``ids``; ``not_found_ids`` lists the others."""
        unique = list(dict.fromkeys(ids))
        with self.engine.connect() as conn:
            store = self._store(conn, actor.store_id) if actor.store_id else None
            found = q.documents_by_id(conn, unique, store)
        missing = [str(i) for i in unique if str(i) not in found]
        documents = [found[str(i)] for i in unique if str(i) in found]
        return _assemble(documents, {"not_found_ids": missing})

    def version(self, actor: Actor, store_id: uuid.UUID) -> dict[str, Any]:
        """``version`` (change number), ``last_updated`` and ``force_update`` for a store."""
        self._allowed(actor, store_id)
        with self.engine.connect() as conn:
            store = self._store(conn, store_id)
            version, last = q.company_version(conn, store.company_id)
        return {
            "store_id": store_id,
            "version": version,
            "last_updated": last,
            "force_update": False,
        }
