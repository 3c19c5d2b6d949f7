"""SQL of the sync API: the published documents of a store, as the stored JSON text.

``sync_timestamp`` is safe to pass back as ``updated_since``: it is the earlier of this
transaction's start and the start of the oldest other transaction still open in the database
(``pg_stat_activity``). Publication rows carry their writer's transaction start time
(``now()``), so a row committed after this read always has ``updated_at >=`` the returned
timestamp and the next incremental sync (inclusive) picks it up. The price is an overlap:
a few documents may come twice, which is harmless (stores upsert by version). Needs the
API and the writers to use the same database role (PostgreSQL hides other roles' sessions).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

_SAFE_TIMESTAMP = text(
    """
    SELECT least(now(), coalesce(min(xact_start), now()))
    FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid()
      AND xact_start IS NOT NULL
    """
)

_TARGETS_STORE = "(p.all_stores OR :store_id = ANY(p.store_ids))"
_BRAND_FILTER = (
    "AND (CAST(:brand_id AS text) IS NULL OR p.document->'targeting'->>'brands' = 'all'"
    " OR p.document->'targeting'->'brands' ? CAST(:brand_id AS text))"
)


@dataclass(frozen=True, slots=True)
class StoreRef:
    """The store a sync is for, and its company."""

    id: uuid.UUID
    company_id: uuid.UUID


def find_store(conn: Connection, store_id: uuid.UUID) -> StoreRef | None:
    """The store, or None."""
    row = conn.execute(
        text("SELECT id, company_id FROM stores WHERE id = :id"), {"id": store_id}
    ).first()
    return StoreRef(row.id, row.company_id) if row is not None else None


def safe_sync_timestamp(conn: Connection) -> datetime:
    """The timestamp to hand out as ``sync_timestamp`` (see the module docstring)."""
    value: datetime = conn.execute(_SAFE_TIMESTAMP).scalar_one()
    return value


def published_documents(
    conn: Connection,
    store: StoreRef,
    updated_since: datetime | None,
    brand_id: uuid.UUID | None,
) -> list[str]:
    """JSON texts of the documents published for ``store`` (changed since, if given)."""
    since = "AND p.updated_at >= :since" if updated_since is not None else ""
    rows = conn.execute(
        text(
            f"""
            SELECT p.document_text FROM promotion_publications p
            WHERE p.company_id = :company_id AND p.status = 'published' AND {_TARGETS_STORE}
              {since} {_BRAND_FILTER}
            ORDER BY p.promotion_id
            """
        ),
        {
            "company_id": store.company_id,
            "store_id": store.id,
            "since": updated_since,
            "brand_id": str(brand_id) if brand_id else None,
        },
    )
    return [r[0] for r in rows]


def deleted_since(conn: Connection, store: StoreRef, updated_since: datetime) -> list[str]:
    """Ids the store must drop: the company's promotions changed since ``updated_since`` that
    are withdrawn or no longer target the store (may include ids it never held)."""
    rows = conn.execute(
        text(
            f"""
            SELECT p.promotion_id::text FROM promotion_publications p
            WHERE p.company_id = :company_id AND p.updated_at >= :since
              AND (p.status = 'withdrawn' OR NOT {_TARGETS_STORE})
            ORDER BY p.promotion_id
            """
        ),
        {"company_id": store.company_id, "store_id": store.id, "since": updated_since},
    )
    return [r[0] for r in rows]


def documents_by_id(
    conn: Connection, ids: list[uuid.UUID], store: StoreRef | None
) -> dict[str, str]:
    """Published documents by promotion id (only those targeting ``store`` when given)."""
    if not ids:
        return {}
    store_filter = f"AND p.company_id = :company_id AND {_TARGETS_STORE}" if store else ""
    rows = conn.execute(
        text(
            f"""
            SELECT p.promotion_id::text, p.document_text FROM promotion_publications p
            WHERE p.promotion_id = ANY(:ids) AND p.status = 'published' {store_filter}
            """
        ),
        {
            "ids": ids,
            "company_id": store.company_id if store else None,
            "store_id": store.id if store else None,
        },
    )
    return {r[0]: r[1] for r in rows}


def company_version(conn: Connection, company_id: uuid.UUID) -> tuple[int, datetime | None]:
    """The latest change number and time of the company's publications (0, None = none)."""
    row = conn.execute(
        text(
            "SELECT coalesce(max(change_seq), 0), max(updated_at)"
            " FROM promotion_publications WHERE company_id = :c"
        ),
        {"c": company_id},
    ).one()
    return int(row[0]), row[1]
